"""English Indices of Deprivation (IoD2019 and IoD2025): LSOA, area and GP-practice figures.

Deprivation is the "need" context of the atlas: IMD scores, ranks and deciles per small area,
the Health Deprivation and Disability domain, the modelled mental-health indicators of File 8,
and average scores for the NHS and local-authority areas the maps are drawn for. Every decile
follows the MHCLG convention: 1 = the most deprived 10% of LSOAs in England.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.summary_sheet import parse_summary_sheet
from data_pipeline.tabular import SUPPRESSED, numeric, read_columns

SOURCE = "deprivation"

IOD2025_LSOA = "deprivation/iod2025_lsoa21_scores_ranks_deciles_humaniverse.csv.gz"
IOD2025_LSOA_INDICATORS = "deprivation/iod2025_lsoa21_underlying_indicators_humaniverse.csv.gz"
IOD2019_DOMAINS = "deprivation/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"
IOD2019_LSOA_INDICATORS = "deprivation/iod2019_lsoa11_underlying_indicators_humaniverse.csv.gz"
IOD2019_CCG = "deprivation/IoD2019_CCG_summaries_File12_HFDI.xlsx"
IOD2025_LTLA = "deprivation/iod2025_ltla24_summaries_humaniverse.csv"
IOD2025_UTLA = (
    "deprivation/File_11_-_IoD2025_Local_Authority_District_Summaries__upper-tier__v2.xlsx"
)
IOD2025_ICB = "deprivation/iod2025_icb24_summaries_humaniverse.csv"
PRACTICE_IMD = "deprivation/fingertips_93553_gp_practice_imd_2010_2015_2019_heec.csv.gz"
PRACTICE_IMD_2025 = "deprivation/fingertips_94240_gp_practice_imd2025_praqtis.csv"
IOD2019_LAD = "deprivation/imd2019_lad19_summaries_humaniverse.csv"

LSOA_CODE = r"E01\d{6}"
LA_CODE = r"E0[6-9]\d{6}|E10\d{6}"
PRACTICE_CODE = r"[A-Z]\d{5}"

# Headers of IoD2019 File 2 as published (ranks and deciles only; no scores in this file).
F2_LSOA = "LSOA code (2011)"
F2_LAD = "Local Authority District code (2019)"
F2_IMD_RANK = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
F2_IMD_DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
F2_HEALTH_RANK = "Health Deprivation and Disability Rank (where 1 is most deprived)"
F2_HEALTH_DECILE = (
    "Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs)"
)

# Summary measures (Files 10-13) under the names the humaniverse conversions give them.
SUMMARY_COLUMNS = {
    "imd_average_score": "imd_average_score",
    "imd_average_rank": "imd_average_rank",
    "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally": "imd_prop_most_deprived_10",
    "health_deprivation_and_disability_average_score": "health_average_score",
}
SUMMARY_MEASURES = list(SUMMARY_COLUMNS.values())

# Summary workbooks: the measure is the text after the last " - " in the header.
WORKBOOK_IMD_MEASURES = {
    "average score": "imd_average_score",
    "average rank": "imd_average_rank",
    "proportion of lsoas in most deprived 10% nationally": "imd_prop_most_deprived_10",
}
WORKBOOK_HEALTH_MEASURES = {"average score": "health_average_score"}


# --------------------------------------------------------------------------- helpers


def _read_columns(raw: RawDir, relative: str, columns: Iterable[str]) -> pd.DataFrame:
    return read_columns(raw.path(relative), relative, columns)


def _recon(relative: str, frame: pd.DataFrame) -> Reconciliation:
    return Reconciliation(SOURCE, relative, rows_in=len(frame))


def _codes(
    frame: pd.DataFrame, column: str, pattern: str, recon: Reconciliation, reason: str
) -> pd.DataFrame:
    """Strip ``column`` and reject rows whose code does not match ``pattern``."""
    codes = frame[column].astype("string").str.strip()
    frame = frame.assign(**{column: codes})
    return recon.reject_mask(frame, ~codes.str.fullmatch(pattern).fillna(False), reason)


def _unique(frame: pd.DataFrame, keys: list[str], recon: Reconciliation) -> pd.DataFrame:
    """Reject every row of a key that appears twice: which copy is right cannot be told."""
    dup = frame.duplicated(keys, keep=False)
    return recon.reject_mask(frame, dup, f"duplicate {' + '.join(keys)} (all copies rejected)")


def _numbers(frame: pd.DataFrame, columns: Iterable[str], recon: Reconciliation) -> pd.DataFrame:
    for column in columns:
        frame = numeric(frame, column, recon)
    return frame


def _whole(frame: pd.DataFrame, column: str, recon: Reconciliation) -> pd.DataFrame:
    """Ranks, deciles and years are whole numbers; a fraction means a misread column."""
    values = frame[column]
    bad = values.notna() & (values != values.round())
    frame = recon.reject_mask(frame, bad, f"not a whole number in column '{column}'")
    return frame.assign(**{column: frame[column].astype("Int64")})


def _deciles(frame: pd.DataFrame, columns: Iterable[str], recon: Reconciliation) -> pd.DataFrame:
    for column in columns:
        frame = _whole(frame, column, recon)
        out_of_range = frame[column].notna() & ~frame[column].between(1, 10)
        frame = recon.reject_mask(frame, out_of_range, f"decile outside 1-10 in column '{column}'")
    return frame


def _finish(frame: pd.DataFrame, columns: list[str], keys: list[str]) -> pd.DataFrame:
    """Exact output columns, string codes, a plain bool flag, sorted by ``keys``."""
    out = frame[columns].copy()
    for column in columns:
        if column.endswith(("_code", "_name")):
            out[column] = out[column].astype(str)
    out[SUPPRESSED] = out[SUPPRESSED].fillna(False).astype(bool)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def _join_indicator(
    base: pd.DataFrame,
    indicators: pd.DataFrame,
    key: str,
    column: str,
    recon: Reconciliation,
) -> pd.DataFrame:
    """Attach one indicator column; indicator rows for areas not in ``base`` are rejected."""
    known = indicators[key].isin(base[key])
    indicators = recon.reject_mask(
        indicators,
        ~known,
        f"{key} not in the main table (absent or rejected there), so it cannot be joined",
    )
    recon.rows_used = len(indicators)
    flags = indicators[[key, SUPPRESSED]].rename(columns={SUPPRESSED: "_flag"})
    out = base.merge(indicators[[key, column]], on=key, how="left").merge(flags, on=key, how="left")
    out[SUPPRESSED] = out[SUPPRESSED] | out["_flag"].fillna(False).astype(bool)
    return out.drop(columns="_flag")


# --------------------------------------------------------------------------- LSOA files


def _lsoa_indicator(
    raw: RawDir, relative: str, key: str, column: str
) -> tuple[pd.DataFrame, Reconciliation]:
    frame = _read_columns(raw, relative, [key, column])
    recon = _recon(relative, frame)
    frame = _codes(frame, key, LSOA_CODE, recon, f"not an English LSOA code in '{key}'")
    frame = _unique(frame, [key], recon)
    frame = numeric(frame, column, recon)
    return frame, recon


def read_iod2025_lsoa21(raw: RawDir) -> SourceResult:
    """IoD2025 IMD, Health and Income scores per LSOA 2021, with File 8's mental-health indicator.

    IoD2025 is the only release with LSOA *scores* in the raw set, so it is the basis of
    score-weighted area averages; the mental-health indicator is the modelled LSOA "need".
    """
    score_cols = ["IMD_score", "Health_score", "Income_score"]
    rank_cols = ["IMD_rank"]
    decile_cols = ["IMD_decile", "Health_decile"]
    frame = _read_columns(raw, IOD2025_LSOA, ["lsoa21_code", *score_cols, *rank_cols, *decile_cols])
    recon = _recon(IOD2025_LSOA, frame)
    frame = _codes(frame, "lsoa21_code", LSOA_CODE, recon, "not an English LSOA 2021 code")
    frame = _unique(frame, ["lsoa21_code"], recon)
    frame = _numbers(frame, [*score_cols, *rank_cols, *decile_cols], recon)
    frame = _whole(frame, "IMD_rank", recon)
    frame = _deciles(frame, decile_cols, recon)
    recon.rows_used = len(frame)

    mh, mh_recon = _lsoa_indicator(
        raw, IOD2025_LSOA_INDICATORS, "lsoa21_code", "mental_health_indicator"
    )
    frame = _join_indicator(frame, mh, "lsoa21_code", "mental_health_indicator", mh_recon)
    mh_recon.notes.append("only mental_health_indicator is read; it is joined to the scores")

    frame = frame.rename(columns={c: c.lower() for c in frame.columns})
    columns = [
        "lsoa21_code",
        "imd_score",
        "imd_rank",
        "imd_decile",
        "health_score",
        "health_decile",
        "income_score",
        "mental_health_indicator",
        SUPPRESSED,
    ]
    for r in (recon, mh_recon):
        r.check()
    return SourceResult(
        {"iod2025_lsoa21": _finish(frame, columns, ["lsoa21_code"])}, [recon, mh_recon]
    )


def read_iod2019_lsoa11(raw: RawDir) -> SourceResult:
    """IoD2019 IMD and Health ranks and deciles per LSOA 2011, with the mood-and-anxiety indicator.

    LSOA 2011 is the geography of the older NHS lookups (CCG, sub-ICB 2022); File 2 carries
    ranks and deciles only (IoD2019 LSOA scores are not in the raw set).
    """
    frame = _read_columns(
        raw,
        IOD2019_DOMAINS,
        [F2_LSOA, F2_LAD, F2_IMD_RANK, F2_IMD_DECILE, F2_HEALTH_RANK, F2_HEALTH_DECILE],
    )
    frame = frame.rename(
        columns={
            F2_LSOA: "lsoa11_code",
            F2_LAD: "lad19_code",
            F2_IMD_RANK: "imd_rank",
            F2_IMD_DECILE: "imd_decile",
            F2_HEALTH_RANK: "health_rank",
            F2_HEALTH_DECILE: "health_decile",
        }
    )
    recon = _recon(IOD2019_DOMAINS, frame)
    frame = _codes(frame, "lsoa11_code", LSOA_CODE, recon, "not an English LSOA 2011 code")
    frame = _codes(frame, "lad19_code", LA_CODE, recon, "not an English local authority code")
    frame = _unique(frame, ["lsoa11_code"], recon)
    frame = _numbers(frame, ["imd_rank", "imd_decile", "health_rank", "health_decile"], recon)
    frame = _whole(_whole(frame, "imd_rank", recon), "health_rank", recon)
    frame = _deciles(frame, ["imd_decile", "health_decile"], recon)
    recon.rows_used = len(frame)
    recon.notes.append("File 2 chosen over File 1: same IMD ranks, plus the Health domain")

    mood, mood_recon = _lsoa_indicator(
        raw, IOD2019_LSOA_INDICATORS, "lsoa11_code", "mood_and_anxiety_disorders_indicator"
    )
    frame = _join_indicator(
        frame, mood, "lsoa11_code", "mood_and_anxiety_disorders_indicator", mood_recon
    )
    mood_recon.notes.append("only mood_and_anxiety_disorders_indicator is read")
    frame = frame.rename(columns={"mood_and_anxiety_disorders_indicator": "mood_anxiety_indicator"})
    columns = [
        "lsoa11_code",
        "lad19_code",
        "imd_rank",
        "imd_decile",
        "health_rank",
        "health_decile",
        "mood_anxiety_indicator",
        SUPPRESSED,
    ]
    for r in (recon, mood_recon):
        r.check()
    return SourceResult(
        {"iod2019_lsoa11": _finish(frame, columns, ["lsoa11_code"])}, [recon, mood_recon]
    )


# --------------------------------------------------------------------------- area summaries


def _summary_csv(
    raw: RawDir, relative: str, prefix: str, pattern: str, kind: str
) -> tuple[pd.DataFrame, Reconciliation]:
    """An IoD2025 summary CSV (Files 10 and 13 as converted by humaniverse)."""
    code, name = f"{prefix}_code", f"{prefix}_name"
    frame = _read_columns(raw, relative, [code, name, *SUMMARY_COLUMNS])
    frame = frame.rename(columns=SUMMARY_COLUMNS)
    recon = _recon(relative, frame)
    frame = _codes(frame, code, pattern, recon, f"not an English {kind} code")
    frame = _unique(frame, [code], recon)
    frame = _numbers(frame, SUMMARY_MEASURES, recon)
    recon.rows_used = len(frame)
    recon.check()
    return _finish(frame, [code, name, *SUMMARY_MEASURES, SUPPRESSED], [code]), recon


def read_iod2025_ltla24(raw: RawDir) -> SourceResult:
    """IoD2025 File 10 summaries per lower-tier local authority (2024 boundaries)."""
    table, recon = _summary_csv(raw, IOD2025_LTLA, "ltla24", LA_CODE, "local authority")
    return SourceResult({"iod2025_ltla24": table}, [recon])


def read_iod2025_icb24(raw: RawDir) -> SourceResult:
    """IoD2025 File 13 summaries per Integrated Care Board (2024, ONS E54 codes)."""
    table, recon = _summary_csv(raw, IOD2025_ICB, "icb24", r"E54\d{6}", "ICB (E54)")
    return SourceResult({"iod2025_icb24": table}, [recon])


def read_iod2019_lad19(raw: RawDir) -> SourceResult:
    """IoD2019 File 10 average scores per local authority district (2019 boundaries)."""
    frame = _read_columns(raw, IOD2019_LAD, ["lad_code", "Score", "Health_Score"])
    frame = frame.rename(
        columns={
            "lad_code": "lad19_code",
            "Score": "imd_average_score",
            "Health_Score": "health_average_score",
        }
    )
    recon = _recon(IOD2019_LAD, frame)
    frame = _codes(frame, "lad19_code", LA_CODE, recon, "not an English local authority code")
    frame = _unique(frame, ["lad19_code"], recon)
    frame = _numbers(frame, ["imd_average_score", "health_average_score"], recon)
    recon.rows_used = len(frame)
    recon.check()
    columns = ["lad19_code", "imd_average_score", "health_average_score", SUPPRESSED]
    return SourceResult({"iod2019_lad19": _finish(frame, columns, ["lad19_code"])}, [recon])


def _sheet_rows(workbook: openpyxl.Workbook, relative: str, sheet: str) -> list[tuple]:
    if sheet not in workbook.sheetnames:
        raise SourceError(
            relative,
            f"sheet '{sheet}' is missing (sheets: {', '.join(workbook.sheetnames)})",
            "use the published workbook unchanged",
        )
    return list(workbook[sheet].iter_rows(values_only=True))


def _open_workbook(path: Path, relative: str) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, OSError, KeyError) as exc:
        raise SourceError(
            relative,
            f"the workbook cannot be opened ({exc.__class__.__name__}: {exc})",
            "download it again",
        ) from exc


def _summary_workbook(
    raw: RawDir, relative: str, prefix: str, pattern: str, kind: str
) -> tuple[pd.DataFrame, Reconciliation]:
    """An IoD summary workbook: the IMD and Health sheets, joined by area code.

    Rows of both sheets are counted (rows in = IMD rows + Health rows); the other domain
    sheets are not read.
    """
    workbook = _open_workbook(raw.path(relative), relative)
    try:
        imd_rows = _sheet_rows(workbook, relative, "IMD")
        health_rows = _sheet_rows(workbook, relative, "Health")
    finally:
        workbook.close()
    imd, imd_header = parse_summary_sheet(imd_rows, relative, "IMD", WORKBOOK_IMD_MEASURES)
    health, health_header = parse_summary_sheet(
        health_rows, relative, "Health", WORKBOOK_HEALTH_MEASURES
    )
    recon = Reconciliation(SOURCE, relative, rows_in=len(imd) + len(health))
    recon.notes.append(
        f"sheets IMD (header on row {imd_header}, {len(imd)} data rows) and Health (header on "
        f"row {health_header}, {len(health)} data rows) read; rows above each header and "
        "blank rows skipped; other sheets not read"
    )
    imd_measures = list(WORKBOOK_IMD_MEASURES.values())
    imd = _codes(imd, "code", pattern, recon, f"IMD sheet: not an English {kind} code")
    imd = _unique(imd, ["code"], recon)
    imd = _numbers(imd, imd_measures, recon)
    health = _codes(health, "code", pattern, recon, f"Health sheet: not an English {kind} code")
    health = _unique(health, ["code"], recon)
    health = numeric(health, "health_average_score", recon)
    used_imd = len(imd)
    frame = _join_indicator(imd, health, "code", "health_average_score", recon)
    recon.rows_used += used_imd
    code, name = f"{prefix}_code", f"{prefix}_name"
    frame = frame.rename(columns={"code": code, "name": name})
    recon.check()
    return _finish(frame, [code, name, *SUMMARY_MEASURES, SUPPRESSED], [code]), recon


def read_iod2019_ccg(raw: RawDir) -> SourceResult:
    """IoD2019 CCG (2019) summaries: the only deprivation measure on the old CCG map."""
    table, recon = _summary_workbook(raw, IOD2019_CCG, "ccg19", r"E38\d{6}", "CCG (E38)")
    return SourceResult({"iod2019_ccg": table}, [recon])


def read_iod2025_utla(raw: RawDir) -> SourceResult:
    """IoD2025 File 11 summaries per upper-tier local authority (2024 codes)."""
    table, recon = _summary_workbook(raw, IOD2025_UTLA, "utla", LA_CODE, "upper-tier authority")
    return SourceResult({"iod2025_utla": table}, [recon])


# --------------------------------------------------------------------------- GP practices


def read_practice_imd(raw: RawDir) -> SourceResult:
    """IMD score of each GP practice's registered population (Fingertips 93553).

    Practice-level deprivation lets practice rates (prescribing, QOF) be compared by
    deprivation; closed practices are kept and flagged, because older data refer to them.
    """
    columns = ["IndicatorID", "Year", "AreaCode", "AreaName", "IsAreaCurrent", "Value"]
    frame = _read_columns(raw, PRACTICE_IMD, columns)
    recon = _recon(PRACTICE_IMD, frame)
    frame = recon.reject_mask(
        frame,
        frame["IndicatorID"].str.strip() != "93553",
        "indicator other than 93553 (Deprivation score (IMD))",
    )
    frame = _codes(frame, "AreaCode", PRACTICE_CODE, recon, "not a GP practice code")
    current = frame["IsAreaCurrent"].str.strip()
    frame = recon.reject_mask(frame, ~current.isin(["0", "1"]), "IsAreaCurrent is neither 0 nor 1")
    year = pd.to_numeric(frame["Year"].str.strip(), errors="coerce")
    frame = recon.reject_mask(
        frame.assign(Year=year),
        year.isna() | (year != year.round()),
        "Year is not a whole number",
    )
    frame = _unique(frame, ["AreaCode", "Year"], recon)
    frame = numeric(frame, "Value", recon)
    recon.rows_used = len(frame)
    recon.check()
    out = pd.DataFrame(
        {
            "practice_code": frame["AreaCode"],
            "practice_name": frame["AreaName"].str.strip(),
            "year": frame["Year"].astype("Int64"),
            "imd_score": frame["Value"],
            "is_current": frame["IsAreaCurrent"].str.strip() == "1",
            SUPPRESSED: frame[SUPPRESSED],
        }
    )
    out["is_current"] = out["is_current"].astype(bool)
    return SourceResult(
        {"practice_imd": _finish(out, list(out.columns), ["practice_code", "year"])}, [recon]
    )


def read_practice_imd_2025(raw: RawDir) -> SourceResult:
    """IMD 2025 score of each GP practice's registered population (Fingertips 94240).

    The IMD 2025 counterpart of :func:`read_practice_imd`, in a four-column layout
    (``PRACTICE_CODE, PRACTICE_NAME, IMD_YEAR, IMD_SCORE``); a score outside 0-100 (the IMD
    scale) or of another IMD year is rejected.
    """
    columns = ["PRACTICE_CODE", "PRACTICE_NAME", "IMD_YEAR", "IMD_SCORE"]
    frame = _read_columns(raw, PRACTICE_IMD_2025, columns)
    recon = _recon(PRACTICE_IMD_2025, frame)
    frame = _codes(frame, "PRACTICE_CODE", PRACTICE_CODE, recon, "not a GP practice code")
    year = frame["IMD_YEAR"].str.strip()
    frame = recon.reject_mask(frame, year != "2025", "IMD year is not 2025")
    frame = _unique(frame, ["PRACTICE_CODE"], recon)
    frame = numeric(frame, "IMD_SCORE", recon)
    outside = frame["IMD_SCORE"].notna() & ~frame["IMD_SCORE"].between(0, 100)
    frame = recon.reject_mask(frame, outside, "IMD score outside 0-100")
    recon.rows_used = len(frame)
    recon.check()
    out = pd.DataFrame(
        {
            "practice_code": frame["PRACTICE_CODE"],
            "practice_name": frame["PRACTICE_NAME"].str.strip(),
            "imd_score": frame["IMD_SCORE"],
            SUPPRESSED: frame[SUPPRESSED],
        }
    )
    return SourceResult(
        {"practice_imd_2025": _finish(out, list(out.columns), ["practice_code"])}, [recon]
    )


def read(raw: RawDir) -> SourceResult:
    """All deprivation tables."""
    result = SourceResult()
    for reader in (
        read_iod2025_lsoa21,
        read_iod2019_lsoa11,
        read_iod2019_ccg,
        read_iod2025_ltla24,
        read_iod2025_utla,
        read_iod2025_icb24,
        read_practice_imd,
        read_practice_imd_2025,
        read_iod2019_lad19,
    ):
        result = result.merge(reader(raw))
    return result
