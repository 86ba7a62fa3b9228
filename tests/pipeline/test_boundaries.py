"""Boundary files: English areas only, valid polygons, every feature accounted for."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import boundaries
from data_pipeline.sources.boundaries import NO_CODE, NO_GEOMETRY, NOT_POLYGONAL, OUTSIDE_ENGLAND

#: English areas per table (MANIFEST.md; UTLA = 63 E06 + 36 E08 + 33 E09 + 21 E10).
EXPECTED = {
    "boundary_region": 7,
    "boundary_icb": 42,
    "boundary_sub_icb": 106,
    "boundary_ccg_2021": 106,
    "boundary_ccg_2020": 135,
    "boundary_ccg_2019": 191,
    "boundary_ltla_2024": 296,
    "boundary_utla_2023": 153,
    "boundary_ltla_2019": 317,
    "boundary_lsoa21": 33_755,
}
REGION = boundaries.TABLES["boundary_region"]
SUB_ICB = boundaries.TABLES["boundary_sub_icb"]


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return boundaries.read(RawDir(raw_dir))


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
@pytest.mark.parametrize("table", EXPECTED)
def test_one_valid_english_area_per_row(result, table):
    frame = result.tables[table]
    columns = ["area_code", "area_name", "ods_code", "geometry"]
    if table != "boundary_sub_icb":
        columns.remove("ods_code")
    assert list(frame.columns) == columns
    assert len(frame) == EXPECTED[table]
    assert frame.crs.to_epsg() == 4326
    assert frame["area_code"].is_unique and frame["area_code"].is_monotonic_increasing
    assert frame["area_code"].notna().all() and frame["area_name"].notna().all()
    assert frame.is_valid.all() and not frame.is_empty.any()
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    if table != "boundary_ccg_2019":
        assert frame["area_code"].str.startswith("E").all()


@pytest.mark.raw
def test_every_feature_is_accounted_for(result, raw_dir):
    by_file = {r.file: r for r in result.reconciliations}
    assert set(by_file) == {spec.file for spec in boundaries.BOUNDARY_FILES}
    for spec in boundaries.BOUNDARY_FILES:
        recon = by_file[spec.file]
        recon.check()
        codes = pyogrio.read_dataframe(
            raw_dir / spec.file, columns=[spec.code], read_geometry=False
        )[spec.code]
        assert recon.rows_in == len(codes)
        outside = 0 if not spec.english_codes else int((~codes.str.startswith("E")).sum())
        assert recon.rejected.get(OUTSIDE_ENGLAND, 0) == outside
        assert recon.rows_used == EXPECTED[spec.table]


@pytest.mark.raw
def test_uk_files_reject_scotland_wales_ni(result):
    by_file = {r.file: r for r in result.reconciliations}
    assert by_file[boundaries.TABLES["boundary_ltla_2024"].file].rejected == {OUTSIDE_ENGLAND: 65}
    assert by_file[boundaries.TABLES["boundary_lsoa21"].file].rejected == {OUTSIDE_ENGLAND: 1917}


@pytest.mark.raw
def test_sub_icb_ods_code_from_name(result):
    sub_icb = result.tables["boundary_sub_icb"].set_index("area_code")
    assert sub_icb.loc["E38000006", "area_name"] == "NHS South Yorkshire ICB - 02P"
    assert sub_icb.loc["E38000006", "ods_code"] == "02P"
    assert sub_icb.loc["E38000259", "ods_code"] == "D2P2L"  # Black Country, incl. Sandwell
    assert sub_icb.loc["E38000258", "ods_code"] == "15E"  # Birmingham and Solihull
    assert sub_icb["ods_code"].notna().all() and sub_icb["ods_code"].is_unique
    expected = sub_icb["area_name"].str.rsplit(" - ", n=1).str[1]
    assert (sub_icb["ods_code"] == expected).all()


@pytest.mark.raw
def test_known_areas(result):
    ltla = result.tables["boundary_ltla_2024"].set_index("area_code")
    assert ltla.loc["E08000028", "area_name"] == "Sandwell"
    lsoa = result.tables["boundary_lsoa21"]
    assert lsoa["area_name"].str.startswith("Sandwell ").sum() == 190  # MANIFEST
    ccg19 = result.tables["boundary_ccg_2019"].set_index("area_code")
    assert ccg19.loc["05L", "area_name"] == "NHS SANDWELL AND WEST BIRMINGHAM CCG"
    ccg20 = result.tables["boundary_ccg_2020"].set_index("area_code")
    assert ccg20.loc["E38000144", "area_name"] == "NHS Sandwell and West Birmingham CCG"
    region = result.tables["boundary_region"]
    assert set(region["area_code"].str[:3]) == {"E40"}


@pytest.mark.raw
def test_invalid_published_geometries_are_repaired(result):
    by_file = {r.file: r for r in result.reconciliations}
    notes = by_file[boundaries.TABLES["boundary_ccg_2019"].file].notes
    assert "1 invalid geometries repaired with make_valid" in notes
    assert any("ODS code" in note for note in notes)


@pytest.mark.raw
def test_sandwell_lies_inside_its_sub_icb(result):
    sandwell = result.tables["boundary_ltla_2024"].set_index("area_code").geometry["E08000028"]
    sub_icb = result.tables["boundary_sub_icb"].set_index("area_code").geometry["E38000259"]
    inside = shapely.area(shapely.intersection(sandwell, sub_icb)) / sandwell.area
    assert inside > 0.99


# --- bad input ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def region_json(raw_dir: Path) -> dict:
    return json.loads((raw_dir / REGION.file).read_text())


def write_variant(root: Path, spec: boundaries.BoundaryFile, data: dict | str) -> RawDir:
    path = root / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return RawDir(root)


def test_missing_property_names_file_and_column(tmp_path, region_json):
    data = copy.deepcopy(region_json)
    for feature in data["features"]:
        del feature["properties"]["NHSER24NM"]
    with pytest.raises(SourceError) as err:
        boundaries.read_boundary(write_variant(tmp_path, REGION, data), "boundary_region")
    assert err.value.file == REGION.file and err.value.column == "NHSER24NM"
    assert REGION.file in str(err.value) and "NHSER24NM" in str(err.value)


def test_renamed_property_names_file_and_column(tmp_path, region_json):
    data = copy.deepcopy(region_json)
    for feature in data["features"]:
        feature["properties"]["NHSER24CODE"] = feature["properties"].pop("NHSER24CD")
    with pytest.raises(SourceError) as err:
        boundaries.read_boundary(write_variant(tmp_path, REGION, data), "boundary_region")
    assert err.value.column == "NHSER24CD"
    assert str(tmp_path) not in str(err.value)


@pytest.mark.parametrize("text", ['{"type": "FeatureCollection", "features": [', "not json"])
def test_unreadable_file(tmp_path, text):
    with pytest.raises(SourceError) as err:
        boundaries.read_boundary(write_variant(tmp_path, REGION, text), "boundary_region")
    assert err.value.file == REGION.file
    assert str(tmp_path) not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(SourceError) as err:
        boundaries.read_boundary(RawDir(tmp_path), "boundary_region")
    assert err.value.file == REGION.file


def test_bad_features_are_counted_never_dropped_silently(tmp_path, region_json):
    data = copy.deepcopy(region_json)
    features = data["features"]
    features[0]["properties"]["NHSER24CD"] = "W40000001"
    features[1]["properties"]["NHSER24CD"] = " "
    features[2]["geometry"] = None
    features[3]["geometry"] = {"type": "Point", "coordinates": [-1.5, 52.5]}
    # a self-crossing "bow tie": invalid, repaired into two triangles
    features[4]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[-2, 52], [-1, 53], [-1, 52], [-2, 53], [-2, 52]]],
    }
    result = boundaries.read_boundary(write_variant(tmp_path, REGION, data), "boundary_region")
    frame = result.tables["boundary_region"]
    recon = result.reconciliations[0]
    recon.check()
    assert recon.rows_in == 7 and recon.rows_used == 3
    assert recon.rejected == {OUTSIDE_ENGLAND: 1, NO_CODE: 1, NO_GEOMETRY: 1, NOT_POLYGONAL: 1}
    assert len(frame) == 3 and frame.is_valid.all()
    bow_tie = frame.set_index("area_code").geometry[features[4]["properties"]["NHSER24CD"]]
    assert bow_tie.geom_type == "MultiPolygon" and bow_tie.area == pytest.approx(0.5)
    assert any("repaired" in note for note in recon.notes)


def test_repeated_code_becomes_one_area(tmp_path, region_json):
    data = copy.deepcopy(region_json)
    data["features"][1]["properties"]["NHSER24CD"] = data["features"][0]["properties"]["NHSER24CD"]
    result = boundaries.read_boundary(write_variant(tmp_path, REGION, data), "boundary_region")
    frame = result.tables["boundary_region"]
    assert len(frame) == 6 and frame["area_code"].is_unique
    assert result.reconciliations[0].rows_used == 7
    assert any("united" in note for note in result.reconciliations[0].notes)


def test_sub_icb_name_without_ods_suffix(tmp_path, raw_dir):
    data = json.loads((raw_dir / SUB_ICB.file).read_text())
    data["features"] = data["features"][:3]
    data["features"][0]["properties"]["SICBL23NM"] = "NHS Somewhere ICB"
    result = boundaries.read_boundary(write_variant(tmp_path, SUB_ICB, data), "boundary_sub_icb")
    frame = result.tables["boundary_sub_icb"]
    assert len(frame) == 3 and int(frame["ods_code"].isna().sum()) == 1
    assert any("without an ODS code" in note for note in result.reconciliations[0].notes)


def test_other_crs_is_reprojected(tmp_path, region_json):
    frame = pyogrio.read_dataframe(json.dumps(region_json)).to_crs(27700)
    path = tmp_path / REGION.file
    path.parent.mkdir(parents=True)
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")
    result = boundaries.read_boundary(RawDir(tmp_path), "boundary_region")
    out = result.tables["boundary_region"]
    assert out.crs.to_epsg() == 4326
    bounds = out.total_bounds
    assert -7 < bounds[0] < bounds[2] < 2 and 49 < bounds[1] < bounds[3] < 56
    assert pd.Series(out["area_code"]).str.startswith("E40").all()
