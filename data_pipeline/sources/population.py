"""Population denominators: ONS estimates by area and NHS GP registered lists.

Every rate in the atlas needs a denominator. Adult (18+) counts are kept beside totals
because NHS Talking Therapies and QOF depression are adult measures. Only England is
mapped, so Welsh rows in the England-and-Wales files are rejected with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, read_columns

SOURCE = "population"

LSOA11_2020 = "population/population_mid2020_lsoa11_single_year_age_demographr.csv.gz"
LTLA21_2020 = "population/population_mid2020_ltla21_single_year_age_demographr.csv"
UTLA20_2020 = "population/population_mid2020_utla20_single_year_age_demographr.csv"
CCG21 = "population/ccg21_population_by_age_ons.csv"
GP_LIST_2026 = "population/gp_reg_pat_prac_all_jun2026.csv.gz"
LSOA11_2015 = "population/File_6_-_IoD2019_Population_Denominators.csv.gz"

#: Single-year-of-age columns for ages 18 and over; "90+" is the open-ended top band.
ADULT_AGES = [str(age) for age in range(18, 90)] + ["90+"]
CCG_ADULT_BANDS = ["Age 18-35", "Age 36-50", "Age 51-65", "Age 66+"]

F6_LSOA = "LSOA code (2011)"
F6_TOTAL = "Total population: mid 2015 (excluding prisoners)"
F6_16_59 = "Population aged 16-59: mid 2015 (excluding prisoners)"
F6_60_PLUS = "Older population aged 60 and over: mid 2015 (excluding prisoners)"

WELSH = "outside England (Welsh code)"


# --------------------------------------------------------------------------- helpers


def _read_columns(raw: RawDir, relative: str, columns: Iterable[str]) -> pd.DataFrame:
    return read_columns(raw.path(relative), relative, columns)


def _english(
    frame: pd.DataFrame, column: str, pattern: str, recon: Reconciliation, kind: str
) -> pd.DataFrame:
    """Reject Welsh codes (with their own reason), then anything not an English ``kind`` code."""
    codes = frame[column].astype("string").str.strip()
    frame = frame.assign(**{column: codes})
    frame = recon.reject_mask(frame, codes.str.startswith("W"), WELSH)
    valid = frame[column].str.fullmatch(pattern).fillna(False)
    frame = recon.reject_mask(frame, ~valid, f"not an English {kind} code in '{column}'")
    dup = frame.duplicated(column, keep=False)
    return recon.reject_mask(frame, dup, f"duplicate {column} (all copies rejected)")


def _counts(frame: pd.DataFrame, columns: Iterable[str], recon: Reconciliation) -> pd.DataFrame:
    """Numbers of people: thousands separators allowed, negatives rejected."""
    for column in columns:
        frame = numeric(frame, column, recon, count=True)
    return frame


def _sum(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Row sum that stays missing when any part is suppressed (a partial sum would mislead)."""
    return frame[columns].sum(axis=1, skipna=False).astype("Float64")


def _finish(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if column.endswith(("_code", "_name", "_ods", "_ons")) or column == "postcode":
            out[column] = out[column].astype(str)
    out[SUPPRESSED] = out[SUPPRESSED].fillna(False).astype(bool)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- ONS mid-2020


def _single_year(
    raw: RawDir, relative: str, code: str, pattern: str, kind: str
) -> tuple[pd.DataFrame, Reconciliation]:
    """A demographr single-year-of-age file: total and 18+ population per English area."""
    frame = _read_columns(raw, relative, [code, "total_population", *ADULT_AGES])
    recon = Reconciliation(SOURCE, relative, rows_in=len(frame))
    frame = _english(frame, code, pattern, recon, kind)
    frame = _counts(frame, ["total_population", *ADULT_AGES], recon)
    recon.rows_used = len(frame)
    recon.notes.append("population_18_plus = sum of single-year columns 18 to 89 and 90+")
    recon.check()
    out = pd.DataFrame(
        {
            code: frame[code],
            "population": frame["total_population"],
            "population_18_plus": _sum(frame, ADULT_AGES),
            SUPPRESSED: frame[SUPPRESSED],
        }
    )
    return _finish(out, [code]), recon


def read_lsoa11_2020(raw: RawDir) -> SourceResult:
    """ONS mid-2020 population per LSOA 2011 (England), the base for LSOA-weighted averages."""
    table, recon = _single_year(raw, LSOA11_2020, "lsoa11_code", r"E01\d{6}", "LSOA 2011")
    return SourceResult({"pop_lsoa11_2020": table}, [recon])


def read_ltla21_2020(raw: RawDir) -> SourceResult:
    """ONS mid-2020 population per lower-tier local authority (2021 codes), England."""
    table, recon = _single_year(
        raw, LTLA21_2020, "ltla21_code", r"E0[6-9]\d{6}", "lower-tier local authority"
    )
    return SourceResult({"pop_ltla21_2020": table}, [recon])


def read_utla20_2020(raw: RawDir) -> SourceResult:
    """ONS mid-2020 population per upper-tier local authority (2020 codes), England."""
    table, recon = _single_year(
        raw, UTLA20_2020, "utla20_code", r"E0[689]\d{6}|E10\d{6}", "upper-tier local authority"
    )
    return SourceResult({"pop_utla20_2020": table}, [recon])


# --------------------------------------------------------------------------- CCG 2021


def read_ccg21(raw: RawDir) -> SourceResult:
    """ONS population per CCG (April 2021 boundaries), in the age bands it is published in.

    Its England total (56,550,138) is the ONS mid-2020 estimate, so CCG rates match the
    mid-2020 LSOA and LA denominators above.
    """
    frame = _read_columns(raw, CCG21, ["CCG Code", "CCG Name", "All Ages", *CCG_ADULT_BANDS])
    recon = Reconciliation(SOURCE, CCG21, rows_in=len(frame))
    frame = _english(frame, "CCG Code", r"E38\d{6}", recon, "CCG (E38)")
    frame = _counts(frame, ["All Ages", *CCG_ADULT_BANDS], recon)
    recon.rows_used = len(frame)
    recon.notes.append("population_18_plus = Age 18-35 + Age 36-50 + Age 51-65 + Age 66+")
    recon.check()
    out = pd.DataFrame(
        {
            "ccg21_code": frame["CCG Code"],
            "ccg21_name": frame["CCG Name"].str.strip(),
            "population": frame["All Ages"],
            "population_18_plus": _sum(frame, CCG_ADULT_BANDS),
            SUPPRESSED: frame[SUPPRESSED],
        }
    )
    return SourceResult({"pop_ccg21": _finish(out, ["ccg21_code"])}, [recon])


# --------------------------------------------------------------------------- GP lists


def read_gp_list_2026(raw: RawDir) -> SourceResult:
    """Patients registered at each GP practice, 1 June 2026: practice-level denominators.

    Only the all-sexes, all-ages rows are practice totals; any other breakdown is rejected
    rather than added in, which would double count.
    """
    columns = [
        "CODE",
        "SUB_ICB_LOCATION_CODE",
        "ONS_SUB_ICB_LOCATION_CODE",
        "POSTCODE",
        "SEX",
        "AGE",
        "NUMBER_OF_PATIENTS",
    ]
    frame = _read_columns(raw, GP_LIST_2026, columns)
    recon = Reconciliation(SOURCE, GP_LIST_2026, rows_in=len(frame))
    for column in ("SEX", "AGE"):
        value = frame[column].str.strip().str.upper()
        frame = recon.reject_mask(
            frame, value != "ALL", f"breakdown not used by the atlas: {column} other than ALL"
        )
    frame = _english(frame, "CODE", r"[A-Z]\d{5}", recon, "GP practice")
    ons = frame["ONS_SUB_ICB_LOCATION_CODE"].str.strip()
    frame = recon.reject_mask(
        frame.assign(ONS_SUB_ICB_LOCATION_CODE=ons),
        ~ons.str.fullmatch(r"E38\d{6}").fillna(False),
        "not an English sub-ICB (E38) code in 'ONS_SUB_ICB_LOCATION_CODE'",
    )
    frame = _counts(frame, ["NUMBER_OF_PATIENTS"], recon)
    recon.rows_used = len(frame)
    recon.check()
    out = pd.DataFrame(
        {
            "practice_code": frame["CODE"],
            "sub_icb_ods": frame["SUB_ICB_LOCATION_CODE"].str.strip(),
            "sub_icb_ons": frame["ONS_SUB_ICB_LOCATION_CODE"],
            "postcode": frame["POSTCODE"].str.strip(),
            "patients": frame["NUMBER_OF_PATIENTS"],
            SUPPRESSED: frame[SUPPRESSED],
        }
    )
    return SourceResult({"gp_list_2026": _finish(out, ["practice_code"])}, [recon])


# --------------------------------------------------------------------------- IoD2019 File 6


def read_lsoa11_2015(raw: RawDir) -> SourceResult:
    """IoD2019 File 6: mid-2015 LSOA 2011 population (excluding prisoners).

    These are the denominators the IoD2019 ranks were built on; the numbers carry
    thousands separators ("1,296"), which the numeric step removes.
    """
    frame = _read_columns(raw, LSOA11_2015, [F6_LSOA, F6_TOTAL, F6_16_59, F6_60_PLUS])
    recon = Reconciliation(SOURCE, LSOA11_2015, rows_in=len(frame))
    frame = _english(frame, F6_LSOA, r"E01\d{6}", recon, "LSOA 2011")
    frame = _counts(frame, [F6_TOTAL, F6_16_59, F6_60_PLUS], recon)
    recon.rows_used = len(frame)
    recon.check()
    out = pd.DataFrame(
        {
            "lsoa11_code": frame[F6_LSOA],
            "population": frame[F6_TOTAL],
            "population_16_59": frame[F6_16_59],
            "population_60_plus": frame[F6_60_PLUS],
            SUPPRESSED: frame[SUPPRESSED],
        }
    )
    return SourceResult({"pop_lsoa11_2015": _finish(out, ["lsoa11_code"])}, [recon])


def read(raw: RawDir) -> SourceResult:
    """All population tables."""
    result = SourceResult()
    for reader in (
        read_lsoa11_2020,
        read_ccg21,
        read_ltla21_2020,
        read_utla20_2020,
        read_gp_list_2026,
        read_lsoa11_2015,
    ):
        result = result.merge(reader(raw))
    return result
