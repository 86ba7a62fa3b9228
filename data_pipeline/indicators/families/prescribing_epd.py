"""The prescribing family's optional period: 12 months of English Prescribing Data.

When the raw directory holds EPD months (``fetch`` writes them under ``prescribing/epd/``),
the build adds one period to ``antidepressant_items_per_1000`` for sub-ICB locations, ICBs,
NHS regions and England: BNF 4.3 items of the latest 12 consecutive months, summed over GP
practices into the practice's sub-ICB location, per 1,000 registered patients (all ages) of
the area's practices. The denominator is the one of the atlas's other sub-ICB rates (QOF
2022-23 list sizes, all ages, summed over the practices of the area) and the practices are
placed by the same QOF mapping, so items and patients come from the same practices: a
prescriber not among them (a non-GP cost centre, or a practice opened since) has no list to
divide by and its rows are counted as rejected, as are rows of months outside the window.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators import concat_observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, counts_obs, practice_sub_icb
from data_pipeline.reconcile import Ledger

INDICATOR = "antidepressant_items_per_1000"
TABLE = "ad_practice_epd"
WINDOW_MONTHS = 12
#: The register group whose list size is "all registered patients" in QOF 2022-23.
LIST_GROUP = "MH"

NOT_REGISTERED = (
    "prescriber not among the QOF 2022-23 GP practices (not a GP practice, or opened "
    "since): no registered list to divide by"
)


def _shift(month: str, by: int) -> str:
    """'202601' shifted by ``by`` months, as YYYYMM."""
    stamp = pd.Period(f"{month[:4]}-{month[4:]}", freq="M") + by
    return f"{stamp.year:04d}{stamp.month:02d}"


def window(months: pd.Series | list[str]) -> tuple[list[str], list[str]]:
    """The 12 months ending with the newest present, and those of them that are absent.

    A period is built only when none is absent: 12 complete months, so that the period is
    a whole year of prescribing.
    """
    present = sorted({str(m) for m in months})
    if not present:
        return [], []
    wanted = [_shift(present[-1], -k) for k in range(WINDOW_MONTHS - 1, -1, -1)]
    return wanted, [m for m in wanted if m not in set(present)]


def period_label(months: list[str]) -> str:
    """'Oct 2025 - Sep 2026' for a window, in the style of the atlas's other month ranges."""

    def name(month: str) -> str:
        return pd.Timestamp(int(month[:4]), int(month[4:]), 1).strftime("%b %Y")

    return f"{name(months[0])} - {name(months[-1])}"


def practice_lists(tables: dict[str, pd.DataFrame], ods_map: dict[str, str]) -> pd.DataFrame:
    """QOF 2022-23 practices with their 2023 sub-ICB code and registered patients (all ages)."""
    linked = practice_sub_icb(tables, LIST_GROUP, ods_map)
    return linked[["practice_code", "area_code", "list_size", "source_suppressed"]]


def _drop(ledger: Ledger, rows: pd.DataFrame, reason: str) -> None:
    """Count the file rows summed into ``rows`` as rejected, against each file."""
    for file, count in rows.groupby("file")["rows"].sum().items():
        ledger.drop(TABLE, int(count), reason, file=str(file))


def built(tables: dict[str, pd.DataFrame], values: pd.DataFrame) -> dict[str, str]:
    """``{TABLE: label}`` when the build made the EPD period, else ``{}``.

    For :func:`data_pipeline.indicators.optional_periods.amend`: the period's method joins
    the indicator's description only when its values are in the atlas.
    """
    if TABLE not in tables:
        return {}
    months, absent = window(tables[TABLE]["month"])
    if not months or absent:
        return {}
    label = period_label(months)
    made = (values["indicator_id"] == INDICATOR) & (values["period"] == label)
    return {TABLE: label} if bool(made.any()) else {}


def build_period(ctx: BuildContext) -> pd.DataFrame:
    """Observations of the EPD period at sub-ICB, ICB, region and England (or none)."""
    tables, hierarchy, ledger = ctx.tables, ctx.hierarchy, ctx.ledger
    if TABLE not in tables or not ctx.has(
        "qof_practice", indicators=(INDICATOR,), levels=SUB_ICB_LEVELS
    ):
        return concat_observations([])
    epd = tables[TABLE]
    months, absent = window(epd["month"])
    if not months:  # every row was rejected by the reader
        return concat_observations([])
    if absent:
        _drop(
            ledger,
            epd,
            f"no 12 complete months of EPD to {months[-1]} (missing {', '.join(absent)}): "
            "no period built",
        )
        return concat_observations([])
    label = period_label(months)
    outside = ~epd["month"].isin(months)
    _drop(ledger, epd.loc[outside], f"month before the 12 months of the period ({label})")
    epd = epd.loc[~outside]

    lists = practice_lists(tables, ctx.sub_icb_ods)
    registered = epd["practice_code"].isin(lists["practice_code"])
    _drop(ledger, epd.loc[~registered], NOT_REGISTERED)
    items = (
        epd.loc[registered]
        .groupby("practice_code", as_index=False)["items"]
        .sum()
        .merge(lists[["practice_code", "area_code"]], on="practice_code")
        .groupby("area_code")["items"]
        .sum()
    )
    base = lists.groupby("area_code", as_index=False).agg(
        denominator=("list_size", "sum"), source_suppressed=("source_suppressed", "any")
    )
    # A practice with no BNF 4.3 rows in a year dispensed none: zero, not missing.
    base["numerator"] = base["area_code"].map(items).fillna(0.0)
    return counts_obs(base, hierarchy, indicator_id=INDICATOR, period=label)
