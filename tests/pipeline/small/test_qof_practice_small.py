"""QOF practice readers on a few rows in the publisher's layout (headers as published)."""

from __future__ import annotations

import pyarrow as pa

from data_pipeline.raw import RawDir
from data_pipeline.sources import qof_practice
from tests.pipeline.small.rawkit import rejected, write_parquet, write_records

PREVALENCE = "PRACTICE_CODE,GROUP_CODE,REGISTER,PATIENT_LIST_TYPE,PRACTICE_LIST_SIZE"
MAPPING_NAMES = [
    "NAT_ONS_CODE",
    "NAT_CODE",
    "NAT_COUNTRY",
    "REGION_ODS_CODE",
    "REGION_ONS_CODE",
    "REGION_NAME",
    "ICB_ODS_CODE",
    "ICB_ONS_CODE",
    "ICB_NAME",
    "SUB_ICB_ODS_CODE",
    "SUB_ICB_ONS_CODE",
    "SUB_ICB_NAME",
    "PCN_ODS_CODE",
    "PCN_NAME",
    "PRACTICE_CODE",
    "PRACTICE_NAME",
]
MAPPING = [(name, pa.string()) for name in MAPPING_NAMES]


def test_prevalence_keeps_dep_and_mh_on_their_lists(tmp_path):
    write_records(
        tmp_path,
        qof_practice.PREVALENCE_FILE,
        PREVALENCE,
        [
            {
                "PRACTICE_CODE": "A81001",
                "GROUP_CODE": "AF",
                "REGISTER": "112.0",
                "PATIENT_LIST_TYPE": "TOTAL",
                "PRACTICE_LIST_SIZE": 3996,
            },
            {
                "PRACTICE_CODE": "A81001",
                "GROUP_CODE": "DEP",
                "REGISTER": "317.0",
                "PATIENT_LIST_TYPE": "18OV",
                "PRACTICE_LIST_SIZE": 3100,
            },
            {
                "PRACTICE_CODE": "a81001",
                "GROUP_CODE": "MH",
                "REGISTER": "40.0",
                "PATIENT_LIST_TYPE": "TOTAL",
                "PRACTICE_LIST_SIZE": 3996,
            },
            {
                "PRACTICE_CODE": "A81002",
                "GROUP_CODE": "DEP",
                "REGISTER": "10",
                "PATIENT_LIST_TYPE": "TOTAL",
                "PRACTICE_LIST_SIZE": 3996,
            },
            {
                "PRACTICE_CODE": "A81003",
                "GROUP_CODE": "MH",
                "REGISTER": "-1",
                "PATIENT_LIST_TYPE": "TOTAL",
                "PRACTICE_LIST_SIZE": 500,
            },
        ],  # fmt: skip
    )
    result = qof_practice.read_prevalence(RawDir(tmp_path))
    frame = result.tables["qof_practice"]
    assert frame[["practice_code", "group", "register", "list_size"]].values.tolist() == [
        ["A81001", "DEP", 317, 3100],
        ["A81001", "MH", 40, 3996],
    ]
    assert rejected(result) == {
        "register not used by the atlas: AF": 1,
        "list type is not the one the register is published against (DEP 18OV, MH TOTAL)": 1,
        "negative count in column 'register'": 1,
    }


def test_geography_rejects_practices_outside_england_and_repeats(tmp_path):
    nhs = {"NAT_CODE": "ENG", "SUB_ICB_ODS_CODE": "16c", "SUB_ICB_ONS_CODE": "E38000247",
           "ICB_ODS_CODE": "QHM", "REGION_ODS_CODE": "Y63", "PCN_ODS_CODE": "U89141"}  # fmt: skip
    write_parquet(
        tmp_path,
        qof_practice.MAPPING_FILE,
        MAPPING,
        [
            {**nhs, "PRACTICE_CODE": "A81001", "PRACTICE_NAME": "THE DENSHAM SURGERY"},
            {**nhs, "PRACTICE_CODE": "A81001", "PRACTICE_NAME": "THE DENSHAM SURGERY"},
            {**nhs, "PRACTICE_CODE": "A81002", "SUB_ICB_ODS_CODE": " "},
            {**nhs, "PRACTICE_CODE": "W91001", "NAT_CODE": "WAL"},
        ],
    )
    result = qof_practice.read_geography(RawDir(tmp_path))
    frame = result.tables["qof_practice_geography"]
    assert frame[["practice_code", "sub_icb_ods"]].values.tolist() == [["A81001", "16C"]]
    assert rejected(result) == {
        "duplicate practice code": 1,
        "no sub-ICB location": 1,
        "outside England (national code is not ENG)": 1,
    }
