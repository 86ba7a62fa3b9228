"""Trend chart: an area's value over time with its 95% band, beside England.

Periods are placed by time, at the start of each (a financial year in April, an 11-month
extract in its first month), so a missing year leaves a gap. Where the series has a break
(:mod:`gapmap.breaks`), the lines stop at it, an upright dashed rule marks it with a short
label, and the text alternative says what changed. A ratio compared with England (England
= 1 by definition) has a labelled reference line at 1 instead of an England line.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from gapmap import breaks as series_breaks
from gapmap.charts.break_rules import break_rule_layers
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
    js_string,
    name_of,
    statistic_of,
    suppressed_of,
    titled,
    value_tooltips,
)
from gapmap.periods import sort_key
from gapmap.wording import lower_first, number_format, plural, upper_first

#: Up to this many periods, each is labelled on the axis; beyond, years are.
MAX_LABELS = 12
#: Room either side of the data on the time axis, as shares of its span (the right side
#: holds the "England" label).
PAD_LEFT, PAD_RIGHT = 0.04, 0.14
ENGLAND_NAME = "England"
REFERENCE = "England = 1"


def _segments(trend_table: pd.DataFrame) -> np.ndarray:
    """Which series each row belongs to: lines and bands never join two series."""
    if series_breaks.START not in trend_table.columns:
        return np.full(len(trend_table), "first", dtype=object)
    start = trend_table[series_breaks.START].astype("object").fillna("first")
    period = "apart " + trend_table["period"].astype(str)
    return start.where(~series_breaks.apart(trend_table), period).to_numpy(dtype=object)


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
            "flagged": column(trend_table, "quality", pd.NA).notna().to_numpy(),
            "segment": _segments(trend_table),
            "england_segment": column(trend_table, series_breaks.ENGLAND_START, "")
            .fillna("")
            .astype(str)
            .to_numpy(),
        }
    )
    for name in (series_breaks.START, series_breaks.CHANGE, series_breaks.LABEL):
        if name in trend_table.columns:
            frame[name] = trend_table[name].to_numpy()
    if series_breaks.APART in trend_table.columns:
        frame[series_breaks.APART] = series_breaks.apart(trend_table).to_numpy()
    frame.loc[frame["suppressed"], "value"] = np.nan
    frame["start"] = frame["period"].map(series_breaks.start_date)
    frame = frame.assign(_o=frame["period"].map(sort_key)).sort_values("_o", kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


def _is_ratio(meta: Meta) -> bool:
    return statistic_of(meta) == "ratio"


def _england_ratio_only(frame: pd.DataFrame, meta: Meta, area_name: str) -> bool:
    """England's own series of a ratio: 1 in every period by definition."""
    return (
        _is_ratio(meta)
        and area_name == ENGLAND_NAME
        and not np.isfinite(frame["england_value"]).any()
    )


def _date(timestamp: pd.Timestamp) -> alt.DateTime:
    return alt.DateTime(year=timestamp.year, month=timestamp.month, date=timestamp.day, utc=True)


def _x(frame: pd.DataFrame) -> alt.X:
    """Time on the x axis, each period at its start; the periods named where they fit."""
    placed = frame.dropna(subset=["start"]).drop_duplicates("start")
    starts = pd.to_datetime(placed["start"])
    span = (starts.max() - starts.min()) if len(starts) else pd.Timedelta(0)
    span = max(span, pd.Timedelta(days=365))
    domain = [
        _date(starts.min() - span * PAD_LEFT),
        _date(starts.max() + span * PAD_RIGHT),
    ]
    if len(placed) > MAX_LABELS:
        axis = alt.Axis(
            title="Period",
            format="%Y",
            formatType="utc",
            tickCount={"interval": "year", "step": 1},
            labelOverlap=True,
            grid=False,
        )
    else:
        expr = "''"
        for start, period in zip(placed["start"], placed["period"], strict=True):
            test = f"utcFormat(datum.value, '%Y-%m-%d') == {js_string(start)}"
            expr = f"{test} ? {js_string(period)} : ({expr})"
        long = placed["period"].str.len().max() > 8
        axis = alt.Axis(
            title="Period (each placed at its start)",
            values=[_date(t) for t in starts],
            labelExpr=expr,
            labelAngle=-40 if long else 0,
            labelOverlap="greedy",
            grid=False,
        )
    return alt.X("start:T", axis=axis, scale=alt.Scale(type="utc", domain=domain))


def _tooltip(meta: Meta) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("period:N", title="Period"),
        *value_tooltips(meta, england=True),
        alt.Tooltip("compared:N", title="Compared with England"),
    ]


def _area_layers(
    frame: pd.DataFrame, table: pd.DataFrame, meta: Meta, x: alt.X, *, compared: bool = True
) -> list:
    """The area's 95% band and line (one per series) and dots coloured by comparison.

    ``compared`` False (England's own series) draws the dots in the line's colour, with no
    comparison legend.
    """
    y_title = axis_title(meta)
    layers = []
    band = frame.loc[
        np.isfinite(frame["lower_95"]) & np.isfinite(frame["upper_95"]) & ~frame["flagged"]
    ]
    if not band.empty:
        layers.append(
            alt.Chart(band)
            .mark_area(color=SERIES["area"], opacity=0.2)
            .encode(x=x, y=alt.Y("lower_95:Q", title=y_title), y2="upper_95:Q", detail="segment:N")
        )
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    valued = frame.loc[np.isfinite(frame["value"])]
    # A period flagged for data quality is a gap in the line, drawn as an open diamond.
    lined = valued.assign(line=valued["value"].where(~valued["flagged"]))
    alone = series_breaks.apart(valued)
    unflagged = column(table, "quality", pd.NA).isna().to_numpy()
    colour = (
        comparison_colour(comparisons_present(table.loc[unflagged]))
        if compared
        else alt.value(SERIES["area"])
    )
    layers.append(
        alt.Chart(lined)
        .mark_line(color=SERIES["area"], strokeWidth=2, invalid="break-paths-show-domains")
        .encode(x=x, y=alt.Y("line:Q", title=y_title, scale=alt.Scale(zero=False)))
        .encode(detail="segment:N")
    )
    dotted = valued.loc[~valued["flagged"]]
    alone = alone.loc[dotted.index]
    for shape, part in (("circle", dotted.loc[~alone]), ("diamond", dotted.loc[alone])):
        if len(part):
            dots = alt.Chart(part).mark_point(
                shape=shape, size=70, filled=True, opacity=1, stroke=INK, strokeWidth=0.6
            )
            layers.append(dots.encode(x=x, y=y, color=colour, tooltip=_tooltip(meta)))
    odd = valued.loc[valued["flagged"]]
    if len(odd):
        layers.append(
            alt.Chart(odd)
            .mark_point(shape="diamond", filled=False, size=110, strokeWidth=2, color=INK)
            .encode(x=x, y=y, tooltip=_tooltip(meta))
        )
    return layers


def _england_layers(frame: pd.DataFrame, meta: Meta, x: alt.X) -> list[alt.Chart]:
    """England's value as a dashed line with points (one per series), labelled at its end."""
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
    label = alt.Chart(england.tail(1).assign(label=ENGLAND_NAME)).mark_text(
        align="left", dx=6, color=SERIES["england"]
    )
    return [
        line.encode(x=x, y=y, detail="england_segment:N"),
        label.encode(x=x, y=y, text="label:N"),
    ]


def _reference_layers(meta: Meta) -> list[alt.Chart]:
    """The line at 1 where a ratio equals England's, labelled at its right-hand end."""
    one = pd.DataFrame({"reference": [1.0], "label": [REFERENCE]})
    y = alt.Y("reference:Q", title=axis_title(meta))
    rule = alt.Chart(one).mark_rule(color=SERIES["england"], strokeDash=[5, 4], strokeWidth=1.5)
    text = alt.Chart(one).mark_text(
        align="right", baseline="bottom", dy=-3, color=SERIES["england"], fontWeight="bold"
    )
    return [rule.encode(y=y), text.encode(y=y, x=alt.value("width"), text="label:N")]


def _break_layers(frame: pd.DataFrame, x: alt.X) -> list[alt.Chart]:
    """An upright dashed rule at each break inside the trend, with its short label."""
    return break_rule_layers(series_breaks.drawn(frame), x, "start", frame["start"])


def _england_ratio_layers(frame: pd.DataFrame, meta: Meta, x: alt.X) -> list:
    """England's own ratio: its periods as points on the labelled line at 1."""
    y = alt.Y("value:Q", title=axis_title(meta), scale=alt.Scale(domain=[0.5, 1.5], zero=False))
    dots = frame.loc[np.isfinite(frame["value"])]
    points = (
        alt.Chart(dots)
        .mark_point(color=SERIES["england"], size=40, filled=True)
        .encode(x=x, y=y, tooltip=[alt.Tooltip("period:N", title="Period")])
    )
    return [*_reference_layers(meta), points]


#: A band narrower than this share of the axis (about the size of a point) is hidden.
THIN_BAND = 0.03


def _band_note(frame: pd.DataFrame) -> str:
    """What the subtitle says of the 95% band: drawn, too narrow to see, or not published.

    A large area's interval can be a tenth of a percentage point, and some published
    figures have none: the chart must not promise a band the reader cannot find.
    """
    shown = np.isfinite(frame["value"])
    widths = (frame["upper_95"] - frame["lower_95"])[shown].dropna()
    if widths.empty:
        return " (published without a confidence interval, so no band)"
    values = pd.concat([frame["value"][shown], frame["england_value"].dropna()])
    span = float(values.max() - values.min())
    if span > 0 and float(widths.max()) < THIN_BAND * span:
        return ", with its 95% confidence band (too narrow to see: the counts are large)"
    return ", with its 95% confidence band"


def _subtitle(frame: pd.DataFrame, meta: Meta, area_name: str, verdict: str | None) -> list:
    if _england_ratio_only(frame, meta, area_name):
        lines = ["England's ratio is 1 in every period, by definition; select an area."]
    else:
        whose = "England" if area_name == ENGLAND_NAME else "the area"
        lines = [f"Solid line: {whose}{_band_note(frame)}"]
        if area_name == ENGLAND_NAME:
            lines[0] += "."
        elif _is_ratio(meta):
            lines[0] += "; dashed line at 1: England (1 by definition)."
        elif np.isfinite(frame["england_value"]).any():
            lines[0] += "; dashed: England."
        else:
            lines[0] += "."
    if series_breaks.drawn(frame):
        line = "Dotted upright line: the series changed there and is not compared across"
        if series_breaks.apart(frame).any():
            line += "; a diamond is a figure on another basis"
        lines.append(line + ".")
    if (frame["flagged"] & np.isfinite(frame["value"])).any():
        lines.append("Open diamond: a figure flagged for data quality, left out of the line.")
    if verdict:
        lines.append(verdict)
    return lines


def _break_text(frame: pd.DataFrame) -> str:
    """What changed at each break inside the trend, for the text alternative."""
    return "".join(f" {upper_first(b.reason())}." for b in series_breaks.drawn(frame))


def describe_trend(
    trend_table: pd.DataFrame, meta: Meta, *, area_name: str, verdict: str | None = None
) -> str:
    """How the area's value changed within its latest series, beside England, in words.

    Never across a series break: the text says where the series changed and what changed.
    ``verdict`` (the recent-trend test's result, from ``gapmap.trends``) is appended.
    """
    frame = _trend_frame(trend_table)
    valued = frame.loc[np.isfinite(frame["value"])]
    if valued.empty:
        return f"Trend of {name_of(meta)} in {area_name}: no values to show."
    tail = _break_text(frame) + (f" {verdict}" if verdict else "")
    if _england_ratio_only(frame, meta, area_name):
        first, last = valued["period"].iloc[0], valued["period"].iloc[-1]
        return (
            f"{name_of(meta)} in England is 1 in every period by definition "
            f"({plural(len(valued), 'period')}, {first} to {last}), drawn as the line at 1; "
            "select an area to see its ratio against England." + tail
        )
    current, _ = series_breaks.latest(valued.loc[~valued["flagged"]])
    if current.empty:  # every period flagged
        current = valued
    first, last = current.iloc[0], current.iloc[-1]
    fmt = number_format(meta)
    text = f"Trend of {name_of(meta)} in {area_name}"
    if len(current) == 1:
        text += f": {fmt.text(last['value'], missing=NO_VALUE)} in {last['period']}"
    else:
        text += (
            f" over {plural(len(current), 'period')}: "
            f"{fmt.text(first['value'], missing=NO_VALUE)} in {first['period']} and "
            f"{fmt.text(last['value'], missing=NO_VALUE)} in {last['period']}"
        )
    if np.isfinite(last["england_value"]) and area_name != ENGLAND_NAME:
        england = fmt.text(last["england_value"], missing=NO_VALUE)
        text += f" against England's {england} ({lower_first(last['compared'])})"
    blank = int(frame["suppressed"].sum())
    if blank:
        text += f"; {plural(blank, 'period')} suppressed"
    odd = int(valued["flagged"].sum())
    if odd:
        text += (
            f"; {plural(odd, 'period')} flagged for data quality, left out of the line "
            "(open diamonds)"
        )
    return text + "." + tail


def trend(
    trend_table: pd.DataFrame, meta: Meta, *, area_name: str, verdict: str | None = None
) -> alt.LayerChart:
    """An area's value over time with its 95% band and England's value (or line at 1).

    Each point is coloured by that period's comparison with England; ``verdict`` (the
    recent-trend test's result) is printed under the title, so it travels with exported
    images, and so is a note where the series changed.
    """
    frame = _trend_frame(trend_table)
    x = _x(frame)
    if _england_ratio_only(frame, meta, area_name):
        layers = _england_ratio_layers(frame, meta, x)
    elif area_name == ENGLAND_NAME:  # England's own series: nothing to compare it with
        layers = _area_layers(frame, trend_table, meta, x, compared=False)
    else:
        layers = _area_layers(frame, trend_table, meta, x)
        if _is_ratio(meta):
            layers += _reference_layers(meta)
        else:
            layers += _england_layers(frame, meta, x)
    layers += _break_layers(frame, x)
    return titled(
        layers,
        f"{name_of(meta)} in {area_name}",
        _subtitle(frame, meta, area_name, verdict),
        describe_trend(trend_table, meta, area_name=area_name, verdict=verdict),
        height=HEIGHT,
    )
