"""Antidepressant prescribing: by GP practice (2017-19, OpenPrescribing) and by LSOA (2025, PLDR).

Three kinds of file feed the atlas:

- practice totals of BNF 4.3 items and cost from the Bennett Institute's antidepressant
  paper: a 12-month window ending mid-2018, and a later extract that holds only about a
  quarter of a year's items, so it is labelled ``2018-19-partial`` and must only be compared
  with itself;
- the OpenPrescribing practice → CCG map of early 2020, kept only where the CCG is one of the
  191 CCGs of April 2019 that the OpenPrescribing boundaries draw (other parents are trusts,
  hubs and closed CCGs, and would silently miss the map);
- PLDR indicator P_1_07, which apportions practice prescribing to the LSOA 2011 where the
  registered patients live. Rows for patients living outside England, or with no LSOA,
  are counted as rejected.

Monthly English Prescribing Data (EPD) files under ``prescribing/epd/``, as ``fetch``
writes them (already cut to BNF 4.3) or as NHSBSA publishes them (about 17 million rows a
month), are aggregated by :func:`read_epd` with DuckDB straight from the CSVs: rows stream
through a filter and a group-by, so a year fits in well under 2 GB. They are optional: when
present, the build adds a 12-month period of antidepressant items per 1,000 registered
patients (:mod:`data_pipeline.indicators.families.prescribing_epd`); when absent, nothing is read.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import duck
from data_pipeline.errors import SourceError
from data_pipeline.raw import FETCH_HINT, RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, read_csv_text, require_columns

SOURCE = "prescribing"

#: Practice-level antidepressant extracts, by the label the atlas gives them.
PRACTICE_FILES: dict[str, str] = {
    "2017-18": "prescribing/ebm_antidepressant_items_by_practice_12mo_2017-18.csv.gz",
    "2018-19-partial": "prescribing/ebm_antidepressant_items_by_practice_2018-19_extract.csv.gz",
}
PRACTICE_NOTES: dict[str, str] = {
    "2017-18": "about 12 months ending mid-2018 (data pulled August 2018)",
    "2018-19-partial": (
        "a partial-period extract (about a quarter of a year's items): compare practices "
        "within this extract only"
    ),
}
CCG_MAP_FILE = "prescribing/ebm_practice_to_ccg_map_2020.csv"
CCG_2019_FILE = "boundaries/ccg_2019_openprescribing_ods_codes.geojson"

#: PLDR P_1_07 antidepressant files, by quarter.
LSOA_FILES: dict[str, str] = {
    "2025-Q1": "prescribing/pldr_p107_antidepressants_lsoa11_2025_Q1.csv.gz",
    "2025-Q2": "prescribing/pldr_p107_antidepressants_lsoa11_2025_Q2.csv.gz",
}
LSOA_COLUMNS = {
    "lsoa11": "lsoa11_code",
    "items": "items",
    "adqs": "adqs",
    "nic": "nic",
    "All_Patients": "patients",
    "all_ages": "population",
}

#: Area codes in the PLDR files that are not English LSOAs, and why they are left out.
#: Checked in order; the first match gives the reason.
NOT_ENGLISH: list[tuple[str, str]] = [
    (r"^W01", "outside England (Welsh LSOA)"),
    (r"^S01", "outside England (Scottish data zone)"),
    (r"^95", "outside England (Northern Ireland area)"),
    (r"^L99999999$", "outside England (Channel Islands)"),
    (r"^M99999999$", "outside England (Isle of Man)"),
    (r"^(?:EMPTY|OTHER)$", "patients with no LSOA of residence (EMPTY or OTHER)"),
]


def _codes(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Trim and upper-case a code column so joins do not fail on stray spaces."""
    return frame.assign(**{column: frame[column].astype("string").str.strip().str.upper()})


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series == "")


def read_practice_extract(raw: RawDir, extract: str) -> SourceResult:
    """One practice-level antidepressant file: total items and cost per practice."""
    relative = PRACTICE_FILES[extract]
    recon = Reconciliation(SOURCE, relative)
    frame = read_csv_text(raw.path(relative), relative)
    require_columns(frame, ["practice", "total_items", "total_cost"], relative)
    recon.rows_in = len(frame)
    frame = _codes(frame, "practice")
    frame = recon.reject_mask(frame, _blank(frame["practice"]), "no practice code")
    frame = recon.reject_mask(
        frame, frame.duplicated("practice", keep="first"), "duplicate practice code"
    )
    frame = numeric(frame, "total_items", recon, count=True)
    frame = numeric(frame, "total_cost", recon, count=True)
    recon.rows_used = len(frame)
    recon.notes.append(PRACTICE_NOTES[extract])
    recon.notes.append("practices are not filtered: some non-GP cost centres are included")
    recon.check()
    table = pd.DataFrame(
        {
            "extract": extract,
            "practice_code": frame["practice"],
            "items": frame["total_items"],
            "cost": frame["total_cost"],
            SUPPRESSED: frame[SUPPRESSED],
        }
    )
    return SourceResult({"ad_practice": table}, [recon])


def read_ad_practice(raw: RawDir) -> SourceResult:
    """Both practice-level extracts as the ``ad_practice`` table."""
    results = [read_practice_extract(raw, extract) for extract in PRACTICE_FILES]
    table = pd.concat([r.tables["ad_practice"] for r in results], ignore_index=True)
    table = table.sort_values(["extract", "practice_code"]).reset_index(drop=True)
    recons = [recon for r in results for recon in r.reconciliations]
    return SourceResult({"ad_practice": table}, recons)


def read_ccg_2019_codes(raw: RawDir) -> tuple[set[str], Reconciliation]:
    """The ODS codes of the 191 CCGs of April 2019, from the OpenPrescribing boundaries."""
    relative = CCG_2019_FILE
    recon = Reconciliation(SOURCE, relative)
    try:
        # utf-8-sig: a byte-order mark, which some tools write, is not an error.
        with Path(raw.path(relative)).open(encoding="utf-8-sig") as handle:
            features = json.load(handle)["features"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise SourceError(
            relative,
            f"the file is not a GeoJSON feature collection ({exc.__class__.__name__})",
            "download the boundary file again",
        ) from exc
    codes = pd.Series([(f.get("properties") or {}).get("code") for f in features], dtype="string")
    codes = codes.str.strip().str.upper()
    recon.rows_in = len(codes)
    if len(codes) and bool(_blank(codes).all()):
        raise SourceError(
            relative,
            "no feature has a 'code' property",
            "use the published OpenPrescribing CCG boundaries, which carry the ODS code",
            column="code",
        )
    codes = recon.reject_mask(codes.to_frame("code"), _blank(codes), "no CCG code")["code"]
    recon.rows_used = len(codes)
    recon.notes.append("only the 'code' property is read (the CCG list, not the shapes)")
    recon.check()
    return set(codes), recon


def read_practice_ccg(raw: RawDir) -> SourceResult:
    """Practice → CCG (April 2019 CCGs) as the ``practice_ccg_2019`` table."""
    ccgs, ccg_recon = read_ccg_2019_codes(raw)
    relative = CCG_MAP_FILE
    recon = Reconciliation(SOURCE, relative)
    frame = read_csv_text(raw.path(relative), relative)
    require_columns(frame, ["code", "ccg_id"], relative)
    recon.rows_in = len(frame)
    frame = _codes(_codes(frame, "code"), "ccg_id")
    frame = recon.reject_mask(frame, _blank(frame["code"]), "no practice code")
    frame = recon.reject_mask(
        frame, _blank(frame["ccg_id"]), "no CCG (closed or non-GP prescriber)"
    )
    ccg_shaped = frame["ccg_id"].str.fullmatch(r"[0-9]{2}[A-Z]")
    outside = ~frame["ccg_id"].isin(ccgs)
    frame = recon.reject_mask(
        frame,
        outside & ccg_shaped,
        "CCG code not among the 191 CCGs of April 2019 (a CCG merged earlier, or an NHS "
        "England commissioning hub)",
    )
    frame = recon.reject_mask(
        frame,
        ~frame["ccg_id"].isin(ccgs),
        "parent organisation is not a CCG (trust, hub or other non-CCG code)",
    )
    frame = recon.reject_mask(
        frame, frame.duplicated("code", keep="first"), "duplicate practice code"
    )
    recon.rows_used = len(frame)
    recon.notes.append(f"CCG codes checked against the {len(ccgs)} CCGs of {CCG_2019_FILE}")
    recon.check()
    table = pd.DataFrame({"practice_code": frame["code"], "ccg_ods": frame["ccg_id"]})
    table = table.sort_values("practice_code").reset_index(drop=True)
    return SourceResult(
        {"practice_ccg_2019": table}, [ccg_recon, recon], {"practice_ccg_2019": relative}
    )


def _reject_not_english(frame: pd.DataFrame, recon: Reconciliation) -> pd.DataFrame:
    """Keep English LSOA 2011 codes (E01...); count every other area code by reason."""
    frame = recon.reject_mask(frame, _blank(frame["lsoa11"]), "no area code")
    for pattern, reason in NOT_ENGLISH:
        frame = recon.reject_mask(frame, frame["lsoa11"].str.contains(pattern), reason)
    frame = recon.reject_mask(
        frame, ~frame["lsoa11"].str.fullmatch(r"E01[0-9]{6}"), "not an LSOA 2011 code"
    )
    return recon.reject_mask(frame, frame.duplicated("lsoa11", keep="first"), "duplicate LSOA code")


def read_lsoa_quarter(raw: RawDir, quarter: str) -> SourceResult:
    """One PLDR quarter: antidepressant items, ADQs, cost, patients and population by LSOA."""
    relative = LSOA_FILES[quarter]
    recon = Reconciliation(SOURCE, relative)
    frame = read_csv_text(raw.path(relative), relative)
    require_columns(frame, LSOA_COLUMNS, relative)
    recon.rows_in = len(frame)
    frame = _codes(frame[list(LSOA_COLUMNS)], "lsoa11")
    frame = _reject_not_english(frame, recon)
    for column in ["items", "adqs", "nic", "All_Patients", "all_ages"]:
        frame = numeric(frame, column, recon, count=True)
    recon.rows_used = len(frame)
    recon.notes.append(
        "items are apportioned from practices to LSOAs by where registered patients live, "
        "so they are fractional; All_Patients = registered patients living in the LSOA"
    )
    recon.check()
    table = frame.rename(columns=LSOA_COLUMNS).assign(quarter=quarter)
    columns = ["quarter", *LSOA_COLUMNS.values(), SUPPRESSED]
    return SourceResult({"ad_lsoa": table[columns]}, [recon])


def read_ad_lsoa(raw: RawDir) -> SourceResult:
    """Both PLDR quarters as the ``ad_lsoa`` table."""
    results = [read_lsoa_quarter(raw, quarter) for quarter in LSOA_FILES]
    table = pd.concat([r.tables["ad_lsoa"] for r in results], ignore_index=True)
    table = table.sort_values(["quarter", "lsoa11_code"]).reset_index(drop=True)
    recons = [recon for r in results for recon in r.reconciliations]
    return SourceResult({"ad_lsoa": table}, recons)


EPD_DIR = "prescribing/epd"
#: The header of a published EPD month (NHSBSA Open Data Portal), in order.
EPD_PUBLISHED_COLUMNS = (
    "YEAR_MONTH",
    "REGIONAL_OFFICE_NAME",
    "REGIONAL_OFFICE_CODE",
    "ICB_NAME",
    "ICB_CODE",
    "PCO_NAME",
    "PCO_CODE",
    "PRACTICE_NAME",
    "PRACTICE_CODE",
    "ADDRESS_1",
    "ADDRESS_2",
    "ADDRESS_3",
    "ADDRESS_4",
    "POSTCODE",
    "BNF_CHEMICAL_SUBSTANCE",
    "CHEMICAL_SUBSTANCE_BNF_DESCR",
    "BNF_CODE",
    "BNF_DESCRIPTION",
    "BNF_CHAPTER_PLUS_CODE",
    "QUANTITY",
    "ITEMS",
    "TOTAL_QUANTITY",
    "ADQUSAGE",
    "NIC",
    "ACTUAL_COST",
    "UNIDENTIFIED",
)
#: EPD columns the aggregation reads (the published header has 26).
EPD_COLUMNS = ("YEAR_MONTH", "PRACTICE_CODE", "BNF_CODE", "ITEMS", "NIC", "ACTUAL_COST", "ADQUSAGE")
EPD_TYPES = {
    "YEAR_MONTH": "VARCHAR",
    "BNF_CODE": "VARCHAR",
    "PRACTICE_CODE": "VARCHAR",
    "ITEMS": "DOUBLE",
    "NIC": "DOUBLE",
    "ACTUAL_COST": "DOUBLE",
    "ADQUSAGE": "DOUBLE",
}
BNF_ANTIDEPRESSANTS = "0403"
#: Columns of ``ad_practice_epd``: one row per file, month and practice; ``rows`` counts
#: the file rows summed into it, so builders can count rows they leave out against the file.
EPD_OUT = ["file", "month", "practice_code", "rows", "items", "nic", "actual_cost", "adq_usage"]

#: Reasons an EPD row is not used.
EPD_OUTSIDE = "BNF code outside section 4.3 (not an antidepressant)"
EPD_NO_PRACTICE = "no practice code"
EPD_NO_ITEMS = "no ITEMS value"
EPD_BAD_MONTH = "YEAR_MONTH is not a month (YYYYMM)"
#: Row classes of the aggregation (a group-by key, so one pass sorts every row).
_USED, _OUTSIDE, _NO_ITEMS = 0, 1, 2


def epd_files(raw: RawDir) -> list[str]:
    """Monthly EPD CSVs (plain or gzipped) under ``prescribing/epd/``, relative, sorted."""
    folder = raw.root / EPD_DIR
    found = sorted(
        p for p in folder.glob("*") if p.is_file() and p.name.lower().endswith((".csv", ".csv.gz"))
    )
    return [p.relative_to(raw.root).as_posix() for p in found]


def _epd_header(path: str) -> list[str]:
    """The header row of a plain or gzipped EPD CSV (read on its own, it costs nothing)."""
    import csv
    import gzip

    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle), [])]
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"the file cannot be read ({exc})", "download it again") from exc


def aggregate_epd(
    paths: list[str],
    prefix: str = BNF_ANTIDEPRESSANTS,
    memory_limit: str = "1GB",
    threads: int | None = None,
) -> pd.DataFrame:
    """Items, cost and ADQs per file, month and practice for BNF codes starting ``prefix``.

    One DuckDB pass over the files: each row is classified (BNF prefix or not, ITEMS
    present or not) and summed in the same group-by, so the CSVs are read once and never
    held in memory. Rows not used collapse to one group per file, month and class;
    ``reason`` says why a group is not used, ``rows`` how many rows it holds.
    The header of each file is read first and given to DuckDB as the schema, which skips
    its format sniffing (most of the time on wide files); only the seven columns used are
    typed and kept, the others are skipped by the scan. Files are grouped by header, so
    months published with older column sets still read. ``threads`` caps DuckDB's threads
    (default: one per core; plain CSVs are split between them, gzipped ones are not).
    """
    by_header: dict[tuple[str, ...], list[str]] = {}
    for path in paths:
        by_header.setdefault(tuple(_epd_header(path)), []).append(path)
    frames = []
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        for header, files in by_header.items():
            label = files[0] if len(files) == 1 else f"{EPD_DIR}/ ({len(files)} files)"
            require_columns(pd.DataFrame(columns=list(header)), EPD_COLUMNS, label)
            frames.append(_aggregate_files(con, header, files, prefix, label))
    finally:
        con.close()
    out = pd.concat(frames, ignore_index=True)
    out["month"] = out["month"].astype("string").str.strip()
    out["practice_code"] = out["practice_code"].astype("string").str.strip().str.upper()
    blank = out["practice_code"].isna() | (out["practice_code"] == "")
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out.loc[(out["class"] == _USED) & blank, "reason"] = EPD_NO_PRACTICE
    out.loc[out["class"] == _OUTSIDE, "reason"] = EPD_OUTSIDE
    out.loc[out["class"] == _NO_ITEMS, "reason"] = EPD_NO_ITEMS
    return out.drop(columns="class")


def _aggregate_files(
    con: duckdb.DuckDBPyConnection,
    header: tuple[str, ...],
    files: list[str],
    prefix: str,
    label: str,
) -> pd.DataFrame:
    """The group-by of :func:`aggregate_epd` over files that share one header."""
    columns = ", ".join(f"'{c}': '{EPD_TYPES.get(c, 'VARCHAR')}'" for c in header)
    source = (
        "read_csv($paths, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', filename = true, columns = {{{columns}}})"
    )
    # per-row work kept to one prefix test and one NULL test; codes are tidied on the result
    sql = f"""
        SELECT filename, YEAR_MONTH AS month, class,
               CASE WHEN class = {_USED} THEN PRACTICE_CODE END AS practice_code,
               count(*) AS rows, sum(ITEMS) AS items, sum(NIC) AS nic,
               sum(ACTUAL_COST) AS actual_cost, sum(ADQUSAGE) AS adq_usage
        FROM (
            SELECT filename, YEAR_MONTH, PRACTICE_CODE, ITEMS, NIC, ACTUAL_COST, ADQUSAGE,
                   CASE WHEN NOT coalesce(starts_with(BNF_CODE, $prefix), false)
                        THEN {_OUTSIDE}
                        WHEN ITEMS IS NULL THEN {_NO_ITEMS}
                        ELSE {_USED} END AS class
            FROM {source}
        )
        GROUP BY ALL
    """
    return duck.query(con, sql, {"paths": files, "prefix": prefix}, label).df()


def read_epd(raw: RawDir, prefix: str = BNF_ANTIDEPRESSANTS) -> SourceResult:
    """Table ``ad_practice_epd``: BNF 4.3 items, cost and ADQs by file, month and GP practice.

    Every row of every monthly file is accounted for: rows outside BNF 4.3 (all but about
    4% of a published month; none in a fetched file), rows without a practice code, an
    ITEMS value or a YYYYMM month are counted as rejected.
    """
    files = epd_files(raw)
    if not files:
        raise SourceError(
            EPD_DIR, "no English Prescribing Data files (*.csv, *.csv.gz)", FETCH_HINT
        )
    absolute = {str(raw.path(f)): f for f in files}
    groups = aggregate_epd(list(absolute), prefix)
    groups["file"] = groups["filename"].map(lambda p: absolute.get(p, p))
    bad_month = ~groups["month"].str.fullmatch(r"20\d\d(?:0[1-9]|1[0-2])").fillna(False)
    groups.loc[groups["reason"].isna() & bad_month, "reason"] = EPD_BAD_MONTH
    recons = []
    for relative in files:
        part = groups[groups["file"] == relative]
        recon = Reconciliation(SOURCE, relative, rows_in=int(part["rows"].sum()))
        for reason, n in part.loc[part["reason"].notna()].groupby("reason")["rows"].sum().items():
            recon.reject(str(reason), int(n))
        recon.rows_used = int(part.loc[part["reason"].isna(), "rows"].sum())
        recon.notes.append(f"rows with BNF codes starting {prefix} summed by month and practice")
        recon.check()
        recons.append(recon)
    used = groups[groups["reason"].isna()]
    table = (
        used.groupby(["file", "month", "practice_code"], as_index=False)[
            ["rows", "items", "nic", "actual_cost", "adq_usage"]
        ]
        .sum()
        .sort_values(["file", "month", "practice_code"])
        .reset_index(drop=True)
    )
    table = table.astype({"file": "string", "month": "string", "practice_code": "string"})
    table["rows"] = table["rows"].astype("int64")
    return SourceResult({"ad_practice_epd": table[EPD_OUT]}, recons, {"ad_practice_epd": EPD_DIR})


def read_epd_if_present(raw: RawDir) -> SourceResult:
    """:func:`read_epd` when ``prescribing/epd/`` holds monthly files; else nothing.

    EPD months are an optional input of the build: without them it reads nothing and adds
    no period, and nothing is reported missing.
    """
    return read_epd(raw) if epd_files(raw) else SourceResult()


def read(raw: RawDir) -> SourceResult:
    """All prescribing tables: ``ad_practice``, ``practice_ccg_2019`` and ``ad_lsoa``."""
    return read_ad_practice(raw).merge(read_practice_ccg(raw)).merge(read_ad_lsoa(raw))
