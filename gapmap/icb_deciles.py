"""Who gets help, by deprivation, inside one ICB: the atlas's decile table, read for a page.

The decile table holds NHS Talking Therapies referrals, courses finished and recovery by the
national IMD decile of patients' home neighbourhoods (1 = most deprived) within each ICB,
and England's. This module picks the ICB a selection lies in, pairs the ICB's deciles with
England's, and says in one sentence what they show. Pure functions of the atlas.
"""

from __future__ import annotations

import re

import pandas as pd

from gapmap.atlas import ENGLAND, Atlas
from gapmap.subjects import field, period_label, subject, value_phrase
from gapmap.wording import escape_md, lower_first, number_format

#: The measures of getting help a reader can choose (courses finished first), and recovery.
ACCESS = ("tt_finished_treatment_rate", "tt_referrals_rate")
RECOVERY = "tt_recovery_rate"
#: What each measure counts, for the share the report could not place in a decile.
ACTIVITY = {
    "tt_finished_treatment_rate": "courses finished",
    "tt_referrals_rate": "referrals",
    RECOVERY: "courses finished at caseness",
}
PAIRED_COLUMNS = [
    "decile",
    "area_name",
    "period",
    "value",
    "lower_95",
    "upper_95",
    "numerator",
    "denominator",
    "england_value",
    "suppressed",
    "note",
]


def short_name(name: object) -> str:
    """'NHS Black Country Integrated Care Board' -> 'NHS Black Country ICB'."""
    return re.sub(r"\s+Integrated Care Board$", " ICB", str(name).strip())


def icb_choices(atlas: Atlas) -> dict[str, str]:
    """ICBs that have deciles (code -> short name), by name; empty for an older atlas."""
    table = atlas.decile_table
    codes = set(table.loc[table["level"] == "icb", "area_code"].astype(str))
    icbs = atlas.areas_at("icb")
    icbs = icbs.loc[icbs["area_code"].isin(codes)]
    pairs = zip(icbs["area_code"], icbs["area_name"], strict=True)
    return {str(code): short_name(name) for code, name in pairs}


def icb_for(atlas: Atlas, level: str | None, area: str | None) -> str | None:
    """The ICB of a selected area: itself, its parent, or the ICB most of its LSOAs are in.

    None for an area with no single ICB (a region, a former CCG) or no selection.
    """
    if not area:
        return None
    if level == "icb":
        return area
    if level == "sub_icb":
        row = atlas.area(area, level="sub_icb")
        parent = None if row is None else field(row, "parent_icb")
        return None if parent is None else str(parent)
    if level in ("ltla", "utla"):
        icbs = atlas.within(area, level, "lsoa")["parent_icb"].dropna().astype(str)
        return None if icbs.empty else str(icbs.value_counts().sort_index().idxmax())
    return None


def periods(atlas: Atlas) -> list[str]:
    """The years of the decile table, oldest first."""
    return atlas.decile_periods(RECOVERY)


def paired(atlas: Atlas, indicator_id: str, icb_code: str, period: str) -> pd.DataFrame:
    """An ICB's ten deciles of one indicator beside England's value for each decile."""
    icb = atlas.deciles(indicator_id, icb_code, period)
    england = atlas.deciles(indicator_id, ENGLAND, period)[["decile", "value"]]
    out = icb.merge(england.rename(columns={"value": "england_value"}), on="decile", how="left")
    names = icb_choices(atlas)
    return out.assign(area_name=names.get(icb_code, icb_code))[PAIRED_COLUMNS]


def download_table(frame: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """The chart's data for a CSV: values as the chart prints them, deciles named."""
    rounded = number_format(meta).rounded
    out = frame.copy()
    for column in ("value", "lower_95", "upper_95", "england_value"):
        out[column] = out[column].map(rounded).astype("Float64")
    return out.rename(columns={"decile": "Decile (1 = most deprived)"})


def _against(row: pd.Series) -> str:
    """How a decile's value stands against England's same decile, by its 95% interval."""
    lower, upper, england = (field(row, k) for k in ("lower_95", "upper_95", "england_value"))
    if lower is None or upper is None or england is None:
        return "not compared with"
    if float(upper) < float(england):
        return "lower than"
    if float(lower) > float(england):
        return "higher than"
    return "similar to"


def _ends(frame: pd.DataFrame, meta: pd.Series) -> str | None:
    """'X in the most deprived tenth (similar to England's Y) and Z in the least deprived'."""
    rows = frame.set_index("decile")
    if 1 not in rows.index or 10 not in rows.index:
        return None
    first, last = rows.loc[1], rows.loc[10]
    if field(first, "value") is None or field(last, "value") is None:
        return None
    text = number_format(meta).text
    return (
        f"{value_phrase(float(first['value']), meta)} in the most deprived tenth of "
        f"neighbourhoods ({_against(first)} England's "
        f"{text(first['england_value'], missing='no value')}) and "
        f"{text(last['value'])} in the least deprived tenth ({_against(last)} England's "
        f"{text(last['england_value'], missing='no value')})"
    )


def finding(atlas: Atlas, icb_code: str, period: str, access_id: str) -> str:
    """One Markdown sentence: getting help and recovery at both ends of the ICB's deciles."""
    name = escape_md(icb_choices(atlas).get(icb_code, icb_code))
    clauses = []
    for indicator_id in (access_id, RECOVERY):
        meta = atlas.indicator(indicator_id)
        ends = _ends(paired(atlas, indicator_id, icb_code, period), meta)
        if ends is not None:
            clauses.append(f"{lower_first(subject(meta)[0])} was {ends}")
    if not clauses:
        return f"{name} has no value for the most or least deprived decile in {period}."
    text = f"In {name} in {period_label(period)}, " + "; ".join(clauses) + "."
    share = atlas.deciles(access_id, icb_code, period)["not_stated_share"].dropna()
    if not share.empty:
        percent = number_format(unit="%", statistic="proportion").text(100 * float(share.iloc[0]))
        text += (
            f" {percent} of the ICB's {ACTIVITY[access_id]} had no recorded neighbourhood, "
            "so no decile, and are left out."
        )
    return text
