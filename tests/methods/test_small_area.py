"""Small-area estimation on synthetic data with a known model, and once on the real files.

The synthetic world: small areas with covariates, grouped into large areas; the published
prevalence of a large area follows the area-level model exactly, logit(P_g) = xbar_g' beta + u_g;
the true small-area prevalence is the synthetic estimate under the true beta, benchmarked to P_g.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import special

from data_pipeline.indicators.cmd_model import CALIBRATION_GROUPS
from methods.small_area import (
    aggregate,
    benchmark,
    cv_summary,
    fit,
    interval,
    leave_one_out,
    predict,
    simulate,
)
from tests.conftest import raw_root

BETA = np.array([-1.6, 0.35, -0.2])


@dataclass
class World:
    covariates: pd.DataFrame
    population: pd.Series
    group: pd.Series
    group_covariates: pd.DataFrame
    published: pd.Series
    truth: pd.Series


def make_world(seed: int, groups: int = 60, per: int = 20, noise: float = 0.05) -> World:
    rng = np.random.default_rng(seed)
    n = groups * per
    index = pd.Index([f"L{i:05d}" for i in range(n)], name="lsoa")
    group = pd.Series(np.repeat([f"G{g:03d}" for g in range(groups)], per), index=index)
    covariates = pd.DataFrame(
        {
            "mh": rng.normal(0, 1, n) + np.repeat(rng.normal(0, 1.0, groups), per),
            "imd": rng.normal(0, 1, n) + np.repeat(rng.normal(0, 1.0, groups), per),
        },
        index=index,
    )
    population = pd.Series(rng.integers(1000, 2500, n).astype("float64"), index=index)
    group_covariates = (
        covariates.mul(population, axis=0)
        .groupby(group)
        .sum()
        .div(population.groupby(group).sum(), axis=0)
    )
    linear = BETA[0] + group_covariates.to_numpy() @ BETA[1:]
    published = pd.Series(
        special.expit(linear + rng.normal(0, noise, groups)), index=group_covariates.index
    )
    synthetic = pd.Series(special.expit(BETA[0] + covariates.to_numpy() @ BETA[1:]), index=index)
    truth = benchmark(synthetic, population, group, published)
    return World(covariates, population, group, group_covariates, published, truth)


def test_fit_recovers_the_coefficients() -> None:
    exact = make_world(1, noise=0.0)
    model = fit(exact.group_covariates, exact.published)
    np.testing.assert_allclose(model.coef, BETA, atol=1e-10)
    assert model.coefficients.index.tolist() == ["intercept", "mh", "imd"]

    noisy = make_world(2, noise=0.05)
    model = fit(
        noisy.group_covariates, noisy.published, noisy.population.groupby(noisy.group).sum()
    )
    se = np.sqrt(np.diag(model.cov))
    assert (np.abs(model.coef - BETA) < 4 * se).all()
    assert (se < 0.05).all()
    assert model.sigma2 > 0 and model.n_groups == 60


def test_fit_refuses_too_few_groups() -> None:
    world = make_world(3, groups=3)
    with pytest.raises(ValueError, match="cannot fit"):
        fit(world.group_covariates, world.published)


def test_benchmarked_means_equal_targets_and_keep_order() -> None:
    world = make_world(4)
    model = fit(world.group_covariates, world.published)
    pred = predict(model, world.covariates)
    pred.iloc[5] = np.nan  # a small area without a prediction stays without one
    target = world.published.drop("G001")  # a group without a target stays as predicted
    got = benchmark(pred, world.population, world.group, target)
    means = aggregate(got, world.population, world.group)["prevalence"]
    assert np.abs(means.drop("G001") - target).max() < 1e-9
    in_g1 = world.group == "G001"
    pd.testing.assert_series_equal(got[in_g1], pred[in_g1])
    assert np.isnan(got.iloc[5])
    in_g0 = (world.group == "G000") & got.notna()
    assert (got[in_g0].rank() == pred[in_g0].rank()).all()


def test_benchmark_with_equal_weights_and_extreme_targets() -> None:
    world = make_world(5)
    pred = predict(fit(world.group_covariates, world.published), world.covariates)
    target = pd.Series(0.9, index=world.published.index)
    target.iloc[0] = 1e-4
    got = benchmark(pred, None, world.group, target)
    means = got.groupby(world.group).mean()
    assert np.abs(means - target).max() < 1e-9


def test_leave_one_out_is_small_when_data_follow_the_model() -> None:
    world = make_world(6, noise=0.02)
    loo = leave_one_out(world.group_covariates, world.published)
    assert len(loo) == 60 and set(loo.columns) == {"observed", "predicted", "error"}
    summary = cv_summary(loo)
    assert 0 < summary["rmse_pp"] < 0.6
    assert summary["mae_pp"] <= summary["rmse_pp"]
    noise_only = pd.DataFrame(
        np.random.default_rng(0).normal(size=(60, 2)), index=world.group_covariates.index
    )
    assert (
        cv_summary(leave_one_out(noise_only, world.published))["rmse_pp"] > 3 * summary["rmse_pp"]
    )


def test_aggregates_of_counts_add_up() -> None:
    world = make_world(7)
    district = (
        world.group
        + "-"
        + pd.Series(np.arange(len(world.group)) % 3, index=world.group.index).astype(str)
    )
    by_district = aggregate(world.truth, world.population, district)
    by_group = aggregate(world.truth, world.population, world.group)
    rolled = by_district["count"].groupby(by_district.index.str[:4]).sum()
    np.testing.assert_allclose(rolled, by_group["count"], rtol=1e-12)
    np.testing.assert_allclose(by_group["prevalence"], world.published, atol=1e-9)
    assert by_group["count"].sum() == pytest.approx((world.truth * world.population).sum())


def test_intervals_contain_the_truth_at_about_the_nominal_rate() -> None:
    covered = []
    for seed in range(30):
        world = make_world(100 + seed, groups=40, per=15)
        model = fit(world.group_covariates, world.published)
        draws = simulate(
            model,
            world.covariates,
            world.population,
            world.group,
            world.published,
            draws=200,
            seed=seed,
        )
        assert draws.shape == (600, 200) and draws.dtype == np.float32
        limits = interval(
            draws, world.population, pd.Series(world.truth.index, index=world.truth.index)
        )
        inside = (limits["lower_95"] <= world.truth) & (world.truth <= limits["upper_95"])
        covered.append(inside.mean())
    assert 0.88 < np.mean(covered) < 0.99


def test_simulated_draws_agree_with_targets_and_aggregate_by_group() -> None:
    world = make_world(8)
    model = fit(world.group_covariates, world.published)
    covariates = world.covariates.copy()
    covariates.iloc[3, 0] = np.nan
    draws = simulate(model, covariates, world.population, world.group, world.published, draws=50)
    assert np.isnan(draws[3]).all() and np.isfinite(np.delete(draws, 3, axis=0)).all()
    limits = interval(draws, world.population, world.group)
    np.testing.assert_allclose(limits["lower_95"], world.published, atol=1e-6)
    np.testing.assert_allclose(limits["upper_95"], world.published, atol=1e-6)
    again = simulate(model, covariates, world.population, world.group, world.published, draws=50)
    np.testing.assert_array_equal(draws, again)


# --- the real files -------------------------------------------------------------------------

RAW = raw_root()
CMD = RAW / "fingertips" / "fingertips_93495_cmd_prevalence_16plus_utla22_ipsmod.csv"
#: UTLA 2023 codes the 93495 file still keeps under their pre-2023 county (MANIFEST section 9),
#: and North and West Northamptonshire: the pipeline's calibration groups.
OLD_UTLA = CALIBRATION_GROUPS
PREDICTOR_SETS = {
    "MH indicator": ["mental_health_indicator"],
    "MH + IMD": ["mental_health_indicator", "IMD_score"],
    "MH + income + employment + health": [
        "mental_health_indicator",
        "Income_score",
        "Employment_score",
        "Health_score",
    ],
    "IMD domains (7) + MH": [
        "mental_health_indicator",
        "Income_score",
        "Employment_score",
        "Education_score",
        "Health_score",
        "Crime_score",
        "Housing_and_Services_score",
        "Environment_score",
    ],
}


def read_real() -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """LSOA covariates, each LSOA's UTLA (as the 93495 file codes it), and the 93495 values."""
    dep = RAW / "deprivation"
    indicators = pd.read_csv(
        dep / "iod2025_lsoa21_underlying_indicators_humaniverse.csv.gz",
        usecols=["lsoa21_code", "mental_health_indicator"],
    )
    scores = pd.read_csv(dep / "iod2025_lsoa21_scores_ranks_deciles_humaniverse.csv.gz")
    covariates = indicators.merge(scores, on="lsoa21_code").set_index("lsoa21_code")
    lookups = RAW / "lookups"
    lsoa = pd.read_csv(lookups / "lookup_lsoa21_ward24_ltla24_geographr.csv.gz")
    utla = pd.read_csv(lookups / "lookup_ltla23_utla23_geographr.csv")
    codes = lsoa.merge(utla, left_on="ltla24_code", right_on="ltla23_code", how="left")
    group = codes.set_index("lsoa21_code")["utla23_code"].replace(OLD_UTLA)
    published = pd.read_csv(CMD).set_index("AreaCode")["Value"]
    published = published.rename(index=OLD_UTLA)
    published = published[~published.index.duplicated()]
    return covariates, group.reindex(covariates.index), published


@pytest.mark.raw
@pytest.mark.skipif(not CMD.is_file(), reason="needs the raw files")
def test_real_cmd_prevalence_by_lsoa() -> None:
    covariates, group, published = read_real()
    assert len(covariates) == 33_755 and group.notna().all()
    assert len(published) == 151 and set(published.index) == set(group)
    lsoas = group.value_counts()
    results = {}
    for name, columns in PREDICTOR_SETS.items():
        group_covariates = covariates[columns].groupby(group).mean()
        summary = cv_summary(leave_one_out(group_covariates, published, lsoas))
        results[name] = summary
        print(f"{name:40s} " + "  ".join(f"{k} {v:.3f}" for k, v in summary.items()))
    assert results["MH + IMD"]["rmse_pp"] < 100 * published.std()

    columns = PREDICTOR_SETS["MH + income + employment + health"]
    model = fit(covariates[columns].groupby(group).mean(), published, lsoas)
    estimate = benchmark(predict(model, covariates[columns]), None, group, published)
    means = estimate.groupby(group).mean()
    assert np.abs(means - published.reindex(means.index)).max() < 1e-9
    assert estimate.between(0.02, 0.6).all()
    print(model.coefficients.round(4).to_dict())
    print(estimate.describe().round(4).to_dict())
