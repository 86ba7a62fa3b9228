"""Interactive maps (folium/Leaflet, offline): the national choropleth and the drill-down.

Each feature's fill colour and tooltip are computed here, in Python, so the browser receives
a small GeoJSON and nothing it has to fetch. Every string that came from data is
HTML-escaped before it reaches the page.

Clicks: :func:`gapmap.map_mount.show` returns what a click sends back; hand it to
:func:`clicked_area`. The clicked polygon's properties come back as ``last_active_drawing``
(their ``area_code``); the tooltip text (``last_object_clicked_tooltip``), whose first line
ends with the code, is the fallback.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import folium
import pandas as pd

from gapmap import palette
from gapmap.maps.classes import (
    Classified,
    Meta,
    area_rows,
    classify,
    decile_entries,
    indicator_name,
    text_of,
)
from gapmap.maps.geometry import (
    BOUNDARY_CREDIT,
    as_geojson,
    bounds,
    features_of,
    round_geometry,
    rounded_once,
)
from gapmap.maps.leaflet import LEGEND_MARGIN, Legend, MapLabel, base_map, legend_html
from gapmap.wording import (
    COMPARISON_LABELS,
    NumberFormat,
    as_number,
    compact_nhs_name,
    escape_html,
    number_format,
)

#: GSS area codes (E08000028, E38000259, E01009xxx ...).
AREA_CODE = re.compile(r"\b[EWSNK]\d{8}\b")
#: Characters per tooltip line before wrapping (notes can be long).
TOOLTIP_WIDTH = 48
#: What a tooltip shows for a value that is missing.
NO_VALUE = "-"


def choropleth(
    geojson: dict,
    table: pd.DataFrame,
    meta: Meta,
    *,
    colour_by: str = "value",
    selected: str | None = None,
    england_value: float | None = None,
) -> folium.Map:
    """A national map of one indicator, by value class or by comparison with England.

    Parameters
    ----------
    geojson
        A boundary layer (FeatureCollection with ``area_code``/``area_name`` properties).
    table
        One row per area: area_code, area_name, value, lower_95, upper_95, comparison,
        suppressed, note (as :meth:`gapmap.atlas.Atlas.table` returns).
    meta
        Indicator metadata (short_name or name, unit, polarity).
    colour_by
        "value" (quantile classes, darker = worse) or "comparison" (vs England).
    selected
        Area code to outline.
    england_value
        England's value, shown in tooltips and the legend.
    """
    classified = classify(table, meta, colour_by)
    features = _choropleth_features(geojson, table, meta, classified, england_value)
    m = base_map()
    _add_areas(m, features, "Areas")
    chosen = [f for f in features if selected is not None and _code(f) == selected]
    if chosen:
        _add_outline(m, {**chosen[-1], "properties": {"area_code": _code(chosen[-1])}})
    footer = ""
    if as_number(england_value) is not None:
        footer = f"England: {number_format(meta).text(england_value)}"
    # Top left, over the Irish Sea and Scotland, which are not drawn; at top right it hid
    # the North East.
    legend = legend_html(classified.title, classified.legend, classified.key, footer)
    Legend(legend, position="topleft").add_to(m)
    MapLabel(f"Map of {classified.title}; the same figures are in the table").add_to(m)
    _fit(m, features, margin=LEGEND_MARGIN)
    return m


def _choropleth_features(
    geojson: dict,
    table: pd.DataFrame,
    meta: Meta,
    classified: Classified,
    england_value: float | None,
) -> list[dict]:
    """One trimmed feature per boundary: its fill, no-data flag, tooltip and rounded shape."""
    rows = area_rows(table)
    fmt = number_format(meta)
    indicator = indicator_name(meta)
    features = []
    for feature in features_of(geojson):
        props = feature.get("properties") or {}
        code = text_of(props.get("area_code"))
        row = rows.get(code)
        name = (row or {}).get("name") or text_of(props.get("area_name")) or code
        tip = tooltip_text(name, code, _area_lines(row, indicator, fmt, england_value))
        geometry = rounded_once(feature.get("geometry"))
        features.append(_area_feature(code, classified.fill.get(code), tip, geometry))
    return features


def drilldown(
    area: Any,
    lsoas: Any,
    practices: pd.DataFrame,
    *,
    meta: Meta | None = None,
    deprivation_edition: str = "IMD 2025",
) -> folium.Map:
    """One area's neighbourhoods by deprivation, with its GP practices on top.

    Parameters
    ----------
    area
        The selected area's boundary (GeoJSON dict or GeoDataFrame), drawn as an outline.
    lsoas
        LSOA polygons (GeoDataFrame or GeoJSON) with area_code, optional area_name, and
        imd_decile (1 = most deprived 10% of England).
    practices
        GP practices with latitude, longitude, area_name, value and optionally area_code.
    meta
        Metadata of the indicator in ``practices["value"]``, for its name and unit.
    deprivation_edition
        Which Index of Multiple Deprivation the deciles come from, for the legend.
    """
    m = base_map()
    lsoa_features = _lsoa_features(lsoas)
    _add_areas(m, lsoa_features, "Neighbourhoods (LSOA)")
    area_features = [
        {"type": "Feature", "properties": {}, "geometry": round_geometry(f.get("geometry"))}
        for f in features_of(as_geojson(area))
    ]
    for feature in area_features:
        _add_outline(m, feature)
    _add_practices(m, practices, meta)
    with_practices = " with its GP practices" if len(practices) else ""
    Legend(_deprivation_legend(deprivation_edition, bool(with_practices))).add_to(m)
    MapLabel(
        f"Map of the selected area's neighbourhoods by deprivation ({deprivation_edition} "
        f"decile){with_practices}"
    ).add_to(m)
    _fit(m, area_features, lsoa_features)
    return m


def _lsoa_features(lsoas: Any) -> list[dict]:
    """Neighbourhoods coloured by deprivation decile, each with a one-fact tooltip."""
    features = []
    for feature in features_of(as_geojson(lsoas)):
        props = feature.get("properties") or {}
        code = text_of(props.get("area_code"))
        decile = as_number(props.get("imd_decile"))
        decile_text = "no data" if decile is None else f"{int(decile)}"
        lines = [f"IMD decile: {decile_text} (1 = most deprived)"]
        tip = tooltip_text(text_of(props.get("area_name")), code, lines)
        fill = None if decile is None else palette.deprivation_colour(decile)
        features.append(_area_feature(code, fill, tip, round_geometry(feature.get("geometry"))))
    return features


def _deprivation_legend(edition: str, with_practices: bool) -> str:
    """The drill-down legend: ten deprivation deciles, no data, and the practice marker."""
    entries = decile_entries()
    entries.append((palette.NO_DATA_LABEL, palette.NO_DATA))
    markers = [("GP practice", palette.PRACTICE_FILL)] if with_practices else []
    return legend_html(
        f"Deprivation ({edition} decile)", entries, "1 = most deprived 10% of England", "", markers
    )


def _add_practices(m: folium.Map, practices: pd.DataFrame, meta: Meta | None) -> None:
    """GP practices as circle markers, in one GeoJSON layer to keep the page small.

    Their codes go in ``practice_code`` (not ``area_code``), so clicking a practice never
    reads as choosing an area.
    """
    if practices is None or practices.empty:
        return
    fmt = number_format(meta)
    indicator = indicator_name(meta)
    features = []
    for number, record in enumerate(practices.to_dict("records")):
        lat, lon = as_number(record.get("latitude")), as_number(record.get("longitude"))
        if lat is None or lon is None:
            continue
        code = text_of(record.get("area_code"))
        name = text_of(record.get("area_name")) or "GP practice"
        lines = [f"{indicator}: {fmt.text(record.get('value'), missing=NO_VALUE)}"]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "practice_code": code or f"practice-{number}",
                    "tip": tooltip_text(name, code, lines if "value" in record else []),
                },
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            }
        )
    if not features:
        return
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="GP practices",
        marker=folium.CircleMarker(radius=5),
        style_function=_practice_style,
        tooltip=_tooltip(),
    ).add_to(m)


def map_html_bytes(m: folium.Map) -> int:
    """Size in bytes of the map rendered as a standalone HTML page."""
    return len(m.get_root().render().encode("utf-8"))


def clicked_area(
    returned: Mapping[str, Any] | None, known: Iterable[str] | None = None
) -> str | None:
    """The area code of the polygon clicked on a map (what :func:`gapmap.map_mount.show` returns).

    Reads ``last_active_drawing["properties"]["area_code"]`` first, then the code that ends
    the first line of ``last_object_clicked_tooltip`` ("Name · CODE", see
    :func:`tooltip_text`). With ``known``, only those codes are accepted. Clicks on GP
    practices or on empty map give None.
    """
    if not returned:
        return None
    allowed = set(known) if known is not None else None

    def ok(code: object) -> bool:
        return bool(code) and (allowed is None or str(code) in allowed)

    drawing = returned.get("last_active_drawing")
    if isinstance(drawing, Mapping):
        props = drawing.get("properties")
        if isinstance(props, Mapping) and ok(props.get("area_code")):
            return str(props["area_code"])
    tip = returned.get("last_object_clicked_tooltip")
    if isinstance(tip, str):
        first = next((line for line in tip.splitlines() if line.strip()), "")
        codes = AREA_CODE.findall(first)
        if codes and ok(codes[-1]):
            return codes[-1]
    return None


def tooltip_text(title: str, code: str, lines: Iterable[str]) -> str:
    """Tooltip text: "Name · CODE" then one fact per line, every piece HTML-escaped.

    Plain lines (shown with ``white-space: pre``; long ones wrapped here) keep the embedded
    JSON small, and the code ending the first line lets :func:`clicked_area` read a clicked
    tooltip.
    Whitespace in data is collapsed so no data line can pose as the first one.
    """
    name = _one_line(title)
    if len(name) > TOOLTIP_WIDTH - 12:  # a long NHS name made a tooltip too wide to fit
        name = compact_nhs_name(name)
    head = " · ".join(part for part in (name, _one_line(code)) if part)
    body = [wrapped for x in lines for wrapped in textwrap.wrap(_one_line(x), TOOLTIP_WIDTH)]
    return "\n".join(escape_html(line) for line in [head, *body] if line)


def _one_line(text: object) -> str:
    return " ".join(text_of(text).split())


def _area_lines(
    row: dict[str, Any] | None, indicator: str, fmt: NumberFormat, england_value: float | None
) -> list[str]:
    """The facts a choropleth tooltip shows for one area, in the indicator's number format."""
    if row is None or row["value"] is None:
        state = "suppressed" if row is not None and row["suppressed"] else "no data"
        note = (row or {}).get("note") or "No value for this area in this period."
        lines = [f"{indicator}: {state}", note]
    else:
        lines = [f"{indicator}: {fmt.text(row['value'], missing=NO_VALUE)}"]
        interval = fmt.interval(row["lower"], row["upper"])
        if interval:
            lines.append(f"95% CI {interval}")
        if row.get("quality"):
            lines.append(row["quality"])
        elif row["comparison"] in COMPARISON_LABELS:
            lines.append(COMPARISON_LABELS[row["comparison"]])
        if row["note"]:
            lines.append(row["note"])
    if as_number(england_value) is not None:
        lines.append(f"England: {fmt.text(england_value)}")
    return lines


# ------------------------------------------------------------------ layers and styles


def _code(feature: dict) -> str:
    return feature["properties"]["area_code"]


def _area_feature(code: str, fill: str | None, tip: str, geometry: dict | None) -> dict:
    """A trimmed area feature; no ``fill`` means no data (grey, dashed edge)."""
    return {
        "type": "Feature",
        "properties": {
            "area_code": code,
            "fill": fill or palette.NO_DATA,
            "nd": 0 if fill else 1,
            "tip": tip,
        },
        "geometry": geometry,
    }


def _add_areas(m: folium.Map, features: list[dict], name: str) -> None:
    """Filled areas as one GeoJSON layer with hover outline, tooltip and boundary credit."""
    if not features:
        return
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=area_style,
        highlight_function=_hover_style,
        tooltip=_tooltip(),
        attribution=BOUNDARY_CREDIT,
    ).add_to(m)


def _fit(m: folium.Map, *candidates: list[dict], margin: tuple[int, int] = (0, 0)) -> None:
    """Zoom the map to the first of ``candidates`` that has any coordinates.

    ``margin`` (pixels) is kept clear at the top left, where a legend sits.
    """
    for features in candidates:
        box = bounds(features)
        if box:
            m.fit_bounds(box, padding_top_left=margin)
            return


def _tooltip() -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, class_name="mtg-tip")


def _add_outline(m: folium.Map, feature: dict, name: str = "Selected area") -> None:
    """A thick dark outline over a white halo, drawn on top and transparent to clicks."""
    data = {"type": "FeatureCollection", "features": [feature]}
    for colour, weight in ((palette.SELECTED_HALO, 6.0), (palette.SELECTED_OUTLINE, 3.0)):
        folium.GeoJson(
            data,
            name=name,
            interactive=False,
            style_function=lambda _f, c=colour, w=weight: {
                "fill": False,
                "color": c,
                "weight": w,
                "opacity": 1,
            },
        ).add_to(m)


def area_style(feature: dict) -> dict[str, Any]:
    """Leaflet style of a filled area: its own fill, thin edge, dashed when it has no data."""
    props = feature["properties"]
    style: dict[str, Any] = {
        "fillColor": props["fill"],
        "fillOpacity": 0.9,
        "color": palette.EDGE,
        "weight": 0.5,
    }
    if props.get("nd"):
        style["dashArray"] = "2 3"
    return style


def _hover_style(_feature: dict) -> dict[str, Any]:
    return {"color": palette.SELECTED_OUTLINE, "weight": 2}


def _practice_style(_feature: dict) -> dict[str, Any]:
    return {
        "radius": 5,
        "fill": True,
        "color": palette.PRACTICE_EDGE,
        "weight": 1.5,
        "fillColor": palette.PRACTICE_FILL,
        "fillOpacity": 1,
    }
