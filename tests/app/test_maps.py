from __future__ import annotations

import json
import re
import socket
import xml.etree.ElementTree as ET

import branca
import folium
import folium.elements
import pandas as pd
import pytest

from gapmap import palette
from gapmap.assets import leaflet_urls
from gapmap.atlas import Atlas
from gapmap.maps import (
    RETURNED_OBJECTS,
    Legend,
    choropleth,
    classify,
    clicked_area,
    drilldown,
    format_value,
    map_html_bytes,
    practices_within,
    static_map_png,
    static_map_svg,
    tooltip_text,
    value_breaks,
)

PAYLOAD = '<script>alert(1)</script>"onmouseover=alert(2) `${alert(3)}`'
URL = re.compile(r"https?://[^\s\"'<>)]+")
SVG_NS = "http://www.w3.org/2000/svg"
MAX_MAP_BYTES = 600_000


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to reach another host fails the test (as on a locked-down NHS network)."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        local = ("127.0.0.1", "::1", "localhost")
        if isinstance(host, str) and host not in local and not host.startswith("/"):
            raise AssertionError(f"network access attempted: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def square(code: str, name: str, x: float, y: float) -> dict:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]  # anticlockwise
    return {
        "type": "Feature",
        "properties": {"area_code": code, "area_name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.fixture
def geojson() -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            square("E06000001", "Low", -2.0, 52.0),
            square("E06000002", PAYLOAD, -1.0, 52.0),
            square("E06000003", "Hidden", -2.0, 53.0),
            square("E06000004", "Missing", -1.0, 53.0),
            square("E06000005", "Middle", 0.0, 52.0),
        ],
    }


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["E06000001", "E06000002", "E06000003", "E06000005"],
            "area_name": ["Low", PAYLOAD, "Hidden", "Middle"],
            "value": pd.array([10.0, 30.0, None, 20.0], dtype="Float64"),
            "lower_95": pd.array([9.0, 28.0, None, 19.0], dtype="Float64"),
            "upper_95": pd.array([11.0, 32.0, None, 21.0], dtype="Float64"),
            "comparison": pd.array(["better", "worse", None, "similar"], dtype="string"),
            "suppressed": pd.array([False, False, True, False], dtype="boolean"),
            "note": pd.array(
                [None, None, "Suppressed: fewer than 8 people <b>", None], dtype="string"
            ),
        }
    )


META_BAD = {"short_name": "Depression prevalence", "unit": "%", "polarity": "high_is_bad"}
META_GOOD = {"short_name": "Recovery", "unit": "%", "polarity": "high_is_good"}


def layer(m: folium.Map, name: str) -> list[folium.GeoJson]:
    return [
        c for c in m._children.values() if isinstance(c, folium.GeoJson) and c.layer_name == name
    ]


def props(m: folium.Map) -> dict[str, dict]:
    (areas,) = layer(m, "Areas")
    return {f["properties"]["area_code"]: f["properties"] for f in areas.data["features"]}


def legend_body(m: folium.Map) -> str:
    (legend,) = [c for c in m._children.values() if isinstance(c, Legend)]
    return legend.body


def links(m: folium.Map) -> tuple[list[str], list[str]]:
    """The JS and CSS streamlit-folium would inject: every element's default_js/css."""

    def walk(element):
        yield element
        for child in getattr(element, "_children", {}).values():
            yield from walk(child)

    js, css = [], []
    for element in walk(m):
        assert not isinstance(element, branca.colormap.ColorMap)  # would pull d3 from a CDN
        if isinstance(element, folium.elements.JSCSSMixin):
            js += [url for _, url in element.default_js]
            css += [url for _, url in element.default_css]
    return js, css


def outside_urls(html: str) -> list[str]:
    return [u for u in URL.findall(html) if not u.startswith(SVG_NS)]


# ------------------------------------------------------------------- choropleth


def test_value_fills_follow_polarity(geojson, table):
    bad = props(choropleth(geojson, table, META_BAD))
    scale = palette.value_scale("high_is_bad", 3)
    assert bad["E06000001"]["fill"] == scale[0]  # lowest value, lightest
    assert bad["E06000002"]["fill"] == scale[-1]  # highest value, darkest = worst
    good = props(choropleth(geojson, table, META_GOOD))
    assert good["E06000001"]["fill"] == palette.WORSE_SCALE[-1]  # low is worst when high is good
    assert good["E06000002"]["fill"] == palette.WORSE_SCALE[0]


def test_comparison_fills(geojson, table):
    p = props(choropleth(geojson, table, META_BAD, colour_by="comparison"))
    assert p["E06000001"]["fill"] == palette.COMPARISON_COLOURS["better"]
    assert p["E06000002"]["fill"] == palette.COMPARISON_COLOURS["worse"]
    assert p["E06000005"]["fill"] == palette.COMPARISON_COLOURS["similar"]
    body = legend_body(choropleth(geojson, table, META_BAD, colour_by="comparison"))
    for label in ("Better than England", "Similar to England", "Worse than England"):
        assert label in body
    assert "Higher than England" not in body  # only categories on the map


def test_suppressed_and_missing_areas_are_grey_and_say_why(geojson, table):
    p = props(choropleth(geojson, table, META_BAD))
    for code in ("E06000003", "E06000004"):
        assert p[code]["fill"] == palette.NO_DATA and p[code]["nd"] == 1
    assert "suppressed" in p["E06000003"]["tip"]
    assert "Suppressed: fewer than 8 people &lt;b&gt;" in p["E06000003"]["tip"]
    assert "No value for this area" in p["E06000004"]["tip"]
    assert p["E06000001"]["nd"] == 0


def test_tooltip_has_value_interval_comparison_and_england(geojson, table):
    tip = props(choropleth(geojson, table, META_BAD, england_value=15.0))["E06000001"]["tip"]
    assert tip.split("\n") == [
        "Low · E06000001",  # the code ends the first line, for clicked_area
        "Depression prevalence: 10.0%",
        "95% CI 9.0% to 11.0%",
        "Better than England",
        "England: 15.0%",
    ]


def test_legend_lists_classes_unit_and_no_data(geojson, table):
    m = choropleth(geojson, table, META_BAD, england_value=15.0)
    body = legend_body(m)
    assert "Depression prevalence (%)" in body
    assert "Darker = worse" in body
    assert palette.NO_DATA_LABEL in body
    assert "England: 15.0%" in body
    assert body.count("mtg-sw") == 4  # three value classes and no data
    html = m.get_root().render()
    assert "mtg-legend" in html and "L.control(" in html


def test_selected_area_gets_a_thick_dark_outline(geojson, table):
    m = choropleth(geojson, table, META_BAD, selected="E06000005")
    outlines = layer(m, "Selected area")
    assert outlines, "no outline layer"
    styles = [o.style_function(o.data["features"][0]) for o in outlines]
    assert {o.data["features"][0]["properties"]["area_code"] for o in outlines} == {"E06000005"}
    assert any(s["color"] == palette.SELECTED_OUTLINE and s["weight"] >= 3 for s in styles)
    assert all(o.options.get("interactive") is False for o in outlines)  # clicks go through
    assert not layer(choropleth(geojson, table, META_BAD), "Selected area")


def test_data_strings_are_escaped(geojson, table):
    m = choropleth(geojson, table, {**META_BAD, "short_name": "<img src=x onerror=alert(4)>"})
    tip = props(m)["E06000002"]["tip"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tip
    assert "&quot;onmouseover=alert(2)" in tip
    assert "&#96;&#36;{alert(3)}&#96;" in tip
    html = m.get_root().render()
    for raw in ("<script>alert", '"onmouseover=', "${alert", "<img src=x"):
        assert raw not in html, raw
    assert "&lt;img src=x" in legend_body(m)


def test_offline_only_local_leaflet(geojson, table):
    m = choropleth(geojson, table, META_BAD, selected="E06000001", england_value=1.0)
    js, css = links(m)
    assert (js, css) == leaflet_urls()
    html = m.get_root().render()
    assert outside_urls(html) == []
    for name in ("jquery", "bootstrap", "awesome", "d3.min", "d3.v", "cdnjs", "jsdelivr"):
        assert name not in html.lower(), name
    assert "tile" not in "".join(type(c).__name__.lower() for c in m._children.values())
    # folium's class defaults untouched: only this map instance changed
    assert any("cdn" in url for _, url in folium.Map.default_js)


def test_map_fits_to_the_areas(geojson, table):
    html = choropleth(geojson, table, META_BAD).get_root().render()
    assert "fitBounds" in html and "[[52.0, -2.0], [54.0, 1.0]]" in html


def test_json_is_trimmed(geojson, table):
    geojson["features"][0]["geometry"]["coordinates"][0][1] = [-1.0000004, 52.00000049]
    p = props(choropleth(geojson, table, META_BAD))
    assert set(p["E06000001"]) == {"area_code", "fill", "nd", "tip"}
    m = choropleth(geojson, table, META_BAD)
    (areas,) = layer(m, "Areas")
    assert areas.data["features"][0]["geometry"]["coordinates"][0][1] == [-1.0, 52.0]


def test_empty_table_maps_everything_as_no_data(geojson):
    empty = pd.DataFrame(columns=["area_code", "area_name", "value"])
    p = props(choropleth(geojson, empty, META_BAD))
    assert {v["fill"] for v in p.values()} == {palette.NO_DATA}


def test_bad_colour_by_is_refused(geojson, table):
    with pytest.raises(ValueError):
        choropleth(geojson, table, META_BAD, colour_by="rainbow")


# --------------------------------------------------------------------- helpers


def test_value_breaks_cover_the_data_in_order():
    values = [1.23, 2.5, 3.9, 4.1, 7.77, 10.2, 55.0]
    edges, decimals = value_breaks(values)
    assert edges == sorted(set(edges))
    assert edges[0] <= min(values) and edges[-1] >= max(values)
    assert 2 <= len(edges) <= 6 and decimals == 0
    assert value_breaks([]) == ([], 0)
    assert len(value_breaks([5.0, 5.0])[0]) == 2  # one class when all equal


def test_classify_puts_every_valued_area_in_a_legend_class(table):
    result = classify(table, META_BAD)
    labels = [label for label, _ in result.legend]
    assert set(result.label.values()) <= set(labels)
    assert set(result.fill) == {"E06000001", "E06000002", "E06000005"}


def test_format_value():
    assert format_value(12.345, "%") == "12.3%"
    assert format_value(1234.5, "per 100,000") == "1,234 per 100,000"
    assert format_value(0.853, "ratio") == "0.85"
    assert format_value(pd.NA, "%") == "-"
    assert format_value(float("nan")) == "-"


def test_palette_polarity_and_ramp():
    assert palette.value_scale("high_is_good", 5) == list(palette.WORSE_SCALE[::-1])
    assert palette.value_scale("neutral", 5) == list(palette.NEUTRAL_SCALE)
    three = palette.ramp(palette.WORSE_SCALE, 3)
    assert three[0] == palette.WORSE_SCALE[0] and three[-1] == palette.WORSE_SCALE[-1]
    assert palette.deprivation_colour(1) == palette.DEPRIVATION_SCALE[0]
    assert palette.deprivation_colour(None) == palette.NO_DATA
    assert len(palette.DEPRIVATION_SCALE) == 10


def test_clicked_area_from_streamlit_folium_returns():
    assert RETURNED_OBJECTS == ["last_active_drawing", "last_object_clicked_tooltip"]
    drawing = {"type": "Feature", "properties": {"area_code": "E38000259", "tip": "x"}}
    assert clicked_area({"last_active_drawing": drawing}) == "E38000259"
    # the tooltip text streamlit-folium sends back (textContent of the tooltip table)
    tip = "\n  Sandwell · E08000028\nDepression prevalence: 13.9%\nWorse than England\n "
    assert clicked_area({"last_active_drawing": None, "last_object_clicked_tooltip": tip}) == (
        "E08000028"
    )
    # a name that looks like a code, or tries to start a new line, cannot take over
    tricky = tooltip_text("E99999999\nE99999998", "E08000028", ["E99999997"])
    assert tricky.split("\n")[0] == "E99999999 E99999998 · E08000028"
    assert clicked_area({"last_object_clicked_tooltip": tricky}) == "E08000028"
    assert clicked_area({"last_object_clicked_tooltip": tricky}, known={"E99999999"}) is None
    assert clicked_area({"last_active_drawing": drawing}, known={"E08000028"}) is None
    assert clicked_area(None) is None
    assert clicked_area({}) is None
    assert clicked_area({"last_active_drawing": {"properties": {}}}) is None
    assert clicked_area({"last_object_clicked_tooltip": "M87001 Surgery"}) is None


# ---------------------------------------------------------------------- drilldown


def test_drilldown_escapes_practice_names_and_is_offline(geojson):
    import geopandas as gpd
    from shapely.geometry import shape

    lsoas = gpd.GeoDataFrame(
        {
            "area_code": ["E01000001", "E01000002"],
            "area_name": [PAYLOAD, "B"],
            "imd_decile": [1, None],
        },
        geometry=[shape(f["geometry"]) for f in geojson["features"][:2]],
        crs=4326,
    )
    practices = pd.DataFrame(
        {
            "area_code": ["M1", "M2"],
            "area_name": [PAYLOAD, "Plain"],
            "latitude": [52.5, None],
            "longitude": [-1.5, -0.5],
            "value": [12.0, 8.0],
        }
    )
    area = {"type": "FeatureCollection", "features": geojson["features"][:2]}
    m = drilldown(area, lsoas, practices, meta=META_BAD)
    (shapes,) = layer(m, "Neighbourhoods (LSOA)")
    fills = {f["properties"]["area_code"]: f["properties"]["fill"] for f in shapes.data["features"]}
    assert fills == {"E01000001": palette.DEPRIVATION_SCALE[0], "E01000002": palette.NO_DATA}
    (dots,) = layer(m, "GP practices")
    assert isinstance(dots.marker, folium.CircleMarker)
    assert len(dots.data["features"]) == 1  # the practice without coordinates is skipped
    practice = dots.data["features"][0]["properties"]
    assert "area_code" not in practice  # a practice click is not an area click
    assert "&#36;{alert(3)}" in practice["tip"] and "&lt;script&gt;" in practice["tip"]
    html = m.get_root().render()
    for raw in ("<script>alert", '"onmouseover=', "${alert"):
        assert raw not in html, raw
    assert "1 = most deprived" in legend_body(m)
    assert outside_urls(html) == [] and links(m) == leaflet_urls()


# ------------------------------------------------------------------ static images


def test_static_png_and_svg(geojson, table):
    png = static_map_png(
        geojson,
        table,
        META_BAD,
        title="Depression <script>",
        source="Source: QOF",
        period="2022-23",
        selected="E06000001",
        scale=1,
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    svg = static_map_svg(
        geojson,
        table,
        META_BAD,
        title="Depression <script>",
        source="Source: QOF",
        period="2022-23",
        selected="E06000001",
    )
    root = ET.fromstring(svg)  # well-formed: the title's markup is escaped
    text = " ".join(t.strip() for t in root.itertext())
    for part in (
        "Depression <script>",
        "2022-23",
        "Source: QOF",
        palette.NO_DATA_LABEL,
        "Darker = worse",
    ):
        assert part in text, part
    lowered = svg.lower()
    for colour in (palette.value_scale("high_is_bad", 3)[-1], palette.NO_DATA):
        assert colour.lower() in lowered


# --------------------------------------------------------------------- real atlas


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


LAYERS = [
    ("region", "nhser-2024"),
    ("icb", "icb-2023"),
    ("sub_icb", "sub_icb-2023"),
    ("ccg", "ccg-2019"),
    ("ccg", "ccg-2020"),
    ("ccg", "ccg-2021"),
    ("ltla", "ltla-2024"),
    ("utla", "utla-2023"),
]


@pytest.mark.parametrize(("level", "vintage"), LAYERS)
def test_national_maps_build_small_and_offline(atlas, level, vintage):
    found = [
        (i, p)
        for i in atlas.indicator_ids(level)
        for p in atlas.periods(i, level)
        if atlas.vintage(i, level, p) == vintage
    ]
    assert found, f"no indicator on {vintage}"
    indicator, period = found[-1]
    table = atlas.table(indicator, level, period)
    england = atlas.england(indicator, period)
    boundaries = atlas.boundaries(vintage)
    selected = boundaries["features"][0]["properties"]["area_code"]
    for colour_by in ("value", "comparison"):
        m = choropleth(
            boundaries,
            table,
            atlas.indicator(indicator),
            colour_by=colour_by,
            selected=selected,
            england_value=None if england is None else england["value"],
        )
        size = map_html_bytes(m)
        print(f"{vintage:13s} {indicator:30s} {period:22s} {colour_by:10s} {size:>8,d} bytes")
        assert size <= MAX_MAP_BYTES
        assert len(props(m)) == len(boundaries["features"])
        assert outside_urls(m.get_root().render()) == []
    assert json.dumps(boundaries).count("tip") == 0  # the cached atlas layer is not modified


def sandwell_parts(atlas: Atlas, code: str, level: str, vintage: str):
    area = {
        "type": "FeatureCollection",
        "features": [
            f for f in atlas.boundaries(vintage)["features"] if f["properties"]["area_code"] == code
        ],
    }
    lsoas = atlas.within(code, level, "lsoa")
    shapes = atlas.lsoa_shapes(list(lsoas["area_code"]))
    deciles = atlas.table("imd_decile", "lsoa", atlas.periods("imd_decile", "lsoa")[-1])
    shapes = shapes.merge(
        deciles[["area_code", "value"]].rename(columns={"value": "imd_decile"}),
        on="area_code",
        how="left",
    )
    return area, shapes


def test_sandwell_sub_icb_drilldown(atlas):
    area, shapes = sandwell_parts(atlas, "E38000259", "sub_icb", "sub_icb-2023")
    practices = atlas.within("E38000259", "sub_icb", "practice")
    values = atlas.table("depression_prevalence", "practice", "2022-23")[["area_code", "value"]]
    practices = practices.merge(values, on="area_code", how="left")
    m = drilldown(area, shapes, practices, meta=atlas.indicator("depression_prevalence"))
    (lsoa_layer,) = layer(m, "Neighbourhoods (LSOA)")
    assert len(lsoa_layer.data["features"]) == 723
    fills = {f["properties"]["fill"] for f in lsoa_layer.data["features"]}
    assert palette.DEPRIVATION_SCALE[0] in fills  # Black Country has most-deprived LSOAs
    (dots,) = layer(m, "GP practices")
    assert len(practices) == 181
    located = practices[["latitude", "longitude"]].notna().all(axis=1).sum()
    assert len(dots.data["features"]) == located >= 170  # practices without coordinates are skipped
    size = map_html_bytes(m)
    print(f"Sandwell/Black Country sub-ICB drill-down: {size:,d} bytes")
    assert size <= MAX_MAP_BYTES and outside_urls(m.get_root().render()) == []


def test_sandwell_ltla_drilldown_finds_practices_by_location(atlas):
    area, shapes = sandwell_parts(atlas, "E08000028", "ltla", "ltla-2024")
    assert len(shapes) == 190
    everyone = atlas.within("E38000259", "sub_icb", "practice")
    inside = practices_within(area, everyone)
    assert 20 <= len(inside) < len(everyone)
    m = drilldown(area, shapes, inside)
    (lsoa_layer,) = layer(m, "Neighbourhoods (LSOA)")
    assert len(lsoa_layer.data["features"]) == 190
    print(f"Sandwell LTLA drill-down: {len(inside)} practices, {map_html_bytes(m):,d} bytes")


def test_static_png_of_a_real_map(atlas):
    period = "2022-23"
    table = atlas.table("depression_prevalence", "region", period)
    png = static_map_png(
        atlas.boundaries("nhser-2024"),
        table,
        atlas.indicator("depression_prevalence"),
        title="Depression prevalence by NHS region",
        source="Source: QOF 2022-23",
        period=period,
        selected="E40000011",
        scale=1,
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
