"""Prescribing readers on a few rows in each publisher's layout (headers as published)."""

from __future__ import annotations

import json

from data_pipeline.raw import RawDir
from data_pipeline.sources import prescribing as rx
from tests.pipeline.small.rawkit import rejected, write_csv, write_records

PRACTICE_2017 = (
    "practice,Other,Venlafaxine,Mirtazapine,Duloxetine,MAOi,Citalopram,Fluoxetine,Fluvoxamine,"
    "Sertraline,Escitalopram,Paroxetine,Tricyclics,Trimipramine,Dosulepin,Amitriptyline,"
    "Trazodone,Lofepramine,Maprotiline,Mianserin,total_items,total_cost"
)
PRACTICE_2018 = (
    "practice,Other,Venlafaxine,Mirtazapine,Duloxetine,MAOi,Isocarboxazid,Iproniazid,"
    "Tranylcypromine,Moclobemide,Phenelzine,Citalopram,Fluoxetine,Fluvoxamine,Sertraline,"
    "Escitalopram,Paroxetine,Tricyclics,Trimipramine,Dosulepin,Amitriptyline,Trazodone,"
    "Lofepramine,Maprotiline,Mianserin,total_items,total_cost"
)
CCG_MAP = "code,ccg_id"
PLDR = "lsoa11,All_Patients,adqs,items,nic,all_ages,adqs_r,items_r,nic_r"


def test_practice_extracts(tmp_path):
    write_records(
        tmp_path,
        rx.PRACTICE_FILES["2017-18"],
        PRACTICE_2017,
        [
            {"practice": "A81001", "Other": 1840, "total_items": 6546, "total_cost": 19161.69},
            {"practice": "a81001", "total_items": 1, "total_cost": 1},
            {"practice": "", "total_items": 1, "total_cost": 1},
        ],
    )
    write_records(
        tmp_path,
        rx.PRACTICE_FILES["2018-19-partial"],
        PRACTICE_2018,
        [
            {"practice": "A81001", "total_items": 1842, "total_cost": 3612.10},
            {"practice": "A81002", "total_items": -2, "total_cost": 1},
        ],
    )
    result = rx.read_ad_practice(RawDir(tmp_path))
    frame = result.tables["ad_practice"]
    assert frame[["extract", "practice_code", "items"]].values.tolist() == [
        ["2017-18", "A81001", 6546],
        ["2018-19-partial", "A81001", 1842],
    ]
    assert rejected(result) == {
        "duplicate practice code": 1,
        "no practice code": 1,
        "negative count in column 'total_items'": 1,
    }


def _ccg_2019_boundaries(root, codes: list[str | None]) -> None:
    features = [
        {"properties": {"name": f"NHS {code} CCG", "org_type": "CCG", "ons_code": None,
                        "code": code}, "type": "Feature", "geometry": None}
        for code in codes
    ]  # fmt: skip
    path = root / rx.CCG_2019_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection), encoding="utf-8")


def test_practice_ccg_checks_codes_against_the_2019_ccgs(tmp_path):
    _ccg_2019_boundaries(tmp_path, ["00L", "02P", None])
    write_records(
        tmp_path,
        rx.CCG_MAP_FILE,
        CCG_MAP,
        [
            {"code": "A81001", "ccg_id": "00l"},
            {"code": "A81002", "ccg_id": "02P"},
            {"code": "A81002", "ccg_id": "02P"},
            {"code": "01Y999", "ccg_id": ""},
            {"code": "A81003", "ccg_id": "01C"},
            {"code": "A81004", "ccg_id": "RX4"},
        ],
    )
    result = rx.read_practice_ccg(RawDir(tmp_path))
    frame = result.tables["practice_ccg_2019"]
    assert frame.values.tolist() == [["A81001", "00L"], ["A81002", "02P"]]
    assert rejected(result) == {
        "no CCG code": 1,
        "duplicate practice code": 1,
        "no CCG (closed or non-GP prescriber)": 1,
        "CCG code not among the 191 CCGs of April 2019 (a CCG merged earlier, or an NHS "
        "England commissioning hub)": 1,
        "parent organisation is not a CCG (trust, hub or other non-CCG code)": 1,
    }


def test_pldr_quarters_keep_english_lsoas(tmp_path):
    good = {"All_Patients": 1500, "adqs": 16.1, "items": 0.55, "nic": 1.1, "all_ages": 1600}
    for quarter, relative in rx.LSOA_FILES.items():
        rows = [
            {"lsoa11": "95AA06S2", "All_Patients": 1, "adqs": 16.09, "items": 0.55, "nic": 1.1},
            {"lsoa11": "W01000001", **good},
            {"lsoa11": "EMPTY", **good},
            {"lsoa11": "E01000001", **good},
            {"lsoa11": "E01000001", **good},
            {"lsoa11": "E010000", **good},
            {"lsoa11": "E01000002", **good, "items": "lots" if quarter == "2025-Q2" else 1},
        ]
        write_records(tmp_path, relative, PLDR, rows)
    result = rx.read_ad_lsoa(RawDir(tmp_path))
    frame = result.tables["ad_lsoa"]
    assert frame[["quarter", "lsoa11_code"]].values.tolist() == [
        ["2025-Q1", "E01000001"],
        ["2025-Q1", "E01000002"],
        ["2025-Q2", "E01000001"],
    ]
    assert rejected(result) == {
        "outside England (Northern Ireland area)": 2,
        "outside England (Welsh LSOA)": 2,
        "patients with no LSOA of residence (EMPTY or OTHER)": 2,
        "duplicate LSOA code": 2,
        "not an LSOA 2011 code": 2,
        "text in numeric column 'items'": 1,
    }


def test_epd_month_sums_bnf_4_3_items_by_practice(tmp_path):
    base = dict.fromkeys(rx.EPD_PUBLISHED_COLUMNS, "")
    row = base | {"YEAR_MONTH": "202510", "PRACTICE_CODE": "A81001", "ITEMS": "2",
                  "NIC": "3.5", "ACTUAL_COST": "3.2", "ADQUSAGE": "28",
                  "BNF_CODE": "0403030E0AAAAAA"}  # fmt: skip
    rows = [
        row,
        row | {"ITEMS": "1"},
        row | {"BNF_CODE": "0212000B0AAADAD"},
        row | {"ITEMS": ""},
        row | {"YEAR_MONTH": "2025-10"},
    ]
    columns = list(rx.EPD_PUBLISHED_COLUMNS)
    write_csv(tmp_path, f"{rx.EPD_DIR}/EPD_202510.csv", columns, [list(r.values()) for r in rows])
    result = rx.read_epd_if_present(RawDir(tmp_path))
    frame = result.tables["ad_practice_epd"]
    assert frame[["month", "practice_code", "rows", "items"]].values.tolist() == [
        ["202510", "A81001", 2, 3.0]
    ]
    assert rejected(result) == {
        rx.EPD_OUTSIDE: 1,
        rx.EPD_NO_ITEMS: 1,
        rx.EPD_BAD_MONTH: 1,
    }
