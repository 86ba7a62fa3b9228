"""A folium map drawn in the app's page: only the map's own parts go in, made once per map."""

from __future__ import annotations

import re

import pytest
import streamlit as st

from gapmap import map_mount
from gapmap.assets import leaflet_urls
from gapmap.maps import choropleth
from gapmap.maps.page_parts import MOUNT_JS, mount_parts
from tests.app.mapkit import META_BAD, forbid_network, outside_urls, sample_geojson, sample_table


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    forbid_network(monkeypatch)


def area_map(selected: str | None = None):
    return choropleth(sample_geojson(), sample_table(), META_BAD, selected=selected)


def test_parts_never_restyle_the_page_around_the_map():
    parts = mount_parts(area_map(), height=500)
    css = re.sub(r"</?style>", "", parts["styles"])
    rules = re.findall(r"([^{}]+)\{", css)
    selectors = [r.strip() for r in rules]
    assert selectors, "the map's own styles (its container, the legend) are kept"
    assert not [s for s in selectors if re.fullmatch(r"html\s*,\s*body|#map|body|html", s)]
    assert any(s.startswith("#map_") for s in selectors)  # the map's own container
    assert "mtg-legend" in parts["styles"] + parts["script"]
    assert "<script" not in parts["html"] and "<html" not in parts["html"]


def test_parts_load_only_the_apps_own_leaflet():
    parts = mount_parts(area_map(), height=500)
    js, css = leaflet_urls()
    assert parts["js"] == js and parts["css"] == css
    assert outside_urls(" ".join(map(str, parts.values()))) == []


def test_the_script_names_the_map_it_returns():
    fmap = area_map()
    parts = mount_parts(fmap, height=420, clickable=False)
    assert parts["name"] == fmap.get_name()
    assert f"var {parts['name']} = L.map(" in parts["script"]
    assert parts["height"] == 420 and parts["clickable"] is False
    assert "export default function" in MOUNT_JS and "setTriggerValue" in MOUNT_JS


def test_the_token_changes_exactly_when_what_is_drawn_changes():
    def token(**kwargs):
        parts = mount_parts(area_map(**kwargs), height=500)
        # folium names elements by a random id: the same map built twice differs only there.
        return parts["token"], re.sub(r"_[0-9a-f]{32}", "_id", parts["script"])

    first, second = token(), token()
    assert first[1] == second[1]
    selected = token(selected="E06000002")
    assert selected[1] != first[1] and selected[0] != first[0]
    clickable = mount_parts(area_map(), height=500, clickable=False)["token"]
    assert clickable != mount_parts(area_map(), height=500)["token"]


class Recorder:
    """Stands in for the registered component, keeping what the page would mount."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)


def test_a_map_is_built_once_however_often_the_page_reruns(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(map_mount, "_component", lambda: recorder)
    st.cache_data.clear()
    built: list[str] = []

    def make():
        built.append("map")
        return area_map()

    for _rerun in range(3):
        map_mount.show(("test", "same"), make, key="m", height=500)
    assert built == ["map"]
    assert len(recorder.calls) == 3
    assert len({c["data"]["token"] for c in recorder.calls}) == 1
    assert all("on_clicked_change" not in c for c in recorder.calls)  # not clickable
    map_mount.show(("test", "other"), make, key="m", height=500)
    assert built == ["map", "map"]


def test_a_click_reaches_the_callback_before_the_page_reruns(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(map_mount, "_component", lambda: recorder)
    st.cache_data.clear()
    chosen: list[dict] = []
    map_mount.show(("test", "click"), area_map, key="click-map", height=500, on_click=chosen.append)
    call = recorder.calls[-1]
    assert call["data"]["clickable"] is True
    sent = {"last_active_drawing": {"properties": {"area_code": "E06000002"}}}
    monkeypatch.setattr(st, "session_state", {"click-map": {"clicked": sent}})
    call["on_clicked_change"]()
    assert chosen == [sent]
