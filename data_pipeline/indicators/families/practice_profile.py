"""A GP practice's population: list size, smoking prevalence and life expectancy at birth.

Practice level only; smoking prevalence also has an England row, the sum of practices.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.levels.small_areas import PRACTICE, PRACTICE_LEVELS, practice_values


def _list_size(ctx: BuildContext) -> list[pd.DataFrame]:
    """Registered patients of all ages (the QOF 2022-23 MH list), per practice."""
    if not ctx.has("qof_practice", indicators=("list_size",), levels=PRACTICE_LEVELS):
        return []
    qof = ctx.tables["qof_practice"]
    totals = qof.loc[qof["group"] == "MH", ["practice_code", "list_size"]]
    return [practice_values(totals, "list_size", indicator_id="list_size", period="2022-23")]


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
    return concat_observations([*_list_size(ctx), *_smoking(ctx), *_life_expectancy(ctx)])
