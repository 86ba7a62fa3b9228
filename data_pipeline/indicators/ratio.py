"""The headline ratio, observed over expected, computed in one place for every level.

Expected activity comes from need at the overall rate of the areas given
(:func:`methods.standardise.expected_from_need`); ``finalise`` then gives O/E its Byar limits.
The gap in people, E - O, is computed here too (:func:`gap_in_people`), by the builders and
again by ``finalise`` from the observed count as shown.
"""

from __future__ import annotations

import pandas as pd

from methods import intervals, standardise


def observed_over_expected(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (columns ``numerator`` = observed, ``need``) with ``denominator`` = expected.

    Every level uses this, so a CCG ratio and a sub-ICB ratio mean the same thing.
    """
    expected = standardise.expected_from_need(frame["numerator"], frame["need"])
    return frame.assign(denominator=expected)


def gap_in_people(
    observed: pd.Series, expected: pd.Series, per_year: pd.Series | float = 1.0
) -> pd.DataFrame:
    """E - O a year, with O's Byar interval carried over: E - upper(O) to E - lower(O).

    ``per_year`` puts a period other than a year on a yearly footing (12/11 for 11 months;
    missing means 1). Columns as :func:`methods.intervals.rate` gives them.
    """
    observed = observed.astype("Float64")
    scale = pd.Series(per_year, index=observed.index, dtype="Float64").fillna(1.0)
    limits = intervals.rate(observed, pd.Series(1.0, index=observed.index), multiplier=1)
    out = pd.DataFrame({"value": (expected - observed) * scale})
    for level in intervals.LEVELS:
        out[f"lower_{level}"] = (expected - limits[f"upper_{level}"]) * scale
        out[f"upper_{level}"] = (expected - limits[f"lower_{level}"]) * scale
    return out
