"""The headline ratio, observed over expected, computed in one place for every level.

Expected activity comes from need at the overall rate of the areas given
(:func:`methods.standardise.expected_from_need`); ``finalise`` then gives O/E its Byar limits.
"""

from __future__ import annotations

import pandas as pd

from methods import standardise


def observed_over_expected(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (columns ``numerator`` = observed, ``need``) with ``denominator`` = expected.

    Every level uses this, so a CCG ratio and a sub-ICB ratio mean the same thing.
    """
    expected = standardise.expected_from_need(frame["numerator"], frame["need"])
    return frame.assign(denominator=expected)
