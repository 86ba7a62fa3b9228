"""Coverage simplification: small national layers with neighbours still sharing edges."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from data_pipeline import simplify
from data_pipeline.raw import RawDir
from data_pipeline.sources import boundaries, lookups

NATIONAL = [
    "boundary_region",
    "boundary_icb",
    "boundary_sub_icb",
    "boundary_ccg_2019",
    "boundary_ccg_2020",
    "boundary_ccg_2021",
    "boundary_ltla_2024",
    "boundary_utla_2023",
    "boundary_ltla_2019",
]
WEST_MIDLANDS = "E12000005"
LSOA_BUDGET = 12_000_000


@pytest.fixture(scope="module")
def raw(raw_dir: Path) -> RawDir:
    return RawDir(raw_dir)


@pytest.fixture(scope="module")
def layers(raw) -> dict[str, gpd.GeoDataFrame]:
    return {t: boundaries.read_boundary(raw, t).tables[t] for t in NATIONAL}


@pytest.fixture(scope="module")
def west_midlands(raw, layers) -> dict[str, gpd.GeoDataFrame]:
    """West Midlands LTLAs (2024) and the sub-ICBs most of whose LSOAs are there."""
    geography = lookups.read_lsoa21_geography(raw).tables["lsoa21_geography"]
    in_region = geography[geography["region_code"] == WEST_MIDLANDS]
    share = in_region.groupby("sub_icb_code").size() / geography.groupby("sub_icb_code").size()
    sub_icbs = share[share > 0.5].index
    ltla = layers["boundary_ltla_2024"]
    sub_icb = layers["boundary_sub_icb"]
    return {
        "ltla": ltla[ltla["area_code"].isin(in_region["ltla24_code"])],
        "sub_icb": sub_icb[sub_icb["area_code"].isin(sub_icbs)],
    }


def metric(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(gdf.to_crs(simplify.METRIC_CRS).geometry.values, dtype=object)


def shared_lengths(geoms: np.ndarray) -> dict[tuple[int, int], float]:
    """Length (m) of boundary shared by each pair of neighbours."""
    lengths = {}
    for i, j in itertools.combinations(range(len(geoms)), 2):
        if shapely.intersects(geoms[i], geoms[j]):
            common = shapely.intersection(geoms[i].boundary, geoms[j].boundary)
            lengths[(i, j)] = shapely.length(common)
    return lengths


# --- national layers ----------------------------------------------------------------------


@pytest.mark.raw
@pytest.mark.parametrize("table", NATIONAL)
def test_every_national_layer_fits_the_budget(layers, table):
    original = layers[table]
    fitted, tolerance = simplify.fit_to_budget(original)
    data = simplify.geojson_bytes(fitted)
    assert len(data) <= simplify.MAX_GEOJSON_BYTES
    assert tolerance in simplify.TOLERANCE_LADDER_M
    smaller = [t for t in simplify.TOLERANCE_LADDER_M if t < tolerance]
    if smaller:  # the chosen tolerance is the smallest that fits
        previous = simplify.round_coordinates(simplify.simplify_coverage(original, smaller[-1]), 4)
        assert len(simplify.geojson_bytes(previous)) > simplify.MAX_GEOJSON_BYTES
    assert len(fitted) == len(original)
    assert list(fitted["area_code"]) == sorted(original["area_code"])
    assert fitted.crs.to_epsg() == 4326
    assert fitted.is_valid.all() and not fitted.is_empty.any()
    assert set(fitted.geom_type) <= {"Polygon", "MultiPolygon"}
    # simplification moves boundaries a little, never an area's size by much
    before = shapely.area(metric(original.sort_values("area_code")))
    after = shapely.area(metric(fitted))
    assert np.allclose(after, before, rtol=0.1)


@pytest.mark.raw
def test_geojson_is_compact_and_deterministic(layers):
    region = layers["boundary_region"]
    first, _ = simplify.fit_to_budget(region)
    shuffled, _ = simplify.fit_to_budget(region.iloc[::-1])
    data = simplify.geojson_bytes(first)
    assert data == simplify.geojson_bytes(first) == simplify.geojson_bytes(shuffled)
    assert b'": ' not in data and b", " not in data and b"\n" not in data
    parsed = json.loads(data)
    codes = [f["properties"]["area_code"] for f in parsed["features"]]
    assert codes == sorted(codes) and len(codes) == 7
    assert all(set(f["properties"]) == {"area_code", "area_name"} for f in parsed["features"])


# --- neighbours still share their edges ---------------------------------------------------


@pytest.mark.raw
@pytest.mark.parametrize("level", ["ltla", "sub_icb"])
def test_neighbours_share_edges_after_simplification(west_midlands, level):
    original = west_midlands[level].sort_values("area_code")
    assert len(original) >= 5
    simplified = simplify.round_coordinates(simplify.simplify_coverage(original, 400), 4)
    before, after = metric(original), metric(simplified)
    assert shapely.get_num_coordinates(after).sum() < shapely.get_num_coordinates(before).sum()
    # no overlaps: the union's area is the sum of the areas (to 1 part in 10,000)
    total = shapely.area(after).sum()
    union = shapely.union_all(after)
    assert union.area == pytest.approx(total, rel=1e-4)
    for i, j in itertools.combinations(range(len(after)), 2):
        assert shapely.area(shapely.intersection(after[i], after[j])) < 2_000  # m², rounding

    # no gaps: the union has no holes the original union did not have
    def holes(geometry):
        polygons = shapely.get_parts(geometry)
        return sum(1 for p in polygons for ring in p.interiors if Polygon(ring).area > 2_000)

    assert holes(union) == holes(shapely.union_all(before))
    # shared edges stay shared: every border of 1 km or more is still there
    old, new = shared_lengths(before), shared_lengths(after)
    for pair, length in old.items():
        if length > 1_000:
            assert new.get(pair, 0) > 0.5 * length, pair


# --- the functions on their own -----------------------------------------------------------


def grid_coverage() -> gpd.GeoDataFrame:
    """Four 1 km squares (a coverage) in metres, one with a 5 m notch, in EPSG:4326."""
    squares = [
        box(x, y, x + 1_000, y + 1_000) for x in (400_000, 401_000) for y in (300_000, 301_000)
    ]
    squares[0] = Polygon([(400_000, 300_000), (401_000, 300_000), (401_000, 301_000),
                          (400_000, 301_000), (400_000, 300_504), (400_005, 300_502),
                          (400_000, 300_500)])  # fmt: skip
    frame = gpd.GeoDataFrame(
        {"area_code": ["E4", "E3", "E2", "E1"], "area_name": ["d", "c", "b", None]},
        geometry=squares,
        crs=simplify.METRIC_CRS,
    )
    return frame.to_crs(simplify.OUTPUT_CRS)


def test_simplify_never_drops_an_area():
    coverage = grid_coverage()
    tiny = gpd.GeoDataFrame(
        {"area_code": ["E0"], "area_name": ["tiny"]},
        geometry=[box(400_000, 299_990, 400_010, 300_000)],
        crs=simplify.METRIC_CRS,
    ).to_crs(simplify.OUTPUT_CRS)
    frame = pd.concat([coverage, tiny], ignore_index=True)
    out = simplify.simplify_coverage(frame, 5_000)
    assert list(out["area_code"]) == ["E0", "E1", "E2", "E3", "E4"]
    assert out.is_valid.all() and not out.is_empty.any()
    assert (shapely.area(metric(out)) > 0).all()


def test_simplify_removes_small_wiggles_only():
    coverage = grid_coverage()
    out = simplify.simplify_coverage(coverage, 25)
    counts = shapely.get_num_coordinates(out.geometry.values)
    assert counts.sum() < shapely.get_num_coordinates(coverage.geometry.values).sum()
    assert np.allclose(shapely.area(metric(out)), 1e6, rtol=1e-3)


def test_round_coordinates_keeps_validity_and_rounds():
    coverage = simplify.simplify_coverage(grid_coverage(), 25)
    rounded = simplify.round_coordinates(coverage, 4)
    coords = shapely.get_coordinates(rounded.geometry.values)
    assert np.array_equal(coords, np.round(coords, 4))
    assert rounded.is_valid.all() and len(rounded) == 4
    assert list(rounded.columns) == list(coverage.columns)


def test_round_coordinates_repairs_what_rounding_breaks():
    # a thin spike that rounding folds onto itself
    spike = Polygon([(0, 0), (1, 0), (1, 1), (0.50004, 1), (0.5, 2.00001), (0.49996, 1), (0, 1)])
    frame = gpd.GeoDataFrame({"area_code": ["E1"], "area_name": ["x"]}, geometry=[spike], crs=4326)
    rounded = simplify.round_coordinates(frame, 4)
    assert rounded.is_valid.all() and rounded.geometry.iloc[0].area == pytest.approx(1, abs=1e-3)


def test_geojson_properties_and_nulls():
    data = json.loads(simplify.geojson_bytes(grid_coverage()))
    assert [f["properties"] for f in data["features"]] == [
        {"area_code": "E1", "area_name": None},
        {"area_code": "E2", "area_name": "b"},
        {"area_code": "E3", "area_name": "c"},
        {"area_code": "E4", "area_name": "d"},
    ]


def test_budget_that_cannot_be_met_is_an_error():
    with pytest.raises(ValueError, match="no tolerance"):
        simplify.fit_to_budget(grid_coverage(), max_bytes=100)


def test_writers(tmp_path):
    coverage = simplify.round_coordinates(grid_coverage(), 5)
    size = simplify.write_geojson(coverage, tmp_path / "a.geojson")
    assert (tmp_path / "a.geojson").read_bytes() == simplify.geojson_bytes(coverage)
    assert size == (tmp_path / "a.geojson").stat().st_size
    simplify.write_geoparquet(coverage, tmp_path / "a.parquet")
    back = gpd.read_parquet(tmp_path / "a.parquet")
    assert list(back["area_code"]) == ["E1", "E2", "E3", "E4"]
    assert back.crs.to_epsg() == 4326


# --- LSOAs for drill-down -----------------------------------------------------------------


@pytest.mark.raw
def test_england_lsoa21_as_geoparquet_fits_its_budget(raw, tmp_path):
    lsoa = boundaries.read_boundary(raw, "boundary_lsoa21").tables["boundary_lsoa21"]
    simplified = simplify.round_coordinates(simplify.simplify_coverage(lsoa, 25), 5)
    size = simplify.write_geoparquet(simplified, tmp_path / "lsoa21.parquet")
    assert size <= LSOA_BUDGET
    back = gpd.read_parquet(tmp_path / "lsoa21.parquet")
    assert len(back) == 33_755 and back["area_code"].is_unique
    assert back.is_valid.all() and not back.is_empty.any()


def test_collapsed_area_keeps_its_original_geometry(monkeypatch):
    coverage = grid_coverage()
    real = shapely.coverage_simplify

    def collapse_last(geoms, tolerance):
        out = real(geoms, tolerance)
        out[-1] = Polygon()  # E4, the notched square, after sorting by code
        return out

    monkeypatch.setattr(simplify.shapely, "coverage_simplify", collapse_last)
    out = simplify.simplify_coverage(coverage, 25).set_index("area_code")
    notched = coverage.set_index("area_code").geometry["E4"]
    assert len(out) == 4 and not out.is_empty.any()
    assert out.geometry["E4"].equals_exact(notched, 1e-7)  # the notch is still there
    assert shapely.get_num_coordinates(out.geometry["E4"]) == 8
