"""Maps of one indicator across England: interactive (Leaflet, offline) and static (reports).

One module per job: :mod:`~gapmap.maps.classes` (colour classes and legends),
:mod:`~gapmap.maps.geometry` (boundary shapes), :mod:`~gapmap.maps.leaflet` (legend controls
and the base map), :mod:`~gapmap.maps.interactive` (folium maps and clicks) and
:mod:`~gapmap.maps.static` (PNG/SVG for reports). Numbers and escaping come from
:mod:`gapmap.wording`, as in every other output. The names pages, the board pack and
tests use are re-exported here, so ``from gapmap import maps; maps.choropleth(...)`` keeps
working.
"""

from __future__ import annotations

from gapmap.maps.classes import Classified, classify, colouring, value_breaks, value_class
from gapmap.maps.geometry import (
    BOUNDARY_CREDIT,
    COORD_DECIMALS,
    practices_within,
    round_geometry,
    rounded_once,
)
from gapmap.maps.interactive import (
    AREA_CODE,
    TOOLTIP_WIDTH,
    area_style,
    choropleth,
    clicked_area,
    drilldown,
    map_html_bytes,
    tooltip_text,
)
from gapmap.maps.leaflet import ENGLAND_CENTRE, Legend, MapLabel, base_map, legend_html
from gapmap.maps.static import static_map_chart, static_map_png, static_map_svg

__all__ = [
    "AREA_CODE",
    "BOUNDARY_CREDIT",
    "COORD_DECIMALS",
    "ENGLAND_CENTRE",
    "TOOLTIP_WIDTH",
    "Classified",
    "MapLabel",
    "Legend",
    "area_style",
    "base_map",
    "choropleth",
    "classify",
    "colouring",
    "clicked_area",
    "drilldown",
    "legend_html",
    "map_html_bytes",
    "practices_within",
    "round_geometry",
    "rounded_once",
    "static_map_chart",
    "static_map_png",
    "static_map_svg",
    "tooltip_text",
    "value_breaks",
    "value_class",
]
