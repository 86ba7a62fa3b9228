"""Deprivation quantiles and the slope / relative index of inequality."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PHStatsMethods import wilson_lower, wilson_upper

from gapmap.atlas import Atlas
from gapmap.inequality import assign_quantiles, by_quantile, sii_rii


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


# ------------------------------------------------------------------------------ quantiles


def test_weighted_quantiles_hold_equal_population_most_deprived_first():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "area_code": [f"P{i:03d}" for i in range(200)],
            "score": rng.uniform(2, 70, 200),
            "pop": rng.integers(1_000, 20_000, 200).astype(float),
        }
    )
    q = assign_quantiles(frame, "score", "pop", 10)
    per_quantile = frame.groupby(q)["pop"].sum()
    assert list(per_quantile.index) == list(range(1, 11))
    target = frame["pop"].sum() / 10
    assert (per_quantile - target).abs().max() <= frame["pop"].max()
    # quantile 1 holds the highest scores (most deprived), 10 the lowest
    assert frame.loc[q == 1, "score"].min() > frame.loc[q == 2, "score"].max()
    assert frame.loc[q == 10, "score"].max() < frame.loc[q == 9, "score"].min()


def test_quantile_ties_are_broken_by_code_not_row_order():
    frame = pd.DataFrame(
        {"area_code": ["B", "A", "D", "C"], "score": [5.0, 5.0, 5.0, 5.0], "pop": [1.0] * 4}
    )
    q1 = assign_quantiles(frame, "score", "pop", 2)
    q2 = assign_quantiles(frame.iloc[::-1], "score", "pop", 2)
    assert dict(zip(frame["area_code"], q1, strict=True)) == {"A": 1, "B": 1, "C": 2, "D": 2}
    assert q1.to_dict() == q2.to_dict()


def test_unweighted_quantiles_use_ph_quantile_equal_counts():
    frame = pd.DataFrame({"area_code": list("ABCDEFGHIJ"), "score": np.arange(10.0)})
    q = assign_quantiles(frame, "score", None, 5)
    assert q.value_counts().to_dict() == {1: 2, 2: 2, 3: 2, 4: 2, 5: 2}
    assert set(frame.loc[q == 1, "score"]) == {9.0, 8.0}
    ranks = assign_quantiles(frame, "score", None, 5, high_is_deprived=False)
    assert set(frame.loc[ranks == 1, "score"]) == {0.0, 1.0}


def test_by_quantile_pools_counts_with_wilson_limits_and_drops_suppressed():
    frame = pd.DataFrame(
        {
            "area_code": ["a", "b", "c", "d", "e"],
            "value": [10.0, 20.0, 30.0, 40.0, np.nan],
            "numerator": [10.0, 40.0, 30.0, 80.0, np.nan],
            "denominator": [100.0, 200.0, 100.0, 200.0, np.nan],
            "imd": [50.0, 40.0, 10.0, 5.0, 60.0],
            "suppressed": [False, False, False, False, True],
        }
    )
    q = by_quantile(frame, "value", "imd", "denominator", n=2)
    assert q.attrs["excluded"] == 1
    assert list(q["quantile"]) == [1, 2]
    assert list(q["numerator"]) == [50.0, 110.0]
    assert list(q["denominator"]) == [300.0, 300.0]
    assert q.loc[0, "value"] == pytest.approx(50 / 300 * 100)
    assert q.loc[1, "lower_95"] == pytest.approx(wilson_lower(110, 300, 0.95) * 100)
    assert q.loc[1, "upper_998"] == pytest.approx(wilson_upper(110, 300, 0.998) * 100)
    assert list(q["rank_midpoint"]) == pytest.approx([0.25, 0.75])
    assert q.loc[0, "deprivation_min"] == 40.0


def test_by_quantile_rates_use_byar_limits():
    frame = pd.DataFrame(
        {
            "value": [100.0, 200.0],
            "numerator": [100.0, 200.0],
            "denominator": [100_000.0, 100_000.0],
            "imd": [30.0, 10.0],
        }
    )
    q = by_quantile(frame, "value", "imd", "denominator", n=2, statistic="rate", multiplier=1e5)
    assert q.loc[0, "value"] == pytest.approx(100.0)
    assert q.loc[0, "lower_95"] < 100.0 < q.loc[0, "upper_95"]
    assert q.loc[0, "lower_95"] == pytest.approx(81.36, abs=0.01)  # Byar, 100 events


def test_by_quantile_without_counts_takes_weighted_means():
    frame = pd.DataFrame(
        {"value": [1.0, 3.0, 10.0, 20.0], "imd": [40.0, 30.0, 20.0, 10.0], "pop": [1, 3, 1, 1.0]}
    )
    q = by_quantile(frame, "value", "imd", "pop", n=2)
    assert q.loc[0, "value"] == pytest.approx((1 * 1 + 3 * 3) / 4)
    assert q["lower_95"].isna().all()


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


# ------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def practice_depression():
    atlas = Atlas.load()
    dep = atlas.table("depression_prevalence", "practice", "2022-23")
    imd = atlas.table("practice_imd_score", "practice", "IMD 2019")
    imd = imd[["area_code", "value"]].rename(columns={"value": "imd_score"})
    return dep.merge(imd, on="area_code", how="left")


def test_depression_by_practice_deprivation_decile(practice_depression):
    q = by_quantile(practice_depression, "value", "imd_score", "denominator", n=10)
    r = sii_rii(q, multiplier=100, transform="logit")
    print("\nDepression prevalence 2022-23 (QOF, 18+) by practice IMD 2019 decile (1 = most):")
    print(q[["quantile", "n_areas", "population", "value", "lower_95", "upper_95"]].round(2))
    print({k: round(v, 3) for k, v in r.items() if isinstance(v, float)})
    assert len(q) == 10
    assert q.attrs["excluded"] == 22  # 4 suppressed practices + 18 without a 2019 IMD score
    shares = q["population"] / q["population"].sum()
    assert shares.between(0.099, 0.101).all()
    assert q.loc[0, "deprivation_min"] > q.loc[9, "deprivation_max"]
    assert q.loc[0, "value"] > q.loc[9, "value"] + 3  # 15.4% against 11.9%
    assert 3.0 < r["sii"] < 3.7
    assert r["sii_lower"] > 0 and r["sii_upper"] < 4
    total = q["numerator"].sum() / q["denominator"].sum() * 100
    assert r["mean"] == pytest.approx(total, abs=0.01)  # England's pooled 13.25%


def test_practice_quintiles_match_published_cut_points(practice_depression):
    # An independent practice-IMD quintile file (equal numbers of practices) puts the most
    # deprived fifth at IMD scores 32.9-68.7 and the least deprived at 3.4-12.8.
    q = by_quantile(practice_depression, "value", "imd_score", None, n=5)
    assert q.loc[0, "deprivation_min"] == pytest.approx(32.9, abs=0.1)
    assert q.loc[0, "deprivation_max"] == pytest.approx(68.7, abs=0.1)
    assert q.loc[4, "deprivation_max"] == pytest.approx(12.8, abs=0.1)
    assert q["n_areas"].max() - q["n_areas"].min() <= 1
