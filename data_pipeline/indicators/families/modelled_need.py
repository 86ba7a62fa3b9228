"""Modelled need: estimated % of adults (16+) with a common mental disorder, every level.

OHID's 2017 modelled prevalence for upper-tier authorities (Fingertips 93495) is shared out
over every LSOA 2021 by :mod:`data_pipeline.indicators.cmd_model` and added up again, with
adults 16+ (ONS mid-2020) as weights, to LTLA, UTLA, sub-ICB, ICB, NHS region and England.
Intervals come from 500 coefficient draws with a fixed seed, so a rebuild is identical.

For the families that pair activity with need, :func:`modelled_adults` gives the modelled
number of adults with a common mental disorder per area::

    modelled_adults(ctx: BuildContext, level: str) -> pandas.DataFrame

``level`` is one of ``"lsoa"``, ``"sub_icb"``, ``"icb"``, ``"region"``, ``"england"``,
``"ltla"``, ``"utla"``, ``"ccg-2019"``, ``"ccg-2020"``, ``"ccg-2021"``. Columns:
``area_code`` (ONS code; E38 for CCGs), ``level`` (``"ccg"`` for the CCG vintages),
``vintage`` (as in the atlas: ``sub_icb-2023``, ``ccg-2019``...), ``adults`` (16+, mid-2020)
and ``cmd_count`` (modelled adults with a common mental disorder), unrounded floats; CCG
rows also carry ``ccg``, the CCG's ODS code in that vintage. The model is fitted once per
build (``ctx.once``). An empty frame with these columns means the inputs are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.cmd_model import (
    ModelledNeed,
    calibration_group,
    calibration_target,
    lsoa21_adults,
    lsoa_inputs,
    model_need,
)
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.levels.sub_icb import lsoa_parents
from methods.small_area import aggregate, interval

INDICATOR = "cmd_prevalence_modelled"
PERIOD = "2017 model, IoD2025 predictors"
NOTE = (
    "Model-based estimate, not a count of people: OHID's 2017 estimate for the county or "
    "unitary authority, shared out by deprivation, mental-health need and age."
)
#: Tables the model needs beyond the geography every build has.
TABLES = ("iod2025_lsoa21", "cmd_prevalence_utla", "pop_lsoa11_2020_adults")
#: Atlas level -> the column of :func:`lsoa_keys` that places an LSOA in it.
AREA_LEVELS = {
    "lsoa": "lsoa21_code",
    "ltla": "ltla24_code",
    "utla": "utla23_code",
    "sub_icb": "sub_icb_code",
    "icb": "icb_code",
    "region": "region_code",
    "england": "england",
}
#: CCG vintage -> the column of ``lsoa11_ccg`` with its code, and whether that is ODS.
CCG_COLUMNS = {
    "ccg-2019": ("ccg2019_ods", True),
    "ccg-2020": ("ccg2020_ons", False),
    "ccg-2021": ("ccg2021_ons", False),
}
COLUMNS = ["area_code", "level", "vintage", "adults", "cmd_count"]


def model_inputs(ctx: BuildContext) -> pd.DataFrame:
    """Predictors, adults 16+ and calibration group of every LSOA 2021 (once per build)."""

    def make() -> pd.DataFrame:
        tables = ctx.tables
        adults21 = lsoa21_adults(tables["pop_lsoa11_2020_adults"], tables["lsoa11_lsoa21"])
        group = calibration_group(tables["lsoa21_geography"], tables["ltla_utla_2023"])
        return lsoa_inputs(tables["iod2025_lsoa21"], adults21, group)

    return ctx.once("modelled_need.inputs", make)


def _model(ctx: BuildContext) -> ModelledNeed:
    """The model fitted to this build's tables (once per build)."""
    target = calibration_target(ctx.tables["cmd_prevalence_utla"])
    return ctx.once("modelled_need.model", lambda: model_need(model_inputs(ctx), target))


def lsoa_keys(ctx: BuildContext, index: pd.Index) -> pd.DataFrame:
    """Each LSOA 2021 (in ``index`` order) with its area at every level of :data:`AREA_LEVELS`."""
    tables = ctx.tables
    parents = lsoa_parents(tables["lsoa21_geography"], ctx.hierarchy)
    utla = tables["ltla_utla_2023"][["ltla23_code", "utla23_code"]]
    keys = (
        tables["lsoa21_geography"][["lsoa21_code", "ltla24_code"]]
        .merge(parents, on="lsoa21_code", how="left")
        .merge(utla, left_on="ltla24_code", right_on="ltla23_code", how="left")
        .set_index("lsoa21_code")
        .reindex(index)
    )
    keys["lsoa21_code"] = keys.index
    keys["england"] = ENGLAND
    return keys[list(AREA_LEVELS.values())].astype("string")


def _area_estimates(ctx: BuildContext, level: str) -> pd.DataFrame:
    """Adults, modelled count, prevalence (%) and its 95% interval for every area of ``level``."""

    def make() -> pd.DataFrame:
        need = _model(ctx)
        lsoa = need.lsoa
        keys = lsoa_keys(ctx, lsoa.index)[AREA_LEVELS[level]].rename("area_code")
        sums = aggregate(lsoa["prevalence"], lsoa["adults"], keys)
        limits = interval(need.draws, lsoa["adults"], keys)
        frame = sums.join(limits[["lower_95", "upper_95"]])
        value = 100 * frame["prevalence"]
        # Draws are float32: where every draw agrees (areas made of whole calibration groups)
        # the limits must still contain the estimate.
        lower = np.minimum(100 * frame["lower_95"], value)
        upper = np.maximum(100 * frame["upper_95"], value)
        return pd.DataFrame(
            {
                "area_code": frame.index.astype("string"),
                "level": level,
                "vintage": LEVEL_VINTAGES[level],
                "adults": frame["population"].to_numpy(),
                "cmd_count": frame["count"].to_numpy(),
                "value": value.to_numpy(),
                "lower_95": lower.to_numpy(),
                "upper_95": upper.to_numpy(),
            }
        )

    return ctx.once(f"modelled_need.{level}", make)


def _lsoa11_counts(ctx: BuildContext) -> pd.DataFrame:
    """Adults and modelled count per LSOA 2011: each 2021 estimate carried back to 2011.

    The 2011 adults are moved to 2021 with equal shares of a split LSOA; the same shares,
    times the 2021 prevalence, give each 2011 LSOA's count, so England's totals agree.
    """
    need = _model(ctx)
    pairs = ctx.tables["lsoa11_lsoa21"][["lsoa11_code", "lsoa21_code"]].drop_duplicates()
    share = 1.0 / pairs.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    adults = ctx.tables["pop_lsoa11_2020_adults"][["lsoa11_code", "adults_16_plus"]]
    linked = pairs.assign(share=share).merge(adults, on="lsoa11_code", how="inner")
    linked["adults"] = linked["adults_16_plus"].astype("float64") * linked["share"]
    prevalence = linked["lsoa21_code"].map(need.lsoa["prevalence"]).astype("float64")
    linked["cmd_count"] = linked["adults"] * prevalence
    return linked.groupby("lsoa11_code", as_index=False)[["adults", "cmd_count"]].sum()


def _ccg(ctx: BuildContext, vintage: str) -> pd.DataFrame:
    """Adults and modelled count per CCG of ``vintage``, from LSOA 2011."""
    column, is_ods = CCG_COLUMNS[vintage]
    counts = ctx.once("modelled_need.lsoa11", lambda: _lsoa11_counts(ctx))
    linked = ctx.tables["lsoa11_ccg"][["lsoa11_code", column]].merge(
        counts, on="lsoa11_code", how="inner"
    )
    sums = linked.groupby(column, as_index=False)[["adults", "cmd_count"]].sum()
    register = ctx.ccg.register
    register = register.loc[register["vintage"] == vintage]
    ods_to_ons = dict(zip(register["ods_code"], register["ons_code"], strict=True))
    codes = sums[column].astype("string")
    if is_ods:
        ods, ons = codes, codes.map(ods_to_ons)
    else:
        ons, ods = codes, codes.map({v: k for k, v in ods_to_ons.items()})
    return pd.DataFrame(
        {
            "area_code": ons.astype("string"),
            "level": "ccg",
            "vintage": vintage,
            "adults": sums["adults"],
            "cmd_count": sums["cmd_count"],
            "ccg": ods.astype("string"),
        }
    )


def modelled_adults(ctx: BuildContext, level: str) -> pd.DataFrame:
    """Modelled adults with a common mental disorder per area of ``level`` (see module doc).

    The expected count that activity and registers are compared with, worked out once.
    """
    if level not in AREA_LEVELS and level not in CCG_COLUMNS:
        raise ValueError(f"no modelled need at level {level!r}")
    if any(table not in ctx.tables for table in TABLES):
        extra = ["ccg"] if level in CCG_COLUMNS else []
        return pd.DataFrame(columns=[*COLUMNS, *extra])
    if level in CCG_COLUMNS:
        return ctx.once(f"modelled_need.{level}", lambda: _ccg(ctx, level)).copy()
    return _area_estimates(ctx, level)[COLUMNS].copy()


def build(ctx: BuildContext) -> pd.DataFrame:
    """``cmd_prevalence_modelled`` for every LSOA and area level, with model intervals."""
    levels = tuple(AREA_LEVELS)
    if not ctx.has(*TABLES, indicators=(INDICATOR,), levels=levels):
        return concat_observations([])
    frames = []
    for level in levels:
        area = _area_estimates(ctx, level).rename(
            columns={"cmd_count": "numerator", "adults": "denominator"}
        )
        # A modelled number of people is an estimate, shown whole (not a count: not rounded).
        area["numerator"] = area["numerator"].round()
        frames.append(observations(area, indicator_id=INDICATOR, period=PERIOD, note=NOTE))
    return concat_observations(frames)
