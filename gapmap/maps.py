"""Maps of one indicator across England: interactive (Leaflet, offline) and static (reports).

Interactive maps load only the Leaflet copy the app serves itself (see :mod:`gapmap.assets`):
no basemap tiles, no jQuery or Bootstrap, no colormap helpers that pull d3 from a CDN. Each
feature's fill colour and tooltip are computed here, in Python, so the browser receives a
small GeoJSON and nothing it has to fetch. Every string that came from data is HTML-escaped
before it reaches the page.

Clicks: with streamlit-folium, pass ``returned_objects=RETURNED_OBJECTS`` to ``st_folium``
and hand its return value to :func:`clicked_area`. The clicked polygon comes back as
``last_active_drawing`` (a GeoJSON feature whose properties carry ``area_code``); the
tooltip text (``last_object_clicked_tooltip``), whose first line ends with the code, is the
fallback.
"""

from __future__ import annotations

import html
import json
import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import folium
import numpy as np
import pandas as pd
import shapely
import vl_convert
from branca.element import MacroElement
from folium.template import Template
from shapely.geometry import shape

from gapmap import palette
from gapmap.assets import leaflet_urls

#: What pages should ask ``st_folium`` to return so :func:`clicked_area` can work.
RETURNED_OBJECTS: list[str] = ["last_active_drawing", "last_object_clicked_tooltip"]
#: GSS area codes (E08000028, E38000259, E01009xxx ...).
AREA_CODE = re.compile(r"\b[EWSNK]\d{8}\b")
BOUNDARY_CREDIT = (
    "Boundaries: ONS, Open Government Licence v3.0; "
    "contains OS data &copy; Crown copyright and database right"
)
#: Decimal places kept in coordinates (about 10 m): plenty on screen, a third less JSON.
COORD_DECIMALS = 4
ENGLAND_CENTRE = (52.8, -1.6)
#: Characters per tooltip line before wrapping (notes can be long).
TOOLTIP_WIDTH = 60

#: Legend and credit sit on opaque white with underlined links, so their text contrast
#: (WCAG AA, 4.5:1) never depends on the colours of the areas drawn underneath.
_LEGEND_CSS = """
.leaflet-container { background: #FFFFFF; }
.leaflet-container .leaflet-control-attribution { font-size: 11px; background: #FFFFFF;
  color: #333333; }
.leaflet-container .leaflet-control-attribution a { color: #005A8C;
  text-decoration: underline; }
.mtg-legend { background: #FFFFFF; padding: 6px 9px; color: #1A1A1A;
  font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Arial, sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); max-width: 250px; }
.mtg-legend .mtg-title { font-weight: 600; margin-bottom: 2px; }
.mtg-legend .mtg-key { color: #4D4D4D; margin-bottom: 3px; }
.mtg-legend .mtg-row { white-space: nowrap; }
.mtg-legend .mtg-sw { display: inline-block; width: 14px; height: 11px; margin-right: 6px;
  vertical-align: -1px; border: 1px solid #8C8C8C; }
.mtg-legend .mtg-nd { border-style: dashed; }
.mtg-legend .mtg-dot { border-radius: 50%; width: 9px; height: 9px; margin: 0 8px 0 2px;
  border: 2px solid #1A1A1A; }
.mtg-legend .mtg-eng { margin-top: 3px; color: #4D4D4D; }
.mtg-tip td { white-space: pre; padding: 0;
  font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
.mtg-tip td::first-line { font-weight: 600; }
"""


# ----------------------------------------------------------------------------- text


def escape(text: object) -> str:
    """HTML-escape data for markup, also neutralising JS template-literal syntax.

    folium puts some tooltip text inside JavaScript backtick strings, so a backtick, ``$``
    or backslash in an area name must not survive as itself either.
    """
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def format_value(value: object, unit: str | None = None, decimals: int | None = None) -> str:
    """A value as people read it: "12.3%", "1,234 per 100,000", "0.85"; "-" when missing.

    Without ``decimals`` the precision follows the size of the number, so rates in the
    thousands get no decimals and small ratios get two.
    """
    number = _number(value)
    if number is None:
        return "-"
    if decimals is None:
        decimals = decimals_for(number)
    text = f"{number:,.{decimals}f}"
    unit = (unit or "").strip()
    if unit == "%":
        return f"{text}%"
    if unit.startswith("per ") or unit in ("years", "patients"):
        return f"{text} {unit}"
    return text


def decimals_for(value: object) -> int:
    """Decimal places that suit a number's size: 1,234 / 12.3 / 1.23."""
    size = abs(_number(value) or 0.0)
    return 0 if size >= 100 else 1 if size >= 10 else 2


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _text(value: object) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _meta(meta: pd.Series | Mapping[str, Any] | None, key: str, default: str = "") -> str:
    if meta is None:
        return default
    return _text(meta.get(key)) or default


# -------------------------------------------------------------------- classification


def value_breaks(values: Iterable[object], classes: int = 5) -> tuple[list[float], int]:
    """Quantile class edges for a value map, rounded for the legend, and their decimals.

    Quantiles give every colour a similar number of areas, so skewed indicators still show
    variation. Edges are rounded to a precision that suits the spread of the values; tied
    edges collapse, so there can be fewer classes than asked for.
    """
    data = np.array([n for n in (_number(v) for v in values) if n is not None], dtype=float)
    if data.size == 0:
        return [], 0
    low, high = float(data.min()), float(data.max())
    spread = high - low
    decimals = 2 if spread == 0 else int(min(4, max(0, 1 - math.floor(math.log10(spread)))))
    scale = 10**decimals
    lower = math.floor(low * scale) / scale
    upper = math.ceil(high * scale) / scale
    if spread == 0:
        return [lower, upper], decimals
    classes = max(1, min(classes, len(np.unique(data))))
    inner = np.quantile(data, np.linspace(0, 1, classes + 1)[1:-1])
    edges = [lower] + sorted({round(float(q), decimals) for q in inner}) + [upper]
    kept = [edges[0]]
    for edge in edges[1:]:
        if edge > kept[-1]:
            kept.append(edge)
    return kept, decimals


def value_class(value: float, edges: list[float]) -> int:
    """Index of the class holding ``value``: classes run (edge, next edge], the first closed."""
    return int(np.searchsorted(np.array(edges[1:-1]), value, side="left"))


@dataclass(frozen=True)
class Classified:
    """Each area's colour and legend class, with the legend that explains them."""

    fill: dict[str, str]
    label: dict[str, str]
    legend: list[tuple[str, str]]
    title: str
    key: str


def classify(
    table: pd.DataFrame, meta: pd.Series | Mapping[str, Any], colour_by: str = "value"
) -> Classified:
    """Colour every area of ``table`` by value class or by its comparison with England.

    Areas with no value (missing or suppressed) get the no-data grey. The legend lists the
    classes in order plus "No data / suppressed", so maps and static images agree.
    """
    if colour_by not in ("value", "comparison"):
        raise ValueError("colour_by must be 'value' or 'comparison'")
    rows = _rows(table)
    with_value = {code: row for code, row in rows.items() if row["value"] is not None}
    fill: dict[str, str] = {}
    label: dict[str, str] = {}
    legend: list[tuple[str, str]] = []
    unit = _meta(meta, "unit")
    name = _meta(meta, "short_name") or _meta(meta, "name", "Value")
    if colour_by == "comparison":
        present = {row["comparison"] or "not_compared" for row in with_value.values()}
        present = {c if c in palette.COMPARISON_COLOURS else "not_compared" for c in present}
        for category in palette.COMPARISON_ORDER:
            if category in present:
                legend.append(
                    (palette.COMPARISON_LABELS[category], palette.COMPARISON_COLOURS[category])
                )
        for code, row in with_value.items():
            category = (
                row["comparison"]
                if row["comparison"] in palette.COMPARISON_COLOURS
                else "not_compared"
            )
            fill[code] = palette.COMPARISON_COLOURS[category]
            label[code] = palette.COMPARISON_LABELS[category]
        title = f"{name}: compared with England"
        key = "Tested at 95% confidence"
    else:
        edges, decimals = value_breaks(row["value"] for row in with_value.values())
        n = max(len(edges) - 1, 0)
        colours = palette.value_scale(_meta(meta, "polarity", "neutral"), n)
        shown = [format_value(edge, None, decimals) for edge in edges]
        labels = [f"{shown[i]} to {shown[i + 1]}" for i in range(n)]
        legend = list(zip(labels, colours, strict=True))
        for code, row in with_value.items():
            index = min(value_class(row["value"], edges), n - 1)
            fill[code] = colours[index]
            label[code] = labels[index]
        title = f"{name} ({unit})" if unit else name
        key = palette.darker_means(_meta(meta, "polarity", "neutral"))
    legend.append((palette.NO_DATA_LABEL, palette.NO_DATA))
    return Classified(fill, label, legend, title, key)


def _rows(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Table rows by area code with plain Python values (NA -> None); suppressed -> no value."""
    out: dict[str, dict[str, Any]] = {}
    if table is None or table.empty:
        return out
    for record in table.to_dict("records"):
        code = _text(record.get("area_code"))
        if not code:
            continue
        flag = record.get("suppressed")
        suppressed = False if flag is None or flag is pd.NA else bool(flag)
        value = None if suppressed else _number(record.get("value"))
        out[code] = {
            "name": _text(record.get("area_name")),
            "value": value,
            "lower": _number(record.get("lower_95")),
            "upper": _number(record.get("upper_95")),
            "comparison": _text(record.get("comparison")),
            "suppressed": suppressed,
            "note": _text(record.get("note")),
        }
    return out


# ------------------------------------------------------------------------ geometry


def _features(geojson: dict) -> list[dict]:
    if geojson.get("type") == "FeatureCollection":
        return list(geojson.get("features") or [])
    if geojson.get("type") == "Feature":
        return [geojson]
    return [{"type": "Feature", "properties": {}, "geometry": geojson}]


def _as_geojson(area: Any) -> dict:
    """A GeoJSON dict from a dict, GeoDataFrame or GeoSeries (reprojected to WGS84)."""
    if isinstance(area, dict):
        return area
    if getattr(area, "crs", None) is not None:
        area = area.to_crs(4326)
    return json.loads(area.to_json(drop_id=True, show_bbox=False))


#: Rounded geometry by the identity of the atlas's own (loaded once, never mutated) geometry,
#: holding the original so its id cannot be reused; bounded, cleared when full.
_ROUNDED: dict[int, tuple[dict, dict | None]] = {}
_ROUNDED_MAX = 20_000


def rounded_once(geometry: dict | None) -> dict | None:
    """:func:`round_geometry`, remembered: a national map reruns with the same shapes."""
    if not geometry:
        return geometry
    hit = _ROUNDED.get(id(geometry))
    if hit is not None and hit[0] is geometry:
        return hit[1]
    if len(_ROUNDED) >= _ROUNDED_MAX:
        _ROUNDED.clear()
    result = round_geometry(geometry)
    _ROUNDED[id(geometry)] = (geometry, result)
    return result


def round_geometry(geometry: dict | None, decimals: int = COORD_DECIMALS) -> dict | None:
    """Coordinates rounded, with points that rounding made identical dropped from rings."""
    if not geometry:
        return geometry
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        coords = [_round_ring(ring, decimals) for ring in coords]
    elif kind == "MultiPolygon":
        coords = [[_round_ring(ring, decimals) for ring in poly] for poly in coords]
    elif kind == "GeometryCollection":
        return {
            "type": kind,
            "geometries": [round_geometry(g, decimals) for g in geometry.get("geometries", [])],
        }
    else:
        coords = _round_nested(coords, decimals)
    return {"type": kind, "coordinates": coords}


def _round_nested(coords: Any, decimals: int) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(c), decimals) for c in coords[:2]]
    return [_round_nested(c, decimals) for c in coords]


def _round_ring(ring: list, decimals: int) -> list:
    rounded = [[round(float(x), decimals), round(float(y), decimals)] for x, y, *_ in ring]
    kept = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    return kept if len(kept) >= 4 else rounded


def _bounds(features: list[dict]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of all coordinates, for Leaflet's fitBounds."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords or []:
                walk(c)

    for feature in features:
        geometry = feature.get("geometry") or {}
        walk(geometry.get("coordinates"))
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


# ------------------------------------------------------------------ Leaflet pieces


class Legend(MacroElement):
    """A legend as a Leaflet control, so it sits inside the map wherever the map is shown.

    ``body`` is ready-escaped HTML; it reaches the page as a JSON string set as innerHTML.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "mtg-legend");
                div.setAttribute("role", "region");
                div.setAttribute("aria-label", "Map legend");
                div.innerHTML = {{ this.body|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, position: str = "topright") -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.position = position
        self.css = _LEGEND_CSS


class FrameLabel(MacroElement):
    """Names the map for screen readers: the ``aria-label`` of the frame the map is shown in.

    Streamlit titles every component frame after the component ("streamlit_folium.st_folium"),
    which tells nobody what the map shows. The map's own script, running inside that
    same-origin frame, labels the frame element; a standalone page has no frame and skips it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            try {
                if (window.frameElement) {
                    window.frameElement.setAttribute("aria-label", {{ this.label|tojson }});
                }
            } catch (e) {}
        {% endmacro %}
        """
    )

    def __init__(self, label: str) -> None:
        super().__init__()
        self._name = "FrameLabel"
        self.label = label


def legend_html(
    title: str,
    entries: list[tuple[str, str]],
    key: str = "",
    footer: str = "",
    markers: list[tuple[str, str]] | None = None,
) -> str:
    """Legend markup from plain-text labels (escaped here) and colours."""
    parts = [f'<div class="mtg-title">{escape(title)}</div>']
    if key:
        parts.append(f'<div class="mtg-key">{escape(key)}</div>')
    for label, colour in entries:
        dashed = " mtg-nd" if label == palette.NO_DATA_LABEL else ""
        parts.append(
            f'<div class="mtg-row"><span class="mtg-sw{dashed}" '
            f'style="background:{escape(colour)}"></span>{escape(label)}</div>'
        )
    for label, colour in markers or []:
        parts.append(
            f'<div class="mtg-row"><span class="mtg-sw mtg-dot" '
            f'style="background:{escape(colour)}"></span>{escape(label)}</div>'
        )
    if footer:
        parts.append(f'<div class="mtg-eng">{escape(footer)}</div>')
    return "".join(parts)


def base_map() -> folium.Map:
    """An empty, tile-less Leaflet map that loads only the app's own Leaflet files.

    folium's default JS/CSS (CDN Leaflet, jQuery, Bootstrap, awesome-markers) are replaced
    on the instance, never on the class, so other maps in the process are unaffected.
    """
    m = folium.Map(
        location=ENGLAND_CENTRE,
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    js, css = leaflet_urls()
    m.default_js = [("leaflet", url) for url in js]
    m.default_css = [("leaflet_css", url) for url in css]
    return m


def tooltip_text(title: str, code: str, lines: Iterable[str]) -> str:
    """Tooltip text: "Name · CODE" then one fact per line, every piece HTML-escaped.

    Plain lines (shown with ``white-space: pre``; long ones wrapped here) keep the embedded
    JSON small, and the code ending the first line lets :func:`clicked_area` read a clicked
    tooltip.
    Whitespace in data is collapsed so no data line can pose as the first one.
    """
    head = " · ".join(part for part in (_one_line(title), _one_line(code)) if part)
    body = [wrapped for x in lines for wrapped in textwrap.wrap(_one_line(x), TOOLTIP_WIDTH)]
    return "\n".join(escape(line) for line in [head, *body] if line)


def _one_line(text: object) -> str:
    return " ".join(_text(text).split())


def _area_lines(
    row: dict[str, Any] | None, indicator: str, unit: str, england_value: float | None
) -> list[str]:
    """The facts a choropleth tooltip shows for one area."""
    if row is None or row["value"] is None:
        state = "suppressed" if row is not None and row["suppressed"] else "no data"
        note = (row or {}).get("note") or "No value for this area in this period."
        lines = [f"{indicator}: {state}", note]
    else:
        places = decimals_for(row["value"])
        lines = [f"{indicator}: {format_value(row['value'], unit, places)}"]
        if row["lower"] is not None and row["upper"] is not None:
            low, high = (format_value(row[k], unit, places) for k in ("lower", "upper"))
            lines.append(f"95% CI {low} to {high}")
        if row["comparison"] in palette.COMPARISON_LABELS:
            lines.append(palette.COMPARISON_LABELS[row["comparison"]])
        if row["note"]:
            lines.append(row["note"])
    if _number(england_value) is not None:
        lines.append(f"England: {format_value(england_value, unit)}")
    return lines


def _tooltip() -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, class_name="mtg-tip")


def _add_outline(m: folium.Map, feature: dict, name: str) -> None:
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


def _area_style(feature: dict) -> dict[str, Any]:
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


# ------------------------------------------------------------------------ maps


def choropleth(
    geojson: dict,
    table: pd.DataFrame,
    meta: pd.Series | Mapping[str, Any],
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
    rows = _rows(table)
    unit = _meta(meta, "unit")
    indicator = _meta(meta, "short_name") or _meta(meta, "name", "Value")
    features = []
    chosen = None
    for feature in _features(geojson):
        props = feature.get("properties") or {}
        code = _text(props.get("area_code"))
        row = rows.get(code)
        name = (row or {}).get("name") or _text(props.get("area_name")) or code
        has_value = code in classified.fill
        out = {
            "type": "Feature",
            "properties": {
                "area_code": code,
                "fill": classified.fill.get(code, palette.NO_DATA),
                "nd": 0 if has_value else 1,
                "tip": tooltip_text(name, code, _area_lines(row, indicator, unit, england_value)),
            },
            "geometry": rounded_once(feature.get("geometry")),
        }
        features.append(out)
        if selected is not None and code == selected:
            chosen = out
    m = base_map()
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name="Areas",
            style_function=_area_style,
            highlight_function=_hover_style,
            tooltip=_tooltip(),
            attribution=BOUNDARY_CREDIT,
        ).add_to(m)
    if chosen is not None:
        _add_outline(
            m,
            {**chosen, "properties": {"area_code": chosen["properties"]["area_code"]}},
            "Selected area",
        )
    footer = ""
    if _number(england_value) is not None:
        footer = f"England: {format_value(england_value, unit)}"
    Legend(legend_html(classified.title, classified.legend, classified.key, footer)).add_to(m)
    FrameLabel(f"Map of {classified.title}; the same figures are in the table").add_to(m)
    bounds = _bounds(features)
    if bounds:
        m.fit_bounds(bounds)
    return m


def drilldown(
    area: Any,
    lsoas: Any,
    practices: pd.DataFrame,
    *,
    meta: pd.Series | Mapping[str, Any] | None = None,
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
    lsoa_features = []
    for feature in _features(_as_geojson(lsoas)):
        props = feature.get("properties") or {}
        code = _text(props.get("area_code"))
        decile = _number(props.get("imd_decile"))
        decile_text = "no data" if decile is None else f"{int(decile)}"
        name = _text(props.get("area_name"))
        tip = tooltip_text(name, code, [f"IMD decile: {decile_text} (1 = most deprived)"])
        lsoa_features.append(
            {
                "type": "Feature",
                "properties": {
                    "area_code": code,
                    "fill": palette.deprivation_colour(decile),
                    "nd": 1 if decile is None else 0,
                    "tip": tip,
                },
                "geometry": round_geometry(feature.get("geometry")),
            }
        )
    if lsoa_features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": lsoa_features},
            name="Neighbourhoods (LSOA)",
            style_function=_area_style,
            highlight_function=_hover_style,
            tooltip=_tooltip(),
            attribution=BOUNDARY_CREDIT,
        ).add_to(m)
    area_features = [
        {"type": "Feature", "properties": {}, "geometry": round_geometry(f.get("geometry"))}
        for f in _features(_as_geojson(area))
    ]
    for feature in area_features:
        _add_outline(m, feature, "Selected area")
    _add_practices(m, practices, meta)
    entries = [
        (f"{d}{' (most deprived)' if d == 1 else ' (least deprived)' if d == 10 else ''}", c)
        for d, c in enumerate(palette.DEPRIVATION_SCALE, start=1)
    ]
    entries.append((palette.NO_DATA_LABEL, palette.NO_DATA))
    markers = [("GP practice", palette.PRACTICE_FILL)] if len(practices) else []
    body = legend_html(
        f"Deprivation ({deprivation_edition} decile)",
        entries,
        "1 = most deprived 10% of England",
        "",
        markers,
    )
    Legend(body).add_to(m)
    FrameLabel(
        f"Map of the selected area's neighbourhoods by deprivation ({deprivation_edition} "
        f"decile){' with its GP practices' if len(practices) else ''}"
    ).add_to(m)
    bounds = _bounds(area_features) or _bounds(lsoa_features)
    if bounds:
        m.fit_bounds(bounds)
    return m


def _add_practices(
    m: folium.Map, practices: pd.DataFrame, meta: pd.Series | Mapping[str, Any] | None
) -> None:
    """GP practices as circle markers, in one GeoJSON layer to keep the page small.

    Their codes go in ``practice_code`` (not ``area_code``), so clicking a practice never
    reads as choosing an area.
    """
    if practices is None or practices.empty:
        return
    unit = _meta(meta, "unit")
    indicator = _meta(meta, "short_name") or _meta(meta, "name", "Value")
    features = []
    for number, record in enumerate(practices.to_dict("records")):
        lat, lon = _number(record.get("latitude")), _number(record.get("longitude"))
        if lat is None or lon is None:
            continue
        code = _text(record.get("area_code"))
        name = _text(record.get("area_name")) or "GP practice"
        lines = [f"{indicator}: {format_value(record.get('value'), unit)}"]
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


def _practice_style(_feature: dict) -> dict[str, Any]:
    return {
        "radius": 5,
        "fill": True,
        "color": palette.PRACTICE_EDGE,
        "weight": 1.5,
        "fillColor": palette.PRACTICE_FILL,
        "fillOpacity": 1,
    }


def practices_within(area: Any, practices: pd.DataFrame) -> pd.DataFrame:
    """Practices whose location falls inside ``area`` (for areas the atlas does not link).

    The atlas links practices to sub-ICBs, ICBs and regions but not to local authorities;
    a point-in-polygon test fills that gap for drill-downs.
    """
    features = _features(_as_geojson(area))
    geoms = [shapely.make_valid(shape(f["geometry"])) for f in features if f.get("geometry")]
    if not geoms or practices is None or practices.empty:
        return practices.iloc[0:0] if practices is not None else pd.DataFrame()
    outline = shapely.union_all(geoms)
    lat = pd.to_numeric(practices["latitude"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    lon = pd.to_numeric(practices["longitude"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    inside = shapely.contains_xy(outline, lon, lat)
    return practices.loc[inside].reset_index(drop=True)


def map_html_bytes(m: folium.Map) -> int:
    """Size in bytes of the map rendered as a standalone HTML page."""
    return len(m.get_root().render().encode("utf-8"))


def clicked_area(
    returned: Mapping[str, Any] | None, known: Iterable[str] | None = None
) -> str | None:
    """The area code of the polygon last clicked on a map shown with ``st_folium``.

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


# ---------------------------------------------------------------------- static maps


def static_map_chart(
    geojson: dict,
    table: pd.DataFrame,
    meta: pd.Series | Mapping[str, Any],
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
    features = []
    outline = []
    for feature in _features(geojson):
        code = _text((feature.get("properties") or {}).get("area_code"))
        geometry = _d3_winding(round_geometry(feature.get("geometry")))
        props = {"area_code": code, "cls": classified.label.get(code, palette.NO_DATA_LABEL)}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
        if selected is not None and code == selected:
            outline.append({"type": "Feature", "properties": props, "geometry": geometry})
    domain = [label for label, _ in classified.legend]
    colours = [colour for _, colour in classified.legend]
    legend = alt.Legend(
        title=classified.title,
        orient="right",
        symbolType="square",
        symbolStrokeColor="#8C8C8C",
        symbolStrokeWidth=0.5,
        labelLimit=260,
        titleLimit=300,
    )
    areas = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke=palette.EDGE, strokeWidth=0.3)
        .encode(
            color=alt.Color(
                "properties.cls:N", scale=alt.Scale(domain=domain, range=colours), legend=legend
            )
        )
    )
    layers: list[alt.Chart] = [areas]
    if outline:
        for colour, weight in ((palette.SELECTED_HALO, 4.0), (palette.SELECTED_OUTLINE, 2.0)):
            layers.append(
                alt.Chart(alt.Data(values=outline)).mark_geoshape(
                    filled=False, stroke=colour, strokeWidth=weight
                )
            )
    body = alt.layer(*layers).project(type="mercator").properties(width=width, height=height)
    credit = BOUNDARY_CREDIT.replace("&copy;", "\u00a9")
    footer = (
        alt.Chart(alt.Data(values=[{"t": f"{source}\n{credit}".strip()}]))
        .mark_text(align="left", baseline="top", fontSize=10, color="#4D4D4D", lineBreak="\n")
        .encode(text="t:N", x=alt.value(0), y=alt.value(0))
        .properties(width=width, height=28)
    )
    subtitle = [period, classified.key]
    if _number(england_value) is not None:
        subtitle.append(f"England: {format_value(england_value, _meta(meta, 'unit'))}")
    return (
        alt.vconcat(body, footer, spacing=6)
        .properties(
            title=alt.TitleParams(text=title, subtitle=subtitle, anchor="start", fontSize=15),
            background="white",
            padding=12,
        )
        .configure_view(stroke=None)
    )


def static_map_png(*args: Any, scale: float = 2.0, **kwargs: Any) -> bytes:
    """The map as a PNG for reports, rendered locally (arguments as :func:`static_map_chart`)."""
    return vl_convert.vegalite_to_png(static_map_chart(*args, **kwargs).to_dict(), scale=scale)


def static_map_svg(*args: Any, **kwargs: Any) -> str:
    """The map as SVG for reports (arguments as :func:`static_map_chart`)."""
    return vl_convert.vegalite_to_svg(static_map_chart(*args, **kwargs).to_dict())


def _d3_winding(geometry: dict | None) -> dict | None:
    """Rings wound the way d3-geo expects (outer clockwise, holes anticlockwise).

    Vega draws spherical polygons; an outer ring wound the GeoJSON-RFC way would be read
    as "the whole globe except this area" and flood the image.
    """
    if not geometry:
        return geometry
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _wind_polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [_wind_polygon(p) for p in geometry["coordinates"]]}
    return geometry


def _wind_polygon(rings: list) -> list:
    out = []
    for i, ring in enumerate(rings):
        area = sum(
            x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False)
        )
        clockwise = area < 0
        want_clockwise = i == 0
        out.append(ring if clockwise == want_clockwise else ring[::-1])
    return out
