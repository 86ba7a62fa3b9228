"""Trend chart: an area's value over time with its 95% band, beside England."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from gapmap.charts.common import (
    HEIGHT,
    INK,
    NO_VALUE,
    SERIES,
    Meta,
    axis_title,
    column,
    compared,
    comparison_colour,
    comparisons_present,
    floats,
    name_of,
    suppressed_of,
    titled,
)
from gapmap.periods import ordered
from gapmap.wording import lower_first, number_format, plural


def _trend_frame(trend_table: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "period": column(trend_table, "period", "").astype(str).to_numpy(),
            "value": floats(column(trend_table, "value")),
            "lower_95": floats(column(trend_table, "lower_95")),
            "upper_95": floats(column(trend_table, "upper_95")),
            "england_value": floats(column(trend_table, "england_value")),
            "compared": compared(trend_table),
            "suppressed": suppressed_of(trend_table),
        }
    )
    frame.loc[frame["suppressed"], "value"] = np.nan
    order = {p: i for i, p in enumerate(ordered(frame["period"]))}
    frame = frame.assign(_o=frame["period"].map(order)).sort_values("_o").drop(columns="_o")
    return frame.reset_index(drop=True)


def describe_trend(
    trend_table: pd.DataFrame, meta: Meta, *, area_name: str, verdict: str | None = None
) -> str:
    """One sentence saying how the area's value changed, beside England.

    ``verdict`` (the recent-trend test's result, from ``gapmap.trends``) is appended.
    """
    frame = _trend_frame(trend_table)
    valued = frame.loc[np.isfinite(frame["value"])]
    if valued.empty:
        return f"Trend of {name_of(meta)} in {area_name}: no values to show."
    first, last = valued.iloc[0], valued.iloc[-1]
    fmt = number_format(meta)
    text = (
        f"Trend of {name_of(meta)} in {area_name} over {plural(len(valued), 'period')}: "
        f"{fmt.text(first['value'], missing=NO_VALUE)} in {first['period']} and "
        f"{fmt.text(last['value'], missing=NO_VALUE)} in {last['period']}"
    )
    if np.isfinite(last["england_value"]):
        england = fmt.text(last["england_value"], missing=NO_VALUE)
        text += f" against England's {england} ({lower_first(last['compared'])})"
    blank = int(frame["suppressed"].sum())
    if blank:
        text += f"; {plural(blank, 'period')} suppressed"
    return text + "." + (f" {verdict}" if verdict else "")


def _area_layers(frame: pd.DataFrame, table: pd.DataFrame, meta: Meta, x: alt.X) -> list:
    """The area's 95% band, line and dots coloured by comparison with England."""
    y_title, fmt = axis_title(meta), number_format(meta).d3
    layers = []
    band = frame.loc[np.isfinite(frame["lower_95"]) & np.isfinite(frame["upper_95"])]
    if not band.empty:
        layers.append(
            alt.Chart(band)
            .mark_area(color=SERIES["area"], opacity=0.2)
            .encode(x=x, y=alt.Y("lower_95:Q", title=y_title), y2="upper_95:Q")
        )
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    valued = frame.loc[np.isfinite(frame["value"])]
    tooltip = [
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value:Q", title=y_title, format=fmt),
        alt.Tooltip("lower_95:Q", title="Lower 95% limit", format=fmt),
        alt.Tooltip("upper_95:Q", title="Upper 95% limit", format=fmt),
        alt.Tooltip("england_value:Q", title="England", format=fmt),
        alt.Tooltip("compared:N", title="Compared with England"),
    ]
    return layers + [
        alt.Chart(valued).mark_line(color=SERIES["area"], strokeWidth=2).encode(x=x, y=y),
        alt.Chart(valued)
        .mark_circle(size=70, opacity=1, stroke=INK, strokeWidth=0.6)
        .encode(x=x, y=y, color=comparison_colour(comparisons_present(table)), tooltip=tooltip),
    ]


def _england_layers(frame: pd.DataFrame, meta: Meta, x: alt.X) -> list[alt.Chart]:
    """England's value as a dashed line with points, labelled at its last period."""
    england = frame.loc[np.isfinite(frame["england_value"])]
    if england.empty:
        return []
    y = alt.Y("england_value:Q", title=axis_title(meta))
    line = alt.Chart(england).mark_line(
        color=SERIES["england"],
        strokeDash=[5, 4],
        strokeWidth=1.5,
        point=alt.OverlayMarkDef(color=SERIES["england"], size=25),
    )
    label = alt.Chart(england.tail(1).assign(label="England")).mark_text(
        align="left", dx=6, color=SERIES["england"]
    )
    return [line.encode(x=x, y=y), label.encode(x=x, y=y, text="label:N")]


def trend(
    trend_table: pd.DataFrame, meta: Meta, *, area_name: str, verdict: str | None = None
) -> alt.LayerChart:
    """An area's value over time with its 95% band and England's value.

    Periods are placed in time order (financial years, months and quarters mixed), and each
    point is coloured by that period's comparison with England. ``verdict`` (the recent-trend
    test's result) is printed under the title, so it travels with exported images.
    """
    frame = _trend_frame(trend_table)
    x = alt.X(
        "period:O", sort=frame["period"].tolist(), title="Period", axis=alt.Axis(labelAngle=-40)
    )
    layers = _area_layers(frame, trend_table, meta, x) + _england_layers(frame, meta, x)
    subtitle = ["Solid line: the area, with its 95% confidence band; dashed: England."]
    if verdict:
        subtitle.append(verdict)
    return titled(
        layers,
        f"{name_of(meta)} in {area_name}",
        subtitle,
        describe_trend(trend_table, meta, area_name=area_name, verdict=verdict),
        height=HEIGHT,
    )
