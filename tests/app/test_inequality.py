"""Deprivation quantiles from atlas tables, and the SII of real atlas data.

The statistics themselves are tested in ``tests/methods/test_inequality.py``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PHStatsMethods import wilson_lower, wilson_upper

from gapmap.atlas import Atlas
from gapmap.inequality import assign_quantiles, by_quantile, sii_rii

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
    # QOF publishes every practice's counts, so none is withheld; 19 have no 2019 IMD score.
    assert q.attrs["excluded"] == 19
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
