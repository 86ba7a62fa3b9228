"""Static maps for reports: PNG and SVG with the map's classes, legend and text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gapmap import palette
from gapmap.maps import static_map_chart, static_map_png, static_map_svg
from tests.app.mapkit import META_BAD, forbid_network, sample_geojson, sample_table


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    forbid_network(monkeypatch)


def test_static_png_and_svg():
    args = (sample_geojson(), sample_table(), META_BAD)
    text = {"title": "Depression <script>", "source": "Source: QOF", "period": "2022-23"}
    png = static_map_png(*args, **text, selected="E06000001", scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    svg = static_map_svg(*args, **text, selected="E06000001")
    root = ET.fromstring(svg)  # well-formed: the title's markup is escaped
    shown = " ".join(t.strip() for t in root.itertext())
    for part in (
        "Depression <script>",
        "2022-23",
        "Source: QOF",
        palette.NO_DATA_LABEL,
        "Darker = worse",
    ):
        assert part in shown, part
    lowered = svg.lower()
    for colour in (palette.value_scale("high_is_bad", 3)[-1], palette.NO_DATA):
        assert colour.lower() in lowered


def test_chart_winds_rings_for_d3_and_outlines_the_selection():
    chart = static_map_chart(
        sample_geojson(),
        sample_table(),
        META_BAD,
        title="t",
        source="s",
        period="p",
        selected="E06000005",
        colour_by="comparison",
    )
    spec = chart.to_dict()
    areas, marks, *outlines = spec["vconcat"][0]["layer"]
    features = areas["data"]["values"]
    ring = features[0]["geometry"]["coordinates"][0]
    assert ring == [[-2.0, 52.0], [-2.0, 53.0], [-1.0, 53.0], [-1.0, 52.0], [-2.0, 52.0]]
    assert {f["properties"]["cls"] for f in features} >= {
        "Better than England",
        palette.NO_DATA_LABEL,
    }
    assert len(outlines) == 2
    assert {f["properties"]["area_code"] for f in outlines[0]["data"]["values"]} == {"E06000005"}


def test_a_comparison_map_marks_better_and_worse_by_shape_for_greyscale_print():
    """Issue 13 item 10: the board pack's map now colours as the app does, and better and
    worse, near-equal greys in print, carry the charts' triangles."""
    args = (sample_geojson(), sample_table(), META_BAD)
    text = {"title": "t", "source": "s", "period": "p"}
    spec = static_map_chart(*args, **text, colour_by="comparison").to_dict()
    marks = spec["vconcat"][0]["layer"][1]
    points = {p["compared"]: p for p in marks["data"]["values"]}
    assert set(points) == {"Better than England", "Worse than England"}  # not "similar"
    shapes = marks["encoding"]["shape"]["scale"]
    assert dict(zip(shapes["domain"], shapes["range"], strict=True)) == {
        "Better than England": "triangle-up",
        "Worse than England": "triangle-down",
    }
    low = points["Better than England"]  # E06000001: the square from -2 to -1, 52 to 53
    assert -2 < low["lon"] < -1 and 52 < low["lat"] < 53
    by_value = static_map_chart(*args, **text, colour_by="value").to_dict()
    assert len(by_value["vconcat"][0]["layer"]) == 1


def test_the_board_pack_map_is_coloured_as_the_app_colours_it(atlas, monkeypatch):
    from datetime import date

    from gapmap import boardpack, maps
    from gapmap.state import Selection

    seen = []
    real = maps.static_map_png
    monkeypatch.setattr(maps, "static_map_png", lambda *a, **k: seen.append(k) or real(*a, **k))
    for indicator, period, expected in (
        ("tt_gap_ratio_modelled", "Jul 2022 - May 2023", "comparison"),
        ("mhsds_in_contact_rate", "Nov 2022", "value"),
    ):
        boardpack.build(
            atlas, Selection("sub_icb", indicator, period, "E38000259"), generated=date(2026, 12, 5)
        )
        assert seen[-1]["colour_by"] == expected == maps.colouring(atlas.indicator(indicator))
