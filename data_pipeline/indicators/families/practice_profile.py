"""A GP practice's population: list size, smoking prevalence and life expectancy at birth.

Practice level only; smoking prevalence also has an England row, the sum of practices. List
sizes are those of each QOF year (2022-23, 2024-25), on that year's practices, and summed to
primary care networks. Life expectancy does not add up, so PCNs have none.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, PRACTICE_VINTAGES
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.levels import pcn
from data_pipeline.indicators.levels.small_areas import PRACTICE, PRACTICE_LEVELS
from data_pipeline.sources.qof_practice import TABLES


def _list_size(ctx: BuildContext) -> list[pd.DataFrame]:
    """Registered patients of all ages (the QOF MH list) per practice, each QOF year."""
    frames = []
    for period, table in TABLES.items():
        if not ctx.has(table, indicators=("list_size",), levels=PRACTICE_LEVELS):
            continue
        qof = ctx.tables[table]
        totals = qof.loc[qof["group"] == "MH", ["practice_code", "list_size"]]
        values = totals.rename(columns={"practice_code": "area_code", "list_size": "value"})
        frames.append(
            observations(
                values,
                indicator_id="list_size",
                period=period,
                level="practice",
                vintage=PRACTICE_VINTAGES[period],
            )
        )
    return frames


def _smoking(ctx: BuildContext) -> list[pd.DataFrame]:
    """QOF smoking prevalence (15+) by practice; England as the sum of practices."""
    if not ctx.has(
        "smoking_prevalence", indicators=("smoking_prevalence",), levels=("practice", "england")
    ):
        return []
    smoking = ctx.tables["smoking_prevalence"]
    gps = ctx.usage.mark("smoking_prevalence", smoking.loc[smoking["area_type"] == "GPs"])
    frames = []
    for period, part in gps.groupby("period", sort=True):
        const = {"indicator_id": "smoking_prevalence", "period": str(period).replace("/", "-")}
        counts = part.rename(columns={"count": "numerator"})
        frames.append(observations(counts, **const, **PRACTICE))
        england = pd.DataFrame(
            {
                "area_code": [ENGLAND],
                "numerator": [counts["numerator"].sum()],
                "denominator": [counts["denominator"].sum()],
            }
        )
        frames.append(observations(england, level="england", vintage="england", **const))
    return frames


def _life_expectancy(ctx: BuildContext) -> list[pd.DataFrame]:
    """Life expectancy at birth of each practice's population, every period, by sex."""
    if not ctx.has(
        "gp_life_expectancy",
        indicators=("life_expectancy_female", "life_expectancy_male"),
        levels=PRACTICE_LEVELS,
    ):
        return []
    life = ctx.tables["gp_life_expectancy"]
    return [
        observations(
            part.rename(columns={"practice_code": "area_code"}),
            indicator_id=f"life_expectancy_{sex}",
            period=str(year),
            **PRACTICE,
        )
        for (sex, year), part in life.groupby(["sex", "year"], sort=True)
    ]


def build(ctx: BuildContext) -> pd.DataFrame:
    """The practice profile indicators (sections without their table are skipped)."""
    sizes = _list_size(ctx)
    frames = [*sizes, *pcn.from_practices(ctx, sizes, "sum"), *_smoking(ctx)]
    return concat_observations([*frames, *_life_expectancy(ctx)])
