"""Statistical disclosure control, applied before anything is written to the atlas.

The rule (NHS England's, as in the MHSDS and Talking Therapies publications): a
sub-national count from 1 to 7 is suppressed; other counts are shown rounded to the nearest
5; a rate or ratio whose numerator is suppressed is suppressed with it. Values are computed
from the unrounded counts first. Every suppressed blank carries a note saying why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 8  # counts 1..THRESHOLD-1 are suppressed
ROUND_TO = 5
NATIONAL_LEVELS = frozenset({"england"})
SMALL_COUNT_NOTE = "Suppressed: fewer than 8 people or events, which could identify someone."
SOURCE_NOTE = "Suppressed by the publisher in the source data."
STAT_COLUMNS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")


def round_to_five(counts: pd.Series) -> pd.Series:
    """Round to the nearest 5, halves away from zero (so 2.5 -> 5, never banker's rounding)."""
    values = counts.astype("Float64")
    return (np.floor(values / ROUND_TO + 0.5) * ROUND_TO).astype("Float64")


def is_small(counts: pd.Series) -> pd.Series:
    """True where a count lies in the disclosive range 1..7 (0 is not disclosive)."""
    return (counts >= 1) & (counts < THRESHOLD)


def protect(values: pd.DataFrame) -> pd.DataFrame:
    """Apply the rule to a values table (columns as in the atlas contract).

    Rows at a national level keep exact counts. Elsewhere a small numerator or denominator
    suppresses the whole row (value, limits and both counts); the remaining counts are rounded.
    Rows already suppressed at source keep their note.
    """
    out = values.copy()
    local = ~out["level"].isin(NATIONAL_LEVELS)
    small = local & (
        is_small(out["numerator"]).fillna(False) | is_small(out["denominator"]).fillna(False)
    )
    newly = small & ~out["suppressed"]
    out["suppressed"] = out["suppressed"] | small
    out.loc[newly, "note"] = SMALL_COUNT_NOTE
    for column in (*STAT_COLUMNS, "numerator", "denominator"):
        out[column] = out[column].astype("Float64").mask(out["suppressed"])
    for column in ("comparison", "comparison_998"):
        if column in out.columns:
            out[column] = out[column].mask(out["suppressed"], "not_compared")
    for column in ("numerator", "denominator"):
        out[column] = out[column].mask(local, round_to_five(out[column]))
    return out
