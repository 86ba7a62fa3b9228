"""Trend tests checked against independent calculations and published results."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from methods.trend import (
    CHI_SQUARE_LIMIT,
    chi_square_for_trend,
    proportion_trend,
    rate_trend,
    weighted_trend,
)

# ------------------------------------------------------------------------------ statistics


def test_chi_square_matches_r_prop_trend_test():
    # R: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82))
    # -> X-squared = 8.2249, df = 1, p-value = 0.004132
    x2, u = chi_square_for_trend([83, 90, 129, 70], [86, 93, 136, 82], [1, 2, 3, 4])
    assert x2 == pytest.approx(8.2249, abs=5e-5)
    assert chi2.sf(x2, 1) == pytest.approx(0.004132, abs=5e-7)
    assert u < 0  # the proportion falls


def test_chi_square_matches_fingertips_formula_and_weighted_regression():
    rng = np.random.default_rng(4)
    n = rng.integers(500, 5000, 5).astype(float)
    r = np.floor(n * rng.uniform(0.05, 0.3, 5))
    t = np.array([2015.0, 2016, 2017, 2019, 2020])
    x2, u = chi_square_for_trend(r, n, t)
    # Fingertips' TrendMarkerCalculator form
    big_n, big_r = n.sum(), r.sum()
    part = big_n * (r * t).sum() - big_r * (n * t).sum()
    fingertips = (
        big_n
        * part**2
        / (big_r * (big_n - big_r) * (big_n * (n * t * t).sum() - (n * t).sum() ** 2))
    )
    assert x2 == pytest.approx(fingertips, rel=1e-9)
    # R's prop.trend.test: the regression sum of squares of p on t, weights n / (pbar qbar)
    p_bar = big_r / big_n
    slope, _ = np.polyfit(t, r / n, 1, w=np.sqrt(n / (p_bar * (1 - p_bar))))
    weights = n / (p_bar * (1 - p_bar))
    t_bar = (weights * t).sum() / weights.sum()
    assert x2 == pytest.approx(slope**2 * (weights * (t - t_bar) ** 2).sum(), rel=1e-9)
    assert np.sign(u) == np.sign(slope)


def test_weighted_trend_matches_numpy_weighted_fit():
    t = np.array([1.0, 2, 3, 4, 5])
    values = np.array([40.0, 42.5, 41.0, 45.0, 47.0])
    lower = values - np.array([1.0, 1.5, 0.8, 2.0, 1.2])
    upper = values + np.array([1.2, 1.5, 0.9, 2.2, 1.1])
    x2, slope = weighted_trend(values, lower, upper, t)
    se = (upper - lower) / 3.92
    (b, _), cov = np.polyfit(t, values, 1, w=1 / se, cov="unscaled")
    assert slope == pytest.approx(b, rel=1e-9)
    assert x2 == pytest.approx(b**2 / cov[0, 0], rel=1e-9)


def test_undefined_statistics_raise():
    with pytest.raises(ValueError):
        chi_square_for_trend([0, 0, 0], [10, 10, 10], [1, 2, 3])
    with pytest.raises(ValueError):
        weighted_trend([1, 2], [1, 2], [1, 2], [1, 2])  # zero-width intervals
    with pytest.raises(ValueError):
        weighted_trend([1, 2], [0, 1], [2, 3], [1, 1])  # one time only


def test_threshold_is_fingertips_998():
    assert abs(CHI_SQUARE_LIMIT - 9.54953570608324) < 1e-9


# ----------------------------------------------------------------------- Fingertips' verdict


def test_a_steady_rise_in_proportions_is_significant_and_rising():
    out = proportion_trend([1000, 1100, 1200, 1300, 1400], [10_000] * 5, [1, 2, 3, 4, 5])
    assert out.significant and out.direction > 0
    assert out.chi_square > CHI_SQUARE_LIMIT
    assert out.p_value == pytest.approx(chi2.sf(out.chi_square, 1))


def test_one_unusual_point_driving_the_trend_is_not_significant():
    # flat but for a jump in the last year: dropping that year leaves no rise at all
    flat = [1000, 1001, 1000, 999, 1400]
    out = proportion_trend(flat, [10_000] * 5, [1, 2, 3, 4, 5])
    assert out.chi_square > CHI_SQUARE_LIMIT
    assert not out.significant


def test_small_movements_are_not_significant():
    out = proportion_trend([100, 102, 101, 103, 104], [10_000] * 5, [1, 2, 3, 4, 5])
    assert out.chi_square < CHI_SQUARE_LIMIT and not out.significant


def test_rate_trend_falls_with_a_falling_weighted_line():
    values = np.array([50.0, 46.0, 42.0, 38.0, 34.0])
    out = rate_trend(values, values - 1, values + 1, [1, 2, 3, 4, 5])
    assert out.significant and out.direction < 0
    with pytest.raises(ValueError):
        rate_trend(values, values, values, [1, 2, 3, 4, 5])
