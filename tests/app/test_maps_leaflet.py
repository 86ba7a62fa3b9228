"""Leaflet pieces: the legend control, the map's label and the offline base map."""

from __future__ import annotations

import folium
import pytest

from gapmap import palette
from gapmap.assets import leaflet_urls
from gapmap.maps import Legend, MapLabel, base_map, legend_html
from tests.app.mapkit import PAYLOAD, forbid_network, links, outside_urls


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    forbid_network(monkeypatch)


def test_legend_html_escapes_labels_and_marks_no_data_and_markers():
    body = legend_html(
        PAYLOAD,
        [("1 to 2", "#123456"), (palette.NO_DATA_LABEL, palette.NO_DATA)],
        key="Darker = worse",
        footer="England: <5",
        markers=[("GP practice", palette.PRACTICE_FILL)],
    )
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert body.count('class="mtg-sw"') == 1
    assert body.count('class="mtg-sw mtg-nd"') == 1
    assert body.count('class="mtg-sw mtg-dot"') == 1
    assert '<div class="mtg-key">Darker = worse</div>' in body
    assert '<div class="mtg-eng">England: &lt;5</div>' in body
    assert "mtg-key" not in legend_html("t", []) and "mtg-eng" not in legend_html("t", [])


def test_base_map_loads_only_local_leaflet_and_draws_controls():
    m = base_map()
    Legend(legend_html("Title", [])).add_to(m)
    MapLabel("Map of </script><script>alert(1)</script>").add_to(m)
    assert links(m) == leaflet_urls()
    html = m.get_root().render()
    assert outside_urls(html) == []
    assert "mtg-legend" in html and "L.control(" in html
    assert "aria-label" in html and "getContainer()" in html  # the map's container is named
    assert "</script><script>alert(1)" not in html  # the label reaches the script as JSON
    assert any("cdn" in url for _, url in folium.Map.default_js)  # class defaults untouched
