"""Modelled prevalence of common mental disorders for every LSOA 2021: inputs, fit, draws.

The calibration target is OHID's 2017 estimate for upper-tier authorities (Fingertips 93495,
from the Adult Psychiatric Morbidity Survey 2014). Each LSOA's share of it is set by an
area-level model (:mod:`methods.small_area`) on IoD2025 predictors and the age structure
of its adults; each authority's LSOAs are then benchmarked so that their adult-weighted mean
is the published figure. Everything here is a pure function of the build's tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_pipeline.geography import split_population
from methods.small_area import (
    Model,
    benchmark,
    cv_summary,
    fit,
    leave_one_out,
    predict,
    simulate,
)

#: Upper-tier codes of 2023 that the 93495 file still keeps under the pre-2023 county (Cumbria,
#: North Yorkshire, Somerset), and North and West Northamptonshire, which both carry the old
#: Northamptonshire value: each is calibrated as part of that county, giving 151 groups.
CALIBRATION_GROUPS = {
    "E06000063": "E10000006",
    "E06000064": "E10000006",
    "E06000065": "E10000023",
    "E06000066": "E10000027",
    "E06000061": "E10000021",
    "E06000062": "E10000021",
}
#: The predictors chosen (Methods page, "Modelled need"): by leave-one-out error and stability.
PREDICTORS = ("mental_health_indicator", "imd_score", "share_16_24", "share_65_plus")
#: Candidate predictor sets compared on the Methods page (all in the build's tables).
CANDIDATES = {
    "MH indicator": ("mental_health_indicator",),
    "MH + IMD": ("mental_health_indicator", "imd_score"),
    "MH + income + health": ("mental_health_indicator", "income_score", "health_score"),
    "MH + IMD + age shares": PREDICTORS,
    "MH + income + health + age shares": (
        "mental_health_indicator",
        "income_score",
        "health_score",
        "share_16_24",
        "share_65_plus",
    ),
}
DRAWS = 500
SEED = 20170401
#: Adult age bands of the population table, moved to LSOA 2021 with the 16+ total.
BANDS = ("adults_16_plus", "adults_16_24", "adults_65_plus")


def lsoa21_adults(adults11: pd.DataFrame, lsoa11_lsoa21: pd.DataFrame) -> pd.DataFrame:
    """Adults 16+ (and the 16-24 and 65+ bands) per LSOA 2021 from the LSOA 2011 estimates.

    Uses the pipeline's one way of moving LSOA 2011 people to 2021
    (:func:`data_pipeline.geography.split_population`), one band at a time.
    """
    out = None
    for band in BANDS:
        part = split_population(
            adults11[["lsoa11_code", band]].rename(columns={band: "population"}), lsoa11_lsoa21
        ).rename(columns={"population": band})
        out = part if out is None else out.merge(part, on="lsoa21_code", how="outer")
    return out


def calibration_group(lsoa21_geography: pd.DataFrame, ltla_utla: pd.DataFrame) -> pd.Series:
    """Each LSOA 2021's calibration group: its 2023 county or UA, as the 93495 file codes it."""
    utla = lsoa21_geography[["lsoa21_code", "ltla24_code"]].merge(
        ltla_utla[["ltla23_code", "utla23_code"]],
        left_on="ltla24_code",
        right_on="ltla23_code",
        how="left",
    )
    group = utla.set_index("lsoa21_code")["utla23_code"].astype("string")
    return group.replace(CALIBRATION_GROUPS).rename("group")


def calibration_target(published: pd.DataFrame) -> pd.Series:
    """The 93495 proportions by calibration group (one value per group)."""
    codes = published["area_code"].replace(CALIBRATION_GROUPS)
    target = pd.Series(
        published["value"].astype("float64").to_numpy(), index=pd.Index(codes, name="group")
    )
    return target[~target.index.duplicated()].sort_index()


def lsoa_inputs(iod: pd.DataFrame, adults21: pd.DataFrame, group: pd.Series) -> pd.DataFrame:
    """One row per LSOA 2021 with predictors, adults 16+ and calibration group."""
    frame = iod.set_index("lsoa21_code")[
        ["mental_health_indicator", "imd_score", "income_score", "health_score"]
    ].astype("float64")
    adults = adults21.set_index("lsoa21_code").reindex(frame.index).astype("float64")
    frame["adults"] = adults["adults_16_plus"]
    frame["share_16_24"] = adults["adults_16_24"] / adults["adults_16_plus"]
    frame["share_65_plus"] = adults["adults_65_plus"] / adults["adults_16_plus"]
    frame["group"] = group.reindex(frame.index)
    return frame.sort_index()


def group_means(inputs: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Adult-weighted mean of each predictor by calibration group."""
    weights = inputs["adults"]
    sums = inputs[list(columns)].mul(weights, axis=0).groupby(inputs["group"]).sum()
    return sums.div(weights.groupby(inputs["group"]).sum(), axis=0)


def cross_validate(inputs: pd.DataFrame, target: pd.Series, columns: tuple[str, ...]) -> pd.Series:
    """Leave-one-group-out error (pp) of a predictor set, groups weighted by adults 16+."""
    weights = inputs["adults"].groupby(inputs["group"]).sum()
    return cv_summary(leave_one_out(group_means(inputs, columns), target, weights))


def cv_table(inputs: pd.DataFrame, target: pd.Series) -> pd.DataFrame:
    """Every candidate set: LOO RMSE and MAE (pp), and the range of its LSOA estimates (%)."""
    rows = {}
    for name, columns in CANDIDATES.items():
        summary = cross_validate(inputs, target, columns)
        model = fit_model(inputs, target, columns)
        estimate = benchmark(
            predict(model, inputs[list(columns)]), inputs["adults"], inputs["group"], target
        )
        rows[name] = {
            "rmse_pp": summary["rmse_pp"],
            "mae_pp": summary["mae_pp"],
            "lsoa_min_percent": 100 * float(estimate.min()),
            "lsoa_max_percent": 100 * float(estimate.max()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def fit_model(
    inputs: pd.DataFrame, target: pd.Series, columns: tuple[str, ...] = PREDICTORS
) -> Model:
    """The area-level model of logit(93495) on the groups' adult-weighted predictor means."""
    weights = inputs["adults"].groupby(inputs["group"]).sum()
    return fit(group_means(inputs, columns), target, weights)


@dataclass(frozen=True)
class ModelledNeed:
    """The fitted model and its estimates for every LSOA 2021 (proportions).

    ``lsoa`` has adults, group and the benchmarked ``prevalence``; ``draws`` holds the
    benchmarked prevalence under 500 coefficient draws (LSOAs in ``lsoa``'s order).
    """

    model: Model
    lsoa: pd.DataFrame
    draws: np.ndarray
    target: pd.Series


def model_need(inputs: pd.DataFrame, target: pd.Series) -> ModelledNeed:
    """Fit, benchmark and draw: the whole model, deterministic for a given input."""
    model = fit_model(inputs, target)
    covariates = inputs[list(PREDICTORS)]
    synthetic = predict(model, covariates)
    prevalence = benchmark(synthetic, inputs["adults"], inputs["group"], target)
    draws = simulate(
        model, covariates, inputs["adults"], inputs["group"], target, draws=DRAWS, seed=SEED
    )
    lsoa = inputs[["adults", "group"]].assign(prevalence=prevalence)
    return ModelledNeed(model=model, lsoa=lsoa, draws=draws, target=target)
