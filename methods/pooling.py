"""Pooling a group of areas' counts into one value, re-protected by the disclosure rule.

A group's value (a peer group, say) is the value of the people in it: the sum of the areas'
numerators over the sum of their denominators, times the indicator's multiplier. The sums are
derived figures, so :mod:`methods.disclosure` is applied to them again: a pooled numerator of 1
to 7 suppresses the value, and the pooled counts are shown rounded to 5. The value itself is
computed from the unrounded sums, as every atlas value is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from methods.disclosure import SMALL_COUNT_NOTE, is_small, round_to_five

#: Statistics whose value is numerator / denominator (times the multiplier), so can be pooled.
POOLABLE = frozenset({"proportion", "rate", "ratio"})


@dataclass(frozen=True)
class Pooled:
    """A pooled value with the counts that may be shown (rounded), or why it is hidden."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None

    @property
    def suppressed(self) -> bool:
        """True when the disclosure rule hides the pooled value."""
        return self.value is None


def _one(function: Callable[[pd.Series], pd.Series], count: float) -> object:
    """A disclosure rule written for a column, applied to one count."""
    return function(pd.Series([count], dtype="Float64")).iloc[0]


def pool(
    numerators: Sequence[float], denominators: Sequence[float], multiplier: float = 1.0
) -> Pooled:
    """Sum the counts, compute the value, and protect the sums.

    Raises ``ValueError`` when a count is missing or the pooled denominator is not positive:
    a group is pooled only when every member has both counts.
    """
    num = np.asarray(numerators, dtype="float64")
    den = np.asarray(denominators, dtype="float64")
    if not (np.isfinite(num).all() and np.isfinite(den).all()) or not den.sum() > 0:
        raise ValueError("pooling needs both counts for every area and a positive denominator")
    total_num, total_den = float(num.sum()), float(den.sum())
    if bool(_one(is_small, total_num)):
        return Pooled(None, note=SMALL_COUNT_NOTE)
    return Pooled(
        total_num / total_den * multiplier,
        float(_one(round_to_five, total_num)),
        float(_one(round_to_five, total_den)),
    )
