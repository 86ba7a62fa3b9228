"""Readers of the CCG geography's own files on a few rows in each publisher's layout."""

from __future__ import annotations

import json

import pyarrow as pa

from data_pipeline.raw import RawDir
from data_pipeline.sources import ccg_geography as cg
from tests.pipeline.small.rawkit import rejected, write_parquet, write_records

QOF_MAPPING = [
    (name, pa.string())
    for name in [
        "NAT_ONS_CODE",
        "NAT_CODE",
        "COUNTRY",
        "REGION_ODS_CODE",
        "REGION_ONS_CODE",
        "REGION_NAME",
        "STP_ODS_CODE",
        "STP_ONS_CODE",
        "STP_NAME",
        "CCG_ODS_CODE",
        "CCG_ONS_CODE",
        "CCG_NAME",
        "PCN_ODS_CODE",
        "PCN_NAME",
        "PRACTICE_CODE",
        "PRACTICE_NAME",
    ]
]
LSOA11_CCG21 = "FID,LSOA11CD,LSOA11NM,CCG21CD,CCG21CDH,CCG21NM,LAD21CD,LAD21NM"


def test_ccg_names_of_2020_and_2021(tmp_path):
    write_records(
        tmp_path,
        cg.CCG20_NAMES,
        "CCG20CD,CCG20CDH,CCG20NM",
        [{"CCG20CD": "E38000150", "CCG20CDH": "11X", "CCG20NM": "NHS Somerset CCG"}],
    )
    write_records(
        tmp_path,
        cg.CCG21_NAMES,
        "CCG21CD,CCG21CDH,CCG21NM",
        [{"CCG21CD": "E38000006", "CCG21CDH": "02P", "CCG21NM": "NHS Barnsley CCG"}],
    )
    result = cg.read_ccg_names(RawDir(tmp_path))
    assert result.tables["ccg20_names"].values.tolist() == [
        ["E38000150", "11X", "NHS Somerset CCG"]
    ]
    assert result.tables["ccg21_names"]["ods_code"].tolist() == ["02P"]
    assert rejected(result) == {}


def test_qof_practice_ccgs_leave_out_practices_without_a_ccg(tmp_path):
    for relative in cg.QOF_MAPPINGS.values():
        write_parquet(
            tmp_path,
            relative,
            QOF_MAPPING,
            [
                {"PRACTICE_CODE": "A81001 ", "CCG_ODS_CODE": "00K", "NAT_CODE": "ENG"},
                {"PRACTICE_CODE": "Y01254", "CCG_ODS_CODE": "", "NAT_CODE": "ENG"},
                {"PRACTICE_CODE": "Y01255", "CCG_ODS_CODE": None, "NAT_CODE": "ENG"},
            ],
        )
    result = cg.read_qof_practice_ccgs(RawDir(tmp_path))
    for table in cg.QOF_MAPPINGS:
        assert result.tables[table].values.tolist() == [["A81001", "00K"]]
    assert [r.rows_in for r in result.reconciliations] == [3, 3]
    assert rejected(result) == {}


def test_lsoa11_ccg21(tmp_path):
    write_records(
        tmp_path,
        cg.LSOA11_CCG21,
        LSOA11_CCG21,
        [{"FID": 1, "LSOA11CD": "E01007420", "CCG21CD": "E38000006", "CCG21CDH": "02P"}],
        bom=True,
    )
    result = cg.read_lsoa11_ccg21(RawDir(tmp_path))
    assert result.tables["lsoa11_ccg21"].values.tolist() == [["E01007420", "E38000006"]]


def test_lsoa11_boundaries_count_welsh_lsoas_out(tmp_path):
    def feature(code: str, x: float) -> dict:
        ring = [[x, 51.5], [x + 0.01, 51.5], [x + 0.01, 51.51], [x, 51.5]]
        return {
            "type": "Feature",
            "properties": {"lsoa11_name": f"Area {code}", "lsoa11_code": code},
            "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
        }

    path = tmp_path / cg.LSOA11_BOUNDARIES
    path.parent.mkdir(parents=True)
    features = [feature("E01000001", -0.1), feature("W01000001", -3.2)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = cg.read_lsoa11_boundaries(RawDir(tmp_path))
    assert result.tables["lsoa11_boundaries"]["lsoa11_code"].tolist() == ["E01000001"]
    assert rejected(result) == {cg.WELSH: 1}
