"""Shared pieces of the map tests: a tiny hostile boundary layer and table, and probes.

Plain functions, not fixtures, so each test module states the fixtures it uses.
"""

from __future__ import annotations

import re
import socket

import branca
import folium
import folium.elements
import pandas as pd

from gapmap.maps import Legend

PAYLOAD = '<script>alert(1)</script>"onmouseover=alert(2) `${alert(3)}`'
URL = re.compile(r"https?://[^\s\"'<>)]+")
SVG_NS = "http://www.w3.org/2000/svg"
MAX_MAP_BYTES = 600_000
META_BAD = {"short_name": "Depression prevalence", "unit": "%", "polarity": "high_is_bad"}
META_GOOD = {"short_name": "Recovery", "unit": "%", "polarity": "high_is_good"}


def forbid_network(monkeypatch) -> None:
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


def sample_geojson() -> dict:
    """Five unit squares; one is named with a script payload, one has no table row."""
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


def sample_table() -> pd.DataFrame:
    """Values for four of the five squares: one suppressed, one named with the payload."""
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
