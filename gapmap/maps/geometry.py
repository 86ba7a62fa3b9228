"""Boundary shapes made ready to draw: features, rounded coordinates, bounds and winding.

Pure functions of GeoJSON (plus one point-in-polygon test), shared by the interactive and
static maps.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

#: Decimal places kept in coordinates (about 10 m): plenty on screen, a third less JSON.
COORD_DECIMALS = 4
BOUNDARY_CREDIT = (
    "Boundaries: ONS, Open Government Licence v3.0; "
    "contains OS data &copy; Crown copyright and database right"
)


def features_of(geojson: dict) -> list[dict]:
    """The features of a FeatureCollection, a single Feature, or a bare geometry."""
    if geojson.get("type") == "FeatureCollection":
        return list(geojson.get("features") or [])
    if geojson.get("type") == "Feature":
        return [geojson]
    return [{"type": "Feature", "properties": {}, "geometry": geojson}]


def as_geojson(area: Any) -> dict:
    """A GeoJSON dict from a dict, GeoDataFrame or GeoSeries (reprojected to WGS84)."""
    if isinstance(area, dict):
        return area
    if getattr(area, "crs", None) is not None:
        area = area.to_crs(4326)
    return json.loads(area.to_json(drop_id=True, show_bbox=False))


#: Rounded geometry by the identity of the atlas's own (loaded once, never mutated) geometry,
#: holding the original so its id cannot be reused; bounded, cleared when full.
_ROUNDED: dict[int, tuple[dict, dict | None]] = {}
_ROUNDED_MAX = 20_000


def rounded_once(geometry: dict | None) -> dict | None:
    """:func:`round_geometry`, remembered: a national map reruns with the same shapes."""
    if not geometry:
        return geometry
    hit = _ROUNDED.get(id(geometry))
    if hit is not None and hit[0] is geometry:
        return hit[1]
    if len(_ROUNDED) >= _ROUNDED_MAX:
        _ROUNDED.clear()
    result = round_geometry(geometry)
    _ROUNDED[id(geometry)] = (geometry, result)
    return result


def round_geometry(geometry: dict | None, decimals: int = COORD_DECIMALS) -> dict | None:
    """Coordinates rounded, with points that rounding made identical dropped from rings."""
    if not geometry:
        return geometry
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        coords = [_round_ring(ring, decimals) for ring in coords]
    elif kind == "MultiPolygon":
        coords = [[_round_ring(ring, decimals) for ring in poly] for poly in coords]
    elif kind == "GeometryCollection":
        return {
            "type": kind,
            "geometries": [round_geometry(g, decimals) for g in geometry.get("geometries", [])],
        }
    else:
        coords = _round_nested(coords, decimals)
    return {"type": kind, "coordinates": coords}


def _round_nested(coords: Any, decimals: int) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(c), decimals) for c in coords[:2]]
    return [_round_nested(c, decimals) for c in coords]


def _round_ring(ring: list, decimals: int) -> list:
    rounded = [[round(float(x), decimals), round(float(y), decimals)] for x, y, *_ in ring]
    kept = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    return kept if len(kept) >= 4 else rounded


def bounds(features: list[dict]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of all coordinates, for Leaflet's fitBounds."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords or []:
                walk(c)

    for feature in features:
        geometry = feature.get("geometry") or {}
        walk(geometry.get("coordinates"))
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def d3_winding(geometry: dict | None) -> dict | None:
    """Rings wound the way d3-geo expects (outer clockwise, holes anticlockwise).

    Vega draws spherical polygons; an outer ring wound the GeoJSON-RFC way would be read
    as "the whole globe except this area" and flood the image.
    """
    if not geometry:
        return geometry
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _wind_polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [_wind_polygon(p) for p in geometry["coordinates"]]}
    return geometry


def _wind_polygon(rings: list) -> list:
    out = []
    for i, ring in enumerate(rings):
        area = sum(
            x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False)
        )
        clockwise = area < 0
        want_clockwise = i == 0
        out.append(ring if clockwise == want_clockwise else ring[::-1])
    return out


def practices_within(area: Any, practices: pd.DataFrame) -> pd.DataFrame:
    """Practices whose location falls inside ``area`` (for areas the atlas does not link).

    The atlas links practices to sub-ICBs, ICBs and regions but not to local authorities;
    a point-in-polygon test fills that gap for drill-downs.
    """
    features = features_of(as_geojson(area))
    geoms = [shapely.make_valid(shape(f["geometry"])) for f in features if f.get("geometry")]
    if not geoms or practices is None or practices.empty:
        return practices.iloc[0:0] if practices is not None else pd.DataFrame()
    outline = shapely.union_all(geoms)
    lat, lon = (
        pd.to_numeric(practices[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for column in ("latitude", "longitude")
    )
    inside = shapely.contains_xy(outline, lon, lat)
    return practices.loc[inside].reset_index(drop=True)
