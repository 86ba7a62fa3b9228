"""The slope and relative indices of inequality, and the limits of pooled quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PHStatsMethods import byars_lower, exact_upper, wilson_lower, wilson_upper

from methods.inequality import midpoint_ranks, pooled_limits, sii_rii


def quantile_frame(values, populations, half_width=0.001):
    """Quantile rows as by_quantile returns them, most deprived first."""
    pop = np.asarray(populations, dtype=float)
    end = np.cumsum(pop) / pop.sum()
    start = end - pop / pop.sum()
    values = np.asarray(values, dtype=float)
    return pd.DataFrame(
        {
            "quantile": np.arange(1, len(values) + 1),
            "population": pop,
            "value": values,
            "lower_95": values - half_width,
            "upper_95": values + half_width,
            "rank_midpoint": (start + end) / 2,
        }
    )


# ---------------------------------------------------------------------------- SII and RII


def test_hand_worked_example_equal_quintiles():
    # x = 0.1 .. 0.9, y = 30 25 22 18 15: slope = -7.4 / 0.4 = -18.5, mean 22,
    # fitted at rank 0 (most deprived) 31.25, at rank 1 12.75
    q = quantile_frame([30, 25, 22, 18, 15], [1, 1, 1, 1, 1])
    r = sii_rii(q, multiplier=1, method="analytic")
    assert r["sii"] == pytest.approx(18.5)
    assert r["value_most_deprived"] == pytest.approx(31.25)
    assert r["value_least_deprived"] == pytest.approx(12.75)
    assert r["rii"] == pytest.approx(18.5 / 22)
    assert r["ratio_extremes"] == pytest.approx(31.25 / 12.75)


def test_exact_linear_gradient_is_recovered_with_unequal_populations():
    pops = [5_000, 12_000, 8_000, 20_000, 9_000, 6_000, 15_000, 7_000, 11_000, 7_000]
    q = quantile_frame(np.zeros(10), pops)
    q["value"] = 20 - 8 * q["rank_midpoint"]
    q["lower_95"], q["upper_95"] = q["value"] - 0.001, q["value"] + 0.001
    sim = sii_rii(q, multiplier=100)
    assert sim["sii"] == pytest.approx(8.0, abs=1e-9)
    assert sim["value_most_deprived"] == pytest.approx(20.0)
    assert sim["sii_upper"] - sim["sii_lower"] < 0.01
    assert sim["sii_lower"] < 8.0 < sim["sii_upper"]
    analytic = sii_rii(q, multiplier=100, method="analytic")
    assert analytic["sii_upper"] - analytic["sii_lower"] == pytest.approx(0.0, abs=1e-6)
    mean = np.average(q["value"], weights=pops)
    assert sim["rii"] == pytest.approx(8.0 / mean)


def test_phe_documentation_example_point_and_simulated_limits():
    # The phe_sii help-page example (Area1): deciles with populations, values and 95% limits.
    pops = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
    values = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]
    lower = [72.7, 75.3, 80.9, 80.2, 77.1, 78, 79, 81.4, 75.8, 83.2]
    upper = [79.1, 81.4, 86.8, 87.1, 83.8, 84.2, 84.4, 86.9, 85.4, 89.4]
    q = quantile_frame(values, pops)
    q["lower_95"], q["upper_95"] = lower, upper
    r = sii_rii(q, multiplier=1)
    # independent fit: numpy's polyfit weights residuals, so sqrt(share) gives WLS by share
    share = np.asarray(pops) / sum(pops)
    slope, intercept = np.polyfit(q["rank_midpoint"], values, 1, w=np.sqrt(share))
    assert r["sii"] == pytest.approx(-slope)
    assert r["value_most_deprived"] == pytest.approx(intercept)
    # the fit is linear in the values, so the simulated SII is normal with a known spread
    x = np.column_stack([np.ones(10), q["rank_midpoint"]])
    coef = np.linalg.solve((x.T * share) @ x, x.T * share)[1]
    se = (np.asarray(upper) - np.asarray(lower)) / (2 * 1.959964)
    half = 1.959964 * np.sqrt(np.sum(coef**2 * se**2))
    assert r["sii_lower"] == pytest.approx(r["sii"] - half, abs=0.05)
    assert r["sii_upper"] == pytest.approx(r["sii"] + half, abs=0.05)
    assert r["sii"] < 0  # life expectancy is lower where more deprived


def test_simulation_is_deterministic_and_seed_matters():
    q = quantile_frame([15, 14, 13, 13, 12], [1, 2, 1, 2, 1], half_width=0.5)
    a = sii_rii(q, multiplier=100, repetitions=5_000)
    b = sii_rii(q, multiplier=100, repetitions=5_000)
    c = sii_rii(q, multiplier=100, repetitions=5_000, seed=1)
    assert a == b
    assert a["sii_lower"] != c["sii_lower"]
    logit = sii_rii(q, multiplier=100, repetitions=5_000, transform="logit")
    assert logit["sii"] == a["sii"]
    assert logit["sii_lower"] == pytest.approx(a["sii_lower"], abs=0.05)


def test_simulation_refuses_quantiles_without_limits():
    q = quantile_frame([3, 2, 1], [1, 1, 1])
    q["lower_95"] = np.nan
    with pytest.raises(ValueError, match="analytic"):
        sii_rii(q, multiplier=1)
    # ranks 1/6, 1/2, 5/6: a fall of 2 over 2/3 of the population is 3 end to end
    assert sii_rii(q, multiplier=1, method="analytic")["sii"] == pytest.approx(3.0)


values_strategy = st.lists(
    st.floats(min_value=1, max_value=100, allow_nan=False), min_size=5, max_size=10
)


@settings(max_examples=60, deadline=None)
@given(values_strategy, st.data())
def test_sii_flips_sign_when_the_gradient_flips(values, data):
    pops = data.draw(
        st.lists(
            st.floats(min_value=1, max_value=1e5, allow_nan=False),
            min_size=len(values),
            max_size=len(values),
        )
    )
    q = quantile_frame(values, pops)
    flipped = q.assign(value=200 - q["value"])
    a = sii_rii(q, multiplier=1, method="analytic")
    b = sii_rii(flipped, multiplier=1, method="analytic")
    assert b["sii"] == pytest.approx(-a["sii"], abs=1e-7)
    assert a["rii"] * a["mean"] == pytest.approx(a["sii"], rel=1e-9, abs=1e-9)
    assert a["mean"] == pytest.approx(np.average(values, weights=pops))


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=-50, max_value=50).filter(lambda b: abs(b) > 0.01),
    st.floats(min_value=60, max_value=200),
)
def test_sign_of_sii_follows_direction_of_gradient(gradient, level):
    q = quantile_frame(np.zeros(10), [3, 1, 4, 1, 5, 9, 2, 6, 5, 3])
    q["value"] = level + gradient * q["rank_midpoint"]  # rank 0 = most deprived
    r = sii_rii(q, multiplier=1, method="analytic")
    assert r["sii"] == pytest.approx(-gradient)
    assert np.sign(r["sii"]) == -np.sign(gradient)
    assert r["rii"] == pytest.approx(r["sii"] / r["mean"])


# ------------------------------------------------------------ OHID's published worked example

# OHID's test data for phe_sii (PHEindicatormethods, tests/testthat/testdata_SII.xlsx, records
# 1-20: "default (e.g. life expectancy)"): deciles 1..10 with population, value and 95% limits,
# and the expected SII, RII and 95% limits of 100,000 simulations. phe_sii's rank 0 is decile 1,
# as here, but its SII is the slope (fitted at rank 1 minus rank 0) and its RII the ratio of the
# fitted ends (rank 1 / rank 0): our SII is minus theirs and our ``ratio_extremes`` the inverse.
PHE_SII = {
    "area1": {
        "population": [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534],
        "value": [
            75.933459,
            78.344238,
            83.836063,
            83.637540,
            80.465503,
            81.115676,
            81.693084,
            84.190006,
            80.595564,
            86.289435,
        ],
        "lower_95": [
            72.722053,
            75.250980,
            80.869730,
            80.157578,
            77.130879,
            78.049999,
            79.011578,
            81.445728,
            75.827185,
            83.219059,
        ],
        "upper_95": [
            79.144865,
            81.437496,
            86.802397,
            87.117502,
            83.800128,
            84.181353,
            84.374589,
            86.934284,
            85.363943,
            89.359811,
        ],
        "expected": (6.934616, 1.088818, 3.127595, 10.758687),
        "tolerance": 0.1,  # limits 7.6 wide: the two simulations' noise
    },
    "area2": {
        "population": [21675, 20065, 19750, 24713, 20112, 19618, 22408, 19752, 18939, 19312],
        "value": [
            70.548532,
            71.571557,
            72.486987,
            73.519855,
            73.146054,
            76.158987,
            78.654449,
            80.564770,
            80.854866,
            79.971125,
        ],
        "lower_95": [
            70.098532,
            71.121557,
            72.036987,
            73.069855,
            72.696054,
            75.708987,
            78.204449,
            80.114770,
            80.404866,
            79.521125,
        ],
        "upper_95": [
            70.998532,
            72.140000,
            73.210000,
            73.700000,
            75.800000,
            78.760000,
            79.770000,
            81.210000,
            81.304866,
            80.900000,
        ],
        "expected": (12.547847, 1.180886, 11.936156, 13.163020),
        "tolerance": 0.02,
    },
}


@pytest.mark.parametrize("area", sorted(PHE_SII))
def test_sii_matches_ohid_published_phe_sii_results(area):
    case = PHE_SII[area]
    q = pd.DataFrame({k: case[k] for k in ("population", "value", "lower_95", "upper_95")})
    q = q.join(midpoint_ranks(q["population"].astype(float)))
    sii, ratio, lower, upper = case["expected"]
    r = sii_rii(q, multiplier=1)
    assert r["sii"] == pytest.approx(-sii, abs=1e-6)
    assert 1 / r["ratio_extremes"] == pytest.approx(ratio, abs=1e-6)
    assert r["sii_lower"] == pytest.approx(-upper, abs=case["tolerance"])
    assert r["sii_upper"] == pytest.approx(-lower, abs=case["tolerance"])


def test_midpoint_ranks_are_cumulative_population_shares():
    ranks = midpoint_ranks(pd.Series([1.0, 3.0, 4.0]))
    assert list(ranks["rank_start"]) == pytest.approx([0, 0.125, 0.5])
    assert list(ranks["rank_end"]) == pytest.approx([0.125, 0.5, 1.0])
    assert list(ranks["rank_midpoint"]) == pytest.approx([0.0625, 0.3125, 0.75])


def test_transform_and_method_must_be_known():
    q = quantile_frame([3, 2, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="transform"):
        sii_rii(q, multiplier=1, transform="probit", repetitions=10)
    with pytest.raises(ValueError, match="method"):
        sii_rii(q, multiplier=1, method="bootstrap")


# ------------------------------------------------------------------ limits of pooled quantiles


def test_pooled_limits_are_wilson_for_proportions():
    out = pooled_limits(pd.Series([110.0, 0.0]), pd.Series([300.0, 50.0]), "proportion", 100)
    assert out.loc[0, "lower_95"] == pytest.approx(wilson_lower(110, 300, 0.95) * 100)
    assert out.loc[0, "upper_998"] == pytest.approx(wilson_upper(110, 300, 0.998) * 100)
    assert out.loc[1, "lower_95"] == 0.0  # Wilson's own zero: no special rule
    assert list(out.columns) == ["lower_95", "upper_95", "lower_998", "upper_998"]


def test_pooled_limits_share_the_atlas_zero_count_rule_for_rates():
    out = pooled_limits(pd.Series([0.0, 100.0]), pd.Series([1000.0, 1e5]), "rate", 1e5)
    assert out.loc[0, "lower_95"] == 0.0
    assert out.loc[0, "upper_95"] == pytest.approx(exact_upper(0, 0.95) / 1000 * 1e5)
    assert out.loc[1, "lower_95"] == pytest.approx(byars_lower(100, 0.95))
    no_people = pooled_limits(pd.Series([0.0]), pd.Series([0.0]), "rate", 1e5)
    assert no_people.isna().all(axis=None)
    with pytest.raises(ValueError, match="statistic"):
        pooled_limits(pd.Series([1.0]), pd.Series([2.0]), "ratio", 1)
