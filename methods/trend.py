"""Tests for a recent trend, as Fingertips (OHID) tests them.

Fingertips marks a trend only when a test says the movement over the most recent points is
bigger than chance would give (its ``TrendMarkerCalculator``):

- **Proportions**: Armitage's chi-square test for linear trend in proportions (also called the
  Cochran-Armitage test). With ``r_i`` events out of ``n_i`` at time score ``t_i``,
  ``N = sum n_i``, ``R = sum r_i``, ``p = R / N`` and ``t_bar = sum n_i t_i / N``::

      U  = sum r_i (t_i - t_bar)
      X2 = U**2 / (p (1 - p) sum n_i (t_i - t_bar)**2)          (1 degree of freedom)

  This is the Fingertips formula ``N (N sum r t - R sum n t)**2 /
  (R (N - R) (N sum n t**2 - (sum n t)**2))`` rearranged, and the regression sum of squares
  of R's ``prop.trend.test``. The sign of ``U`` gives the direction.
- **Rates**: a weighted straight line through the values, each weighted by ``1 / se**2`` with
  ``se = (upper_95 - lower_95) / 3.92`` from its 95% limits; ``X2 = (slope / se(slope))**2``.

In both, the trend is significant when ``X2`` exceeds the chi-square value for the 99.8% level
(9.5495, as Fingertips) **and** the direction stays the same when any one point is left out
(Fingertips' check that one unusual year is not making the trend). Pure numpy and scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

#: Confidence level of the test (Fingertips: ``ChiSquareConfidence = 9.54953570608324``).
LEVEL = 0.998
CHI_SQUARE_LIMIT = float(chi2.ppf(LEVEL, 1))
#: 95% limits are value +/- 1.96 standard errors, so the interval spans 3.92 of them.
Z95_SPAN = 3.92


@dataclass(frozen=True)
class TrendTest:
    """The outcome of a trend test: the statistic, its direction and Fingertips' verdict.

    ``direction`` is positive for a rising series (``U`` or the slope); ``significant`` asks
    both for ``chi_square`` above :data:`CHI_SQUARE_LIMIT` and for a direction that survives
    leaving out any one point.
    """

    chi_square: float
    direction: float
    significant: bool

    @property
    def p_value(self) -> float | None:
        """The chance of a statistic this large with no trend (chi-square, 1 d.f.)."""
        return float(chi2.sf(self.chi_square, 1)) if math.isfinite(self.chi_square) else None


def chi_square_for_trend(
    numerators: Sequence[float], denominators: Sequence[float], scores: Sequence[float]
) -> tuple[float, float]:
    """Armitage's chi-square for linear trend in proportions: ``(X2, U)``.

    ``U`` is positive when the proportion rises with the score. Raises ``ValueError`` when
    the statistic is undefined (no events, every unit an event, or all scores equal).
    """
    r, n, t = (np.asarray(a, dtype="float64") for a in (numerators, denominators, scores))
    big_n, big_r = n.sum(), r.sum()
    p = big_r / big_n
    t_bar = (n * t).sum() / big_n
    u = (r * (t - t_bar)).sum()
    v = p * (1 - p) * (n * (t - t_bar) ** 2).sum()
    if not v > 0:
        raise ValueError("chi-square for trend is undefined: no events or no spread in time")
    return float(u * u / v), float(u)


def weighted_trend(
    values: Sequence[float],
    lower_95: Sequence[float],
    upper_95: Sequence[float],
    scores: Sequence[float],
) -> tuple[float, float]:
    """A straight line weighted by each point's precision: ``(X2, slope)``.

    Weights are ``1 / se**2`` with ``se`` from the width of the 95% interval. Raises
    ``ValueError`` when a width is not positive or all scores are equal.
    """
    y, lo, hi, t = (np.asarray(a, dtype="float64") for a in (values, lower_95, upper_95, scores))
    se = (hi - lo) / Z95_SPAN
    if not (se > 0).all():
        raise ValueError("every point needs a 95% interval of positive width")
    w = 1 / se**2
    sw, swt, swy = w.sum(), (w * t).sum(), (w * y).sum()
    swtt, swty = (w * t * t).sum(), (w * t * y).sum()
    det = sw * swtt - swt**2
    if not det > 0:
        raise ValueError("a line cannot be fitted: all points share one time")
    slope = (sw * swty - swt * swy) / det
    variance = sw / det
    return float(slope**2 / variance), float(slope)


def _tested(
    statistic: Callable[..., tuple[float, float]], columns: Sequence[Sequence[float]]
) -> TrendTest:
    """Run ``statistic`` on all points, then with each point left out in turn."""
    arrays = [np.asarray(c, dtype="float64") for c in columns]
    x2, direction = statistic(*arrays)
    signs = {np.sign(direction)}
    for left_out in range(len(arrays[0])):
        try:
            _, d = statistic(*(np.delete(a, left_out) for a in arrays))
        except ValueError:
            d = 0.0
        signs.add(np.sign(d))
    significant = x2 > CHI_SQUARE_LIMIT and len(signs) == 1 and 0 not in signs
    return TrendTest(x2, direction, bool(significant))


def proportion_trend(
    numerators: Sequence[float], denominators: Sequence[float], scores: Sequence[float]
) -> TrendTest:
    """Fingertips' verdict on a series of proportions, by the chi-square test for trend.

    Raises ``ValueError`` when the statistic is undefined on all the points.
    """
    return _tested(chi_square_for_trend, (numerators, denominators, scores))


def rate_trend(
    values: Sequence[float],
    lower_95: Sequence[float],
    upper_95: Sequence[float],
    scores: Sequence[float],
) -> TrendTest:
    """Fingertips' verdict on a series of rates, by the precision-weighted line.

    Raises ``ValueError`` when no line can be fitted to all the points.
    """
    return _tested(weighted_trend, (values, lower_95, upper_95, scores))
