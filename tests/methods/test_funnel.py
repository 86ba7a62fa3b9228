"""Funnel limits pinned to PHStatsMethods' ``calculate_funnel_limits`` (OHID's reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PHStatsMethods.funnels import calculate_funnel_limits
from scipy import special

from methods.funnel import TAILS, _poisson_bounds, funnel_limits


def ratio_reference() -> pd.DataFrame:
    df = pd.DataFrame({"o": [12, 30, 45, 8, 60], "e": [10.0, 35, 40, 12, 50]})
    return calculate_funnel_limits(df, "o", "ratio", 1, denom_col="e", metadata=False)


@pytest.mark.parametrize(
    ("mine", "side", "level"),
    [
        ("lower_95", "lower", "2s"),
        ("upper_95", "upper", "2s"),
        ("lower_998", "lower", "3s"),
        ("upper_998", "upper", "3s"),
    ],
)
def test_funnel_limits_ratio_equal_phstatsmethods(mine: str, side: str, level: str) -> None:
    ref = ratio_reference().iloc[[0, 4, 20, 60, 99]]
    got = funnel_limits(ref[f"{side}_{level}_exp_events"], statistic="ratio")
    np.testing.assert_allclose(got[mine], ref[f"{side}_{level}_limit"], rtol=2e-5)


def test_funnel_limits_rate_and_proportion_equal_phstatsmethods() -> None:
    df = pd.DataFrame({"n": [50, 80, 120, 30], "d": [5000.0, 7000, 10000, 4000]})
    df["rate"] = df["n"] / df["d"] * 100000
    ref = calculate_funnel_limits(
        df.copy(),
        "n",
        "rate",
        100000,
        denom_col="d",
        rate="rate",
        rate_type="crude",
        years_of_data=1,
        metadata=False,
    ).iloc[[2, 30, 90]]
    base = float(ref["baseline"].iloc[0])
    for mine, side, level in [("lower_95", "lower", "2s"), ("upper_998", "upper", "3s")]:
        got = funnel_limits(
            ref[f"{side}_{level}_population_1_year"],
            statistic="rate",
            baseline=base,
            multiplier=100000,
        )
        np.testing.assert_allclose(got[mine], ref[f"{side}_{level}_limit"], rtol=2e-5)

    props = pd.DataFrame({"n": [50, 80, 120, 30], "d": [500.0, 700, 1000, 400]})
    ref = calculate_funnel_limits(props, "n", "proportion", 100, denom_col="d", metadata=False)
    ref = ref.iloc[[10, 50, 99]]
    got = funnel_limits(
        ref["Population"],
        statistic="proportion",
        baseline=ref["baseline"].iloc[0],
        multiplier=100,
    )
    for mine, theirs in [("lower_95", "lower_2s_limit"), ("upper_998", "upper_3s_limit")]:
        np.testing.assert_allclose(got[mine], ref[theirs], rtol=1e-9)


def test_funnel_limits_shape() -> None:
    got = funnel_limits([10, 100, 1000, 10000], statistic="ratio")
    assert list(got.columns) == [
        "denominator",
        "baseline",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
    ]
    assert (got["lower_998"] < got["lower_95"]).all() and (got["lower_95"] < 1).all()
    assert (got["upper_998"] > got["upper_95"]).all() and (got["upper_95"] > 1).all()
    assert got["upper_95"].is_monotonic_decreasing  # the funnel narrows as E grows
    with pytest.raises(ValueError):
        funnel_limits([10], statistic="score")


@pytest.mark.parametrize("level", sorted(TAILS))
def test_poisson_bounds_solve_the_tail_equations(level: str) -> None:
    """The closed form leaves exactly ``tail`` beyond each limit, from tiny to huge counts."""
    tail = TAILS[level]
    mu = np.geomspace(20.0, 1e6, 50)  # above 20 no lower limit is clipped at zero
    lower, upper = _poisson_bounds(mu, tail)
    # P(X <= O | mu) = Q(O + 1, mu) and P(X >= O | mu) = P(O, mu), O continuous
    np.testing.assert_allclose(special.gammaincc(lower + 1, mu), tail, rtol=1e-9)
    np.testing.assert_allclose(special.gammainc(upper, mu), tail, rtol=1e-9)
    assert (lower < mu).all() and (upper > mu).all()
    tiny_lower, _ = _poisson_bounds(np.array([0.01]), tail)
    assert tiny_lower[0] == 0.0  # no count below zero
