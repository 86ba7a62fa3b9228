"""Ranked chart: every area by value with its 95% interval, coloured by comparison.

Suppressed and missing areas are listed last with the word "suppressed" (or "no value") and
nothing drawn, so a blank is never mistaken for zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from gapmap.charts.common import (
    HIGHLIGHT,
    INK,
    MUTED,
    NO_VALUE,
    PEER_BAND,
    PEER_SUFFIX,
    ROW_STEP,
    Meta,
    area_labels,
    axis_title,
    codes_of,
    column,
    compared,
    comparison_colour,
    comparisons_present,
    count_words,
    floats,
    js_string,
    name_of,
    period_span,
    suppressed_of,
    titled,
    value_tooltips,
)
from gapmap.wording import compact_nhs_name, lower_first, number_format, ordinal, plural

#: Room for the longest sub-ICB label once shortened ("Bath and North East Somerset, Swindon
#: and Wiltshire - 92G"), so the code that tells three sub-ICBs of one ICB apart is not cut.
RANKED_LABEL_LIMIT = 400


#: Most areas a ranked chart on screen names one by one (every district, 296, fits); more
#: (1,270 PCNs) show the top and bottom :data:`RANKED_KEEP` and the selected area's place.
RANKED_ROWS = 320
RANKED_KEEP = 25


def _ranked_frame(
    table: pd.DataFrame, selected: str | None, peers: Sequence[str] = ()
) -> pd.DataFrame:
    value = floats(column(table, "value"))
    suppressed = suppressed_of(table)
    frame = pd.DataFrame(
        {
            "area_code": codes_of(table),
            "label": area_labels(table).to_numpy(),
            "value": value,
            "lower_95": floats(column(table, "lower_95")),
            "upper_95": floats(column(table, "upper_95")),
            "compared": compared(table),
            "note": column(table, "note", "").astype("object").fillna("").to_numpy(),
        }
    )
    missing = np.isnan(value) | suppressed
    frame["value"] = np.where(missing, np.nan, value)
    frame["status"] = np.where(suppressed, "suppressed", np.where(missing, "no value", ""))
    frame["is_selected"] = frame["area_code"].eq(selected) if selected else False
    frame["is_peer"] = frame["area_code"].isin(list(peers)) & ~frame["is_selected"]
    frame["label"] = frame["label"].where(~frame["is_peer"], frame["label"] + PEER_SUFFIX)
    frame["row"] = frame["label"].map(compact_nhs_name)  # the axis label; sentences keep "label"
    valued = frame.loc[~missing].sort_values(["value", "label"], ascending=[False, True])
    blank = frame.loc[missing].sort_values("label")
    return pd.concat([valued, blank]).reset_index(drop=True)


def _rank(valued: pd.DataFrame, index: int) -> int:
    return int(valued.index.get_loc(index)) + 1


def _selected_words(frame: pd.DataFrame, valued: pd.DataFrame, meta: Meta) -> list[str]:
    chosen = frame.loc[frame["is_selected"]]
    if chosen.empty:
        return []
    row = chosen.iloc[0]
    if row["status"]:
        return [f"{row['label']} is {row['status']}"]
    value = number_format(meta).text(row["value"], missing=NO_VALUE)
    return [
        f"{row['label']} is {ordinal(_rank(valued, chosen.index[0]))} of {len(valued)} at "
        f"{value} ({lower_first(row['compared'])})"
    ]


def _peer_words(frame: pd.DataFrame, valued: pd.DataFrame) -> list[str]:
    marked = frame.loc[frame["is_peer"]]
    if marked.empty:
        return []
    ranks = [_rank(valued, i) for i in marked.index if i in valued.index]
    where = f", ranked {ordinal(min(ranks))} to {ordinal(max(ranks))}" if ranks else ""
    return [f"{plural(len(marked), 'peer area')} marked '(peer)'{where}"]


def describe_ranked(
    table: pd.DataFrame,
    meta: Meta,
    *,
    selected: str | None = None,
    england_value: float | None = None,
    peers: Sequence[str] = (),
) -> str:
    """One sentence saying what the ranked chart shows, for screen readers and captions."""
    frame = _ranked_frame(table, selected, peers)
    valued = frame.loc[frame["status"] == ""]
    period = period_span(table)
    fmt = number_format(meta)
    parts = [
        f"Ranked chart of {name_of(meta)} for {plural(len(frame), 'area')}"
        + (f" in {period}" if period else "")
    ]
    if not valued.empty:
        top, bottom = valued.iloc[0], valued.iloc[-1]
        parts.append(
            f"values run from {fmt.text(top['value'], missing=NO_VALUE)} ({top['label']}) "
            f"down to {fmt.text(bottom['value'], missing=NO_VALUE)} ({bottom['label']})"
        )
    if england_value is not None and not pd.isna(england_value):
        parts.append(f"England {fmt.text(england_value, missing=NO_VALUE)}")
    if not valued.empty:
        parts.append(count_words(valued["compared"]))
    parts += _selected_words(frame, valued, meta) + _peer_words(frame, valued)
    blank = int((frame["status"] != "").sum())
    if blank:
        parts.append(f"{blank} without a value (suppressed or missing) listed last")
    return "; ".join(parts) + "."


def _bold_if(frame: pd.DataFrame) -> alt.ExprRef | str:
    chosen = frame.loc[frame["is_selected"], "row"]
    if chosen.empty:
        return "normal"
    return alt.ExprRef(expr=f"datum.value === {js_string(chosen.iloc[0])} ? 'bold' : 'normal'")


def _england_rule(value: float) -> list[alt.Chart]:
    data = pd.DataFrame({"england": [value], "label": ["England"]})
    rule = alt.Chart(data).mark_rule(color=INK, strokeDash=[5, 4], strokeWidth=1.5)
    text = alt.Chart(data).mark_text(align="left", dx=4, dy=-4, baseline="bottom", color=INK)
    return [
        rule.encode(x="england:Q"),
        text.encode(x="england:Q", y=alt.value(0), text="label:N"),
    ]


def _bands(frame: pd.DataFrame, y: alt.Y) -> list[alt.Chart]:
    """Pale bands behind the selected row and the peers' rows."""
    layers = []
    for flag, colour in (("is_selected", HIGHLIGHT), ("is_peer", PEER_BAND)):
        rows = frame.loc[frame[flag]]
        if not rows.empty:
            layers.append(alt.Chart(rows).mark_rect(color=colour).encode(y=y))
    return layers


def _points(frame: pd.DataFrame, table: pd.DataFrame, meta: Meta, y: alt.Y) -> list[alt.Chart]:
    """Interval lines and value dots of the areas with a value, then the rings and diamonds."""
    title = axis_title(meta)
    valued = frame.loc[frame["status"] == ""]
    x = alt.X("value:Q", title=title, scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("label:N", title="Area"),
        *value_tooltips(meta),
        alt.Tooltip("compared:N", title="Compared with England"),
    ]
    layers = [
        alt.Chart(valued)
        .mark_rule(color=MUTED, strokeWidth=1.5)
        .encode(y=y, x=alt.X("lower_95:Q", title=title), x2="upper_95:Q"),
        alt.Chart(valued)
        .mark_circle(size=60, opacity=1, stroke=INK, strokeWidth=0.6)
        .encode(y=y, x=x, color=comparison_colour(comparisons_present(table)), tooltip=tooltip),
    ]
    marks = (
        ("is_selected", {"size": 220, "strokeWidth": 2}),
        ("is_peer", {"shape": "diamond", "size": 200, "strokeWidth": 1.5}),
    )
    for flag, style in marks:
        rows = valued.loc[valued[flag]]
        if not rows.empty:
            layers.append(
                alt.Chart(rows).mark_point(color=INK, opacity=1, **style).encode(y=y, x=x)
            )
    return layers


def _blanks(frame: pd.DataFrame, y: alt.Y) -> list[alt.Chart]:
    """The word "suppressed" or "no value" where a blank area's dot would be."""
    blank = frame.loc[frame["status"] != ""]
    if blank.empty:
        return []
    tooltip = [alt.Tooltip("label:N", title="Area"), alt.Tooltip("note:N", title="Why")]
    return [
        alt.Chart(blank)
        .mark_text(align="left", dx=4, fontStyle="italic", color=INK)
        .encode(y=y, x=alt.value(0), text="status:N", tooltip=tooltip)
    ]


def ranked(
    table: pd.DataFrame,
    meta: Meta,
    *,
    selected: str | None = None,
    england_value: float | None = None,
    peers: Sequence[str] = (),
) -> alt.LayerChart:
    """Areas ranked by value with 95% intervals, coloured by comparison with England.

    Suppressed and missing areas are listed at the bottom with the word "suppressed" (or "no
    value") and nothing drawn, so a blank is never mistaken for zero. ``selected`` is an area
    code; its row is shaded and its label bold. ``peers`` are area codes of its peer group:
    their rows get a pale band, an open diamond around the dot and "(peer)" after the name.
    """
    frame = _ranked_frame(table, selected, peers)
    y = alt.Y(
        "row:N",
        sort=frame["row"].tolist(),
        title=None,
        # Every row named, whatever the page's theme: Streamlit's sets labelOverlap, which on a
        # 16-pixel row drops every other name (and can drop the selected area's).
        axis=alt.Axis(
            labelLimit=RANKED_LABEL_LIMIT,
            labelFontWeight=_bold_if(frame),
            labelFontSize=11,
            labelOverlap=False,
            ticks=False,
        ),
    )
    layers = _bands(frame, y) + _points(frame, table, meta, y) + _blanks(frame, y)
    if england_value is not None and not pd.isna(england_value):
        layers += _england_rule(float(england_value))
    period = period_span(table)
    subtitle = "Dots: value; lines: 95% confidence interval; dashed line: England."
    if frame["is_peer"].any():
        subtitle += " Diamonds and '(peer)': the peer group."
    return titled(
        layers,
        f"{name_of(meta)}: areas ranked" + (f", {period}" if period else ""),
        subtitle,
        describe_ranked(table, meta, selected=selected, england_value=england_value, peers=peers),
        height=alt.Step(ROW_STEP),
    )
