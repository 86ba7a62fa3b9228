"""Which series a page draws over time, and its recent-trend test.

The need page draws the selected area's series (England's when no area is selected);
the secondary-care page draws the monthly MHSDS series, which only CCGs and the sub-ICB
locations that kept their codes have. Both choices are made here, not on the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gapmap import trends
from gapmap.atlas import ENGLAND, Atlas
from gapmap.state import Selection
from gapmap.subjects import period_label
from gapmap.view import View
from gapmap.wording import number_format

#: The monthly series of people in contact with secondary mental-health services.
MONTHLY_INDICATOR = "mhsds_in_contact_monthly"
#: The boundaries the monthly series is published on (CCGs of April 2021).
MONTHLY_VINTAGE = "ccg-2021"
MONTHLY_LEVELS = ("sub_icb", "ccg")


def span(series: pd.DataFrame) -> str:
    """'<first period> to <last period>' of a series, oldest first, for a chart's footer."""
    periods = series["period"]
    return f"{periods.iloc[0]} to {periods.iloc[-1]}"


@dataclass(frozen=True)
class Trend:
    """One area's series of an indicator (England's when none) with its trend test."""

    indicator_id: str
    #: The level the series is read at ("england" for England's own series).
    level: str
    #: Whose series it is: the area's name, or "England".
    subject: str
    area_code: str | None
    series: pd.DataFrame
    result: trends.RecentTrend

    @property
    def span(self) -> str:
        """'<first period> to <last period>'."""
        return span(self.series)

    @property
    def key(self) -> str:
        """A name for the chart's downloads that no other chart on the page shares."""
        return f"trend-{self.indicator_id}-{self.level}-{self.area_code or 'england'}"


def selected_trend(atlas: Atlas, view: View) -> Trend | None:
    """The selected indicator over time for the selected area (England when none).

    None when the indicator has fewer than two periods at that level, or the area has
    values in fewer than two of them.
    """
    selection = view.selection
    level = selection.level if selection.area else "england"
    if len(atlas.periods(selection.indicator, level)) < 2:
        return None
    series = trends.series(atlas, selection.indicator, selection.area, selection.level)
    if series["period"].nunique() < 2 or england_by_definition(series, selection.area) is not None:
        return None
    return Trend(
        indicator_id=selection.indicator,
        level=level,
        subject=view.subject,
        area_code=selection.area,
        series=series,
        result=trends.recent_trend(series, view.meta),
    )


def england_by_definition(series: pd.DataFrame, area: str | None) -> float | None:
    """England's value when its series is one number in every period, else None.

    A ratio to England's own rate (the gap ratios) is 1 for England by definition, and a
    shortfall against England's rate is 0: a flat line that tells a reader nothing.
    """
    values = pd.to_numeric(series["value"], errors="coerce").dropna()
    if area or len(values) < 2 or not np.allclose(values, values.iloc[0], rtol=0, atol=1e-9):
        return None
    return float(values.iloc[0])


def no_trend_reason(atlas: Atlas, view: View) -> str | None:
    """Why the page shows no trend for England, in a sentence; None when it shows one."""
    selection = view.selection
    if selection.area or len(atlas.periods(selection.indicator, "england")) < 2:
        return None
    series = trends.series(atlas, selection.indicator, None, selection.level)
    value = england_by_definition(series, None)
    if value is None:
        return None
    shown = number_format(view.meta).text(value)
    return (
        f"{view.meta['short_name']} compares each area with England, so England's is {shown} "
        "in every period by definition. Choose an area to see its trend."
    )


def monthly_trend_code(atlas: Atlas, selection: Selection) -> str | None:
    """The 2021 CCG code that carries the monthly MHSDS series for the selected area.

    Sub-ICB locations kept the April 2021 CCG codes where their boundaries did not move, so
    their series is the CCG's; a sub-ICB location with a new code follows the 2021 CCG of
    the same ODS code (NHS Black Country ICB - D2P2L: NHS Black Country and West Birmingham
    CCG, D2P2L). Other levels have no monthly series.
    """
    if not selection.area or selection.level not in MONTHLY_LEVELS:
        return None
    if atlas.area(selection.area, MONTHLY_VINTAGE) is not None:
        return selection.area
    if selection.level != "sub_icb":
        return None
    area = atlas.area(selection.area, level="sub_icb")
    ods = None if area is None else area.get("ods_code")
    if ods is None or pd.isna(ods):
        return None
    ccgs = atlas.areas_at("ccg", MONTHLY_VINTAGE)
    same = ccgs.loc[ccgs["ods_code"] == ods, "area_code"]
    return str(same.iloc[0]) if len(same) else None


@dataclass(frozen=True)
class Monthly:
    """The monthly series drawn for the selection: the area's where it has one, else England's."""

    #: The CCG code of the series; None for England's.
    code: str | None
    subject: str
    series: pd.DataFrame
    #: Said under the chart when the series is a predecessor's, not the selected area's own.
    note: str | None = None

    @property
    def months(self) -> str:
        """'April 2016 – April 2024': the months the chart draws, England's included."""
        periods = sorted(str(p) for p in self.series["period"].dropna())
        return f"{period_label(periods[0])} – {period_label(periods[-1])}" if periods else ""


def monthly_trend(atlas: Atlas, selection: Selection) -> Monthly:
    """The monthly MHSDS series for the selected area, or England's where it has none."""
    code = monthly_trend_code(atlas, selection)
    if code is None:
        return Monthly(None, "England", atlas.trend(MONTHLY_INDICATOR, ENGLAND, "england"))
    area = atlas.area(code, MONTHLY_VINTAGE)
    subject = code if area is None else str(area["area_name"])
    note = None
    if code != selection.area:
        own = atlas.area(selection.area, level=selection.level)
        name = selection.area if own is None else str(own["area_name"])
        note = (
            f"{name} has no monthly series of its own: this is {subject}, the CCG with the "
            "same NHS code that it replaced in July 2022, whose area may differ from it."
        )
    return Monthly(code, subject, atlas.trend(MONTHLY_INDICATOR, code, "ccg"), note)
