from __future__ import annotations

import numpy as np
import pytest

from methods.fit import NO_FIT, least_squares


def test_least_squares_needs_three_points() -> None:
    assert np.isnan(least_squares([1, 2], [3, 4])[0])
    slope, intercept, r = least_squares([1, 2, 3], [2, 4, 6])
    assert (slope, intercept, r) == pytest.approx((2, 0, 1))
    assert least_squares([1, 2, 3], [2, 4, 6]).drawn and not NO_FIT.drawn


def test_least_squares_degenerate_spreads() -> None:
    flat_x = least_squares([2, 2, 2], [1, 2, 3])
    assert all(np.isnan(v) for v in flat_x)
    flat_y = least_squares([1, 2, 3], [5, 5, 5])
    assert (flat_y.slope, flat_y.intercept) == pytest.approx((0, 5)) and np.isnan(flat_y.r)


def test_least_squares_equals_polyfit_and_corrcoef() -> None:
    rng = np.random.default_rng(10)
    x = rng.normal(10, 3, 200)
    y = 2.5 - 0.4 * x + rng.normal(0, 1, 200)
    fit = least_squares(x, y)
    slope, intercept = np.polyfit(x, y, 1)
    assert (fit.slope, fit.intercept) == pytest.approx((slope, intercept), rel=1e-12)
    assert fit.r == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-12)
    assert fit.r < -0.5
