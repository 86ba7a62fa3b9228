"""Deprivation and modelled need: IMD score and decile, mental-health need, practice IMD.

Sub-ICB, ICB and region weight IoD2025 LSOA 2021 scores by population, as do districts and
counties for the mental-health need score; CCGs have one
period, IoD2019, its CCG summaries weighted onto each CCG set the CCG periods use; local
authorities use the published IoD2025 summaries; practices their IMD 2019 and IMD 2025
scores, and primary care networks the list-size-weighted mean of their practices' scores;
LSOAs their own IoD2025 values.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, PRACTICE_VINTAGES, split_population
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.levels import pcn
from data_pipeline.indicators.levels.ccg import CCG_LEVELS, PERIOD_VINTAGE, ccg_obs
from data_pipeline.indicators.levels.local_authority import (
    LTLA,
    UTLA,
    council_scores,
    lsoa_councils,
)
from data_pipeline.indicators.levels.small_areas import (
    LSOA,
    LSOA_LEVELS,
    PRACTICE_LEVELS,
    practice_values,
)
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, lsoa_parents, score_levels
from data_pipeline.sources.qof_practice import TABLES

PERIOD = "IoD2025"
#: The one period of the IoD2019 CCG summaries (CCG level and its England row).
CCG_PERIOD = "IoD2019"
#: IoD2025 LSOA columns published as indicators, by indicator id.
LSOA_COLUMNS = {
    "imd_score": "imd_score",
    "imd_decile": "imd_decile",
    "mh_need_score": "mental_health_indicator",
}


def _weighted_iod(ctx: BuildContext) -> pd.DataFrame:
    """IoD2025 LSOA 2021 scores with each LSOA's population (mid-2020, shared from 2011)."""

    def make() -> pd.DataFrame:
        tables = ctx.tables
        pop21 = split_population(tables["pop_lsoa11_2020"], tables["lsoa11_lsoa21"])
        return tables["iod2025_lsoa21"].merge(pop21, on="lsoa21_code", how="inner")

    return ctx.once("deprivation.weighted_iod", make)


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """IoD2025 IMD and mental-health need scores, population-weighted from LSOA 2021."""
    if not ctx.has(
        "iod2025_lsoa21", indicators=("imd_score", "mh_need_score"), levels=SUB_ICB_LEVELS
    ):
        return []
    parents = lsoa_parents(ctx.tables["lsoa21_geography"], ctx.hierarchy)
    iod = _weighted_iod(ctx)
    return [
        observations(score_levels(iod, parents, column), indicator_id=indicator_id, period=PERIOD)
        for indicator_id, column in LSOA_COLUMNS.items()
        if indicator_id != "imd_decile"
    ]


def _councils(ctx: BuildContext) -> list[pd.DataFrame]:
    """IoD2025 mental-health need of districts and counties, population-weighted from LSOA 2021.

    The same weighting as sub-ICB (ONS mid-2020 population of LSOA 2011 shared onto 2021);
    IoD2025 publishes no council summary of this indicator. The IMD score has published
    summaries (:func:`_local_authority`).
    """
    tables = ("iod2025_lsoa21", "lsoa21_geography", "ltla_utla_2023")
    if not ctx.has(*tables, indicators=("mh_need_score",), levels=("ltla", "utla")):
        return []
    councils = lsoa_councils(ctx.tables["lsoa21_geography"], ctx.tables["ltla_utla_2023"])
    scores = council_scores(_weighted_iod(ctx), councils, LSOA_COLUMNS["mh_need_score"])
    return [observations(scores, indicator_id="mh_need_score", period=PERIOD)]


def _ccg(ctx: BuildContext) -> list[pd.DataFrame]:
    """IoD2019 CCG average scores: one period, population-weighted onto each CCG set.

    The index was published once (on the CCGs of 2019), so it is one period,
    :data:`CCG_PERIOD`, not a copy under each financial year. Its scores are given on every
    CCG set the CCG periods join to, so a CCG period finds its deprivation on its own
    boundaries (``Atlas.period_on``): this period alone joins to several vintages.
    """
    if not ctx.has("iod2019_ccg", indicators=("imd_score",), levels=CCG_LEVELS):
        return []
    ccg = ctx.ccg
    iod = ctx.tables["iod2019_ccg"]
    reg = ccg.register.loc[ccg.register["vintage"] == "ccg-2019"]
    ods = iod["ccg19_code"].map(dict(zip(reg["ons_code"], reg["ods_code"], strict=True)))
    frame = pd.DataFrame({"ccg": ods, "score": iod["imd_average_score"]})
    weights = ccg.population["ccg-2019"].set_index("ods_code")["population"]
    frame["weight"] = frame["ccg"].map(weights)
    england = (frame["score"] * frame["weight"]).sum() / frame["weight"].sum()
    frames = [
        observations(
            pd.DataFrame({"area_code": [ENGLAND], "value": [england]}),
            level="england",
            vintage="england",
            indicator_id="imd_score",
            period=CCG_PERIOD,
        )
    ]
    for vintage in sorted(set(PERIOD_VINTAGE.values())):
        means = ccg.harmonise(frame, vintage, "2019-04-01", mean_cols=["score"], weight="weight")
        frames.append(
            ccg_obs(
                means.rename(columns={"score": "value"}),
                ccg,
                vintage,
                indicator_id="imd_score",
                period=CCG_PERIOD,
            )
        )
    return frames


def _local_authority(ctx: BuildContext) -> list[pd.DataFrame]:
    """The published IoD2025 average scores of districts (2024) and counties/UAs (2023)."""
    frames = []
    for table, code, level, tier in (
        ("iod2025_ltla24", "ltla24_code", LTLA, "ltla"),
        ("iod2025_utla", "utla_code", UTLA, "utla"),
    ):
        if ctx.has(table, indicators=("imd_score",), levels=(tier,)):
            imd = ctx.tables[table].rename(
                columns={code: "area_code", "imd_average_score": "value"}
            )
            frames.append(
                observations(imd.assign(**level), indicator_id="imd_score", period=PERIOD)
            )
    return frames


def _practice(ctx: BuildContext) -> list[pd.DataFrame]:
    """IMD 2019 of each practice QOF 2022-23 lists, IMD 2025 of each QOF 2024-25 lists.

    Each score joins the practices of the QOF year nearest it, so every value has its area.
    """
    frames = []
    if ctx.has(
        "practice_imd", "qof_practice", indicators=("practice_imd_score",), levels=PRACTICE_LEVELS
    ):
        imd = ctx.tables["practice_imd"]
        qof_codes = set(ctx.tables["qof_practice"]["practice_code"])
        imd = imd.loc[(imd["year"] == 2019) & imd["practice_code"].isin(qof_codes)]
        frames.append(
            practice_values(imd, "imd_score", indicator_id="practice_imd_score", period="IMD 2019")
        )
    latest = TABLES["2024-25"]
    if ctx.has(
        "practice_imd_2025", latest, indicators=("practice_imd_score",), levels=PRACTICE_LEVELS
    ):
        imd = ctx.tables["practice_imd_2025"]
        imd = imd.loc[imd["practice_code"].isin(set(ctx.tables[latest]["practice_code"]))]
        values = imd.rename(columns={"practice_code": "area_code", "imd_score": "value"})
        frames.append(
            observations(
                values,
                indicator_id="practice_imd_score",
                period="IMD 2025",
                level="practice",
                vintage=PRACTICE_VINTAGES["2024-25"],
            )
        )
    return frames


def _lsoa(ctx: BuildContext) -> list[pd.DataFrame]:
    """IoD2025 score, decile and mental-health indicator for every English LSOA 2021."""
    if not ctx.has("iod2025_lsoa21", indicators=tuple(LSOA_COLUMNS), levels=LSOA_LEVELS):
        return []
    iod = ctx.tables["iod2025_lsoa21"].rename(columns={"lsoa21_code": "area_code"})
    return [
        observations(
            iod.rename(columns={column: "value"})[["area_code", "value"]],
            indicator_id=indicator_id,
            period=PERIOD,
            **LSOA,
        )
        for indicator_id, column in LSOA_COLUMNS.items()
    ]


def build(ctx: BuildContext) -> pd.DataFrame:
    """Deprivation and need at every level (sub-ICB first: its England figure stands)."""
    practice = _practice(ctx)
    frames = [*_sub_icb(ctx), *_ccg(ctx), *_local_authority(ctx), *_councils(ctx), *practice]
    frames += [*_lsoa(ctx), *pcn.from_practices(ctx, practice, "weighted")]
    return concat_observations(frames)
