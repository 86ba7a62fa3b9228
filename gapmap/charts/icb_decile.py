"""Inside one ICB: an indicator by deprivation decile, the ICB's dots beside England's line.

Unlike :func:`gapmap.charts.decile.by_decile` (practices grouped into deciles, with an SII
line), this chart shows one area's own deciles, each with its 95% interval, against
England's value for the same decile, so a reader sees both the gradient inside the ICB and
where each tenth of its neighbourhoods stands against the same tenth nationally.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from gapmap.charts.common import (
    HEIGHT,
    INK,
    MUTED,
    NO_VALUE,
    Meta,
    axis_title,
    column,
    floats,
    name_of,
    titled,
    value_tooltips,
)
from gapmap.charts.decile import _group_axis
from gapmap.wording import number_format

DECILES = 10
ENGLAND_LABEL = "England"
#: Head room above the highest value or limit on the value axis.
HEADROOM = 1.08


def _long(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per decile: the area's value and limits, and England's value."""
    data = pd.DataFrame(
        {
            "decile": floats(frame["decile"]),
            "value": floats(frame["value"]),
            "lower_95": floats(column(frame, "lower_95")),
            "upper_95": floats(column(frame, "upper_95")),
            "england_value": floats(column(frame, "england_value")),
        }
    )
    data = data.loc[data["decile"].between(1, DECILES)].sort_values("decile")
    return data.reset_index(drop=True)


def value_domain(frame: pd.DataFrame) -> list[float]:
    """The value axis, from 0 to a little above every value, limit and England value."""
    data = _long(frame)
    values = data[["value", "lower_95", "upper_95", "england_value"]].to_numpy().ravel()
    values = values[np.isfinite(values)]
    top = float(values.max()) * HEADROOM if values.size else 1.0
    return [min(0.0, float(values.min()) if values.size else 0.0), top if top > 0 else 1.0]


def _ends(data: pd.DataFrame, field: str) -> tuple[float, float]:
    """``field`` at decile 1 and decile 10 (NaN where missing)."""
    by = data.set_index("decile")[field]
    return float(by.get(1.0, np.nan)), float(by.get(float(DECILES), np.nan))


def describe_icb_by_decile(frame: pd.DataFrame, meta: Meta, area: str, period: str) -> str:
    """The chart's text alternative: both ends of the area's deciles and of England's."""
    data = _long(frame)
    text = number_format(meta).text
    first, last = _ends(data, "value")
    eng_first, eng_last = _ends(data, "england_value")
    missing = [int(d) for d in data.loc[~np.isfinite(data["value"]), "decile"]]
    sentence = (
        f"{name_of(meta)} by deprivation decile in {area}, {period}: "
        f"{text(first, missing=NO_VALUE)} in decile 1 (most deprived) and "
        f"{text(last, missing=NO_VALUE)} in decile 10 (least deprived); England "
        f"{text(eng_first, missing=NO_VALUE)} and {text(eng_last, missing=NO_VALUE)}."
    )
    if missing:
        listed = ", ".join(str(d) for d in missing)
        sentence += f" No value shown for decile {listed} (suppressed)."
    return sentence


def _colour(area: str) -> alt.Color:
    """The area's dark dots and England's light dashed line, named in a legend.

    They differ in lightness, size and dash as well as in name, so no one needs colour.
    """
    return alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[area, ENGLAND_LABEL], range=[INK, MUTED]),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolStrokeColor=INK),
    )


def _tooltip(meta: Meta) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("decile:O", title="Decile (1 = most deprived)"),
        *value_tooltips(meta, england=True),
    ]


def icb_by_decile(frame: pd.DataFrame, meta: Meta, area: str, period: str) -> alt.LayerChart:
    """``meta``'s indicator by decile 1-10 in ``area``, with 95% intervals and England's line.

    ``frame`` has ``decile`` (1 = most deprived), ``value``, ``lower_95``, ``upper_95`` and
    ``england_value`` (England's value for the same decile); a suppressed decile has no
    value and draws nothing. ``area`` is the name shown in the title and legend.
    """
    data = _long(frame)
    scale, axis, x_title = _group_axis(DECILES, "decile")
    x = alt.X("decile:Q", scale=scale, axis=axis, title=x_title)
    y_scale = alt.Scale(domain=value_domain(frame), nice=False, zero=False)
    y = alt.Y("value:Q", title=axis_title(meta), scale=y_scale)
    colour = _colour(area)
    england = data.assign(value=data["england_value"], series=ENGLAND_LABEL)
    england = england.loc[np.isfinite(england["value"])]
    valued = data.loc[np.isfinite(data["value"])].assign(series=area)
    layers = [
        alt.Chart(england)
        .mark_line(strokeDash=[6, 3], strokeWidth=2, point=alt.OverlayMarkDef(size=30))
        .encode(x=x, y=y, color=colour),
        alt.Chart(valued.loc[np.isfinite(valued["lower_95"]) & np.isfinite(valued["upper_95"])])
        .mark_rule(color=INK, strokeWidth=1.5)
        .encode(x=x, y=alt.Y("lower_95:Q", scale=y_scale), y2="upper_95:Q"),
        alt.Chart(valued)
        .mark_point(filled=True, size=80, opacity=1)
        .encode(x=x, y=y, color=colour, tooltip=_tooltip(meta)),
    ]
    return titled(
        layers,
        f"{name_of(meta)} by deprivation decile: {area}",
        f"{period}. Dots: {area}, with 95% confidence intervals; dashed line: England.",
        describe_icb_by_decile(frame, meta, area, period),
        height=HEIGHT,
    )


__all__ = ["describe_icb_by_decile", "icb_by_decile", "value_domain"]
