"""Static maps for reports (Altair/Vega, rendered locally): PNG and SVG.

The classes, colours and legend come from :func:`gapmap.maps.classes.classify`, so an image
in a board paper matches the map on screen.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import vl_convert
from shapely.geometry import shape

from gapmap import palette
from gapmap.maps.classes import Classified, Meta, classify, text_of
from gapmap.maps.geometry import BOUNDARY_CREDIT, d3_winding, features_of, round_geometry
from gapmap.palette import COMPARISON_SHAPES
from gapmap.wording import as_number, number_format


def static_map_chart(
    geojson: dict,
    table: pd.DataFrame,
    meta: Meta,
    *,
    title: str,
    source: str,
    period: str,
    selected: str | None = None,
    colour_by: str = "value",
    england_value: float | None = None,
    width: int = 460,
    height: int = 560,
) -> alt.VConcatChart:
    """The map as an Altair chart: same classes and colours, legend, title, period, source.

    Text goes into Vega as data, not markup, so it needs no escaping here; the SVG writer
    escapes it.
    """
    classified = classify(table, meta, colour_by)
    marked = colour_by == "comparison"
    body = _areas(geojson, classified, selected, marked).properties(width=width, height=height)
    credit = BOUNDARY_CREDIT.replace("&copy;", "\u00a9")
    footer = (
        alt.Chart(alt.Data(values=[{"t": f"{source}\n{credit}".strip()}]))
        .mark_text(align="left", baseline="top", fontSize=10, color="#4D4D4D", lineBreak="\n")
        .encode(text="t:N", x=alt.value(0), y=alt.value(0))
        .properties(width=width, height=28)
    )
    subtitle = [period, classified.key]
    if as_number(england_value) is not None:
        subtitle.append(f"England: {number_format(meta).text(england_value)}")
    return (
        alt.vconcat(body, footer, spacing=6)
        .properties(
            title=alt.TitleParams(text=title, subtitle=subtitle, anchor="start", fontSize=15),
            background="white",
            padding=12,
        )
        .configure_view(stroke=None)
    )


def _areas(
    geojson: dict, classified: Classified, selected: str | None, marked: bool = False
) -> alt.LayerChart:
    """Areas filled by class with the legend, and the selected area outlined on top.

    ``marked``: each area that differs from England also gets its comparison's shape.
    """
    features = []
    outline = []
    for feature in features_of(geojson):
        code = text_of((feature.get("properties") or {}).get("area_code"))
        geometry = d3_winding(round_geometry(feature.get("geometry")))
        props = {"area_code": code, "cls": classified.label.get(code, palette.NO_DATA_LABEL)}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
        if selected is not None and code == selected:
            outline.append({"type": "Feature", "properties": props, "geometry": geometry})
    legend = alt.Legend(
        # "Name: compared with England" on two lines, never cut short
        title=classified.title.split(": ", 1) if ": " in classified.title else classified.title,
        orient="right",
        symbolType="square",
        symbolStrokeColor="#8C8C8C",
        symbolStrokeWidth=0.5,
        labelLimit=260,
        titleLimit=300,
    )
    scale = alt.Scale(
        domain=[label for label, _ in classified.legend],
        range=[colour for _, colour in classified.legend],
    )
    layers: list[alt.Chart] = [
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke=palette.EDGE, strokeWidth=0.3)
        .encode(color=alt.Color("properties.cls:N", scale=scale, legend=legend))
    ]
    if marked:
        layers += _comparison_marks(features)
    if outline:
        for colour, weight in ((palette.SELECTED_HALO, 4.0), (palette.SELECTED_OUTLINE, 2.0)):
            layers.append(
                alt.Chart(alt.Data(values=outline)).mark_geoshape(
                    filled=False, stroke=colour, strokeWidth=weight
                )
            )
    return alt.layer(*layers).project(type="mercator")


#: Comparisons marked on a printed map by shape, as the pack's charts mark them.
MARKED = ("Better than England", "Worse than England", "Higher than England", "Lower than England")


def _comparison_marks(features: list[dict]) -> list[alt.Chart]:
    """A shape at each area that differs from England, as the pack's charts mark it.

    Printed in greyscale, better and worse are near-equal greys; the shapes keep them apart.
    """
    points = []
    for feature in features:
        label = feature["properties"]["cls"]
        geometry = feature["geometry"]
        if label in MARKED and geometry:
            centre = shape(geometry).representative_point()
            points.append({"lon": centre.x, "lat": centre.y, "compared": label})
    if not points:
        return []
    present = [label for label in MARKED if any(p["compared"] == label for p in points)]
    legend = alt.Legend(title="Marked on the map", orient="right", symbolFillColor="#1A1A1A")
    return [
        alt.Chart(alt.Data(values=points))
        .mark_point(filled=True, size=70, color="#1A1A1A", stroke="#FFFFFF", strokeWidth=0.8)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            shape=alt.Shape(
                "compared:N",
                scale=alt.Scale(domain=present, range=[COMPARISON_SHAPES[p] for p in present]),
                legend=legend,
            ),
        )
    ]


def static_map_png(*args: Any, scale: float = 2.0, **kwargs: Any) -> bytes:
    """The map as a PNG for reports, rendered locally (arguments as :func:`static_map_chart`)."""
    return vl_convert.vegalite_to_png(static_map_chart(*args, **kwargs).to_dict(), scale=scale)


def static_map_svg(*args: Any, **kwargs: Any) -> str:
    """The map as SVG for reports (arguments as :func:`static_map_chart`)."""
    return vl_convert.vegalite_to_svg(static_map_chart(*args, **kwargs).to_dict())
