"""Lookup readers on a few rows in each publisher's layout (headers as published)."""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline.raw import RawDir
from data_pipeline.sources import lookups as lk
from tests.pipeline.small.rawkit import rejected, write_records, write_xls

LSOA21_ICB24 = (
    "lsoa21_name,lsoa21_code,sicbl24_name,sicbl24_code,sicbl24_code_nhs,icb24_name,icb24_code,"
    "icb24_code_nhs"
)
LSOA21_LTLA24 = "lsoa21_name,lsoa21_code,ward24_name,ward24_code,ltla24_name,ltla24_code"
LTLA24_REGION = "ltla24_name,ltla24_code,region24_name,region24_code"
LTLA23_UTLA23 = "ltla23_code,ltla23_name,utla23_code,utla23_name"
LTLA22_LTLA23 = "ltla22_code,ltla22_name,ltla23_code,ltla23_name"
LSOA11_LSOA21 = (
    "lsoa11_name,lsoa11_code,change_code,lsoa21_name,lsoa21_code,ltla22_name,ltla22_code"
)
LSOA11_CCG21 = "FID,LSOA11CD,LSOA11NM,CCG21CD,CCG21CDH,CCG21NM,LAD21CD,LAD21NM"
LSOA11_SICBL22 = (
    "lsoa11_name,lsoa11_code,sicbl22_name,sicbl22_code,sicbl22_code_h,icb22_name,icb22_code,"
    "icb22_code_h,ltla22_name,ltla22_code"
)
GP_PRACTICES = (
    ",PRAC_CODE,PRAC_NAME,PRAC_POSTCODE,PRAC_LAT,PRAC_LNG,PRAC_OA11,PRAC_LSOA11,PRAC_OA21,"
    "PRAC_LSOA21,PCN_CODE,PCN_NAME,PCN_POSTCODE,PCN_LAT,PCN_LNG,PCN_OA11,PCN_LSOA11,PCN_OA21,"
    "PCN_LSOA21,ONS_LOC_CODE,LOC_CODE,LOC_NAME,ONS_ICB_CODE,ICB_CODE,ICB_NAME,ONS_NHSER_CODE,"
    "NHSER_CODE,NHSER_NAME,SUPPLIER_NAME"
)


def test_lsoa21_geography_joins_nhs_la_and_region(tmp_path):
    icb = {"sicbl24_code": "E38000068", "sicbl24_code_nhs": "01F", "icb24_code": "E54000008",
           "icb24_code_nhs": "QYG"}  # fmt: skip
    write_records(
        tmp_path,
        lk.LSOA21_ICB24,
        LSOA21_ICB24,
        [
            {"lsoa21_name": "Halton 001A", "lsoa21_code": "E01012392", **icb},
            {"lsoa21_name": "Halton 001A", "lsoa21_code": "E01012392", **icb},
            {"lsoa21_name": "Cardiff 001A", "lsoa21_code": "W01001000", **icb},
            {"lsoa21_name": "Nowhere", "lsoa21_code": "", **icb},
        ],
    )
    write_records(
        tmp_path,
        lk.LSOA21_LTLA24,
        LSOA21_LTLA24,
        [
            {"lsoa21_name": "Halton 001A", "lsoa21_code": "E01012392", "ltla24_code": "E06000006"},
            {"lsoa21_name": "Hart 009A", "lsoa21_code": "E01011949", "ltla24_code": "E06000001"},
        ],
    )
    write_records(
        tmp_path,
        lk.LTLA24_REGION,
        LTLA24_REGION,
        [{"ltla24_name": "Halton", "ltla24_code": "E06000006", "region24_code": "E12000002"}],
    )
    result = lk.read_lsoa21_geography(RawDir(tmp_path))
    frame = result.tables["lsoa21_geography"].set_index("lsoa21_code")
    assert frame.loc["E01012392", ["sub_icb_ods", "ltla24_code", "region_code"]].tolist() == [
        "01F",
        "E06000006",
        "E12000002",
    ]
    assert pd.isna(frame.loc["E01011949", "sub_icb_code"])
    assert rejected(result) == {
        "duplicate lsoa21_code (first kept)": 1,
        "outside England (Welsh code)": 1,
        "blank code in column 'lsoa21_code'": 1,
    }
    assert any("not in this file" in note for note in result.reconciliations[0].notes)


@pytest.mark.parametrize(
    ("reader", "relative", "header", "table"),
    [
        (lk.read_ltla_utla_2023, lk.LTLA23_UTLA23, LTLA23_UTLA23, "ltla_utla_2023"),
        (lk.read_ltla22_ltla23, lk.LTLA22_LTLA23, LTLA22_LTLA23, "ltla22_ltla23"),
    ],
    ids=["ltla23_utla23", "ltla22_ltla23"],
)
def test_district_lookups(tmp_path, reader, relative, header, table):
    old, new = header.split(",")[0].split("_")[0], header.split(",")[2].split("_")[0]
    rows = [
        {f"{old}_code": "E06000001", f"{old}_name": "Hartlepool", f"{new}_code": "E06000001"},
        {f"{old}_code": "E07000026", f"{old}_name": "Allerdale", f"{new}_code": "E06000063"},
        {f"{old}_code": "S12000005", f"{old}_name": "Clackmannanshire", f"{new}_code": "S1"},
    ]
    write_records(tmp_path, relative, header, rows)
    result = reader(RawDir(tmp_path))
    assert result.tables[table][f"{old}_code"].tolist() == ["E06000001", "E07000026"]
    assert rejected(result) == {"outside England (Scottish code)": 1}


def test_lsoa11_lsoa21_rejects_unknown_change_codes(tmp_path):
    hart = {"lsoa11_name": "Hartlepool 009A", "ltla22_code": "E06000001"}
    write_records(
        tmp_path,
        lk.LSOA11_LSOA21,
        LSOA11_LSOA21,
        [
            {**hart, "lsoa11_code": "E01011949", "change_code": "U", "lsoa21_code": "E01011949"},
            {**hart, "lsoa11_code": "E01011950", "change_code": "S", "lsoa21_code": "E01035000"},
            {**hart, "lsoa11_code": "E01011950", "change_code": "S", "lsoa21_code": "E01035001"},
            {**hart, "lsoa11_code": "E01011951", "change_code": "Q", "lsoa21_code": "E01011951"},
        ],
    )
    result = lk.read_lsoa11_lsoa21(RawDir(tmp_path))
    assert len(result.tables["lsoa11_lsoa21"]) == 3
    assert rejected(result) == {"unknown change_code": 1}


def test_lsoa11_ccg21(tmp_path):
    ccg = {"CCG21CD": "E38000006", "CCG21CDH": "02P", "CCG21NM": "NHS Barnsley CCG",
           "LAD21CD": "E08000016", "LAD21NM": "Barnsley"}  # fmt: skip
    write_records(
        tmp_path,
        lk.LSOA11_CCG21,
        LSOA11_CCG21,
        [
            {"FID": 1, "LSOA11CD": "E01007420", "LSOA11NM": "Barnsley 016C", **ccg},
            {"FID": 2, "LSOA11CD": "E01007421", "LSOA11NM": "Barnsley 016D", **ccg, "CCG21CD": ""},
        ],  # fmt: skip
        bom=True,
    )
    result = lk.read_lsoa11_ccg21(RawDir(tmp_path))
    frame = result.tables["lsoa11_ccg21"]
    assert frame[["lsoa11_code", "ccg21_ods", "lad21_code"]].values.tolist() == [
        ["E01007420", "02P", "E08000016"]
    ]
    assert rejected(result) == {"blank code in column 'ccg21_code'": 1}


def test_lsoa11_sicbl22(tmp_path):
    nhs = {"sicbl22_code": "E38000068", "sicbl22_code_h": "01F", "icb22_code": "E54000008",
           "icb22_code_h": "QYG", "ltla22_code": "E06000006"}  # fmt: skip
    write_records(
        tmp_path,
        lk.LSOA11_SICBL22,
        LSOA11_SICBL22,
        [
            {"lsoa11_name": "Halton 007A", "lsoa11_code": "E01012367", **nhs},
            {"lsoa11_name": "Halton 007B", "lsoa11_code": "E01012368", **nhs, "icb22_code": "N1"},
        ],
    )
    result = lk.read_lsoa11_sicbl22(RawDir(tmp_path))
    assert result.tables["lsoa11_sicbl22"]["icb22_ods"].tolist() == ["QYG"]
    assert rejected(result) == {"outside England (Northern Irish code)": 1}


def test_gp_practices_keep_a_practice_without_coordinates(tmp_path):
    nhs = {"ONS_LOC_CODE": "E38000247", "LOC_CODE": "16C", "ONS_ICB_CODE": "E54000050",
           "ICB_CODE": "QHM", "ONS_NHSER_CODE": "E40000012", "NHSER_CODE": "Y63",
           "PCN_CODE": "U89141", "PRAC_LSOA21": "E01035199"}  # fmt: skip
    write_records(
        tmp_path,
        lk.GP_PRACTICES,
        GP_PRACTICES,
        [
            {
                "": 1,
                "PRAC_CODE": "A81001",
                "PRAC_NAME": "THE DENSHAM SURGERY",
                "PRAC_POSTCODE": "TS18 1HU",
                "PRAC_LAT": 54.561625,
                "PRAC_LNG": -1.318986,
                **nhs,
            },
            {"": 2, "PRAC_CODE": "A81002", "PRAC_LAT": 40.0, "PRAC_LNG": -1.3, **nhs},
            {"": 3, "PRAC_CODE": "A81003", "PRAC_LAT": "north", "PRAC_LNG": -1.3, **nhs},
            {"": 4, "PRAC_CODE": "A81001", "PRAC_LAT": 54.5, "PRAC_LNG": -1.3, **nhs},
            {"": 5, "PRAC_CODE": "W91001", **nhs, "ONS_LOC_CODE": "W11000001"},
        ],  # fmt: skip
    )
    result = lk.read_gp_practices(RawDir(tmp_path))
    frame = result.tables["gp_practices_2024"].set_index("practice_code")
    assert frame.loc["A81001", "latitude"] == 54.561625
    assert frame.loc["A81002", ["latitude", "longitude"]].isna().all()
    assert rejected(result) == {
        "text in numeric column 'PRAC_LAT'": 1,
        "duplicate practice_code (first kept)": 1,
        "outside England (Welsh code)": 1,
    }


def test_ccg_codes_for_both_vintages(tmp_path):
    write_records(
        tmp_path,
        "lookups/ccg20_names_codes.csv",
        "CCG20CD,CCG20CDH,CCG20NM",
        [{"CCG20CD": "E38000150", "CCG20CDH": "11X", "CCG20NM": "NHS Somerset CCG"}],
    )
    write_records(
        tmp_path,
        "lookups/ccg21_names_codes.csv",
        "CCG21CD,CCG21CDH,CCG21NM",
        [
            {"CCG21CD": "E38000006", "CCG21CDH": "02P", "CCG21NM": "NHS Barnsley CCG"},
            {"CCG21CD": "E38000006", "CCG21CDH": "02P", "CCG21NM": "NHS Barnsley CCG"},
        ],
    )
    result = lk.read_ccg_codes(RawDir(tmp_path))
    assert result.tables["ccg_codes"][["vintage", "ccg_ods"]].values.tolist() == [
        ["ccg-2020", "11X"],
        ["ccg-2021", "02P"],
    ]
    assert rejected(result) == {"duplicate ccg_code (first kept)": 1}


ODS_HEADER = [
    "Organization Code", "Org Name", "National Grouping", "High Level Health Geography",
    "Address Line 1", "Address Line 2", "Address Line 3", "Town", "County", "Postcode",
    "LegalStartDate", "LegalEndDate", "NULL", "RoleID (Organisation Sub-Type Code)",
    "", "", "", "", "", "", "", "Amended Record Indicator (Y)",
]  # fmt: skip


def _ods_row(code: str, name: str, start: object, end: object) -> list:
    address = ["Y63", "QHM", "C/O BILLINGHAM HEALTH CENTRE", "QUEENSWAY", "", "BILLINGHAM", ""]
    return [code, name, *address, "TS23 2LA", start, end, "", "", *[""] * 7, 1.0]


def test_ods_register_reads_dates_written_as_numbers(tmp_path):
    rows = [
        ODS_HEADER,
        _ods_row("00C", "NHS DARLINGTON CCG", 20130401.0, 20200331.0),
        _ods_row("15N", "NHS DEVON CCG", 20190401.0, ""),
        _ods_row("", "NO CODE", 20130401.0, ""),
        _ods_row("00D", "NHS DURHAM DALES CCG", "April 2013", ""),
        _ods_row("00F", "NHS GATESHEAD CCG", 20130401.0, "soon"),
        [""] * len(ODS_HEADER),
        _ods_row("00C", "NHS DARLINGTON CCG", 20130401.0, 20200331.0),
    ]
    write_xls(tmp_path, lk.ODS_REGISTER, rows)
    result = lk.read_ods_register(RawDir(tmp_path))
    frame = result.tables["ods_ccg_register"].set_index("ods_code")
    assert frame.index.tolist() == ["00C", "15N"]
    assert str(frame.loc["00C", "end_date"].date()) == "2020-03-31"
    assert pd.isna(frame.loc["15N", "end_date"])
    assert rejected(result) == {
        "empty row": 1,
        "blank code in column 'ods_code'": 1,
        "no readable date in column 'LegalStartDate'": 1,
        "unreadable date in column 'LegalEndDate'": 1,
        "duplicate ods_code (first kept)": 1,
    }
