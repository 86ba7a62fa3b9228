"""Maps of the committed atlas: every boundary layer small and offline, real drill-downs."""

from __future__ import annotations

import json

import pytest

from gapmap import palette
from gapmap.atlas import Atlas
from gapmap.maps import choropleth, drilldown, map_html_bytes, practices_within, static_map_png
from tests.app.mapkit import MAX_MAP_BYTES, forbid_network, layer, outside_urls, props


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    forbid_network(monkeypatch)


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
    ("pcn", "pcn-2022-23"),
    ("pcn", "pcn-2024-25"),
]
#: About 1,270 drawn primary care networks on one map: a budget of their own.
PCN_MAP_BYTES = 2_000_000


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
        assert size <= (PCN_MAP_BYTES if level == "pcn" else MAX_MAP_BYTES)
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


def test_a_primary_care_network_is_drawn_once_and_lists_its_practices(atlas):
    outline = [
        f
        for f in atlas.boundaries("pcn-2024-25")["features"]
        if f["properties"]["area_code"] == "U11746"
    ]
    assert len(outline) == 1 and outline[0]["properties"]["area_name"] == "Swb Newcomen PCN"
    # A PCN is a group of practices: it has practices, never neighbourhoods of its own.
    assert atlas.within("U11746", "pcn", "lsoa").empty
    practices = atlas.within("U11746", "pcn", "practice")
    assert len(practices) >= 3 and set(practices["parent_pcn"]) == {"U11746"}
