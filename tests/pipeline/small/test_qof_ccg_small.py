"""QOF CCG workbook reader on a few rows in the publisher's layout (2018-19 workbook shape).

Each sheet has title rows, a row of year labels over blocks of columns (the previous year,
then this year), one header row, then CCG rows, subtotals, England and footnotes.
"""

from __future__ import annotations

from data_pipeline.raw import RawDir
from data_pipeline.sources import qof_ccg
from tests.pipeline.small.rawkit import rejected, write_workbook

YEAR, PREVIOUS = "2018-19", "2017-18"
LEAD = [
    "Region code", "Region ONS code", "Region name", "Regional local office code",
    "Regional local office ONS code", "Regional local office name", "STP ONS code", "STP name",
    "CCG code", "CCG ONS code", "CCG name",
]  # fmt: skip
LONDON = ["Y56", "E40000003", "London", "Q71a", "E39000018", "London NE", "E54000028", "NCL STP"]


def _sheet(group: str, list_header: str) -> list[list]:
    block = ["Number of practices", list_header, "Register", "Prevalence (%)"]
    blank = [None] * len(LEAD)
    return [
        ["Return to Contents"],
        ["_"],
        [f"Table: Recorded disease prevalence, {group}, {YEAR}, CCG level", *blank[1:],
         "Prevalence"],
        [*blank, "_", None, None, None, "_"],
        [*blank, PREVIOUS, None, None, None, YEAR],
        [None],
        [*LEAD, *block, *block],
        [*LONDON, "07M", "E38000005", "NHS Barnet CCG", 52, 1, 1, 1.0, 54, 313201, 21599,
         6.8962104207841],
        [*LONDON, "07R", "E38000027", "NHS Camden CCG", 34, 1, 1, 1.0, 34, 241877, "-5", 1.0],
        [*LONDON[:3], *[None] * 8, 86, 2, 2, 1.0, 88, 555078, 40928, 7.37],
        ["England", *[None] * 10, 7000, 1, 1, 1.0, 6990, 46000000, 4800000, 10.7],
        ["Source: Quality and Outcomes Framework (QOF), NHS Digital"],
    ]  # fmt: skip


def test_read_year_takes_this_years_block_and_counts_every_row(tmp_path):
    sheets = {
        "Title sheet": [["QOF 2018-19"]],
        "DEP": _sheet("depression", "List size ages 18+"),
        "MH": _sheet("mental health", "List size"),
    }
    write_workbook(tmp_path, qof_ccg.WORKBOOKS[YEAR], sheets)
    result = qof_ccg.read_year(RawDir(tmp_path), YEAR)
    frame = result.tables["qof_ccg"]
    assert frame[["group", "org_type", "ccg_ods", "register"]].fillna("-").values.tolist() == [
        ["DEP", "ccg", "07M", 21599],
        ["DEP", "england", "-", 4800000],
        ["MH", "ccg", "07M", 21599],
        ["MH", "england", "-", 4800000],
    ]
    assert frame["prevalence_pct"].iloc[0] == 6.8962104207841
    assert result.reconciliations[0].rows_in == 2 * 5
    assert rejected(result) == {
        "negative count in column 'register'": 2,
        "subtotal row not used by the atlas: Y56": 2,
        "note or footnote below the table": 2,
    }
