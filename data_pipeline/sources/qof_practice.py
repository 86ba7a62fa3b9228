"""QOF 2022-23 depression and SMI registers by GP practice, and each practice's NHS geography.

The practice file is NHS Digital's long ``PREVALENCE_2223.csv``: one row per practice and
register (21 registers). The atlas needs depression (``DEP``, counted against the 18+ list)
and severe mental illness (``MH``, against the whole list); the other registers are counted
as rejected by name. The mapping file is the QOF "MAPPING_NHS_GEOGRAPHIES" table of the same
year, which places every practice in its PCN, sub-ICB location, ICB and NHS region, so
practice counts can be summed to any of them without a second lookup.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline import duck
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, require_columns

SOURCE = "qof_practice"
PREVALENCE_FILE = "qof_practice/qof_prevalence_by_practice_2022-23.csv.gz"
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


def read_prevalence(raw: RawDir) -> SourceResult:
    """Read the DEP and MH rows of the practice prevalence file (table ``qof_practice``)."""
    relative = PREVALENCE_FILE
    recon = Reconciliation(SOURCE, relative)
    frame = _prevalence_rows(str(raw.path(relative)), relative, recon)
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
    recon.rows_used = len(frame)
    recon.notes.append("DEP is counted against the 18+ list (18OV), MH against the whole list")
    recon.check()
    columns = ["practice_code", "group", "register", "list_size", "list_type", SUPPRESSED]
    table = frame[columns].sort_values(["practice_code", "group"]).reset_index(drop=True)
    return SourceResult({"qof_practice": table}, [recon])


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
