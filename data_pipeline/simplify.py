"""Make national boundary layers small enough to ship, without opening gaps between areas.

Neighbouring areas share their edges. Simplifying each polygon on its own would move a
shared edge differently on either side and leave slivers of gap and overlap on the map,
so the whole layer is simplified as one *coverage* (``shapely.coverage_simplify``), in
metres (British National Grid), and then rounded. Every function here is pure apart from
the two explicit writers at the end; none ever drops an area.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

#: Metric CRS for simplification: tolerances are in metres on the British National Grid.
METRIC_CRS = "EPSG:27700"
#: CRS of every layer the atlas stores (GeoJSON's own).
OUTPUT_CRS = "EPSG:4326"
#: Tolerances tried by :func:`fit_to_budget`, smallest (most faithful) first.
TOLERANCE_LADDER_M: tuple[float, ...] = (25, 50, 100, 200, 400, 800, 1600)
#: Default size budget of one national GeoJSON layer in the atlas.
MAX_GEOJSON_BYTES = 600_000
#: A simplified area that keeps less than this share of its area counts as collapsed.
MIN_AREA_SHARE = 0.5

_POLYGONAL = ("Polygon", "MultiPolygon")


def _flat_parts(geometry: shapely.Geometry) -> list[shapely.Geometry]:
    """The single-part geometries inside ``geometry``, however deeply nested."""
    parts = shapely.get_parts(geometry)
    if len(parts) == 1 and parts[0].geom_type not in ("GeometryCollection", "MultiPolygon"):
        return list(parts)
    return [leaf for part in parts for leaf in _flat_parts(part)]


def polygonal(geometry: shapely.Geometry | None) -> Polygon | MultiPolygon:
    """The polygonal part of ``geometry`` (an empty polygon if it has none).

    ``make_valid`` can turn a self-touching polygon into a collection with stray lines or
    points; only the polygons describe an area, so only they are kept.
    """
    if geometry is None or geometry.is_empty:
        return Polygon()
    if geometry.geom_type in _POLYGONAL:
        return geometry
    polygons = [
        part for part in _flat_parts(geometry) if part.geom_type == "Polygon" and not part.is_empty
    ]
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def make_polygonal(geometries: Sequence | np.ndarray) -> np.ndarray:
    """Valid, polygonal versions of ``geometries``; missing ones become empty polygons.

    Only invalid geometries go through ``make_valid`` (the ``structure`` method, which keeps
    polygons polygonal), so valid input comes back unchanged.
    """
    geoms = np.asarray(geometries, dtype=object).copy()
    missing = shapely.is_missing(geoms)
    geoms[missing] = Polygon()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(
            geoms[invalid], method="structure", keep_collapsed=False
        )
    return np.array([polygonal(g) for g in geoms], dtype=object)


def _ordered(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows sorted by area code, so every result is independent of input order."""
    return gdf.sort_values("area_code", kind="stable").reset_index(drop=True)


def _with_geometry(gdf: gpd.GeoDataFrame, geometry: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """``gdf`` with its geometry replaced by ``geometry`` (and its CRS), columns in place."""
    name = gdf.geometry.name
    frame = pd.DataFrame(gdf.drop(columns=name))
    frame[name] = geometry.values
    return gpd.GeoDataFrame(frame[list(gdf.columns)], geometry=name, crs=geometry.crs)


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify a layer of adjoining areas as one coverage, ``tolerance_m`` metres.

    The layer is projected to British National Grid so the tolerance means the same
    everywhere, simplified with the Visvalingam-Whyatt coverage simplifier (a shared edge
    is simplified once, for both neighbours, so no gap or overlap appears), made valid and
    projected back to EPSG:4326. An area that would vanish or keep less than half its area
    keeps its original geometry: the map must never lose an area.

    Parameters
    ----------
    gdf
        Areas with ``area_code`` and a polygonal geometry; any CRS.
    tolerance_m
        Roughly the square root of the area, in m², of the triangles removed.

    Returns
    -------
    GeoDataFrame
        Same rows and columns, sorted by ``area_code``, in EPSG:4326.
    """
    ordered = _ordered(gdf)
    original = np.asarray(ordered.geometry.to_crs(METRIC_CRS).values, dtype=object)
    simplified = make_polygonal(shapely.coverage_simplify(original, float(tolerance_m)))
    collapsed = shapely.is_empty(simplified) | (
        shapely.area(simplified) < MIN_AREA_SHARE * shapely.area(original)
    )
    simplified[collapsed] = original[collapsed]
    geometry = gpd.GeoSeries(simplified, index=ordered.index, crs=METRIC_CRS).to_crs(OUTPUT_CRS)
    return _with_geometry(ordered, geometry)


def round_coordinates(gdf: gpd.GeoDataFrame, decimals: int) -> gpd.GeoDataFrame:
    """Round every coordinate to ``decimals`` places, keeping geometries valid.

    Rounding is done vertex by vertex, so a vertex shared by two neighbours lands on the
    same rounded point on both sides and shared edges stay shared. The rare ring that
    rounding makes self-touching or collapses is repaired first; repeated points are then
    removed (they only cost bytes). An area that rounding would erase keeps its unrounded
    geometry.
    """
    original = np.asarray(gdf.geometry.values, dtype=object)
    rounded = shapely.transform(original, lambda coords: np.round(coords, decimals))
    rounded = shapely.remove_repeated_points(make_polygonal(rounded))
    lost = shapely.is_empty(rounded)
    rounded[lost] = original[lost]
    return _with_geometry(gdf, gpd.GeoSeries(rounded, index=gdf.index, crs=gdf.crs))


def _text(value: object) -> str | None:
    """A property value as text, or null when missing."""
    return None if pd.isna(value) else str(value)


def geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """Compact, deterministic GeoJSON of ``gdf``: same frame, same bytes.

    Features are sorted by ``area_code``; the only properties are ``area_code`` and
    ``area_name``; there is no whitespace. Coordinates are written as they are, so round
    them first (:func:`round_coordinates`) to keep the file small.
    """
    ordered = _ordered(gdf)
    features = [
        {
            "type": "Feature",
            "properties": {"area_code": _text(code), "area_name": _text(name)},
            "geometry": shapely.geometry.mapping(geom),
        }
        for code, name, geom in zip(
            ordered["area_code"], ordered["area_name"], ordered.geometry.values, strict=True
        )
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fit_to_budget(
    gdf: gpd.GeoDataFrame,
    max_bytes: int = MAX_GEOJSON_BYTES,
    decimals: int = 4,
    ladder: Sequence[float] = TOLERANCE_LADDER_M,
) -> tuple[gpd.GeoDataFrame, float]:
    """The least-simplified version of ``gdf`` whose GeoJSON fits in ``max_bytes``.

    Tolerances are tried from smallest to largest, so the first that fits is the most
    faithful one; the same input always gives the same choice.

    Returns
    -------
    (GeoDataFrame, float)
        The simplified, rounded layer (EPSG:4326, sorted by ``area_code``) and the
        tolerance in metres that was used.

    Raises
    ------
    ValueError
        If even the largest tolerance gives a file over budget.
    """
    sizes: list[str] = []
    for tolerance in sorted(ladder):
        candidate = round_coordinates(simplify_coverage(gdf, tolerance), decimals)
        size = len(geojson_bytes(candidate))
        if size <= max_bytes:
            return candidate, float(tolerance)
        sizes.append(f"{tolerance:g} m: {size:,} bytes")
    raise ValueError(
        f"no tolerance brings the layer under {max_bytes:,} bytes ({'; '.join(sizes)}); "
        "raise the budget, extend the ladder or round to fewer decimals"
    )


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> int:
    """Write :func:`geojson_bytes` of ``gdf`` to ``path``; return the size in bytes."""
    data = geojson_bytes(gdf)
    Path(path).write_bytes(data)
    return len(data)


def write_geoparquet(gdf: gpd.GeoDataFrame, path: Path) -> int:
    """Write ``gdf`` as GeoParquet (WKB, zstd), sorted by ``area_code``; return the size.

    GeoParquet keeps small-area layers (LSOAs) compact and lets the app read only the rows
    of the area being drilled into.
    """
    _ordered(gdf).to_parquet(path, compression="zstd", index=False, geometry_encoding="WKB")
    return Path(path).stat().st_size
