"""A map's frame is made once: the same arguments as st_folium's, kept across reruns."""

from __future__ import annotations

import re

import streamlit_folium as stf

from gapmap import folium_frame
from gapmap.maps import RETURNED_OBJECTS, choropleth
from tests.app.mapkit import META_BAD, sample_geojson, sample_table


def _map():
    return choropleth(sample_geojson(), sample_table(), META_BAD, selected="E06000001")


def test_the_frame_gets_what_st_folium_would_give_it(monkeypatch):
    passed = {}
    monkeypatch.setattr(stf, "_component_func", lambda **kwargs: passed.update(kwargs))
    fmap = _map()
    stf.st_folium(
        fmap, key="map-x", height=420, use_container_width=True, returned_objects=RETURNED_OBJECTS
    )
    passed.pop("on_change")
    made = folium_frame.frame_args(
        _map(), key="map-x", height=420, returned_objects=RETURNED_OBJECTS
    )
    assert made["key"] == passed["key"]  # the frame's identity: the script without its ids
    assert {k: _ids(v) for k, v in made.items()} == {k: _ids(v) for k, v in passed.items()}


def _ids(value):
    """Text with folium's generated element ids ('geo_json_5f9d...') taken out."""
    return re.sub(r"_[a-z0-9]+", "", value) if isinstance(value, str) else value


def test_a_map_is_built_and_rendered_once_per_key(monkeypatch, fresh_caches):
    shown = []
    monkeypatch.setattr(stf, "_component_func", lambda **kwargs: shown.append(kwargs))
    built = []

    def make():
        built.append(1)
        return _map()

    for _ in range(3):
        folium_frame.show(("a",), make, key="map-x", height=420, returned_objects=RETURNED_OBJECTS)
    folium_frame.show(("b",), make, key="map-x", height=420, returned_objects=RETURNED_OBJECTS)
    assert len(built) == 2
    assert len(shown) == 4
    assert shown[0]["script"] == shown[2]["script"]
    assert "leaflet" in " ".join(shown[0]["js_links"])
