"""The bad-input corpus: real raw files, damaged one way each, and what the pipeline does.

Every variant takes a published file, cuts it to its first rows, and damages it one way.
Each must end in one of:

- ``Error``: a :class:`SourceError` that names the file, the column (``None`` when the
  whole file is at fault) and a remedy;
- ``Rejected``: rows counted as rejected, with a reason, in the file's reconciliation;
- ``Flagged``: rows kept as missing values flagged ``source_suppressed``;
- ``Repaired``: the damage repaired and counted in a note of the file's reconciliation;
- ``Same``: the damage handled transparently (tables and accounts as for the clean copy).

Nothing in between: no traceback, no row silently lost. The clean copy (the same cut,
undamaged) is read too, so every difference is due to the damage. See README.md.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_pipeline import atlas_files, ccg_vintages, geography, known_codes
from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Reconciliation
from data_pipeline.sources import (
    SourceResult,
    boundaries,
    deprivation,
    fingertips,
    lookups,
    mhsds,
    population,
    prescribing,
    qof_ccg,
    qof_practice,
    secondary_other,
    smi_checks,
    talking_therapies,
)
from data_pipeline.tabular import SUPPRESSED
from tests.bad_inputs import damage as d

pytestmark = pytest.mark.raw


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Error:
    """A SourceError naming the variant's file, ``column`` (None: whole file), a remedy."""

    problem: str
    column: str | None = None


@dataclass(frozen=True)
class Rejected:
    """``count`` more rows rejected for exactly ``reason`` than in the clean copy.

    ``also`` lists rejections that follow from it (e.g. a row of a second sheet that can no
    longer be joined); no other reason may change.
    """

    reason: str
    count: int
    also: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Flagged:
    """``count`` more rows of ``table`` flagged source_suppressed, none more rejected."""

    table: str
    count: int


@dataclass(frozen=True)
class Repaired:
    """A note saying what was repaired; no row rejected."""

    note: str


@dataclass(frozen=True)
class Same:
    """Read exactly as the clean copy."""


Outcome = Error | Rejected | Flagged | Repaired | Same


# --------------------------------------------------------------------------- runners


@dataclass(frozen=True)
class Reference:
    """The real lookups that code checks compare against (read once per session)."""

    tables: dict[str, pd.DataFrame]
    hierarchy: pd.DataFrame
    recode: dict[str, str]


@functools.cache
def reference(raw_dir: Path) -> Reference:
    raw = RawDir(raw_dir)
    tables = {
        **lookups.read_lsoa21_geography(raw).tables,
        **qof_practice.read_geography(raw).tables,
        **ccg_vintages.build_ccg_geography(raw),
    }
    for table in ("boundary_sub_icb", "boundary_region"):
        tables.update(boundaries.read_boundary(raw, table).tables)
    recode = geography.recode_to_2023(
        tables["qof_practice_geography"],
        tables["boundary_sub_icb"],
        tables["lsoa21_geography"],
        tables["boundary_region"],
    )
    hierarchy = geography.sub_icb_hierarchy(
        tables["lsoa21_geography"], tables["qof_practice_geography"], recode
    )
    return Reference(tables, hierarchy, recode)


Run = Callable[[RawDir, Path], SourceResult]


def reader(read: Callable[[RawDir], SourceResult]) -> Run:
    """A source reader on its own."""
    return lambda raw, _real: read(raw)


def checked(read: Callable[[RawDir], SourceResult]) -> Run:
    """A reader followed by the build's check of its area codes against the real lookups."""

    def run(raw: RawDir, real: Path) -> SourceResult:
        result = read(raw)
        ref = reference(real)
        ledger = Ledger(result.reconciliations, result.table_files)
        checked_tables = known_codes.reject_unknown(
            {**ref.tables, **result.tables}, ledger, ref.hierarchy, ref.recode
        )
        tables = {name: checked_tables[name] for name in result.tables}
        return SourceResult(tables, result.reconciliations, result.table_files)

    return run


# --------------------------------------------------------------------------- workbook edits


def _rename_headers(sheet: str, text: str, new: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        for row in book[sheet].iter_rows():
            for cell in row:
                if str(cell.value or "").strip() == text:
                    cell.value = new

    return edit


def _set(sheet: str, row: int, column: int, value: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        book[sheet].cell(row=row, column=column).value = value

    return edit


# --------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Variant:
    id: str
    source: str
    file: str
    make: d.Maker
    run: Run
    expect: Outcome


QOF_2019_20 = qof_ccg.WORKBOOKS["2019-20"]
QOF_SHEETS = ("DEP", "MH")
#: 2019-20 DEP sheet: the header is on row 14, CCG rows start on row 15; column J is the
#: 2019-20 register, column A the CCG ODS code.
QOF_FIRST_CCG_ROW, QOF_REGISTER_COLUMN = 15, 10
SUB_ICB = boundaries.TABLES["boundary_sub_icb"]
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[-1.5, 52.5], [-1.4, 52.6], [-1.4, 52.5], [-1.5, 52.6], [-1.5, 52.5]]],
}
LINE = {"type": "LineString", "coordinates": [[-1.5, 52.5], [-1.4, 52.6]]}
DEP_GROUPS = {"DEP", "MH"}


def _year(value: str) -> Callable[[dict[str, str]], bool]:
    return lambda row: row["Period"].endswith(value)


VARIANTS: tuple[Variant, ...] = (
    # ---- deprivation
    Variant(
        "deprivation-lsoa-truncated-gzip",
        "deprivation",
        deprivation.IOD2025_LSOA,
        d.csv_file(cut_bytes=0.5),
        reader(deprivation.read_iod2025_lsoa21),
        Error("truncated or corrupt"),
    ),
    Variant(
        "deprivation-lsoa-duplicated-rows",
        "deprivation",
        deprivation.IOD2025_LSOA,
        d.csv_file(edit=d.duplicate_rows(0, 3)),
        reader(deprivation.read_iod2025_lsoa21),
        Rejected("duplicate lsoa21_code (all copies rejected)", 6),
    ),
    Variant(
        "deprivation-lsoa-decile-out-of-range",
        "deprivation",
        deprivation.IOD2025_LSOA,
        d.csv_file(edit=d.set_cell(2, "IMD_decile", "11")),
        reader(deprivation.read_iod2025_lsoa21),
        Rejected("decile outside 1-10 in column 'IMD_decile'", 1),
    ),
    Variant(
        "deprivation-lsoa-2011-code-wrong-vintage",
        "deprivation",
        deprivation.IOD2025_LSOA,
        d.csv_file(edit=d.set_cell(3, "lsoa21_code", "E01000010")),  # split in 2021
        checked(deprivation.read_iod2025_lsoa21),
        Rejected("LSOA code not in the 2021 LSOA lookup (a 2011 code, or mistyped)", 1),
    ),
    Variant(
        "deprivation-ltla-renamed-column",
        "deprivation",
        deprivation.IOD2025_LTLA,
        d.csv_file(edit=d.rename_column("imd_average_score", "imd_avg_score")),
        reader(deprivation.read_iod2025_ltla24),
        Error("expected column is missing", column="imd_average_score"),
    ),
    Variant(
        "deprivation-practice-imd-cp1252",
        "deprivation",
        deprivation.PRACTICE_IMD,
        d.csv_file(edit=d.set_cell(0, "AreaName", "Surgery at Café Rouge"), encoding="cp1252"),
        reader(deprivation.read_practice_imd),
        Error("not UTF-8 text"),
    ),
    Variant(
        "deprivation-utla-workbook-text-in-score",
        "deprivation",
        deprivation.IOD2025_UTLA,
        d.workbook(("IMD", "Health"), edit=_set("IMD", 3, 5, "see note")),
        reader(deprivation.read_iod2025_utla),
        Rejected(
            "text in numeric column 'imd_average_score'",
            1,
            also=(
                (
                    "code not in the main table (absent or rejected there), so it cannot be joined",
                    1,
                ),
            ),
        ),
    ),
    # ---- population
    Variant(
        "population-negative-count",
        "population",
        population.LSOA11_2020,
        d.csv_file(edit=d.set_cell(4, "30", "-12")),
        reader(population.read_lsoa11_2020),
        Rejected("negative count in column '30'", 1),
    ),
    Variant(
        "population-suppression-marker",
        "population",
        population.LSOA11_2020,
        d.csv_file(edit=d.set_cell(5, "total_population", "*")),
        reader(population.read_lsoa11_2020),
        Flagged("pop_lsoa11_2020", 1),
    ),
    Variant(
        "population-text-in-numeric-column",
        "population",
        population.LSOA11_2020,
        d.csv_file(edit=d.set_cell(6, "45", "twelve")),
        reader(population.read_lsoa11_2020),
        Rejected("text in numeric column '45'", 1),
    ),
    Variant(
        "population-utf16",
        "population",
        population.LSOA11_2020,
        d.csv_file(encoding="utf-16"),
        reader(population.read_lsoa11_2020),
        Error("not UTF-8 text"),
    ),
    Variant(
        "population-empty-file",
        "population",
        population.LSOA11_2020,
        d.emptied(d.csv_file()),
        reader(population.read_lsoa11_2020),
        Error("file is empty"),
    ),
    # ---- lookups
    Variant(
        "lookups-lsoa21-icb-missing-column",
        "lookups",
        lookups.LSOA21_ICB24,
        d.csv_file(edit=d.drop_column("sicbl24_code")),
        reader(lookups.read_lsoa21_geography),
        Error("expected column is missing", column="sicbl24_code"),
    ),
    Variant(
        "lookups-lsoa21-icb-bom",
        "lookups",
        lookups.LSOA21_ICB24,
        d.csv_file(prefix=d.BOM),
        reader(lookups.read_lsoa21_geography),
        Same(),
    ),
    Variant(
        "lookups-gp-practices-duplicated-rows",
        "lookups",
        lookups.GP_PRACTICES,
        d.csv_file(edit=d.duplicate_rows(0, 4)),
        reader(lookups.read_gp_practices),
        Rejected("duplicate practice_code (first kept)", 4),
    ),
    Variant(
        "lookups-ltla-utla-cut-mid-row",
        "lookups",
        lookups.LTLA23_UTLA23,
        d.csv_file(text=d.cut_last_line),
        reader(lookups.read_ltla_utla_2023),
        Error("cut short"),
    ),
    Variant(
        "lookups-lsoa11-subicb-blank-code",
        "lookups",
        lookups.LSOA11_SICBL22,
        d.csv_file(edit=d.set_cell(3, "sicbl22_code", "")),
        reader(lookups.read_lsoa11_sicbl22),
        Rejected("blank code in column 'sicbl22_code'", 1),
    ),
    # ---- boundaries
    Variant(
        "boundaries-self-intersecting-polygon",
        "boundaries",
        SUB_ICB.file,
        d.geojson_file(edit=d.set_geometry(2, BOW_TIE)),
        reader(lambda raw: boundaries.read_boundary(raw, SUB_ICB.table)),
        Repaired("1 invalid geometries repaired with make_valid"),
    ),
    Variant(
        "boundaries-line-instead-of-area",
        "boundaries",
        SUB_ICB.file,
        d.geojson_file(edit=d.set_geometry(3, LINE)),
        reader(lambda raw: boundaries.read_boundary(raw, SUB_ICB.table)),
        Rejected(boundaries.NOT_POLYGONAL, 1),
    ),
    Variant(
        "boundaries-null-geometry",
        "boundaries",
        SUB_ICB.file,
        d.geojson_file(edit=d.set_geometry(4, None)),
        reader(lambda raw: boundaries.read_boundary(raw, SUB_ICB.table)),
        Rejected(boundaries.NO_GEOMETRY, 1),
    ),
    Variant(
        "boundaries-truncated",
        "boundaries",
        SUB_ICB.file,
        d.geojson_file(cut_bytes=0.6),
        reader(lambda raw: boundaries.read_boundary(raw, SUB_ICB.table)),
        Error("cannot be read as GeoJSON"),
    ),
    Variant(
        "boundaries-renamed-property",
        "boundaries",
        SUB_ICB.file,
        d.geojson_file(edit=d.rename_property(SUB_ICB.code, "SICBL23CODE")),
        reader(lambda raw: boundaries.read_boundary(raw, SUB_ICB.table)),
        Error("expected feature property is missing", column=SUB_ICB.code),
    ),
    Variant(
        "boundaries-bom",
        "boundaries",
        SUB_ICB.file,
        d.geojson_file(prefix=d.BOM),
        reader(lambda raw: boundaries.read_boundary(raw, SUB_ICB.table)),
        Same(),
    ),
    # ---- QOF by CCG (workbooks)
    Variant(
        "qof-ccg-next-years-workbook-in-place",
        "qof_ccg",
        qof_ccg.WORKBOOKS["2018-19"],
        d.other_file(Path(QOF_2019_20).name),
        reader(lambda raw: qof_ccg.read_year(raw, "2018-19")),
        Error("the newest year in the workbook is 2019-20, not 2018-19"),
    ),
    Variant(
        "qof-ccg-truncated-workbook",
        "qof_ccg",
        QOF_2019_20,
        d.workbook(QOF_SHEETS, cut_bytes=0.5),
        reader(lambda raw: qof_ccg.read_year(raw, "2019-20")),
        Error("not a readable .xlsx workbook"),
    ),
    Variant(
        "qof-ccg-renamed-register-header",
        "qof_ccg",
        QOF_2019_20,
        d.workbook(QOF_SHEETS, edit=_rename_headers("DEP", "Register", "Patients on register")),
        reader(lambda raw: qof_ccg.read_year(raw, "2019-20")),
        Error("no block of columns labelled 2019-20 with a 'Register' column", column="Register"),
    ),
    Variant(
        "qof-ccg-text-in-register",
        "qof_ccg",
        QOF_2019_20,
        d.workbook(
            QOF_SHEETS, edit=_set("DEP", QOF_FIRST_CCG_ROW + 2, QOF_REGISTER_COLUMN, "see note")
        ),
        reader(lambda raw: qof_ccg.read_year(raw, "2019-20")),
        Rejected("text in numeric column 'register'", 1),
    ),
    Variant(
        "qof-ccg-unknown-ccg-code",
        "qof_ccg",
        QOF_2019_20,
        d.workbook(QOF_SHEETS, edit=_set("DEP", QOF_FIRST_CCG_ROW + 3, 1, "99Z")),
        checked(lambda raw: qof_ccg.read_year(raw, "2019-20")),
        Rejected("CCG code not in any CCG register of 2013-2021", 1),
    ),
    # ---- QOF by practice
    Variant(
        "qof-practice-negative-register",
        "qof_practice",
        qof_practice.PREVALENCE_FILE,
        d.csv_file(
            keep=lambda r: r["GROUP_CODE"] in DEP_GROUPS,
            edit=d.set_cell(7, "REGISTER", "-3"),
        ),
        reader(qof_practice.read_prevalence),
        Rejected("negative count in column 'register'", 1),
    ),
    Variant(
        "qof-practice-duplicated-rows",
        "qof_practice",
        qof_practice.PREVALENCE_FILE,
        d.csv_file(keep=lambda r: r["GROUP_CODE"] in DEP_GROUPS, edit=d.duplicate_rows(0, 5)),
        reader(qof_practice.read_prevalence),
        Rejected("duplicate practice and register", 5),
    ),
    Variant(
        "qof-practice-renamed-column",
        "qof_practice",
        qof_practice.PREVALENCE_FILE,
        d.csv_file(edit=d.rename_column("REGISTER", "REGISTER_COUNT")),
        reader(qof_practice.read_prevalence),
        Error("expected column is missing", column="REGISTER"),
    ),
    Variant(
        "qof-practice-unknown-practice",
        "qof_practice",
        qof_practice.PREVALENCE_FILE,
        d.csv_file(
            keep=lambda r: r["GROUP_CODE"] in DEP_GROUPS,
            edit=d.set_cell(4, "PRACTICE_CODE", "Z99999"),
        ),
        checked(qof_practice.read),
        Rejected("practice code not in the QOF 2022-23 practice mapping", 1),
    ),
    Variant(
        "qof-practice-truncated-gzip",
        "qof_practice",
        qof_practice.PREVALENCE_FILE,
        d.csv_file(head=3000, cut_bytes=0.5),
        reader(qof_practice.read_prevalence),
        Error("truncated or corrupt"),
    ),
    # ---- NHS Talking Therapies
    Variant(
        "talking-therapies-monthly-text-in-value",
        "talking_therapies",
        talking_therapies.MONTHLY_FILE,
        d.csv_file(edit=d.set_cell(3, "value", "see note")),
        reader(talking_therapies.read_monthly),
        Rejected("text in numeric column 'value'", 1),
    ),
    Variant(
        "talking-therapies-monthly-bad-month",
        "talking_therapies",
        talking_therapies.MONTHLY_FILE,
        d.csv_file(edit=d.set_cell(4, "date", "2022-07")),
        reader(talking_therapies.read_monthly),
        Rejected("month not in the form 'July 2022'", 1),
    ),
    Variant(
        "talking-therapies-monthly-duplicated-rows",
        "talking_therapies",
        talking_therapies.MONTHLY_FILE,
        d.csv_file(edit=d.duplicate_rows(0, 4)),
        reader(talking_therapies.read_monthly),
        Rejected("duplicate row (same sub-ICB, month and measure)", 4),
    ),
    Variant(
        "talking-therapies-monthly-unknown-sub-icb",
        "talking_therapies",
        talking_therapies.MONTHLY_FILE,
        d.csv_file(edit=d.set_cell(5, "sicbl22_code", "E38999999")),
        checked(talking_therapies.read_monthly),
        Rejected("sub-ICB code not in the 2022 sub-ICB lookup", 1),
    ),
    Variant(
        "talking-therapies-annual-negative-count",
        "talking_therapies",
        talking_therapies.ANNUAL_FILE,
        d.parquet_file(
            "SELECT * FROM {src} WHERE org_type IN ('England', 'CCG') "
            "AND variable_type = 'Total' AND measure_statistic = 'count' "
            "AND value NOT IN ('*', 'NULL') ORDER BY ALL LIMIT 300",
            "UPDATE t SET value = '-40' WHERE rowid = (SELECT min(rowid) FROM t "
            "WHERE measure_name = 'referrals_received')",
        ),
        reader(talking_therapies.read_annual),
        Rejected("negative count in column 'value'", 1),
    ),
    Variant(
        "talking-therapies-annual-not-parquet",
        "talking_therapies",
        talking_therapies.ANNUAL_FILE,
        d.replaced(
            d.parquet_file("SELECT * FROM {src} ORDER BY ALL LIMIT 300"),
            b"reporting_period,org_type\n2018-19,England\n",
        ),
        reader(talking_therapies.read_annual),
        Error("cannot be read"),
    ),
    # ---- MHSDS
    Variant(
        "mhsds-series-suppression-marker",
        "mhsds",
        mhsds.TIME_SERIES_FILE,
        d.csv_file(
            keep=lambda r: (
                r["BREAKDOWN"] == "CCG - GP Practice or Residence"
                and r["MEASURE_ID"] == "MHS01"
                and r["MEASURE_VALUE"] != "*"
            ),
            edit=d.set_cell(6, "MEASURE_VALUE", "*"),
        ),
        reader(mhsds.read_time_series),
        Flagged("mhsds_monthly", 1),
    ),
    Variant(
        "mhsds-series-renamed-column",
        "mhsds",
        mhsds.TIME_SERIES_FILE,
        d.csv_file(edit=d.rename_column("MEASURE_VALUE", "VALUE")),
        reader(mhsds.read_time_series),
        Error("expected column is missing", column="MEASURE_VALUE"),
    ),
    Variant(
        "mhsds-series-bom",
        "mhsds",
        mhsds.TIME_SERIES_FILE,
        d.csv_file(prefix=d.BOM),
        reader(mhsds.read_time_series),
        Same(),
    ),
    Variant(
        "mhsds-series-cp1252",
        "mhsds",
        mhsds.TIME_SERIES_FILE,
        d.csv_file(
            edit=d.set_cell(0, "PRIMARY_LEVEL_DESCRIPTION", "NHS Sainte-Hélène CCG"),
            encoding="cp1252",
        ),
        reader(mhsds.read_time_series),
        Error("not UTF-8 text"),
    ),
    Variant(
        "mhsds-in-contact-header-only",
        "mhsds",
        mhsds.IN_CONTACT_FILE,
        d.csv_file(edit=d.header_only),
        reader(mhsds.read_in_contact),
        Error("no data rows"),
    ),
    # ---- SMI physical health checks
    Variant(
        "smi-checks-missing-column",
        "smi_checks",
        smi_checks.FILE,
        d.csv_file(edit=d.drop_column("Answer")),
        reader(smi_checks.read),
        Error("expected column is missing", column="Answer"),
    ),
    Variant(
        "smi-checks-negative-count",
        "smi_checks",
        smi_checks.FILE,
        d.csv_file(edit=d.set_cell(1, "Answer", "-7")),
        reader(smi_checks.read),
        Rejected("negative count in column 'Answer'", 1),
    ),
    Variant(
        "smi-checks-2019-ccg-code-in-2023-24",
        "smi_checks",
        smi_checks.FILE,
        d.csv_file(keep=_year("2023-2024"), edit=d.set_cell(0, "CCG Code", "00C")),
        checked(smi_checks.read),
        Rejected(
            "code is not a 2023 sub-ICB location, as rows from 2022-23 must be "
            "(a CCG code of an earlier year?)",
            1,
        ),
    ),
    Variant(
        "smi-checks-unknown-ccg-code",
        "smi_checks",
        smi_checks.FILE,
        d.csv_file(keep=_year("2019-2020"), edit=d.set_cell(2, "CCG Code", "99Z")),
        checked(smi_checks.read),
        Rejected("CCG code not in any CCG register of 2013-2021", 1),
    ),
    Variant(
        "smi-checks-bad-period",
        "smi_checks",
        smi_checks.FILE,
        d.csv_file(edit=d.set_cell(2, "Period", "Q4 2023-24")),
        reader(smi_checks.read),
        Rejected("period not in the form SMI-Q4-2023-2024", 1),
    ),
    Variant(
        "smi-checks-cut-mid-row",
        "smi_checks",
        smi_checks.FILE,
        d.csv_file(text=d.cut_last_line),
        reader(smi_checks.read),
        Error("cut short"),
    ),
    # ---- prescribing
    Variant(
        "prescribing-lsoa-negative-items",
        "prescribing",
        prescribing.LSOA_FILES["2025-Q1"],
        d.csv_file(
            keep=lambda r: r["lsoa11"].startswith("E01"), edit=d.set_cell(3, "items", "-2.5")
        ),
        reader(lambda raw: prescribing.read_lsoa_quarter(raw, "2025-Q1")),
        Rejected("negative count in column 'items'", 1),
    ),
    Variant(
        "prescribing-lsoa-text-in-cost",
        "prescribing",
        prescribing.LSOA_FILES["2025-Q1"],
        d.csv_file(keep=lambda r: r["lsoa11"].startswith("E01"), edit=d.set_cell(4, "nic", "n.k.")),
        reader(lambda raw: prescribing.read_lsoa_quarter(raw, "2025-Q1")),
        Rejected("text in numeric column 'nic'", 1),
    ),
    Variant(
        "prescribing-practice-duplicated-rows",
        "prescribing",
        prescribing.PRACTICE_FILES["2017-18"],
        d.csv_file(edit=d.duplicate_rows(0, 3)),
        reader(lambda raw: prescribing.read_practice_extract(raw, "2017-18")),
        Rejected("duplicate practice code", 3),
    ),
    Variant(
        "prescribing-practice-ccg-map-utf16",
        "prescribing",
        prescribing.CCG_MAP_FILE,
        d.csv_file(head=2000, encoding="utf-16"),
        reader(prescribing.read_practice_ccg),
        Error("not UTF-8 text"),
    ),
    Variant(
        "prescribing-ccg-2019-boundaries-bom",
        "prescribing",
        prescribing.CCG_2019_FILE,
        d.geojson_file(keep=40, prefix=d.BOM),
        reader(prescribing.read_practice_ccg),
        Same(),
    ),
    # ---- Fingertips and the ONS Health Index
    Variant(
        "fingertips-depression-renamed-column",
        "fingertips",
        fingertips.DEPRESSION,
        d.csv_file(edit=d.rename_column("area_code", "AreaCode")),
        reader(fingertips.read_la_depression),
        Error("expected column is missing", column="area_code"),
    ),
    Variant(
        "fingertips-self-harm-bom",
        "fingertips",
        fingertips.SELF_HARM,
        d.csv_file(prefix=d.BOM),
        reader(fingertips.read_la_self_harm),
        Same(),
    ),
    Variant(
        "fingertips-smoking-suppression-marker",
        "fingertips",
        fingertips.SMOKING,
        d.csv_file(edit=d.set_cell(2, "Value", "*")),
        reader(fingertips.read_smoking),
        Flagged("smoking_prevalence", 1),
    ),
    Variant(
        "fingertips-health-index-duplicated-rows",
        "fingertips",
        fingertips.HEALTH_INDEX,
        d.csv_file(keep=lambda r: r["indicator"] == "Suicides", edit=d.duplicate_rows(0, 2)),
        reader(fingertips.read_health_index),
        Rejected("duplicate ltla21_code + year + indicator (all copies rejected)", 4),
    ),
    Variant(
        "fingertips-life-expectancy-text",
        "fingertips",
        fingertips.LIFE_EXPECTANCY,
        d.csv_file(edit=d.set_cell(2, "Life_Expectancy_Female", "eighty")),
        reader(fingertips.read_gp_life_expectancy),
        Rejected("text in numeric column 'Life_Expectancy_Female'", 1),
    ),
    # ---- other secondary-care files
    Variant(
        "secondary-oaps-negative-count",
        "secondary_other",
        secondary_other.OAPS_FILE,
        d.csv_file(edit=d.set_cell(1, "Inappropriate OAPs active at period end", "-5")),
        reader(secondary_other.read_oaps),
        Rejected("negative count in column 'Inappropriate OAPs active at period end'", 1),
    ),
    Variant(
        "secondary-readmissions-truncated-workbook",
        "secondary_other",
        secondary_other.READMISSIONS_FILE,
        d.truncated(0.5),
        reader(secondary_other.read_readmissions),
        Error("cannot be read"),
    ),
    Variant(
        "secondary-restrictive-missing-column",
        "secondary_other",
        secondary_other.RESTRICTIVE_FILE,
        d.csv_file(edit=d.drop_column("Seclusion (BAME)")),
        reader(secondary_other.read_restrictive),
        Error("expected column is missing", column="Seclusion (BAME)"),
    ),
)


# --------------------------------------------------------------------------- the test


def _recon(result: SourceResult, file: str) -> Reconciliation:
    matches = [r for r in result.reconciliations if r.file == file]
    assert len(matches) == 1, f"{file}: {len(matches)} reconciliations"
    return matches[0]


def _flagged(result: SourceResult, table: str) -> int:
    return int(result.tables[table][SUPPRESSED].sum())


def _raw(raw_dir: Path, root: Path, variant: Variant, damaged: bool) -> RawDir:
    data = variant.make(raw_dir / variant.file, damaged)
    return RawDir(d.raw_copy(raw_dir, root, variant.file, data))


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.id for v in VARIANTS])
def test_bad_input_ends_in_a_named_error_or_counted_rows(variant, raw_dir, tmp_path):
    clean = variant.run(_raw(raw_dir, tmp_path / "clean", variant, damaged=False), raw_dir)
    for recon in clean.reconciliations:
        recon.check()
    bad_raw = _raw(raw_dir, tmp_path / "damaged", variant, damaged=True)
    expect = variant.expect

    if isinstance(expect, Error):
        with pytest.raises(SourceError) as caught:
            variant.run(bad_raw, raw_dir)
        error = caught.value
        assert error.file == variant.file
        assert error.column == expect.column
        assert expect.problem in error.problem, error.problem
        assert error.remedy and "What to do" in str(error)
        assert str(tmp_path) not in str(error)  # no machine path in a message
        return

    result = variant.run(bad_raw, raw_dir)
    for recon in result.reconciliations:
        recon.check()
    before, after = _recon(clean, variant.file), _recon(result, variant.file)
    if isinstance(expect, Rejected):
        wanted = {expect.reason: expect.count, **dict(expect.also)}
        changed = {
            reason: after.rejected[reason] - before.rejected[reason]
            for reason in set(after.rejected) | set(before.rejected)
            if after.rejected[reason] != before.rejected[reason]
        }
        assert changed == wanted
    elif isinstance(expect, Flagged):
        assert after.rejected == before.rejected
        flagged = _flagged(result, expect.table) - _flagged(clean, expect.table)
        assert flagged == expect.count
    elif isinstance(expect, Repaired):
        assert after.rejected == before.rejected
        assert any(expect.note in note for note in after.notes), after.notes
    else:
        assert [r.as_dict() for r in result.reconciliations] == [
            r.as_dict() for r in clean.reconciliations
        ]
        assert set(result.tables) == set(clean.tables)
        for name, table in clean.tables.items():
            pd.testing.assert_frame_equal(result.tables[name], table)


def test_the_corpus_is_wide():
    """At least 30 variants, spread over every reader family, with each kind of outcome."""
    assert len(VARIANTS) >= 30
    assert len({v.id for v in VARIANTS}) == len(VARIANTS)
    assert {v.source for v in VARIANTS} == {
        "deprivation",
        "population",
        "lookups",
        "boundaries",
        "qof_ccg",
        "qof_practice",
        "talking_therapies",
        "mhsds",
        "smi_checks",
        "prescribing",
        "fingertips",
        "secondary_other",
    }
    kinds = {type(v.expect) for v in VARIANTS}
    assert kinds == {Error, Rejected, Flagged, Repaired, Same}


# --------------------------------------------------------------------------- whole build

#: Variants also run through the build command, chosen among files the build reads early
#: so that it stops within seconds: each must stop with its named error and leave the atlas
#: exactly as it was, with no half-written copy beside it.
THROUGH_THE_BUILD = ("boundaries-truncated", "lookups-ltla-utla-cut-mid-row", "population-utf16")


def _files(atlas: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(atlas).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(atlas.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("variant_id", THROUGH_THE_BUILD)
def test_the_build_stops_and_leaves_no_half_written_atlas(variant_id, raw_dir, tmp_path):
    variant = next(v for v in VARIANTS if v.id == variant_id)
    assert isinstance(variant.expect, Error)
    raw = _raw(raw_dir, tmp_path / "raw", variant, damaged=True)
    atlas = tmp_path / "geodata" / "atlas"
    shutil.copytree(atlas_files.ATLAS_DIR, atlas)
    before = _files(atlas)
    done = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "build", "--raw", str(raw.root)]
        + ["--atlas", str(atlas)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"build stopped: {variant.file}")
    assert variant.expect.problem in done.stderr and "What to do" in done.stderr
    assert "Traceback" not in done.stderr
    assert _files(atlas) == before
    assert sorted(p.name for p in atlas.parent.iterdir()) == ["atlas"]
