"""The WebGL floor for ``map_speed.py``: the Neighbourhoods page's engine drawing one area.

One neighbourhood-sized polygon drawn the way the Neighbourhoods page draws its 33,755
(:mod:`gapmap.maps.deck` layers shown by ``streamlit_lonboard``, no basemap). No map drawn
with this engine can appear sooner on the same machine: it is Streamlit's start-up, the
engine's code (deck.gl and MapLibre, in the component's bundle) and one draw. Its ratio to
the tutorial's page is the best the Neighbourhoods page could reach with this engine.

Run: ``streamlit run benchmarks/floor_webgl_app.py``.
"""

import math

import geopandas as gpd
import numpy as np
import streamlit as st
import streamlit_lonboard
from shapely.geometry import Polygon

from gapmap.maps import deck
from gapmap.neighbourhoods import view_state

#: Corners of the polygon: its fill is one draw of (CORNERS - 2) triangles, which the
#: benchmark tells apart from MapLibre's background (two triangles).
CORNERS = 64
#: Centre and radius (degrees) of an area about the size of a neighbourhood in Sandwell.
CENTRE, RADIUS = (-2.0, 52.5), 0.005

st.set_page_config(page_title="One area in WebGL", layout="wide")
ring = [
    (CENTRE[0] + RADIUS * math.cos(a), CENTRE[1] + RADIUS * math.sin(a))
    for a in np.linspace(0, 2 * math.pi, CORNERS, endpoint=False)
]
shape = gpd.GeoDataFrame({"area_code": ["E01000001"]}, geometry=[Polygon(ring)], crs=4326)
layer = deck.areas_layer(
    deck.geoarrow(shape),
    np.arange(1),
    np.array([[8, 81, 156, 255]], dtype=np.uint8),
    {"name": ["One area"]},
)
streamlit_lonboard.st_lonboard(
    layers=[layer],
    view_state=view_state(tuple(shape.total_bounds)),
    basemap_style=deck.BLANK_STYLE,
    height=600,
    tooltip=["name"],
    key="floor",
)
