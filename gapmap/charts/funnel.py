"""Funnel plot: each area's value against its denominator, inside the control limits it is given.

The limits come from :func:`gapmap.limits.funnel` (computed by :mod:`methods.funnel`); the
chart draws them and its sentence reads off which areas lie outside them, so the picture
and the words cannot disagree.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from gapmap.charts.common import (
    HEIGHT,
    INK,
    NO_VALUE,
    Meta,
    area_labels,
    axis_title,
    codes_of,
    column,
    compared,
    comparison_colour,
    comparisons_present,
    floats,
    name_of,
    period_span,
    selected_marks,
    statistic_of,
    titled,
)
from gapmap.limits import funnel_rows, has_funnel
from gapmap.wording import lower_first, number_format, plural

CURVES = ["lower_95", "upper_95", "lower_998", "upper_998"]


def _funnel_frame(table: pd.DataFrame, selected: str | None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "area_code": codes_of(table),
            "label": area_labels(table).to_numpy(),
            "value": floats(column(table, "value")),
            "numerator": floats(column(table, "numerator")),
            "denominator": floats(column(table, "denominator")),
            "compared": compared(table),
        }
    )
    frame = frame.loc[funnel_rows(table)].reset_index(drop=True)
    frame["is_selected"] = frame["area_code"].eq(selected) if selected else False
    return frame


def _x_title(meta: Meta) -> str:
    if statistic_of(meta) == "ratio":
        return "Expected count E (from need)"
    return "Denominator (people)"


def _placed(frame: pd.DataFrame, limits: pd.DataFrame) -> pd.Series:
    """Each area against the 99.8% limits at its own denominator: above, below or within.

    "not placed" where ``limits`` has no row at the area's denominator.
    """
    at = frame[["denominator", "value"]].merge(
        limits[["denominator", "lower_998", "upper_998"]].drop_duplicates("denominator"),
        on="denominator",
        how="left",
    )
    value, lower, upper = (at[c].to_numpy() for c in ("value", "lower_998", "upper_998"))
    where = np.select(
        [np.isnan(lower) | np.isnan(upper), value > upper, value < lower],
        ["not placed", "above", "below"],
        "within",
    )
    return pd.Series(where, index=frame.index)


def describe_funnel(
    table: pd.DataFrame,
    meta: Meta,
    limits: pd.DataFrame,
    *,
    selected: str | None = None,
) -> str:
    """One sentence saying what the funnel plot shows, read off the limits it draws."""
    frame = _funnel_frame(table, selected)
    centre = "1 (as expected)" if statistic_of(meta) == "ratio" else "England"
    text = (
        f"Funnel plot of {name_of(meta)} against {lower_first(_x_title(meta))} for "
        f"{plural(len(frame), 'area')}, with 95% and 99.8% control limits around {centre}"
    )
    if not frame.empty and not limits.empty:
        placed = _placed(frame, limits)
        above, below = int((placed == "above").sum()), int((placed == "below").sum())
        text += f"; {above} above and {below} below the 99.8% limits"
        chosen = frame.loc[frame["is_selected"]]
        if not chosen.empty:
            i = chosen.index[0]
            where = {
                "above": ", above the 99.8% limit",
                "below": ", below the 99.8% limit",
                "within": ", within the 99.8% limits",
            }.get(placed[i], "")
            value = number_format(meta).text(frame.loc[i, "value"], missing=NO_VALUE)
            label = frame.loc[i, "label"]
            text += f"; {label} is {value}{where}"
    left_out = len(table) - len(frame)
    if left_out:
        text += f"; {left_out} without a value or denominator not plotted"
    return text + "."


def _limit_layers(limits: pd.DataFrame, x_title: str, y_title: str) -> list[alt.Chart]:
    """The four control-limit curves (dashed 95%, solid 99.8%) and the centre line."""
    if limits.empty:
        return []
    long = limits.melt(
        id_vars=["denominator"], value_vars=CURVES, var_name="curve", value_name="limit"
    )
    long["limits"] = np.where(long["curve"].str.endswith("998"), "99.8%", "95%")
    dash = alt.StrokeDash(
        "limits:N",
        title="Control limits",
        scale=alt.Scale(domain=["95%", "99.8%"], range=[[4, 3], [1, 0]]),
        legend=alt.Legend(orient="bottom"),
    )
    curves = (
        alt.Chart(long)
        .mark_line(color=INK, strokeWidth=1)
        .encode(
            x=alt.X("denominator:Q", title=x_title),
            y=alt.Y("limit:Q", title=y_title, scale=alt.Scale(zero=False)),
            detail="curve:N",
            strokeDash=dash,
        )
    )
    centre = pd.DataFrame({"y": [float(limits["baseline"].iloc[0])]})
    return [curves, alt.Chart(centre).mark_rule(color=INK, strokeWidth=1.5).encode(y="y:Q")]


def funnel(
    table: pd.DataFrame,
    meta: Meta,
    limits: pd.DataFrame,
    *,
    selected: str | None = None,
) -> alt.LayerChart:
    """Funnel plot: each area's value against its denominator, inside control limits.

    For ratios (table numerator = observed O, denominator = expected E) the plot is O/E
    against E with limits around 1; for rates and proportions, the value against the
    denominator with limits around England. ``limits`` is :func:`gapmap.limits.funnel`'s
    frame (denominator, baseline and the 95% and 99.8% limits), drawn as given. A point
    outside the funnel differs from the centre by more than chance would make likely for an
    area of its size, which a ranked chart cannot show.
    """
    if not has_funnel(meta):
        raise ValueError(
            f"{name_of(meta)} is {statistic_of(meta)!r}: funnel plots need a ratio, rate or %"
        )
    frame = _funnel_frame(table, selected)
    fmt, x_title, y_title = number_format(meta).d3, _x_title(meta), axis_title(meta)
    x = alt.X("denominator:Q", title=x_title)
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("label:N", title="Area"),
        alt.Tooltip("value:Q", title=y_title, format=fmt),
        alt.Tooltip("numerator:Q", title="Numerator", format=",.0f"),
        alt.Tooltip("denominator:Q", title=x_title, format=",.0f"),
        alt.Tooltip("compared:N", title="Compared with England"),
    ]
    points = (
        alt.Chart(frame)
        .mark_circle(size=55, opacity=0.9, stroke=INK, strokeWidth=0.6)
        .encode(x=x, y=y, color=comparison_colour(comparisons_present(table)), tooltip=tooltip)
    )
    layers = _limit_layers(limits, x_title, y_title) + [points] + selected_marks(frame, x, y)
    period = period_span(table)
    return titled(
        layers,
        f"{name_of(meta)}: funnel plot" + (f", {period}" if period else ""),
        "Areas outside the funnel differ from England by more than expected for their size.",
        describe_funnel(table, meta, limits, selected=selected),
        height=HEIGHT,
    )
