"""A straight line through a cloud of points, for scatter charts and their sentences.

Ordinary least squares of y on x with Pearson's r (``scipy.stats.linregress``), returning NaN
instead of raising when there are too few points or no spread, so a chart of two areas or of
a measure that does not vary simply draws no line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import stats

#: Fewer points than this give no line: two points always fit exactly and say nothing.
MIN_POINTS = 3


class Fit(NamedTuple):
    """Slope, intercept and Pearson r of a least-squares line (NaN where there is none)."""

    slope: float
    intercept: float
    r: float

    @property
    def drawn(self) -> bool:
        """Whether there is a line to draw (enough points with spread in x)."""
        return not np.isnan(self.slope)


NO_FIT = Fit(np.nan, np.nan, np.nan)


def least_squares(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> Fit:
    """Slope, intercept and Pearson r of y on x (NaN when fewer than 3 points or no spread).

    r is NaN when y does not vary: the line is then flat and no correlation is defined.
    """
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    if len(x) < MIN_POINTS or np.ptp(x) == 0:
        return NO_FIT
    result = stats.linregress(x, y)
    r = float(result.rvalue) if np.ptp(y) > 0 else np.nan
    return Fit(float(result.slope), float(result.intercept), r)
