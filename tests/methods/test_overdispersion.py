"""Overdispersion-adjusted O/E limits pinned to FunnelPlotR's worked example (SR, SHMI).

FunnelPlotR's ``tests/testthat/test-classes_methods.R`` pins only phi = 2.948033 for
num = (100, 150, 180, 80, 120, 225), denom = (108, 112, 165, 95, 100, 220). tau2 and the limits
below follow from its R code by hand:

* ``truncation`` with trim_by 0.1: k = 10, sp = floor(rank * 10 / 7) = 1, 2, 4, 5, 7, 8 for ranks
  1..6, all strictly between 0 and 9, so none of the six is truncated and n = 6;
* ``phi_func``: phi = sum(z^2) / 6 with z = sqrt(E) log(O/E) = 2.948033;
* ``tau_func``: w = 1/s^2 = E, sum(w) = 800, sum(w^2) = 118858, so
  tau2 = (6 phi - 5) / (800 - 118858 / 800) = 12.688199 / 651.4275 = 0.0194775;
* ``calculate_limits`` (SR, SHMI, adjusted): exp(-/+ 1.959964 sqrt(1/E + tau2)) and
  exp(-/+ 3.090232 sqrt(1/E + tau2)); for area a (E = 108) 0.717307 / 1.394104 and
  0.592234 / 1.688523.

FunnelPlotR's ``test-poisson_limits.R`` pins its *unadjusted* limits, which are exact chi-square
limits (qchisq), not the tau2 = 0 case of the log-scale model computed here; those exact limits
live in ``methods.funnel`` (pinned to PHStatsMethods), so they are not repeated here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methods.overdispersion import band, dispersion, limits, z_scores

NUM = pd.Series([100, 150, 180, 80, 120, 225], index=list("abcdef"), dtype="float64")
DENOM = pd.Series([108, 112, 165, 95, 100, 220], index=list("abcdef"), dtype="float64")
TAU2 = 0.0194775


def test_phi_and_tau2_match_funnelplotr_worked_example() -> None:
    result = dispersion(NUM, DENOM)
    assert round(result.phi, 6) == 2.948033
    assert result.n == 6
    assert result.tau2 == pytest.approx(TAU2, abs=5e-8)
    assert result.z_trimmed.equals(result.z)


@pytest.mark.parametrize(
    ("level", "lower", "upper"),
    [
        ("95", [0.717307, 0.718683, 0.731093], [1.394104, 1.391433, 1.367816]),
        ("998", [0.592234, 0.594027, 0.610279], [1.688523, 1.683426, 1.638595]),
    ],
)
def test_limits_match_funnelplotr_formula(level: str, lower: list, upper: list) -> None:
    lo, hi = limits(DENOM.iloc[:3], TAU2, level)
    np.testing.assert_allclose(lo, lower, atol=2e-6)
    np.testing.assert_allclose(hi, upper, atol=2e-6)
    assert list(lo.index) == ["a", "b", "c"]


def test_winsorising_clips_at_type_7_quantiles() -> None:
    result = dispersion(NUM, DENOM, method="winsorise")
    z = result.z.to_numpy()
    low, high = np.quantile(z, [0.1, 0.9])  # R type 7: low = z(1) + 0.5 (z(2) - z(1))
    zs = np.sort(z)
    assert low == pytest.approx(zs[0] + 0.5 * (zs[1] - zs[0]))
    assert result.z_trimmed.min() == pytest.approx(low)
    assert result.z_trimmed.max() == pytest.approx(high)
    assert result.phi == pytest.approx(np.mean(np.clip(z, low, high) ** 2))
    assert round(result.phi, 6) == 2.149053
    with pytest.raises(ValueError, match="unknown trimming"):
        dispersion(NUM, DENOM, method="trim")


def test_truncation_sets_aside_the_outer_tenth_by_rank() -> None:
    expected = pd.Series(np.full(20, 400.0))
    observed = expected * np.exp(np.linspace(-0.5, 0.5, 20))
    result = dispersion(observed, expected)
    # floor(rank * 10 / 21) is 0 for ranks 1-2 and 9 for ranks 19-20: four set aside
    assert result.n == 16
    assert result.z_trimmed.iloc[[0, 1, 18, 19]].isna().all()
    assert result.z_trimmed.iloc[2:18].notna().all()


def test_z_scores_missing_where_not_computable() -> None:
    z = z_scores(pd.Series([10.0, None, 5.0, 0.0]), pd.Series([10.0, 4.0, 0.0, 3.0]))
    assert z.iloc[0] == 0.0
    assert z.iloc[1:3].isna().all()
    assert z.iloc[3] == -np.inf


def test_band_flags_outside_adjusted_limits_and_keeps_missing_out() -> None:
    observed = pd.Series([1500.0, 700.0, 1010.0, None, 50.0], index=list("vwxyz"))
    expected = pd.Series([1000.0, 1000.0, 1000.0, 1000.0, 0.0], index=list("vwxyz"))
    got = band(observed, expected, tau2=0.01, level="95")
    assert got.dtype == "string"
    assert got.tolist() == ["higher", "lower", "similar", "not_compared", "not_compared"]
    bad = band(observed, expected, tau2=0.01, polarity="high_is_bad")
    assert bad.tolist()[:3] == ["worse", "better", "similar"]
    with pytest.raises(ValueError, match="unknown level"):
        band(observed, expected, tau2=0.01, level="90")


def test_adjustment_stops_nearly_every_large_area_being_flagged() -> None:
    rng = np.random.default_rng(7)
    expected = pd.Series(rng.uniform(2000, 20000, 106))
    true_log_ratio = rng.normal(0, 0.15, 106)
    observed = pd.Series(rng.poisson(expected * np.exp(true_log_ratio)), dtype="float64")
    assert (band(observed, expected, tau2=0.0) != "similar").sum() > 70
    assert (band(observed, expected, level="998") != "similar").sum() < 10
    # Truncation keeps only the middle 80% of z-scores, so with normal random effects tau2
    # comes out at roughly half the true 0.15^2: the SHMI method errs towards flagging.
    assert 0.3 * 0.15**2 < dispersion(observed, expected).tau2 < 0.15**2


counts = st.lists(st.tuples(st.integers(0, 5000), st.floats(1.0, 5000.0)), min_size=2, max_size=40)


@settings(max_examples=60, deadline=None)
@given(counts)
def test_tau2_is_never_negative(rows: list[tuple[int, float]]) -> None:
    observed = pd.Series([o for o, _ in rows], dtype="float64")
    expected = pd.Series([e for _, e in rows])
    assert dispersion(observed, expected).tau2 >= 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.5, 1e5), min_size=1, max_size=20),
    st.floats(1e-6, 1.0),
    st.sampled_from(["95", "998"]),
)
def test_adjusted_limits_contain_unadjusted(expected: list, tau2: float, level: str) -> None:
    lo0, hi0 = limits(expected, 0.0, level)
    lo, hi = limits(expected, tau2, level)
    assert (lo < lo0).all() and (hi > hi0).all()
    assert (lo0 < 1).all() and (hi0 > 1).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-0.9, 0.9), st.floats(1.0, 1e4)), min_size=6, max_size=40))
def test_poisson_consistent_data_give_no_between_area_variance(rows: list) -> None:
    # |z| < 0.9 everywhere, so phi < 0.81 < (n - 1) / n for n >= 6: tau_func returns 0
    z = np.array([r[0] for r in rows])
    expected = pd.Series([r[1] for r in rows])
    observed = expected * np.exp(z / np.sqrt(expected))
    result = dispersion(observed, expected)
    assert result.phi < 0.82
    assert result.tau2 == 0.0
