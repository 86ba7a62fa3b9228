"""Spine chart, Fingertips-style: one row per indicator, the area against England."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from gapmap.charts.common import (
    INK,
    MUTED,
    NO_VALUE,
    ROW_STEP,
    comparison_colour,
    comparison_keys,
    count_words,
    floats,
    titled,
)
from gapmap.wording import COMPARISON_LABELS, SIZE_UNITS, number_format, plural

#: A count (referrals, people, patients) grows with the area, so it is listed, not placed.
NOT_PLACED = "a count: not placed against other areas"
#: A row label's two lines: the indicator, then its period and values.
LINE_BREAK = "\n"

#: Where a row is placed: its value and the range and interquartile band of all areas.
PLACES = ("position", "worst", "q25", "q75", "best")


def _number(value: object) -> float:
    return floats(pd.Series([value]))[0]


def _fingertips_places(
    value: float, england: float, others: np.ndarray, polarity: str
) -> dict[str, float]:
    """Fingertips' spine positions: England at 0.5, the area furthest from it at 0 or 1.

    Turned so the better end is on the right (higher on the right for neutral indicators).
    """
    others = others[np.isfinite(others)]
    if others.size == 0:
        others = np.array([value])
    half = max(abs(england - others.min()), abs(others.max() - england), 1e-12)
    sign = -1.0 if polarity == "high_is_bad" else 1.0

    def place(v: float) -> float:
        return 0.5 + sign * (v - england) / (2 * half)

    q25, q75 = np.percentile(others, [25, 75])
    ends = sorted([place(others.min()), place(others.max())])
    bands = sorted([place(q25), place(q75)])
    return {
        "position": place(value),
        "worst": ends[0],
        "best": ends[1],
        "q25": bands[0],
        "q75": bands[1],
    }


def _status(suppressed: bool, value: float, england: float, unit: str = "") -> str:
    if unit in SIZE_UNITS:
        return NOT_PLACED
    if suppressed:
        return "suppressed"
    if not np.isfinite(value):
        return "no value"
    if not np.isfinite(england) or england == 0:
        return "no England value"
    return ""


def _spine_row(row: pd.Series, areas: pd.DataFrame | None) -> dict[str, object]:
    """One indicator's row: its value, England's, comparison, status and positions."""
    value, england = _number(row.get("value")), _number(row.get("england_value"))
    suppressed = bool(row.get("suppressed")) if not pd.isna(row.get("suppressed")) else False
    polarity = str(row.get("polarity") or "neutral")
    out: dict[str, object] = {
        "indicator_id": str(row.get("indicator_id", "")),
        "short_name": str(row.get("short_name") or row.get("indicator_id")),
        "unit": str(row.get("unit") or ""),
        "statistic": str(row.get("statistic") or ""),
        "polarity": polarity,
        "period": str(row.get("period") or ""),
        "value": np.nan if suppressed else value,
        "england_value": england,
        "key": comparison_keys(pd.Series([row.get("comparison")], dtype="object")).iloc[0],
        "status": _status(suppressed, value, england, str(row.get("unit") or "")),
        **dict.fromkeys(PLACES, np.nan),
    }
    if out["status"]:
        return out
    if areas is None:
        out["position"] = value / england
        return out
    others = areas.loc[areas["indicator_id"].astype(str) == out["indicator_id"], "value"]
    return out | _fingertips_places(value, england, floats(others), polarity)


def _with_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparison label, the value texts and the row label ("Name (period): value vs ...").

    Each row is read by its own indicator's number format (unit, statistic and id).
    """
    frame["compared"] = frame["key"].map(COMPARISON_LABELS)
    formats = [
        number_format(meta)
        for meta in frame[["indicator_id", "unit", "statistic"]].to_dict("records")
    ]
    frame["value_text"] = [
        "suppressed" if status == "suppressed" else fmt.text(v, missing=NO_VALUE)
        for fmt, v, status in zip(formats, frame["value"], frame["status"], strict=True)
    ]
    frame["england_text"] = [
        fmt.text(v, missing=NO_VALUE)
        for fmt, v in zip(formats, frame["england_value"], strict=True)
    ]
    frame["row"] = [
        f"{name}{LINE_BREAK}{f'{period}: ' if period else ''}{value}"
        # A count's England figure is a national total (or, for a gap, 0 by definition).
        + (f" vs England {england}" if np.isfinite(e) and status != NOT_PLACED else "")
        for name, period, value, england, e, status in zip(
            frame["short_name"],
            frame["period"],
            frame["value_text"],
            frame["england_text"],
            frame["england_value"],
            frame["status"],
            strict=True,
        )
    ]
    return frame


def spine_frame(profile: pd.DataFrame, *, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Positions for the spine chart, one row per indicator.

    Without ``areas``: ``position`` is the area's value divided by England's (1 = England).
    With ``areas`` (indicator_id and value for every area of the level): positions follow
    Fingertips' spine, England at 0.5 and the area furthest from England at 0 or 1, turned
    so that the better end is on the right (higher on the right for neutral indicators);
    ``worst``/``q25``/``q75``/``best`` place the range and interquartile band of the areas.
    """
    frame = pd.DataFrame([_spine_row(row, areas) for _, row in profile.iterrows()])
    if frame.empty:
        return frame.assign(compared=[], value_text=[], england_text=[], row=[])
    return _with_text(frame)


def describe_spine(
    profile: pd.DataFrame, *, area_name: str, areas: pd.DataFrame | None = None
) -> str:
    """One sentence summarising the spine: how many indicators are better, similar, worse."""
    frame = spine_frame(profile, areas=areas)
    shown = frame.loc[frame["status"] == ""]
    text = f"Spine chart of {plural(len(frame), 'indicator')} for {area_name} against England"
    if not shown.empty:
        text += ": " + count_words(shown["compared"])
    blank = len(frame) - len(shown)
    if blank:
        text += f"; {blank} not placed (a count, suppressed, no value or no England value)"
    return text + "."


def _range_bars(shown: pd.DataFrame, y: alt.Y, x_title: str, x_axis: alt.Axis) -> list:
    """The range (pale) and middle half (darker) of all areas behind each row."""
    x = alt.X("worst:Q", title=x_title, scale=alt.Scale(domain=[0, 1]), axis=x_axis)
    return [
        alt.Chart(shown)
        .mark_bar(color=MUTED, opacity=0.35, height=12)
        .encode(y=y, x=x, x2="best:Q"),
        alt.Chart(shown)
        .mark_bar(color=MUTED, opacity=0.8, height=12)
        .encode(y=y, x="q25:Q", x2="q75:Q"),
    ]


def _x_encoding(relative: bool) -> tuple[alt.X, str, alt.Axis]:
    """The position axis: multiples of England's value, or Fingertips' 0-to-1 scale."""
    x_title = (
        "Value as a multiple of England's (1 = England)"
        if relative
        else "Worst or lowest area (left) · England (centre) · best or highest area (right)"
    )
    x_axis = alt.Axis() if relative else alt.Axis(labels=False, ticks=False, grid=False)
    scale = alt.Scale(zero=False) if relative else alt.Scale(domain=[0, 1])
    return alt.X("position:Q", title=x_title, scale=scale, axis=x_axis), x_title, x_axis


def spine(
    profile: pd.DataFrame, *, area_name: str, areas: pd.DataFrame | None = None
) -> alt.LayerChart:
    """Fingertips-style spine chart: one row per indicator, the area against England.

    ``profile`` is :meth:`gapmap.atlas.Atlas.profile`'s frame. With ``areas`` the rows show
    where the area sits in the range of all areas (see :func:`spine_frame`); without, the
    area's value as a multiple of England's. Points are coloured by comparison with England.
    """
    frame = spine_frame(profile, areas=areas)
    y = alt.Y(
        "row:N",
        sort=frame["row"].tolist(),
        title=None,
        # Two lines a row (indicator; period and values), so no row is cut short.
        axis=alt.Axis(
            labelLimit=420,
            ticks=False,
            labelExpr=f"split(datum.label, {LINE_BREAK!r})",
            labelOverlap=False,
            labelFontSize=11,
        ),
    )
    relative = areas is None
    x, x_title, x_axis = _x_encoding(relative)
    shown = frame.loc[frame["status"] == ""]
    layers = [] if relative else _range_bars(shown, y, x_title, x_axis)
    centre = pd.DataFrame({"position": [1.0 if relative else 0.5], "label": ["England"]})
    layers.append(alt.Chart(centre).mark_rule(color=INK, strokeWidth=2).encode(x=x))
    tooltip = [
        alt.Tooltip("short_name:N", title="Indicator"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title=area_name),
        alt.Tooltip("england_text:N", title="England"),
        alt.Tooltip("compared:N", title="Compared with England"),
    ]
    layers.append(
        alt.Chart(shown)
        .mark_circle(size=110, opacity=1, stroke=INK, strokeWidth=0.8)
        .encode(y=y, x=x, color=comparison_colour(frame["key"].tolist()), tooltip=tooltip)
    )
    blank = frame.loc[frame["status"] != ""]
    if not blank.empty:
        layers.append(
            alt.Chart(blank)
            .mark_text(align="left", dx=4, fontStyle="italic", color=INK)
            .encode(y=y, x=alt.value(0), text="status:N")
        )
    bars = "" if relative else " Bars: range and middle half of all areas."
    return titled(
        layers,
        f"{area_name} compared with England",
        "Dots: the area; vertical line: England." + bars,
        describe_spine(profile, area_name=area_name, areas=areas),
        height=alt.Step(2 * ROW_STEP + 6),
    )
