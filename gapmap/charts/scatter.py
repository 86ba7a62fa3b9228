"""Scatter chart: one measure against another per area, with the fitted line it is given.

The line comes from :func:`gapmap.limits.fit` (computed by :mod:`methods.fit`), so the chart
draws it and its sentence quotes the same slope and correlation.
"""

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
    area_labels,
    axis_title,
    codes_of,
    name_of,
    selected_marks,
    titled,
)
from gapmap.limits import paired
from gapmap.wording import fixed, number_format, plural
from methods.fit import Fit


def _scatter_frame(
    x_table: pd.DataFrame, y_table: pd.DataFrame, selected: str | None
) -> pd.DataFrame:
    labels = pd.DataFrame({"area_code": codes_of(x_table), "label": area_labels(x_table)})
    frame = paired(x_table, y_table).merge(
        labels.drop_duplicates("area_code"), on="area_code", how="left"
    )
    frame["is_selected"] = frame["area_code"].eq(selected) if selected else False
    return frame[["area_code", "label", "x", "y", "is_selected"]]


def _drawn(fit: Fit | None) -> bool:
    return fit is not None and fit.drawn


def describe_scatter(
    x_table: pd.DataFrame,
    y_table: pd.DataFrame,
    x_meta: Meta,
    y_meta: Meta,
    *,
    fit: Fit | None,
    selected: str | None = None,
) -> str:
    """One sentence saying what the scatter shows, with the strength of the association.

    ``fit`` is the line the chart draws (:func:`gapmap.limits.fit`), or None for no line.
    """
    frame = _scatter_frame(x_table, y_table, selected)
    text = (
        f"Scatter of {name_of(y_meta)} against {name_of(x_meta)} for {plural(len(frame), 'area')}"
    )
    if _drawn(fit):
        direction = "rises" if fit.slope >= 0 else "falls"
        text += (
            f"; the least-squares line {direction} {format(abs(fit.slope), '.3g')} per unit of "
            f"{name_of(x_meta)}"
        )
        if not np.isnan(fit.r):
            text += f" (correlation r = {fixed(fit.r, 2)})"
    chosen = frame.loc[frame["is_selected"]]
    if not chosen.empty:
        row = chosen.iloc[0]
        x_text = number_format(x_meta).text(row["x"], missing=NO_VALUE)
        y_text = number_format(y_meta).text(row["y"], missing=NO_VALUE)
        text += f"; {row['label']} has {x_text} and {y_text}"
    return text + "."


def _fit_line(frame: pd.DataFrame, fit: Fit, x: alt.X, y: alt.Y) -> alt.Chart:
    """The fitted line across the range of x the areas cover."""
    ends = np.array([frame["x"].min(), frame["x"].max()])
    line = pd.DataFrame(
        {"x": ends, "y": fit.intercept + fit.slope * ends, "line": "Least-squares line"}
    )
    return (
        alt.Chart(line)
        .mark_line(color=SERIES["fit"], strokeWidth=2, strokeDash=[6, 3])
        .encode(x=x, y=y)
    )


def scatter(
    x_table: pd.DataFrame,
    y_table: pd.DataFrame,
    x_meta: Meta,
    y_meta: Meta,
    *,
    fit: Fit | None,
    selected: str | None = None,
    highlight: set[str] | frozenset[str] = frozenset(),
) -> alt.LayerChart:
    """Need (x) against provision (y) per area, joined on area code, with a least-squares line.

    ``fit`` is the line to draw, from :func:`gapmap.limits.fit` (None, or a fit of too few
    points, draws none). Areas above the line have more provision than areas with the same
    need typically have; the selected area is ringed and named. ``highlight`` marks a group
    (e.g. the practices inside the selected area) in the selection colour, drawn on top.
    """
    frame = _scatter_frame(x_table, y_table, selected)
    x = alt.X("x:Q", title=axis_title(x_meta), scale=alt.Scale(zero=False))
    y = alt.Y("y:Q", title=axis_title(y_meta), scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("label:N", title="Area"),
        alt.Tooltip("x:Q", title=axis_title(x_meta), format=number_format(x_meta).d3),
        alt.Tooltip("y:Q", title=axis_title(y_meta), format=number_format(y_meta).d3),
    ]
    layers = [
        alt.Chart(frame)
        .mark_circle(size=45, color=SERIES["area"], opacity=0.75)
        .encode(x=x, y=y, tooltip=tooltip)
    ]
    if _drawn(fit) and not frame.empty:
        layers.append(_fit_line(frame, fit, x, y))
    group = frame.loc[frame["area_code"].isin(set(highlight))]
    if not group.empty:
        layers.append(
            alt.Chart(group)
            .mark_circle(size=70, color=INK, opacity=0.9)
            .encode(x=x, y=y, tooltip=[alt.Tooltip("label:N", title="Area (highlighted)")])
        )
    layers += selected_marks(frame, x, y)
    return titled(
        layers,
        f"{name_of(y_meta)} against {name_of(x_meta)}",
        "Each dot is an area; dashed line: least-squares fit.",
        describe_scatter(x_table, y_table, x_meta, y_meta, fit=fit, selected=selected),
        height=HEIGHT,
    )
