"""Talking Therapies month by month: the series the Need vs provision page draws, and its words.

England's line is the publisher's national figure. The statistics have no ICB figures, only
providers, so an ICB's line sums the providers the pipeline placed in it by their address: an
approximation, said under the chart. A selected sub-ICB, practice, small area or CCG is
followed up to the ICB that contains it; other geographies draw England alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gapmap.atlas import ENGLAND, Atlas
from gapmap.breaks import Break, from_table
from gapmap.content import read_content
from gapmap.prose import section
from gapmap.state import Selection
from gapmap.subjects import period_label
from gapmap.wording import escape_md, lower_first, number_format, quality_word

#: The monthly indicators, in the order the measure picker lists them, with what a sentence
#: says of a value ("163,100 referrals were received").
PHRASES: dict[str, str] = {
    "tt_monthly_referrals": "{value} were received",
    "tt_monthly_entering_treatment": "{value} entered treatment",
    "tt_monthly_finished_course": "{value} finished a course of treatment",
    "tt_monthly_recovery": "{value} of referrals finishing a course at caseness moved to recovery",
    "tt_monthly_within_6_weeks": (
        "{value} of referrals entering treatment had waited 6 weeks or less"
    ),
    "tt_monthly_within_18_weeks": (
        "{value} of referrals entering treatment had waited 18 weeks or less"
    ),
}
MONTHLY_INDICATORS = tuple(PHRASES)
ICB_LEVEL, ICB_VINTAGE = "icb", "icb-2023"
#: Levels whose areas name the ICB that contains them (``parent_icb``); CCG codes kept by a
#: sub-ICB location are looked up as that sub-ICB.
CONTAINED = ("sub_icb", "practice", "lsoa")
COLUMNS = [
    "period",
    "area_code",
    "area_name",
    "value",
    "numerator",
    "denominator",
    "quality",
    "note",
]


def measures(atlas: Atlas) -> list[str]:
    """The monthly indicators the atlas has, in picker order."""
    return [i for i in PHRASES if i in atlas.indicators.index]


def containing_icb(atlas: Atlas, selection: Selection) -> str | None:
    """The 2023 ICB of the selected area, or None (no area, or one no ICB contains)."""
    if not selection.area:
        return None
    if selection.level == ICB_LEVEL:
        return selection.area if atlas.area(selection.area, ICB_VINTAGE) is not None else None
    level = "sub_icb" if selection.level == "ccg" else selection.level
    if level not in CONTAINED:
        return None
    row = atlas.area(selection.area, level=level)
    parent = None if row is None else row.get("parent_icb")
    return None if parent is None or pd.isna(parent) else str(parent)


@dataclass(frozen=True)
class MonthlySeries:
    """One measure month by month: England's rows, and the ICB's where one is selected."""

    indicator_id: str
    meta: pd.Series
    england: pd.DataFrame
    icb_code: str | None = None
    icb_name: str | None = None
    icb: pd.DataFrame | None = None
    #: Where the measure was redefined (England's breaks; an ICB's are the same).
    breaks: tuple[Break, ...] = ()

    @property
    def table(self) -> pd.DataFrame:
        """Both series as one long table, oldest month first (the chart's and CSV's data)."""
        parts = [self.england.assign(area_name="England")]
        if self.icb is not None:
            parts.append(self.icb.assign(area_name=self.icb_name))
        frame = pd.concat(parts, ignore_index=True)
        for column in COLUMNS:
            if column not in frame.columns:
                frame[column] = pd.NA
        frame.loc[frame["suppressed"].fillna(False).astype(bool), "value"] = np.nan
        return frame.sort_values(["area_code", "period"], kind="stable")[COLUMNS].reset_index(
            drop=True
        )

    @property
    def span(self) -> str:
        """'January 2021 to March 2026': the months England's line covers."""
        periods = sorted(self.england["period"].astype(str))
        return f"{period_label(periods[0])} to {period_label(periods[-1])}" if periods else ""


def _rows(atlas: Atlas, indicator_id: str, code: str, level: str) -> pd.DataFrame:
    rows = atlas.values.loc[
        (atlas.values["indicator_id"] == indicator_id)
        & (atlas.values["area_code"] == code)
        & (atlas.values["level"] == level)
    ]
    return rows.sort_values("period").reset_index(drop=True)


def monthly_series(atlas: Atlas, indicator_id: str, selection: Selection) -> MonthlySeries:
    """England's series of a monthly measure, with the selected area's ICB's where it has one."""
    meta = atlas.indicator(indicator_id)
    england = _rows(atlas, indicator_id, ENGLAND, "england")
    breaks = tuple(from_table(atlas.series_breaks(indicator_id, "england")))
    code = containing_icb(atlas, selection)
    icb = None if code is None else _rows(atlas, indicator_id, code, ICB_LEVEL)
    name = None if code is None else _icb_name(atlas, code)
    if icb is not None and icb.empty:
        icb = None
    return MonthlySeries(indicator_id, meta, england, code, name, icb, breaks)


def _icb_name(atlas: Atlas, code: str) -> str:
    row = atlas.area(code, ICB_VINTAGE)
    return code if row is None else str(row["area_name"])


def _latest(frame: pd.DataFrame | None, period: str) -> float | None:
    if frame is None:
        return None
    rows = frame.loc[(frame["period"] == period) & ~frame["suppressed"].fillna(False).astype(bool)]
    value = rows["value"].iloc[0] if len(rows) else None
    return None if value is None or pd.isna(value) else float(value)


def _flag(frame: pd.DataFrame, period: str) -> str | None:
    """'Data quality: incomplete submission' when that month is flagged, else None."""
    rows = frame.loc[frame["period"] == period]
    return quality_word(rows["quality"].iloc[0]) if "quality" in rows and len(rows) else None


def latest_sentence(series: MonthlySeries) -> str:
    """'In March 2026, 163,100 referrals were received in England, and 3,010 in <ICB> ...'."""
    valued = series.england.loc[series.england["value"].notna()]
    if valued.empty:
        return "There are no monthly figures for England."
    period = str(valued["period"].max())
    fmt = number_format(series.meta)
    phrase = PHRASES.get(series.indicator_id, "{value}")
    england = phrase.format(value=fmt.text(_latest(series.england, period)))
    sentence = f"In {period_label(period)}, {england} in England"
    icb = _latest(series.icb, period)
    if series.icb_name and icb is not None:
        sentence += (
            f", and {fmt.text(icb)} in {escape_md(series.icb_name)} "
            "(the providers placed in it, an approximation"
        )
        flag = _flag(series.icb, period)
        sentence += f"; {lower_first(flag)})" if flag else ")"
    elif series.icb_name and series.icb is None:
        sentence += f"; no provider is placed in {escape_md(series.icb_name)}"
    elif series.icb_name:
        sentence += f"; {escape_md(series.icb_name)} has no figure for that month"
    return sentence + "."


def _content(heading: str) -> str:
    """One section of ``content/tt_monthly.md``, without its heading."""
    return section(read_content("tt_monthly"), heading).split("\n", 1)[1].strip()


def chart_note(series: MonthlySeries) -> str:
    """What is said under the chart: how the ICB line is approximated, or how to get one."""
    if series.icb_name is None:
        return _content("No ICB")
    note = _content("ICB")
    if series.icb is None:
        name = escape_md(series.icb_name)
        note = f"No provider is placed in {name}, so it has no line. {note}"
    return note
