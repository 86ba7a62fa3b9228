"""Deprivation chart: an indicator by deprivation decile or quintile, with the SII line given."""

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
    floats,
    name_of,
    titled,
    value_tooltips,
)
from gapmap.palette import DEPRIVATION_SCALE, ramp
from gapmap.wording import number_format


def _groups(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, str]:
    """The groups (1 = most deprived) with their value, limits and population ranks."""
    name = next((c for c in ("decile", "quintile", "quantile") if c in frame.columns), None)
    if name is None:
        raise ValueError("by_decile needs a 'decile', 'quintile' or 'quantile' column")
    data = pd.DataFrame(
        {
            "group": floats(frame[name]),
            "value": floats(frame["value"]),
            "lower_95": floats(column(frame, "lower_95")),
            "upper_95": floats(column(frame, "upper_95")),
            "rank_start": floats(column(frame, "rank_start")),
            "rank_end": floats(column(frame, "rank_end")),
        }
    ).sort_values("group")
    data = data.loc[np.isfinite(data["group"])].reset_index(drop=True)
    default = 5 if name == "quintile" else 10
    n = int(data["group"].max()) if not data.empty else default
    word = {5: "quintile", 10: "decile"}.get(n, name if name != "quantile" else "quantile")
    return data, n, word


def _sii_line(data: pd.DataFrame, n: int, slope: float, intercept: float) -> pd.DataFrame:
    """Points of the fitted line y = intercept + slope * rank on the group axis.

    Each group spans [g - 0.5, g + 0.5] on the axis and [rank_start, rank_end] in population
    rank; without ranks the groups are taken to hold equal shares of the population.
    """
    if data["rank_start"].notna().all() and data["rank_end"].notna().all() and not data.empty:
        x = np.concatenate([data["group"] - 0.5, data["group"].iloc[-1:] + 0.5])
        rank = np.concatenate([data["rank_start"], data["rank_end"].iloc[-1:]])
    else:
        x = np.array([0.5, n + 0.5])
        rank = np.array([0.0, 1.0])
    return pd.DataFrame({"group": x, "value": intercept + slope * rank})


def _has_line(slope: float | None, intercept: float | None) -> bool:
    return slope is not None and intercept is not None and not pd.isna(slope)


def describe_by_decile(
    frame: pd.DataFrame,
    meta: Meta,
    *,
    slope: float | None = None,
    intercept: float | None = None,
) -> str:
    """One sentence comparing the most and least deprived groups (and the SII when given)."""
    data, _, word = _groups(frame)
    data = data.loc[np.isfinite(data["value"])]
    fmt = number_format(meta)
    text = f"{name_of(meta)} by deprivation {word}"
    if not data.empty:
        first, last = data.iloc[0], data.iloc[-1]
        text += (
            f": {fmt.text(first['value'], missing=NO_VALUE)} in {word} {int(first['group'])} "
            f"(most deprived) and {fmt.text(last['value'], missing=NO_VALUE)} in {word} "
            f"{int(last['group'])} (least deprived)"
        )
    if _has_line(slope, intercept):
        start, end = intercept, intercept + slope
        text += (
            f"; the fitted line runs from {fmt.text(start, missing=NO_VALUE)} at the most "
            f"deprived end to {fmt.text(end, missing=NO_VALUE)} at the least deprived end "
            f"(slope index of inequality {fmt.number(-float(slope))})"
        )
    return text + "."


def _group_axis(n: int, word: str) -> tuple[alt.Scale, alt.Axis, str]:
    """The group axis: 1 (most deprived) to n (least deprived), labelled at both ends."""
    share = {5: "20%", 10: "10%"}.get(n, "group")
    x_title = f"Deprivation {word} (1 = most deprived {share}, {n} = least deprived)"
    scale = alt.Scale(domain=[0.5, n + 0.5], nice=False, zero=False)
    axis = alt.Axis(
        values=list(range(1, n + 1)),
        labelExpr=(
            f"datum.value == 1 ? ['1', 'most deprived'] : datum.value == {n} ? "
            f"['{n}', 'least deprived'] : datum.label"
        ),
        grid=False,
        tickMinStep=1,
    )
    return scale, axis, x_title


def _bars(valued: pd.DataFrame, meta: Meta, n: int, word: str, x: alt.X) -> alt.Chart:
    """One bar per group, shaded from most to least deprived."""
    y_title = axis_title(meta)
    colour = alt.Color(
        "group:O",
        scale=alt.Scale(domain=list(range(1, n + 1)), range=ramp(DEPRIVATION_SCALE, n)),
        legend=None,
    )
    tooltip = [
        alt.Tooltip("group:O", title=word.capitalize()),
        *value_tooltips(meta),
    ]
    return (
        alt.Chart(valued)
        .mark_rect(stroke=INK, strokeWidth=0.5)
        .encode(
            x=x,
            color=colour,
            x2="x1:Q",
            y=alt.Y("value:Q", title=y_title),
            y2=alt.datum(0),
            tooltip=tooltip,
        )
    )


def by_decile(
    frame: pd.DataFrame,
    meta: Meta,
    *,
    slope: float | None = None,
    intercept: float | None = None,
) -> alt.LayerChart:
    """An indicator by deprivation decile or quintile, 1 = most deprived, with 95% intervals.

    ``frame`` has a ``decile``, ``quintile`` or ``quantile`` column (1 = most deprived),
    ``value``, and optionally ``lower_95``/``upper_95`` and ``rank_start``/``rank_end`` (as
    :func:`gapmap.inequality.by_quantile` returns). With ``slope`` and ``intercept`` the
    SII line y = intercept + slope * rank is drawn, the population rank running from 0 at
    the most deprived end to 1 at the least deprived: from ``sii_rii``'s result that is
    intercept = value_most_deprived, slope = value_least_deprived - value_most_deprived
    (SII = -slope: positive when the value is higher where people are more deprived).
    """
    data, n, word = _groups(frame)
    data["x0"], data["x1"] = data["group"] - 0.38, data["group"] + 0.38
    scale, axis, x_title = _group_axis(n, word)
    group_x = alt.X("group:Q", scale=scale, axis=axis, title=x_title)
    valued = data.loc[np.isfinite(data["value"])]
    layers = [_bars(valued, meta, n, word, alt.X("x0:Q", title=x_title, scale=scale, axis=axis))]
    ci = valued.loc[np.isfinite(valued["lower_95"]) & np.isfinite(valued["upper_95"])]
    if not ci.empty:
        layers.append(
            alt.Chart(ci)
            .mark_rule(color=INK, strokeWidth=1.5)
            .encode(x=group_x, y="lower_95:Q", y2="upper_95:Q")
        )
    if _has_line(slope, intercept):
        line = _sii_line(data, n, float(slope), float(intercept))
        layers.append(
            alt.Chart(line)
            .mark_line(color=SERIES["fit"], strokeWidth=2, strokeDash=[6, 3])
            .encode(x=group_x, y="value:Q")
        )
    return titled(
        layers,
        f"{name_of(meta)} by deprivation {word}",
        "Bars: value; black lines: 95% confidence interval"
        + ("; dashed line: slope index of inequality." if slope is not None else "."),
        describe_by_decile(frame, meta, slope=slope, intercept=intercept),
        height=HEIGHT,
    )
