"""Antidepressant items (BNF 4.3) per 1,000 people.

Sub-ICB, ICB, region and England from the 2025 Q1-Q2 LSOA data (patients placed by where
they live); LSOA 2021, districts and counties from the same data, put onto 2021 LSOAs by the
ONS best-fit lookup and added up to councils; CCG periods from practice extracts summed to
each practice's 2019 CCG; and, when monthly English Prescribing Data is in the raw directory,
a 12-month period by practice (:mod:`.prescribing_epd`).
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import prescribing_epd
from data_pipeline.indicators.levels.ccg import CCG_LEVELS, ccg_obs, england_obs
from data_pipeline.indicators.levels.local_authority import council_counts, lsoa_councils
from data_pipeline.indicators.levels.small_areas import LSOA, lsoa11_to_lsoa21
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, counts_obs
from data_pipeline.sources.prescribing import LSOA_FILES, PRACTICE_FILES

INDICATOR = "antidepressant_items_per_1000"
PRESCRIBING_PERIOD = "2025 Q1-Q2"
#: Practice extract -> the CCG period it gives.
PRESCRIBING_PERIODS = {"2017-18": "2017-18", "2018-19-partial": "2018-19 (partial extract)"}


#: The levels the LSOA 2021 section makes.
LOCAL_LEVELS = ("lsoa", "ltla", "utla")
#: Why a PLDR row is not placed in a 2021 LSOA.
NOT_IN_LOOKUP = "LSOA 2011 code not in the ONS LSOA 2011 to 2021 lookup"


def per_lsoa11(ad_lsoa: pd.DataFrame) -> pd.DataFrame:
    """Items over both quarters and the mean of the quarters' registered patients, per LSOA."""
    return ad_lsoa.groupby("lsoa11_code", as_index=False).agg(
        items=("items", "sum"), patients=("patients", "mean")
    )


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """Items per 1,000 registered patients, 2025 Q1-Q2, LSOA 2011 to sub-ICB."""
    if not ctx.has("ad_lsoa", indicators=(INDICATOR,), levels=SUB_ICB_LEVELS):
        return []
    tables = ctx.tables
    per_lsoa = per_lsoa11(tables["ad_lsoa"])
    link = tables["lsoa11_sicbl22"][["lsoa11_code", "sicbl22_code"]]
    link = link.assign(sicbl22_code=link["sicbl22_code"].map(lambda c: ctx.recode.get(c, c)))
    linked = per_lsoa.merge(link, on="lsoa11_code", how="inner")
    base = (
        linked.groupby("sicbl22_code", as_index=False)
        .agg(numerator=("items", "sum"), denominator=("patients", "sum"))
        .rename(columns={"sicbl22_code": "area_code"})
    )
    return [counts_obs(base, ctx.hierarchy, indicator_id=INDICATOR, period=PRESCRIBING_PERIOD)]


def _local(ctx: BuildContext) -> list[pd.DataFrame]:
    """Items per 1,000, 2025 Q1-Q2, on LSOA 2021 and added up to districts and counties.

    Each 2011 LSOA's items and patients are shared equally among its 2021 successors
    (:func:`.small_areas.lsoa11_to_lsoa21`), so the LSOAs of a council add up to its total.
    """
    tables = ("ad_lsoa", "lsoa11_lsoa21", "lsoa21_geography", "ltla_utla_2023")
    if not ctx.has(*tables, indicators=(INDICATOR,), levels=LOCAL_LEVELS):
        return []
    ad = ctx.tables["ad_lsoa"]
    lsoa21, unknown = lsoa11_to_lsoa21(
        per_lsoa11(ad), ctx.tables["lsoa11_lsoa21"], ["items", "patients"]
    )
    lost = ad.loc[ad["lsoa11_code"].isin(set(unknown["lsoa11_code"]))]
    for quarter, rows in lost.groupby("quarter"):
        ctx.ledger.drop("ad_lsoa", len(rows), NOT_IN_LOOKUP, file=LSOA_FILES[str(quarter)])
    lsoa21 = lsoa21.rename(
        columns={"items": "numerator", "patients": "denominator", "lsoa21_code": "area_code"}
    )
    councils = lsoa_councils(ctx.tables["lsoa21_geography"], ctx.tables["ltla_utla_2023"])
    placed = set(councils.dropna(subset=["ltla24_code", "utla23_code"])["lsoa21_code"])
    homeless = int((~lsoa21["area_code"].isin(placed)).sum())
    if homeless:
        ctx.ledger.note(
            "ad_lsoa",
            f"{homeless} LSOAs 2021 have no district or county in the lookups: their items "
            "count in England and the sub-ICBs but in no council",
            file=LSOA_FILES["2025-Q1"],
        )
    by_council = council_counts(lsoa21.rename(columns={"area_code": "lsoa21_code"}), councils)
    const = {"indicator_id": INDICATOR, "period": PRESCRIBING_PERIOD}
    return [observations(lsoa21, **const, **LSOA), observations(by_council, **const)]


def _ccg(ctx: BuildContext) -> list[pd.DataFrame]:
    """Items per 1,000, practices summed to their 2019 CCG."""
    if not ctx.has("ad_practice", "practice_ccg_2019", indicators=(INDICATOR,), levels=CCG_LEVELS):
        return []
    tables, ccg, vintage = ctx.tables, ctx.ccg, "ccg-2019"
    ad = tables["ad_practice"].merge(tables["practice_ccg_2019"], on="practice_code", how="left")
    frames = []
    for extract, period in PRESCRIBING_PERIODS.items():
        part = ad.loc[ad["extract"] == extract]
        unmapped = part["ccg_ods"].isna()
        ctx.ledger.drop(
            "ad_practice",
            int(unmapped.sum()),
            "prescriber has no 2019 CCG (closed, or not a GP practice)",
            file=PRACTICE_FILES[extract],
        )
        sums = part.loc[~unmapped].groupby("ccg_ods", as_index=False)["items"].sum(min_count=1)
        sums = sums.rename(columns={"ccg_ods": "ccg"})
        counts = ccg.harmonise(sums, vintage, "2019-04-01", count_cols=["items"])
        obs = ccg.per_head(counts, "items", vintage)
        const = {"indicator_id": INDICATOR, "period": period}
        frames.append(ccg_obs(obs, ccg, vintage, **const))
        population = ccg.england_population["population"]
        frames.append(england_obs(obs["numerator"].sum(), population, **const))
    return frames


def build(ctx: BuildContext) -> pd.DataFrame:
    """Prescribing at every level, the EPD period last (sub-ICB's England figure stands)."""
    return concat_observations(
        [*_sub_icb(ctx), *_local(ctx), *_ccg(ctx), prescribing_epd.build_period(ctx)]
    )
