"""Fetching the newest QOF year and practice IMD 2025, then reading what was fetched.

The publisher is played on 127.0.0.1 with responses shaped like the real ones (the QOF raw
data zip linked from the year's page; the Fingertips API CSV of indicator 94240).
"""

from __future__ import annotations

from data_pipeline.fetch.runner import run
from data_pipeline.raw import RawDir
from data_pipeline.sources import deprivation, qof_practice
from tests.fetch.fixtures import (
    FINGERTIPS_HEADER,
    csv_bytes,
    fingertips_row,
    html_links,
    zip_bytes,
)

PAGE = (
    "/nhs_digital/data-and-information/publications/statistical/"
    "quality-and-outcomes-framework-achievement-prevalence-and-exceptions-data/2024-25"
)


def _fetch(ctx, target_id: str) -> RawDir:
    report = run(ctx, ctx.registry.select([target_id]))
    assert not report.failed, report.failed
    assert report.downloaded == [target_id]
    return RawDir(ctx.cache.root)


def test_qof_2024_25_prevalence_member_of_the_raw_data_zip(server, make_ctx):
    server.add(PAGE, html_links("/files/qof-2425-prev-ach-exc.xlsx", "/files/QOF_2425_v2.zip"))
    prevalence = csv_bytes(
        ["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"],
        [
            ["A81001", "DEP", "520.0", "18OV", "3100"],
            ["A81001", "MH", "41.0", "TOTAL", "3904"],
            ["A81001", "AF", "113.0", "TOTAL", "3904"],
        ],
    )
    archive = zip_bytes({"PREVALENCE_2425.csv": prevalence, "ACHIEVEMENT_2425.csv": b"x\n"})
    server.add("/files/QOF_2425_v2.zip", archive)
    raw = _fetch(make_ctx(), "qof_practice.2024_25")
    result = qof_practice.read_prevalence(raw, "2024-25")
    table = result.tables["qof_practice_2024_25"]
    assert table[["group", "register", "list_size"]].values.tolist() == [
        ["DEP", 520, 3100],
        ["MH", 41, 3904],
    ]
    assert result.reconciliations[0].rejected == {"register not used by the atlas: AF": 1}


def test_practice_imd_2025_from_fingertips(server, make_ctx):
    server.add(
        "/fingertips/api/indicator_metadata/by_indicator_id",
        {"94240": {"IID": 94240, "DataChange": {"LastUploadedAt": "2025-12-02T10:00:00"}}},
    )
    name = "Deprivation score (IMD 2025)"
    rows = [
        fingertips_row(94240, name, "E92000001", "England", "England", "2025", 21.3),
        fingertips_row(94240, name, "A81001", "The Densham Surgery", "GPs", "2025", 33.519),
        fingertips_row(
            94240, name, "A81002", "Queens Park", "GPs", "2025", 31.289, category="Decile"
        ),
    ]
    server.add("/fingertips/api/all_data/csv/by_indicator_id", csv_bytes(FINGERTIPS_HEADER, rows))
    raw = _fetch(make_ctx(), "deprivation.practice_imd_2025")
    table = deprivation.read_practice_imd_2025(raw).tables["practice_imd_2025"]
    assert table[["practice_code", "practice_name"]].values.tolist() == [
        ["A81001", "The Densham Surgery"]
    ]
    assert table["imd_score"].tolist() == [33.519]
