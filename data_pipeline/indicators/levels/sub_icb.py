"""The NHS geographies of 2023: sub-ICB locations, ICBs, NHS regions.

Counts are built at sub-ICB level and added up to ICB, region and England
(:mod:`data_pipeline.indicators.rollup`); scores are population-weighted from LSOA 2021.
GP practices are placed in their sub-ICB by the QOF 2022-23 mapping, so every sub-ICB rate
divides by the lists of the same practices.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES, weighted_mean
from data_pipeline.indicators import observations
from data_pipeline.indicators.rollup import roll_up

#: The levels below England that a sub-ICB section makes.
LEVELS = ("sub_icb", "icb", "region")
#: Every level a sub-ICB section makes (counts summed up to ICB, region and England).
SUB_ICB_LEVELS = (*LEVELS, "england")


def lsoa_parents(lsoa21_geography: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA 2021 with its sub-ICB, ICB and NHS region."""
    return lsoa21_geography[["lsoa21_code", "sub_icb_code"]].merge(
        hierarchy[["sub_icb_code", "icb_code", "region_code"]], on="sub_icb_code", how="left"
    )


def score_levels(lsoa_values: pd.DataFrame, parents: pd.DataFrame, value: str) -> pd.DataFrame:
    """Population-weighted ``value`` for every sub-ICB, ICB, region and England."""
    linked = lsoa_values.merge(parents, on="lsoa21_code", how="inner").assign(england=ENGLAND)
    frames = []
    for level, key in (*((lvl, f"{lvl}_code") for lvl in LEVELS), ("england", "england")):
        means = weighted_mean(linked, value, "population", key)
        frames.append(
            means.rename(columns={key: "area_code", value: "value"})[["area_code", "value"]].assign(
                level=level, vintage=LEVEL_VINTAGES[level]
            )
        )
    return pd.concat(frames, ignore_index=True)


def practice_sub_icb(
    tables: dict[str, pd.DataFrame], group: str, ods_map: dict[str, str]
) -> pd.DataFrame:
    """QOF 2022-23 practice rows of one register group, with their 2023 sub-ICB code.

    The practice's sub-ICB is in ``area_code``; a practice the QOF mapping cannot place
    stops the build, since its patients would otherwise be lost from every rate.
    """
    qof = tables["qof_practice"]
    qof = qof.loc[qof["group"] == group]
    geo = tables["qof_practice_geography"][["practice_code", "sub_icb_ods"]]
    linked = qof.merge(geo, on="practice_code", how="left")
    linked["area_code"] = linked["sub_icb_ods"].map(ods_map)
    if linked["area_code"].isna().any():
        missing = linked.loc[linked["area_code"].isna(), "practice_code"].tolist()
        raise ValueError(f"QOF practices without a sub-ICB: {missing[:5]}")
    return linked


def rate_obs(counts, denominators, hierarchy, partial_england=False, **const) -> pd.DataFrame:
    """Join numerators to denominators at sub-ICB and roll both up."""
    base = denominators[["area_code", "denominator"]].merge(
        counts[["area_code", "numerator", "source_suppressed"]], on="area_code", how="left"
    )
    base["source_suppressed"] = base["source_suppressed"].fillna(False).astype(bool)
    rolled = roll_up(base, hierarchy, partial_england=partial_england)
    return observations(rolled, **const)


def counts_obs(base: pd.DataFrame, hierarchy: pd.DataFrame, **const) -> pd.DataFrame:
    """Sub-ICB counts (``area_code``, numerator, denominator) rolled up, as observations."""
    return observations(roll_up(base, hierarchy), **const)


def with_england(
    obs: pd.DataFrame, numerator: float | None, denominator: float, note: str
) -> pd.DataFrame:
    """``obs`` with its England row counting England's own figures, and a note saying so.

    For a rate whose areas divide by registered patients while the publisher gives England
    itself: England's count is the publisher's, over England's registered patients (the sum
    of the areas' lists), not the sum of the areas' counts. ``numerator`` None leaves the
    England value blank, the note saying why.
    """
    out = obs.copy()
    england = out["level"] == "england"
    out.loc[england, "numerator"] = pd.NA if numerator is None else float(numerator)
    out.loc[england, "denominator"] = float(denominator)
    out.loc[england, "source_suppressed"] = False
    out.loc[england, "note"] = note
    return out
