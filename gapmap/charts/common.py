"""What every chart family shares: colours, sizes, labels and legends.

Numbers and words come from :mod:`gapmap.wording` (``number_format(meta).text`` in sentences,
``.d3`` in tooltips and axes), so a chart reads a value as the map, the tables and the board
pack do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from gapmap.palette import (
    COMPARISON_COLOURS,
    COMPARISON_ORDER,
    ENGLAND,
    NEUTRAL_SCALE,
    SELECTED_OUTLINE,
)
from gapmap.periods import ordered
from gapmap.wording import COMPARISON_LABELS, compared_heading, lower_first, number_format

Meta = Mapping | pd.Series

ROW_STEP = 16
HEIGHT = 320
#: Chart-only accents beside :mod:`gapmap.palette`: text and outlines, interval lines, the
#: area's own series, the fitted line, and the pale band behind the selected row.
INK = SELECTED_OUTLINE
MUTED = "#8C8C8C"
SERIES = {"area": "#525252", "england": ENGLAND, "fit": NEUTRAL_SCALE[-1]}
HIGHLIGHT = "#FFF2AE"
#: Peers in ranked charts: a pale blue band, an open diamond and " (peer)" after the name, so
#: they are told apart by shape and label as well as colour.
PEER_BAND = "#DEEBF7"
PEER_SUFFIX = " (peer)"
#: What a chart's sentence says where there is no value to read.
NO_VALUE = "no value"


# ------------------------------------------------------------------ indicator metadata


def meta_value(meta: Meta, key: str, default: object = None) -> object:
    """``meta[key]``, or ``default`` where the key is missing, None or NaN."""
    value = meta.get(key, default) if meta is not None else default
    return default if value is None or (isinstance(value, float) and np.isnan(value)) else value


def name_of(meta: Meta) -> str:
    """The indicator's shortest name, for titles and sentences."""
    names = (meta_value(meta, key) for key in ("short_name", "name", "id"))
    return str(next((n for n in names if n), "Value"))


def unit_of(meta: Meta) -> str:
    """The indicator's unit ("%", "ratio", "per 1,000"...), empty when it has none."""
    return str(meta_value(meta, "unit", "") or "")


def axis_title(meta: Meta) -> str:
    """Name with unit in brackets, as every axis and tooltip title reads."""
    unit = unit_of(meta)
    return f"{name_of(meta)} ({unit})" if unit else name_of(meta)


def value_tooltips(meta: Meta, *, england: bool = False) -> list[alt.Tooltip]:
    """A value and its 95% limits in the indicator's own format (and England's, if asked)."""
    title, fmt = axis_title(meta), number_format(meta).d3
    tips = [
        alt.Tooltip("value:Q", title=title, format=fmt),
        alt.Tooltip("lower_95:Q", title="Lower 95% limit", format=fmt),
        alt.Tooltip("upper_95:Q", title="Upper 95% limit", format=fmt),
    ]
    if england:
        tips.append(alt.Tooltip("england_value:Q", title="England", format=fmt))
    return tips


def statistic_of(meta: Meta) -> str:
    """The indicator's statistic ("ratio", "rate", "proportion", "score"...)."""
    return str(meta_value(meta, "statistic", ""))


# --------------------------------------------------------------------------- columns


def floats(series: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for anything missing or not a number."""
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def column(frame: pd.DataFrame, name: str, default: object = np.nan) -> pd.Series:
    """``frame[name]``, or a column of ``default`` when the table lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index)


def suppressed_of(frame: pd.DataFrame) -> np.ndarray:
    """The ``suppressed`` flags as booleans (False where the table has none)."""
    return column(frame, "suppressed", False).fillna(False).astype(bool).to_numpy()


def codes_of(frame: pd.DataFrame) -> np.ndarray:
    """The area codes, as objects (empty strings where the table has none)."""
    return column(frame, "area_code", "").astype("object").to_numpy()


def area_labels(frame: pd.DataFrame) -> pd.Series:
    """Area names, with the code added where two areas share a name."""
    names = column(frame, "area_name", "").astype("object").fillna("")
    codes = column(frame, "area_code", "").astype("object").fillna("")
    names = names.where(names != "", codes)
    clash = names.duplicated(keep=False)
    return names.where(~clash, names + " (" + codes + ")")


def period_span(frame: pd.DataFrame) -> str:
    """The table's period, or "first to last" when it spans several."""
    if "period" not in frame.columns or frame.empty:
        return ""
    periods = ordered(frame["period"].dropna().astype(str))
    return periods[-1] if len(periods) == 1 else " to ".join([periods[0], periods[-1]])


# ------------------------------------------------------------------------ comparison


def comparison_keys(comparison: pd.Series) -> pd.Series:
    """Comparison keys, with anything unknown or missing read as ``not_compared``."""
    keys = comparison.astype("object").where(comparison.notna(), "not_compared")
    return keys.where(keys.isin(list(COMPARISON_COLOURS)), "not_compared")


def compared(frame: pd.DataFrame) -> np.ndarray:
    """The legend label of each row's comparison with England."""
    keys = comparison_keys(column(frame, "comparison", "not_compared"))
    return keys.map(COMPARISON_LABELS).to_numpy()


def comparisons_present(frame: pd.DataFrame) -> list[str]:
    """The comparison key of every row, for the legend of the comparisons present."""
    return comparison_keys(column(frame, "comparison", "not_compared")).tolist()


def _comparison_domain(present: Sequence[str]) -> list[str]:
    """Legend labels of the comparisons present, in the palette's order.

    Colours are bound to categories (not positions), so leaving absent ones out of the
    legend never changes what a colour means.
    """
    keys = [k for k in COMPARISON_ORDER if k in set(present)] or ["not_compared"]
    return [COMPARISON_LABELS[k] for k in keys]


def comparison_colour(present: Sequence[str]) -> alt.Color:
    """The colour encoding of a chart coloured by comparison with England."""
    domain = _comparison_domain(present)
    by_label = {COMPARISON_LABELS[k]: v for k, v in COMPARISON_COLOURS.items()}
    return alt.Color(
        "compared:N",
        title=compared_heading(),
        scale=alt.Scale(domain=domain, range=[by_label[d] for d in domain]),
        # Three to a row at most: four or more labels in one row ran past a half-width chart.
        legend=alt.Legend(
            orient="bottom",
            direction="horizontal",
            symbolStrokeColor=INK,
            columns=min(len(domain), LEGEND_COLUMNS) or 1,
        ),
    )


#: Comparison labels on one legend row, at most.
LEGEND_COLUMNS = 3


def count_words(labels: pd.Series) -> str:
    """Counts of each comparison in words: '3 better than England, 2 similar to England'."""
    counts = labels.value_counts()
    return ", ".join(f"{n} {lower_first(label)}" for label, n in counts.items())


# ---------------------------------------------------------------------- vega text


def js_string(text: str) -> str:
    """A Vega expression string literal; JSON escaping is valid there and stops injection."""
    return json.dumps(str(text))


# ----------------------------------------------------------------------------- marks


def selected_marks(frame: pd.DataFrame, x: alt.X, y: alt.Y) -> list[alt.Chart]:
    """A ring and a name label on the selected area, so it is found without colour."""
    chosen = frame.loc[frame["is_selected"]]
    if chosen.empty:
        return []
    ring = alt.Chart(chosen).mark_point(size=260, color=INK, strokeWidth=2.5, opacity=1)
    # Set above and right of the ring (radius about 9 px with its stroke), clear of it.
    label = alt.Chart(chosen).mark_text(
        align="left", baseline="bottom", dx=12, dy=-8, fontWeight="bold", color=INK
    )
    return [ring.encode(x=x, y=y), label.encode(x=x, y=y, text="label:N")]


def titled(
    layers: list, title: str, subtitle: str | list[str], description: str, height: object = HEIGHT
) -> alt.LayerChart:
    """Layers with the title, subtitle, text alternative and size every chart carries."""
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=subtitle, anchor="start"),
        description=description,
        width="container",
        height=height,
    )


# ------------------------------------------------------------------------ on screen

#: Axis, legend and title text on screen: 8.5:1 on the white page. Streamlit's chart theme
#: draws them in a grey of 3.8:1, below the WCAG AA 4.5:1 for text of this size.
SCREEN_TEXT = "#4D4D4D"
#: How charts are sized on the page: as wide as the column, as tall as the chart asks.
SCREEN_AUTOSIZE = {"type": "fit-x", "contains": "padding"}


def for_screen(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with its axis, legend and title text dark enough for WCAG AA on white.

    Legend symbols get a thin edge and room for their full labels: Streamlit's chart theme
    draws a thick edge that hides the fill a symbol is there to show, and cuts labels short.
    Applied only where a chart is shown in the app: configured charts cannot be nested, and
    the exported images set their own text colours.
    """
    # Fit the width only: Streamlit's default ("fit") squeezes title, subtitle, axes and
    # legend into the chart's height, leaving a plot a few lines tall under a long subtitle.
    return (
        chart.properties(autosize=SCREEN_AUTOSIZE)
        .configure_axis(labelColor=SCREEN_TEXT, titleColor=SCREEN_TEXT)
        .configure_legend(
            labelColor=SCREEN_TEXT,
            titleColor=SCREEN_TEXT,
            symbolStrokeWidth=1,
            symbolSize=120,
            labelLimit=320,
        )
        .configure_title(color=INK, subtitleColor=SCREEN_TEXT)
        .configure_header(labelColor=SCREEN_TEXT, titleColor=SCREEN_TEXT)
    )
