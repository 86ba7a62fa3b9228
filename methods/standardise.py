"""Indirect standardisation: activity expected from need, as for an SMR."""

from __future__ import annotations

import pandas as pd


def expected_from_need(observed: pd.Series, need: pd.Series) -> pd.Series:
    """Activity expected from need at the overall rate: E_a = need_a * sum(O) / sum(need).

    The sums run over the areas given, which must be the whole comparison set (all of England
    at one level) with both values present; by construction sum(E) = sum(O), so the ratio
    O/E over all areas weighted by E is exactly 1.
    """
    both = observed.notna() & need.notna()
    overall = observed[both].sum() / need[both].sum()
    return (need * overall).where(both)
