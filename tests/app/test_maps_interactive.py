"""Interactive maps: colours, tooltips, escaping, offline Leaflet, clicks, drill-downs."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import shape

from gapmap import palette
from gapmap.assets import leaflet_urls
from gapmap.maps import choropleth, clicked_area, drilldown, tooltip_text
from tests.app.mapkit import (
    META_BAD,
    META_GOOD,
    PAYLOAD,
    forbid_network,
    layer,
    legend_body,
    links,
    outside_urls,
    props,
    sample_geojson,
    sample_table,
)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    forbid_network(monkeypatch)


@pytest.fixture
def geojson() -> dict:
    return sample_geojson()


@pytest.fixture
def table() -> pd.DataFrame:
    return sample_table()


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


# ------------------------------------------------------------------------ clicks


def test_clicked_area_from_what_a_click_sends_back():
    drawing = {"type": "Feature", "properties": {"area_code": "E38000259", "tip": "x"}}
    assert clicked_area({"last_active_drawing": drawing}) == "E38000259"
    # the tooltip text the map sends back (textContent of the tooltip table)
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


def test_drilldown_fits_the_area_and_names_only_what_it_draws(geojson):
    area = {"type": "FeatureCollection", "features": geojson["features"][:1]}
    lsoas = {"type": "FeatureCollection", "features": geojson["features"]}
    m = drilldown(area, lsoas, pd.DataFrame(columns=["latitude", "longitude"]))
    html = m.get_root().render()
    assert "[[52.0, -2.0], [53.0, -1.0]]" in html  # the outlined area, not all the LSOAs
    assert not layer(m, "GP practices")
    assert "GP practice" not in legend_body(m)
    assert "with its GP practices" not in html
    (shapes,) = layer(m, "Neighbourhoods (LSOA)")
    assert {f["properties"]["nd"] for f in shapes.data["features"]} == {1}  # no deciles given
