"""Checks the disclosure sweep runs on any table a user can see: pure, so they can fail alone.

Three questions, asked of the atlas and of every output made from it:

* Does each shown value follow from the counts shown with it? (value x denominator gives back
  the numerator; Wilson/Byar limits recomputed from the shown counts equal the stored ones;
  the gap in people is E - O a year.)
* Under NHS England's rule (sources whose release is ``rounded``), is every shown count
  below England outside 1-7 and a multiple of 5?
* Can a hidden count from 1 to 7 be worked out by taking a total's shown parts from it?
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_pipeline.indicators import load_catalogue
from methods import disclosure, intervals

LIMITS = ("lower_95", "upper_95", "lower_998", "upper_998")
#: A period other than a year is put on a yearly footing by one of these (12/11: 11 months).
PER_YEAR = (1.0, 12 / 11)
#: Child level -> the areas column that names its parent (England is every area's parent).
PARENT_COLUMNS = {
    "practice": "parent_sub_icb",
    "sub_icb": "parent_icb",
    "icb": "parent_region",
}
TO_ENGLAND = ("region", "ccg")


def releases() -> dict[str, tuple[str, str]]:
    """Indicator id -> (numerator release, denominator release), from the catalogue."""
    return {
        key: disclosure.count_releases(ind.statistic, ind.release, ind.denominator_release)
        for key, ind in load_catalogue().items()
    }


def ruled(pair: tuple[str, str]) -> list[str]:
    """The count columns under NHS England's rule, given (numerator, denominator) releases."""
    columns = ("numerator", "denominator")
    return [c for c, release in zip(columns, pair, strict=True) if release == disclosure.ROUNDED]


def floats(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def counted(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows that show a value and both counts."""
    shown = ~rows["suppressed"].fillna(False).astype(bool) if "suppressed" in rows else True
    keep = shown & rows["value"].notna() & rows["numerator"].notna()
    return rows.loc[keep & rows["denominator"].notna()]


def _differ(a: pd.Series, b: pd.Series, rel: float = 1e-9, absolute: float = 1e-9) -> pd.Series:
    a, b = floats(a), floats(b)
    close = np.isclose(a, b, rtol=rel, atol=absolute) | (a.isna() & b.isna())
    return pd.Series(~close, index=a.index)


def _difference_scale(rows: pd.DataFrame) -> pd.Series:
    """Each row's yearly factor, the one of :data:`PER_YEAR` its value fits (NaN: none)."""
    gap = floats(rows["denominator"]) - floats(rows["numerator"])
    value = floats(rows["value"])
    fit = pd.Series(np.nan, index=rows.index)
    for scale in PER_YEAR:
        fit = fit.mask(fit.isna() & np.isclose(value, gap * scale, rtol=1e-9, atol=1e-6), scale)
    return fit


def expected_statistics(rows: pd.DataFrame, statistic: str, multiplier: float) -> pd.DataFrame:
    """Value and limits recomputed from the counts shown (OHID's methods, PHStatsMethods)."""
    num, den = floats(rows["numerator"]).astype("Float64"), floats(rows["denominator"])
    den = den.astype("Float64")
    if statistic == "proportion":
        return intervals.proportion(num, den, multiplier)
    if statistic == "rate":
        return intervals.rate(num, den, multiplier)
    if statistic == "ratio":
        return intervals.ratio(num, den)
    if statistic == "difference":
        scale = _difference_scale(rows).astype("Float64")
        byar = intervals.rate(num, pd.Series(1.0, index=rows.index), multiplier=1)
        out = pd.DataFrame({"value": (den - num) * scale})
        for level in ("95", "998"):
            out[f"lower_{level}"] = (den - byar[f"upper_{level}"]) * scale
            out[f"upper_{level}"] = (den - byar[f"lower_{level}"]) * scale
        return out
    raise ValueError(statistic)


def not_following(rows: pd.DataFrame, statistic: str, multiplier: float) -> pd.DataFrame:
    """Rows whose value or limits do not follow from the counts shown beside them."""
    rows = counted(rows)
    if rows.empty:
        return rows
    if statistic == "modelled":  # an estimate times adults, shown whole
        back = floats(rows["value"]) * floats(rows["denominator"]) / multiplier
        return rows.loc[(back - floats(rows["numerator"])).abs() > 0.5 + 1e-6]
    if statistic in ("score", "published"):
        return rows.iloc[0:0]
    expected = expected_statistics(rows, statistic, multiplier)
    wrong = _differ(rows["value"], expected["value"])
    for column in LIMITS:
        if column in rows:
            wrong |= _differ(rows[column], expected[column], absolute=1e-6)
    return rows.loc[wrong]


def count_only_not_following(rows: pd.DataFrame) -> pd.DataFrame:
    """A count shown as its own value (no denominator): the value must be the count shown."""
    shown = rows.loc[rows["numerator"].notna() & rows["denominator"].isna()]
    shown = shown.loc[shown["value"].notna()]
    return shown.loc[_differ(shown["value"], shown["numerator"])]


def unsafe_counts(counts: pd.Series) -> pd.Series:
    """Counts a source under the rule may not show below England: 1-7, or not a multiple of 5."""
    shown = floats(counts).dropna()
    return shown.loc[((shown >= 1) & (shown < disclosure.THRESHOLD)) | (shown % 5 != 0)]


def parent_of(areas: pd.DataFrame) -> pd.DataFrame:
    """(level, area_code, parent_level, parent_code): the totals each area's counts add into."""
    frames = []
    for level, column in PARENT_COLUMNS.items():
        rows = areas.loc[(areas["level"] == level) & areas[column].notna()]
        parent = column.removeprefix("parent_")
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "area_code": rows["area_code"].to_numpy(),
                    "parent_level": parent,
                    "parent_code": rows[column].to_numpy(),
                }
            )
        )
    for level in TO_ENGLAND:
        codes = areas.loc[areas["level"] == level, "area_code"].unique()
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "area_code": codes,
                    "parent_level": "england",
                    "parent_code": "E92000001",
                }
            )
        )
    return pd.concat(frames, ignore_index=True).drop_duplicates()


def derivable(values: pd.DataFrame, links: pd.DataFrame, column: str) -> pd.DataFrame:
    """Totals from which a hidden count of 1 to 7 can be worked out: shown total - shown parts.

    For each indicator, period and total with at least one hidden part, the total less its
    shown parts is what the hidden parts add up to; 1 to 7 means a small count is revealed.
    """
    key = ["indicator_id", "period"]
    children = values.merge(links, on=["level", "area_code"])
    hidden = children["suppressed"].fillna(False).astype(bool) | children[column].isna()
    children = children.assign(hidden=hidden, shown=floats(children[column]).where(~hidden))
    groups = children.groupby([*key, "parent_level", "parent_code"])
    parts = pd.DataFrame({"hidden": groups["hidden"].sum(), "shown": groups["shown"].sum()})
    parts = parts.loc[parts["hidden"] > 0].reset_index()
    totals = values.rename(columns={"level": "parent_level", "area_code": "parent_code"})
    totals = totals.loc[~totals["suppressed"].fillna(False).astype(bool)]
    joined = parts.merge(totals[[*key, "parent_level", "parent_code", column]])
    joined["derived"] = floats(joined[column]) - joined["shown"]
    small = (joined["derived"] >= 1) & (joined["derived"] < disclosure.THRESHOLD)
    return joined.loc[small]
