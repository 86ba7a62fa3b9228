"""QOF depression and SMI registers by GP practice, each year, and the practices' NHS geography.

Each year's practice file is the publisher's long ``PREVALENCE_<yyyy>.csv`` (2022-23 from NHS
Digital, 2024-25 from NHS England, the same layout): one row per practice and register (21
registers). Every year is read and checked the same way, into a table of its own
(:data:`TABLES`), so a year whose file is missing costs only that year. The atlas needs
depression (``DEP``, counted against the 18+ list) and severe mental illness (``MH``,
against the whole list); the other registers are counted as rejected by name. The mapping
file is the QOF 2022-23 "MAPPING_NHS_GEOGRAPHIES" table, which places every practice of that
year in its PCN, sub-ICB location, ICB and NHS region; later years' practices are placed by
the indicator builders through the 2024 practice lookup.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from data_pipeline import duck
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, require_columns

SOURCE = "qof_practice"
#: QOF year -> its practice prevalence file.
PREVALENCE_FILES = {
    "2022-23": "qof_practice/qof_prevalence_by_practice_2022-23.csv.gz",
    "2024-25": "qof_practice/qof_prevalence_by_practice_2024-25.csv.gz",
}
#: QOF year -> the table its registers are read into.
TABLES = {"2022-23": "qof_practice", "2024-25": "qof_practice_2024_25"}
PREVALENCE_FILE = PREVALENCE_FILES["2022-23"]
MAPPING_FILE = "lookups/qof_practice_nhs_geographies/qof_mapping_nhs_geographies_2022_2023.parquet"

#: The registers the atlas uses, with the list each is published against.
GROUPS: dict[str, str] = {"DEP": "18OV", "MH": "TOTAL"}

PREVALENCE_COLUMNS = {
    "PRACTICE_CODE": "practice_code",
    "GROUP_CODE": "group",
    "REGISTER": "register",
    "PRACTICE_LIST_SIZE": "list_size",
    "PATIENT_LIST_TYPE": "list_type",
}

MAPPING_COLUMNS = {
    "PRACTICE_CODE": "practice_code",
    "PRACTICE_NAME": "practice_name",
    "PCN_ODS_CODE": "pcn_code",
    "PCN_NAME": "pcn_name",
    "SUB_ICB_ODS_CODE": "sub_icb_ods",
    "SUB_ICB_ONS_CODE": "sub_icb_ons",
    "SUB_ICB_NAME": "sub_icb_name",
    "ICB_ODS_CODE": "icb_ods",
    "ICB_ONS_CODE": "icb_ons",
    "ICB_NAME": "icb_name",
    "REGION_ODS_CODE": "region_ods",
    "REGION_ONS_CODE": "region_ons",
    "REGION_NAME": "region_name",
}


def _query(
    con: duckdb.DuckDBPyConnection, relative: str, sql: str, params: list
) -> duckdb.DuckDBPyConnection:
    """Run a parameterised query; an unreadable file becomes a :class:`SourceError`."""
    return duck.query(con, sql, params, relative, "download it again")


def _columns(con: duckdb.DuckDBPyConnection, relative: str, sql: str, params: list) -> list[str]:
    cursor = _query(con, relative, f"SELECT * FROM ({sql}) LIMIT 0", params)
    return [d[0] for d in cursor.description]


def _blank(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].isna() | (frame[column].str.strip() == "")


def _prevalence_rows(path: str, relative: str, recon: Reconciliation) -> pd.DataFrame:
    """Count every row by register, reject the unused registers, return DEP and MH as text."""
    source = "SELECT * FROM read_csv(?, all_varchar = true, header = true)"
    with duckdb.connect() as con:
        present = _columns(con, relative, source, [path])
        require_columns(pd.DataFrame(columns=present), PREVALENCE_COLUMNS, relative)
        counts = _query(
            con,
            relative,
            f"SELECT coalesce(trim(GROUP_CODE), ''), count(*) FROM ({source}) "
            "GROUP BY 1 ORDER BY 1",
            [path],
        ).fetchall()
        frame = _query(
            con,
            relative,
            "SELECT PRACTICE_CODE, trim(GROUP_CODE) AS GROUP_CODE, REGISTER, "
            f"PRACTICE_LIST_SIZE, PATIENT_LIST_TYPE FROM ({source}) "
            "WHERE trim(GROUP_CODE) IN (?, ?)",
            [path, *GROUPS],
        ).df()
    recon.rows_in = sum(n for _, n in counts)
    for code, n in counts:
        if code not in GROUPS:
            recon.reject(f"register not used by the atlas: {code or '(blank)'}", n)
    return frame.astype("string").rename(columns=PREVALENCE_COLUMNS)


def _checked(frame: pd.DataFrame, recon: Reconciliation) -> pd.DataFrame:
    """Reject rows no year may have: no practice, the wrong list, repeats, impossible counts."""
    frame["practice_code"] = frame["practice_code"].str.strip().str.upper()
    frame["list_type"] = frame["list_type"].str.strip()
    frame = recon.reject_mask(frame, _blank(frame, "practice_code"), "no practice code")
    expected = frame["group"].map(GROUPS)
    frame = recon.reject_mask(
        frame,
        frame["list_type"] != expected,
        "list type is not the one the register is published against (DEP 18OV, MH TOTAL)",
    )
    frame = recon.reject_mask(
        frame,
        frame.duplicated(["practice_code", "group"], keep="first"),
        "duplicate practice and register",
    )
    frame = numeric(frame, "register", recon, count=True)
    frame = numeric(frame, "list_size", recon, count=True)
    for column in ("register", "list_size"):
        fraction = frame[column].notna() & (frame[column] != frame[column].round())
        frame = recon.reject_mask(frame, fraction, f"not a whole number of patients: {column}")
    frame = recon.reject_mask(
        frame, frame["list_size"] == 0, "no patients on the list (no prevalence can be made)"
    )
    return recon.reject_mask(
        frame,
        frame["register"] > frame["list_size"],
        "register larger than the list it is counted against",
    )


def read_prevalence(raw: RawDir, year: str = "2022-23") -> SourceResult:
    """Read the DEP and MH rows of one year's practice file (table ``TABLES[year]``)."""
    relative = PREVALENCE_FILES[year]
    recon = Reconciliation(SOURCE, relative)
    frame = _checked(_prevalence_rows(str(raw.path(relative)), relative, recon), recon)
    recon.rows_used = len(frame)
    recon.notes.append("DEP is counted against the 18+ list (18OV), MH against the whole list")
    recon.check()
    columns = ["practice_code", "group", "register", "list_size", "list_type", SUPPRESSED]
    table = frame[columns].sort_values(["practice_code", "group"]).reset_index(drop=True)
    return SourceResult({TABLES[year]: table}, [recon])


def prevalence_reader(year: str) -> Callable[[RawDir], SourceResult]:
    """The reader of one QOF year, for a build step of its own."""

    def read_year(raw: RawDir) -> SourceResult:
        return read_prevalence(raw, year)

    read_year.__doc__ = f"Read the QOF {year} practice registers (table {TABLES[year]!r})."
    return read_year


def _mapping_rows(path: str, relative: str) -> pd.DataFrame:
    """The mapping columns as text (plus the national code when the file has it)."""
    source = "SELECT * FROM read_parquet(?)"
    with duckdb.connect() as con:
        present = _columns(con, relative, source, [path])
        require_columns(pd.DataFrame(columns=present), MAPPING_COLUMNS, relative)
        wanted = [*MAPPING_COLUMNS, *(["NAT_CODE"] if "NAT_CODE" in present else [])]
        select = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in wanted)
        frame = _query(con, relative, f"SELECT {select} FROM ({source})", [path]).df()
    return frame.astype("string").rename(columns=MAPPING_COLUMNS)


def read_geography(raw: RawDir) -> SourceResult:
    """Read the 2022-23 practice → PCN → sub-ICB → ICB → region mapping."""
    relative = MAPPING_FILE
    recon = Reconciliation(SOURCE, relative)
    frame = _mapping_rows(str(raw.path(relative)), relative)
    recon.rows_in = len(frame)
    for column in ["practice_code", "sub_icb_ods", "icb_ods"]:
        frame[column] = frame[column].str.strip().str.upper()
    if "NAT_CODE" in frame.columns:
        outside = frame["NAT_CODE"].fillna("").str.strip().str.upper() != "ENG"
        frame = recon.reject_mask(frame, outside, "outside England (national code is not ENG)")
    frame = recon.reject_mask(frame, _blank(frame, "practice_code"), "no practice code")
    frame = recon.reject_mask(frame, _blank(frame, "sub_icb_ods"), "no sub-ICB location")
    frame = recon.reject_mask(
        frame, frame.duplicated("practice_code", keep="first"), "duplicate practice code"
    )
    recon.rows_used = len(frame)
    recon.check()
    table = frame[list(MAPPING_COLUMNS.values())]
    table = table.sort_values("practice_code").reset_index(drop=True)
    return SourceResult({"qof_practice_geography": table}, [recon])


def read(raw: RawDir) -> SourceResult:
    """Read the practice registers and the practice geography of QOF 2022-23."""
    return read_prevalence(raw).merge(read_geography(raw))
