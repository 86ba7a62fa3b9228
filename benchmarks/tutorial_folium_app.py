"""The yardstick for ``map_speed.py``: a choropleth the way a folium tutorial writes one.

England's 296 local authorities (the atlas's ``ltla-2024`` boundaries) coloured by IMD 2025
score, with a tooltip, shown with ``st_folium`` and nothing else. Two changes from a
tutorial, both needed offline: Leaflet is loaded from this folder's own ``static/`` copy
(a tutorial's CDN copy never loads where outside requests are blocked) and there are no
basemap tiles; and the colours come from a ``style_function`` (``folium.Choropleth``'s
legend pulls d3 from a CDN, so its map never appears offline).

Run: ``streamlit run benchmarks/tutorial_folium_app.py`` (with static serving on).
"""

import json
import sys
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

HERE = Path(__file__).resolve().parent
ATLAS = HERE.parent / "geodata" / "atlas"
COLOURS = ["#FFFFCC", "#C2E699", "#78C679", "#31A354", "#006837"]

sys.path.insert(0, str(HERE.parent))
from gapmap.assets import ensure_static_leaflet, leaflet_urls  # noqa: E402

ensure_static_leaflet(HERE / "static")


@st.cache_data
def load():
    shapes = json.loads((ATLAS / "boundaries" / "ltla-2024.geojson").read_text())
    values = pd.read_parquet(
        ATLAS / "values.parquet",
        filters=[("indicator_id", "==", "imd_score"), ("level", "==", "ltla")],
    )
    return shapes, values.set_index("area_code")["value"].to_dict()


st.set_page_config(page_title="Tutorial choropleth", layout="wide")
st.title("Deprivation by local authority")
shapes, values = load()
breaks = pd.Series(list(values.values())).quantile([0.2, 0.4, 0.6, 0.8]).tolist()


def colour(value):
    if value is None or pd.isna(value):
        return "#CCCCCC"
    return COLOURS[sum(value > b for b in breaks)]


for feature in shapes["features"]:
    feature["properties"]["imd"] = values.get(feature["properties"]["area_code"])

m = folium.Map(location=[52.8, -1.6], zoom_start=6, tiles=None)
js, css = leaflet_urls()
m.default_js = [("leaflet", url) for url in js]
m.default_css = [("leaflet_css", url) for url in css]
folium.GeoJson(
    shapes,
    style_function=lambda f: {
        "fillColor": colour(f["properties"]["imd"]),
        "color": "#555555",
        "weight": 0.5,
        "fillOpacity": 0.8,
    },
    tooltip=folium.GeoJsonTooltip(fields=["area_name", "imd"], aliases=["Area", "IMD score"]),
).add_to(m)
st_folium(m, width=900, height=560)
