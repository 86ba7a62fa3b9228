"""Indicators for GP practices (points) and LSOA 2021 (drill-down inside one area).

Neither level has England rows of its own: practices and LSOAs are compared with the
England value built at the sub-ICB family for the same indicator and period.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.reconcile import Usage

PRACTICE = {"level": "practice", "vintage": LEVEL_VINTAGES["practice"]}
LSOA = {"level": "lsoa", "vintage": LEVEL_VINTAGES["lsoa"]}


def practice_observations(ctx: BuildContext) -> pd.DataFrame:
    """QOF 2022-23 prevalence, deprivation, list size, smoking and life expectancy."""
    tables, usage, avail = ctx.tables, ctx.usage, ctx.avail
    practice = ("practice",)
    frames = []
    qof_indicators = ("depression_prevalence", "smi_prevalence", "list_size")
    if avail.has("qof_practice", indicators=qof_indicators, levels=practice):
        qof = tables["qof_practice"]
        for indicator_id, group in (("depression_prevalence", "DEP"), ("smi_prevalence", "MH")):
            part = qof.loc[qof["group"] == group]
            frames.append(
                observations(
                    part.rename(
                        columns={
                            "practice_code": "area_code",
                            "register": "numerator",
                            "list_size": "denominator",
                        }
                    ),
                    indicator_id=indicator_id,
                    period="2022-23",
                    **PRACTICE,
                )
            )
        totals = qof.loc[qof["group"] == "MH", ["practice_code", "list_size"]]
        frames.append(
            observations(
                totals.rename(columns={"practice_code": "area_code", "list_size": "value"}),
                indicator_id="list_size",
                period="2022-23",
                **PRACTICE,
            )
        )
    # Practice IMD is shown for the practices QOF lists, so it needs both files.
    if avail.has(
        "practice_imd", "qof_practice", indicators=("practice_imd_score",), levels=practice
    ):
        imd = tables["practice_imd"]
        qof_codes = set(tables["qof_practice"]["practice_code"])
        imd = imd.loc[(imd["year"] == 2019) & imd["practice_code"].isin(qof_codes)]
        frames.append(
            observations(
                imd.rename(columns={"practice_code": "area_code", "imd_score": "value"}),
                indicator_id="practice_imd_score",
                period="IMD 2019",
                **PRACTICE,
            )
        )
    if avail.has(
        "smoking_prevalence",
        indicators=("smoking_prevalence",),
        levels=("practice", "england"),
    ):
        frames += _smoking(tables, usage)
    if avail.has(
        "gp_life_expectancy",
        indicators=("life_expectancy_female", "life_expectancy_male"),
        levels=practice,
    ):
        frames += _life_expectancy(tables)
    return concat_observations(frames)


def _smoking(tables: dict[str, pd.DataFrame], usage: Usage) -> list[pd.DataFrame]:
    """QOF smoking prevalence (15+) by practice; England as the sum of practices."""
    smoking = tables["smoking_prevalence"]
    gps = usage.mark("smoking_prevalence", smoking.loc[smoking["area_type"] == "GPs"])
    frames = []
    for period, part in gps.groupby("period", sort=True):
        label = str(period).replace("/", "-")
        counts = part.rename(columns={"count": "numerator"})
        frames.append(
            observations(counts, indicator_id="smoking_prevalence", period=label, **PRACTICE)
        )
        england = pd.DataFrame(
            {
                "area_code": [ENGLAND],
                "numerator": [counts["numerator"].sum()],
                "denominator": [counts["denominator"].sum()],
            }
        )
        frames.append(
            observations(
                england,
                indicator_id="smoking_prevalence",
                period=label,
                level="england",
                vintage="england",
            )
        )
    return frames


def _life_expectancy(tables: dict[str, pd.DataFrame]) -> list[pd.DataFrame]:
    """Life expectancy at birth of each practice's population, every period, by sex."""
    life = tables["gp_life_expectancy"]
    return [
        observations(
            part.rename(columns={"practice_code": "area_code"}),
            indicator_id=f"life_expectancy_{sex}",
            period=str(year),
            **PRACTICE,
        )
        for (sex, year), part in life.groupby(["sex", "year"], sort=True)
    ]


def lsoa_observations(ctx: BuildContext) -> pd.DataFrame:
    """IoD2025 score, decile and mental-health indicator for every English LSOA 2021."""
    tables = ctx.tables
    if not ctx.has(
        "iod2025_lsoa21",
        indicators=("imd_score", "imd_decile", "mh_need_score"),
        levels=("lsoa",),
    ):
        return concat_observations([])
    iod = tables["iod2025_lsoa21"].rename(columns={"lsoa21_code": "area_code"})
    frames = [
        observations(
            iod.rename(columns={column: "value"})[["area_code", "value"]],
            indicator_id=indicator_id,
            period="IoD2025",
            **LSOA,
        )
        for indicator_id, column in (
            ("imd_score", "imd_score"),
            ("imd_decile", "imd_decile"),
            ("mh_need_score", "mental_health_indicator"),
        )
    ]
    return concat_observations(frames)
