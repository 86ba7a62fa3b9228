"""Boundary geometry: rounding, the rounding cache, bounds, d3 winding, points in areas."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from gapmap.maps import practices_within, round_geometry, rounded_once
from gapmap.maps.geometry import as_geojson, bounds, d3_winding, features_of
from tests.app.mapkit import sample_geojson, square


def test_rounding_drops_points_it_made_identical_but_keeps_rings_closed():
    ring = [[0.0, 0.0], [0.00001, 0.00001], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    rounded = round_geometry({"type": "Polygon", "coordinates": [ring]})
    assert rounded["coordinates"][0] == [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    tiny = [[0.0, 0.0], [0.00001, 0.0], [0.00001, 0.00001], [0.0, 0.0]]
    kept = round_geometry({"type": "Polygon", "coordinates": [tiny]})["coordinates"][0]
    assert len(kept) == 4  # a ring too small to survive rounding is kept whole, not broken


def test_rounding_handles_every_geometry_type():
    point = round_geometry({"type": "Point", "coordinates": [1.234567, 2.345678, 99.0]})
    assert point == {"type": "Point", "coordinates": [1.2346, 2.3457]}
    polygon = square("E1", "a", 0.123456, 0.0)["geometry"]["coordinates"]
    multi = round_geometry({"type": "MultiPolygon", "coordinates": [polygon]})
    assert multi["coordinates"][0][0][0] == [0.1235, 0.0]
    collection = round_geometry({"type": "GeometryCollection", "geometries": [point]})
    assert collection["geometries"] == [point]
    assert round_geometry(None) is None


def test_rounded_once_remembers_the_same_geometry_object():
    geometry = square("E1", "a", 0.123456, 0.0)["geometry"]
    first = rounded_once(geometry)
    assert rounded_once(geometry) is first
    assert rounded_once(dict(geometry)) is not first  # an equal copy is a different object
    assert rounded_once(None) is None


def test_bounds_are_south_west_then_north_east():
    assert bounds(sample_geojson()["features"]) == [[52.0, -2.0], [54.0, 1.0]]
    assert bounds([{"type": "Feature", "geometry": None}]) is None


def test_d3_winding_makes_outer_rings_clockwise_and_holes_anticlockwise():
    outer = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]  # anticlockwise
    hole = [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]  # clockwise
    wound = d3_winding({"type": "MultiPolygon", "coordinates": [[outer, hole]]})
    assert wound["coordinates"] == [[outer[::-1], hole[::-1]]]
    point = {"type": "Point", "coordinates": [0, 0]}
    assert d3_winding(point) is point


def test_features_from_collections_features_geometries_and_frames():
    collection = sample_geojson()
    assert features_of(collection) == collection["features"]
    assert features_of(collection["features"][0]) == [collection["features"][0]]
    geometry = collection["features"][0]["geometry"]
    assert features_of(geometry) == [{"type": "Feature", "properties": {}, "geometry": geometry}]
    frame = gpd.GeoDataFrame({"area_code": ["A"]}, geometry=[box(0, 0, 1, 1)], crs=27700)
    (feature,) = features_of(as_geojson(frame))
    assert feature["properties"] == {"area_code": "A"} and "id" not in feature


def test_practices_within_an_area_by_location():
    area = sample_geojson()["features"][0]  # lon -2..-1, lat 52..53
    practices = pd.DataFrame(
        {
            "area_code": ["IN", "OUT", "NOWHERE"],
            "latitude": [52.5, 52.5, None],
            "longitude": [-1.5, 0.5, -1.5],
        }
    )
    assert list(practices_within(area, practices)["area_code"]) == ["IN"]
    assert practices_within({"type": "FeatureCollection", "features": []}, practices).empty
    assert practices_within(area, None).empty
