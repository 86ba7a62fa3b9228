"""Maps of many thousand areas on the GPU: GeoArrow tables drawn by deck.gl (lonboard).

Folium sends every shape as GeoJSON text, which at the scale of England's 33,755
neighbourhoods is 58 MB of HTML; here the shapes travel once as Arrow buffers and deck.gl
draws them with WebGL. The layers are plain lonboard objects (no Streamlit): the page shows
them with ``streamlit_lonboard.st_lonboard``. No basemap: nothing is fetched from outside.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pyarrow as pa
import traitlets
from lonboard import PolygonLayer, SolidPolygonLayer

from gapmap import palette

#: An empty MapLibre style (a white background, no tiles, fonts or sprites) as a data: URL,
#: so the map asks no server for a basemap.
BLANK_STYLE = "data:application/json," + quote(
    json.dumps(
        {
            "version": 8,
            "sources": {},
            "layers": [
                {"id": "background", "type": "background", "paint": {"background-color": "#FFFFFF"}}
            ],
        },
        separators=(",", ":"),
    )
)
#: Where deck.gl's polygon layers fetch their tessellation worker: by default a CDN, which
#: an offline NHS network blocks. An empty script makes them tessellate on the page instead.
NO_WORKER = "data:text/javascript,"
#: Most areas drawn with edges between them, and the edges' width in pixels.
MOST_EDGED = 2_000
EDGE_PIXELS = 0.5
#: The selected area's outline in pixels: a white halo under a dark line, as on folium maps.
OUTLINE_PIXELS = (5.0, 2.5)
#: The outline of the area the map is framed on (a council, an NHS area): thinner.
AREA_PIXELS = (3.0, 1.5)


class FilledAreas(SolidPolygonLayer):
    """Filled polygons that fetch nothing: their tessellation worker is :data:`NO_WORKER`."""

    earcut_worker_url = traitlets.Unicode(NO_WORKER).tag(sync=True)


class EdgedAreas(PolygonLayer):
    """Filled and outlined polygons that fetch nothing (see :class:`FilledAreas`)."""

    earcut_worker_url = traitlets.Unicode(NO_WORKER).tag(sync=True)


def geoarrow(shapes: gpd.GeoDataFrame) -> pa.Table:
    """Codes and polygons as a GeoArrow table, in the order of ``shapes``."""
    columns = shapes[["area_code", "geometry"]].reset_index(drop=True)
    layer = FilledAreas.from_geopandas(columns)
    return pa.table(layer.table)


def rgb(colour: str) -> list[int]:
    """A '#RRGGBB' colour as [red, green, blue, 255]."""
    text = colour.lstrip("#")
    return [int(text[i : i + 2], 16) for i in (0, 2, 4)] + [255]


def areas_layer(
    geo: pa.Table, rows: np.ndarray, fill: np.ndarray, tooltip: dict[str, list[str]]
) -> FilledAreas | EdgedAreas:
    """The areas at positions ``rows`` of ``geo``, filled with ``fill`` (one RGBA row each).

    ``tooltip`` names the text columns hovering shows, one value per row drawn; a hovered
    area is darkened. Up to :data:`MOST_EDGED` areas get edges, as on the other maps;
    more go without: the edges of all England's neighbourhoods took the browser 30 s to
    lay out, against 2 to 4 s for their fills, and at that scale they would hide the
    colours anyway.
    """
    table = geo.take(pa.array(rows, type=pa.int64()))
    for name, values in tooltip.items():
        table = table.append_column(name, pa.array(values, type=pa.string()))
    common = {
        "table": table,
        "get_fill_color": fill,
        "pickable": True,
        "auto_highlight": True,
        "highlight_color": [17, 17, 17, 90],
    }
    if len(rows) > MOST_EDGED:
        return FilledAreas(**common)
    return EdgedAreas(
        **common,
        get_line_color=rgb(palette.EDGE),
        get_line_width=EDGE_PIXELS,
        line_width_units="pixels",
        stroked=True,
        filled=True,
    )


def outline_layers(
    geo: pa.Table, rows: np.ndarray, widths: tuple[float, float] = OUTLINE_PIXELS
) -> list[EdgedAreas]:
    """The selected areas' outline: a dark line over a white halo (``widths``), not clickable."""
    table = geo.take(pa.array(rows, type=pa.int64()))
    return [
        EdgedAreas(
            table=table,
            filled=False,
            stroked=True,
            get_line_color=rgb(colour),
            get_line_width=width,
            line_width_units="pixels",
            pickable=False,
        )
        for colour, width in zip(
            (palette.SELECTED_HALO, palette.SELECTED_OUTLINE), widths, strict=True
        )
    ]
