"""The decile table: NHS Talking Therapies by IMD decile within each ICB, and England's deciles.

The annual report breaks each ICB's referrals, courses finished and recoveries down by the
national IMD decile of the patient's home neighbourhood (the report numbers deciles from
least deprived; the reader turns them to ONS order, 1 = most deprived). Rates divide by the
adults 18+ (ONS mid-2020) living in that ICB's neighbourhoods of the decile, by IMD 2019 on
LSOA 2011; recovery divides by courses finished that started at caseness, as NHS England's
recovery rate does. Disclosure is the values table's (:mod:`methods.disclosure`, by the
release of each count's source); statistics then follow the catalogue's method for each
indicator (Byar, Wilson), computed from the counts as shown. England's deciles are the
report's England rows.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import LEVEL_VINTAGES
from data_pipeline.indicators import Indicator, load_catalogue
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import tt_icb
from methods import disclosure, intervals
from methods.atlas_tables import DECILE_COLUMNS

#: The levels of the table: each ICB, and England for comparison.
LEVELS = ("icb", "england")
COLUMNS = list(DECILE_COLUMNS)
#: Which count the share of activity without a decile is taken of, per indicator: rates
#: count activity in the numerator; recovery's activity is its denominator.
SHARE_OF = {**dict.fromkeys(tt_icb.RATES, "numerator"), tt_icb.RECOVERY: "denominator"}
KEYS = ["period", "level", "area_code"]


def empty() -> pd.DataFrame:
    """A decile table with no rows (a build without the annual file or the IMD lookup)."""
    return pd.DataFrame({column: pd.Series(dtype="object") for column in COLUMNS})


def _statistic(frame: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Value and 95% / 99.8% limits by the indicator's method."""
    num, den = frame["numerator"].astype("Float64"), frame["denominator"].astype("Float64")
    if indicator.statistic == "rate":
        return intervals.rate(num, den, indicator.multiplier)
    if indicator.statistic == "proportion":
        return intervals.proportion(num, den, indicator.multiplier)
    raise ValueError(f"{indicator.id}: no decile statistic for {indicator.statistic!r}")


def _not_stated_share(decile: pd.DataFrame, total: pd.DataFrame, column: str) -> pd.Series:
    """Share of each area's activity the report could not place in a decile, by row."""
    unplaced = decile.loc[decile["decile"] == tt_icb.NOT_STATED].set_index(KEYS)[column]
    whole = total.set_index(KEYS)[column]
    share = (unplaced / whole.reindex(unplaced.index)).astype("Float64")
    index = pd.MultiIndex.from_frame(decile[KEYS])
    return pd.Series(share.reindex(index).to_numpy(), index=decile.index, dtype="Float64")


def protected(frame: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Disclosure, then statistics, for one indicator's decile rows (``level`` per row).

    Counts are protected first by the releases of their sources, as the values table's are
    (Talking Therapies counts under NHS England's rule below England, ONS populations exact),
    and value and limits are computed from the counts as shown, so value x denominator gives
    back the numerator shown.
    """
    frame = frame.assign(suppressed=frame["source_suppressed"].astype(bool))
    frame["note"] = pd.Series(pd.NA, index=frame.index, dtype="string").mask(
        frame["suppressed"], disclosure.SOURCE_NOTE
    )
    releases = disclosure.count_releases(
        indicator.statistic, indicator.release, indicator.denominator_release
    )
    shown = disclosure.protect_counts(frame, *releases)
    stats = _statistic(shown, indicator)
    shown[list(stats.columns)] = stats
    return disclosure.blank(shown)


def build(ctx: BuildContext) -> pd.DataFrame:
    """The decile table of every ICB year (see the module doc); empty without its inputs."""
    needed = (*tt_icb.TABLES, tt_icb.IMD_TABLE)
    if any(table not in ctx.tables for table in needed):
        return empty()
    catalogue = load_catalogue()
    totals = tt_icb.indicator_counts(ctx)
    frames = []
    for indicator_id, counts in tt_icb.indicator_counts(ctx, by_decile=True).items():
        counts = counts.loc[counts["level"].isin(LEVELS)].reset_index(drop=True)
        share = _not_stated_share(counts, totals[indicator_id], SHARE_OF[indicator_id])
        placed = counts.assign(not_stated_share=share)
        placed = placed.loc[placed["decile"] != tt_icb.NOT_STATED]
        out = protected(placed, catalogue[indicator_id])
        frames.append(
            out.assign(indicator_id=indicator_id, vintage=out["level"].map(LEVEL_VINTAGES))
        )
    table = pd.concat(frames, ignore_index=True)[COLUMNS]
    table["decile"] = table["decile"].astype("int64")
    for column in ("indicator_id", "area_code", "level", "vintage", "period", "note"):
        table[column] = table[column].astype("string")
    order = ["indicator_id", "level", "area_code", "period", "decile"]
    return table.sort_values(order).reset_index(drop=True)
