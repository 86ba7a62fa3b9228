"""Geography lookups: how LSOAs, practices, local authorities and NHS areas nest.

Every indicator in the atlas arrives on its own geography and code vintage (LSOA 2011 or
2021, CCG 2020 or 2021, sub-ICB 2022 or 2024, ONS or ODS codes). These tables are the
bridges between them, read from the published ONS / NHS lookups with every row accounted
for: English rows are used, the rest are rejected with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import xlrd

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, read_csv_text, require_columns

SOURCE = "lookups"

LSOA21_ICB24 = "lookups/lookup_lsoa21_icb24_geographr.csv.gz"
LSOA21_LTLA24 = "lookups/lookup_lsoa21_ward24_ltla24_geographr.csv.gz"
LTLA24_REGION = "lookups/lookup_ltla24_region24_geographr.csv"
LTLA23_UTLA23 = "lookups/lookup_ltla23_utla23_geographr.csv"
LTLA22_LTLA23 = "lookups/lookup_ltla22_ltla23_geographr.csv"
LSOA11_LSOA21 = "lookups/lookup_lsoa11_lsoa21_ltla22_geographr.csv.gz"
LSOA11_CCG21 = "lookups/lsoa11_ccg21_lad21_lookup_apr2021.csv.gz"
LSOA11_SICBL22 = "lookups/lookup_lsoa11_sicbl22_icb22_ltla22_geographr.csv.gz"
GP_PRACTICES = "lookups/gp_practice_pcn_subicb_icb_lookup_with_coords_2024.csv.gz"
CCG_CODES = {
    "ccg-2020": ("lookups/ccg20_names_codes.csv", "CCG20"),
    "ccg-2021": ("lookups/ccg21_names_codes.csv", "CCG21"),
}
ODS_REGISTER = "lookups/ods_eccg_subicb_locations_katpham12.xls"

#: Why a row with a non-English code is not used, by the code's first letter.
COUNTRY = {"W": "Welsh", "S": "Scottish", "N": "Northern Irish"}
#: ONS LSOA 2011 -> 2021 change codes: unchanged, split, merged, complex.
CHANGE_CODES = frozenset({"U", "S", "M", "X"})
#: A box around England (with the Scilly Isles); practice coordinates outside it are wrong.
ENGLAND_LAT = (49.8, 55.9)
ENGLAND_LONG = (-6.5, 1.8)


# --- small shared steps -------------------------------------------------------------------


def _read_csv(raw: RawDir, relative: str, columns: dict[str, str]) -> pd.DataFrame:
    """Read only ``columns`` (published name -> our name) of a CSV, as text, renamed.

    The header is checked before renaming, so a missing column is reported by its
    published name.
    """
    frame = _read_columns(raw, relative, list(columns))
    return frame.rename(columns=columns)


def _read_columns(raw: RawDir, relative: str, columns: list[str]) -> pd.DataFrame:
    """Read ``columns`` of a CSV as trimmed text, after checking the whole header.

    The header is read first so that a renamed column is reported with the name it now
    has; then only the needed columns are parsed, to keep memory low.
    """
    path = raw.path(relative)
    require_columns(read_csv_text(path, relative, nrows=0), columns, relative)
    wanted = set(columns)
    frame = read_csv_text(path, relative, usecols=lambda c: c.strip() in wanted)
    return frame[columns].apply(lambda column: column.str.strip())


def _reject_blank(
    frame: pd.DataFrame, columns: Iterable[str], recon: Reconciliation
) -> pd.DataFrame:
    """Reject rows with no code in any of ``columns``: a code is what a lookup is for."""
    for column in columns:
        frame = recon.reject_mask(frame, frame[column] == "", f"blank code in column '{column}'")
    return frame


def _reject_outside_england(
    frame: pd.DataFrame, columns: Iterable[str], recon: Reconciliation
) -> pd.DataFrame:
    """Reject rows whose code in any of ``columns`` is not English (E...), by country."""
    for column in columns:
        first = frame[column].str[:1]
        for letter in sorted(set(first.dropna()) - {"E"}):
            country = COUNTRY.get(letter, f"'{letter}'")
            frame = recon.reject_mask(
                frame, frame[column].str[:1] == letter, f"outside England ({country} code)"
            )
    return frame


def _reject_duplicates(frame: pd.DataFrame, key: list[str], recon: Reconciliation) -> pd.DataFrame:
    """Reject repeats of ``key`` (first kept): a lookup must map each code once."""
    return recon.reject_mask(
        frame, frame.duplicated(key, keep="first"), f"duplicate {' + '.join(key)} (first kept)"
    )


def _finish(frame: pd.DataFrame, key: list[str], recon: Reconciliation, table: str) -> SourceResult:
    """Count the surviving rows as used, sort, check the accounting and wrap up."""
    recon.rows_used = len(frame)
    recon.check()
    out = frame.sort_values(key).reset_index(drop=True).astype("str")
    return SourceResult({table: out}, [recon])


def _simple_lookup(
    raw: RawDir,
    relative: str,
    columns: dict[str, str],
    key: list[str],
    english: list[str],
    table: str,
    extra: Callable[[pd.DataFrame, Reconciliation], pd.DataFrame] | None = None,
) -> SourceResult:
    """Read a code-to-code lookup: blanks, non-English codes and repeats are rejected."""
    recon = Reconciliation(SOURCE, relative)
    frame = _read_csv(raw, relative, columns)
    recon.rows_in = len(frame)
    frame = _reject_blank(frame, dict.fromkeys(key + english), recon)
    frame = _reject_outside_england(frame, english, recon)
    if extra is not None:
        frame = extra(frame, recon)
    frame = _reject_duplicates(frame, key, recon)
    return _finish(frame, key, recon, table)


# --- LSOA 2021 -> sub-ICB, ICB, LTLA 2024, region ------------------------------------------


def read_lsoa21_geography(raw: RawDir) -> SourceResult:
    """Each English LSOA 2021 with its sub-ICB and ICB (2024), LTLA 2024, ONS region and ward.

    The ward (2024, code and name) is what people call the place: search finds councils by it.

    The NHS and the local-authority halves come from two files joined on the LSOA code; an
    LSOA missing from one of them is kept with the other half missing, and noted.
    """
    nhs = _simple_lookup(
        raw,
        LSOA21_ICB24,
        {
            "lsoa21_code": "lsoa21_code",
            "lsoa21_name": "lsoa21_name",
            "sicbl24_code": "sub_icb_code",
            "sicbl24_code_nhs": "sub_icb_ods",
            "icb24_code": "icb_code",
            "icb24_code_nhs": "icb_ods",
        },
        ["lsoa21_code"],
        ["lsoa21_code", "sub_icb_code", "icb_code"],
        "nhs",
    )
    la = _simple_lookup(
        raw,
        LSOA21_LTLA24,
        {
            "lsoa21_code": "lsoa21_code",
            "lsoa21_name": "lsoa21_name",
            "ltla24_code": "ltla24_code",
            "ward24_code": "ward24_code",
            "ward24_name": "ward24_name",
        },
        ["lsoa21_code"],
        ["lsoa21_code", "ltla24_code"],
        "la",
    )
    region = _simple_lookup(
        raw,
        LTLA24_REGION,
        {"ltla24_code": "ltla24_code", "region24_code": "region_code"},
        ["ltla24_code"],
        ["ltla24_code", "region_code"],
        "region",
    )
    nhs_recon, la_recon, region_recon = (r.reconciliations[0] for r in (nhs, la, region))
    joined = nhs.tables["nhs"].merge(
        la.tables["la"], on="lsoa21_code", how="outer", suffixes=("", "_la"), indicator=True
    )
    only_nhs = int((joined["_merge"] == "left_only").sum())
    only_la = int((joined["_merge"] == "right_only").sum())
    if only_la:
        nhs_recon.notes.append(f"{only_la} English LSOAs of {LSOA21_LTLA24} are not in this file")
    if only_nhs:
        la_recon.notes.append(f"{only_nhs} LSOAs of {LSOA21_ICB24} are not in this file")
    joined["lsoa21_name"] = joined["lsoa21_name"].fillna(joined["lsoa21_name_la"])
    joined = joined.merge(region.tables["region"], on="ltla24_code", how="left")
    no_region = joined["ltla24_code"].notna() & joined["region_code"].isna()
    if no_region.any():
        region_recon.notes.append(
            f"{int(no_region.sum())} LSOAs are in an LTLA 2024 this file does not list"
        )
    columns = [
        "lsoa21_code",
        "lsoa21_name",
        "sub_icb_code",
        "sub_icb_ods",
        "icb_code",
        "icb_ods",
        "ltla24_code",
        "region_code",
        "ward24_code",
        "ward24_name",
    ]
    table = joined[columns].sort_values("lsoa21_code").reset_index(drop=True).astype("str")
    return SourceResult({"lsoa21_geography": table}, [nhs_recon, la_recon, region_recon])


# --- local authorities ---------------------------------------------------------------------


def read_ltla_utla_2023(raw: RawDir) -> SourceResult:
    """Which upper-tier authority (county or unitary, 2023) each English district is in."""
    return _simple_lookup(
        raw,
        LTLA23_UTLA23,
        {"ltla23_code": "ltla23_code", "utla23_code": "utla23_code", "utla23_name": "utla23_name"},
        ["ltla23_code"],
        ["ltla23_code", "utla23_code"],
        "ltla_utla_2023",
    )


def read_ltla22_ltla23(raw: RawDir) -> SourceResult:
    """Districts of 2022 to 2023 (the Cumbria, North Yorkshire and Somerset mergers)."""
    return _simple_lookup(
        raw,
        LTLA22_LTLA23,
        {
            "ltla22_code": "ltla22_code",
            "ltla22_name": "ltla22_name",
            "ltla23_code": "ltla23_code",
            "ltla23_name": "ltla23_name",
        },
        ["ltla22_code"],
        ["ltla22_code", "ltla23_code"],
        "ltla22_ltla23",
    )


def compare_ltla_vintages(ltla24: pd.Series, ltla23: pd.Series) -> str:
    """Say whether two sets of English district codes are the same, and how they differ.

    Upper-tier data (2023) reach 2024 districts only through the 2023 codes, so the build
    must know whether the two vintages can be joined directly.
    """
    new, old = set(ltla24.dropna()), set(ltla23.dropna())
    if new == old:
        return (
            f"LTLA 2024 and LTLA 2023 codes are the same {len(new)} English districts: "
            "join LTLA 2024 codes to this lookup directly"
        )
    return (
        f"LTLA 2024 and 2023 codes differ: {sorted(new - old)} only in 2024, "
        f"{sorted(old - new)} only in 2023"
    )


# --- LSOA 2011 bridges ---------------------------------------------------------------------


def _known_change_codes(frame: pd.DataFrame, recon: Reconciliation) -> pd.DataFrame:
    """Reject change codes other than ONS's U/S/M/X: the split or merge would be unknown."""
    return recon.reject_mask(frame, ~frame["change_code"].isin(CHANGE_CODES), "unknown change_code")


def read_lsoa11_lsoa21(raw: RawDir) -> SourceResult:
    """LSOA 2011 to 2021 best fit (many-to-many where LSOAs were split or merged)."""
    return _simple_lookup(
        raw,
        LSOA11_LSOA21,
        {"lsoa11_code": "lsoa11_code", "lsoa21_code": "lsoa21_code", "change_code": "change_code"},
        ["lsoa11_code", "lsoa21_code"],
        ["lsoa11_code", "lsoa21_code"],
        "lsoa11_lsoa21",
        extra=_known_change_codes,
    )


def read_lsoa11_ccg21(raw: RawDir) -> SourceResult:
    """LSOA 2011 to CCG (April 2021, ONS and ODS codes) and district (2021)."""
    return _simple_lookup(
        raw,
        LSOA11_CCG21,
        {
            "LSOA11CD": "lsoa11_code",
            "CCG21CD": "ccg21_code",
            "CCG21CDH": "ccg21_ods",
            "CCG21NM": "ccg21_name",
            "LAD21CD": "lad21_code",
        },
        ["lsoa11_code"],
        ["lsoa11_code", "ccg21_code", "lad21_code"],
        "lsoa11_ccg21",
    )


def read_lsoa11_sicbl22(raw: RawDir) -> SourceResult:
    """LSOA 2011 to sub-ICB location and ICB (July 2022) and district (2022)."""
    return _simple_lookup(
        raw,
        LSOA11_SICBL22,
        {
            "lsoa11_code": "lsoa11_code",
            "sicbl22_code": "sicbl22_code",
            "sicbl22_code_h": "sicbl22_ods",
            "icb22_code": "icb22_code",
            "icb22_code_h": "icb22_ods",
            "ltla22_code": "ltla22_code",
        },
        ["lsoa11_code"],
        ["lsoa11_code", "sicbl22_code", "icb22_code", "ltla22_code"],
        "lsoa11_sicbl22",
    )


# --- GP practices --------------------------------------------------------------------------

GP_COLUMNS = {
    "PRAC_CODE": "practice_code",
    "PRAC_NAME": "practice_name",
    "PRAC_POSTCODE": "postcode",
    "PRAC_LAT": "latitude",
    "PRAC_LNG": "longitude",
    "PRAC_LSOA21": "lsoa21_code",
    "PCN_CODE": "pcn_code",
    "PCN_NAME": "pcn_name",
    "ONS_LOC_CODE": "sub_icb_code",
    "LOC_CODE": "sub_icb_ods",
    "ONS_ICB_CODE": "icb_code",
    "ICB_CODE": "icb_ods",
    "ONS_NHSER_CODE": "region_code",
    "NHSER_CODE": "region_ods",
}


def read_gp_practices(raw: RawDir) -> SourceResult:
    """English GP practices (early 2024) with location, PCN, sub-ICB, ICB and NHS region.

    A practice without usable coordinates is kept (its NHS geography is still good) with
    missing latitude and longitude, and counted in a note.
    """
    recon = Reconciliation(SOURCE, GP_PRACTICES)
    frame = _read_columns(raw, GP_PRACTICES, list(GP_COLUMNS))
    recon.rows_in = len(frame)
    recon.notes.append("the first, unnamed column (a row index) is not used")
    frame = _reject_blank(frame, ["PRAC_CODE"], recon)
    frame = _reject_outside_england(frame, ["ONS_LOC_CODE"], recon)
    for column in ("PRAC_LAT", "PRAC_LNG"):
        frame = numeric(frame, column, recon)
    frame = frame.drop(columns=SUPPRESSED).rename(columns=GP_COLUMNS)
    outside = ~frame["latitude"].between(*ENGLAND_LAT) | ~frame["longitude"].between(*ENGLAND_LONG)
    outside = outside.fillna(False) & frame["latitude"].notna() & frame["longitude"].notna()
    if outside.any():
        recon.notes.append(f"{int(outside.sum())} practices placed outside England: lat/long NA")
        frame.loc[outside, ["latitude", "longitude"]] = pd.NA
    no_place = frame["latitude"].isna() | frame["longitude"].isna()
    recon.notes.append(f"{int(no_place.sum())} practices have no coordinates (kept, lat/long NA)")
    frame = _reject_duplicates(frame, ["practice_code"], recon)
    recon.rows_used = len(frame)
    recon.check()
    codes = [c for c in frame.columns if c not in ("latitude", "longitude")]
    out = frame.astype({c: "str" for c in codes}).sort_values("practice_code")
    return SourceResult({"gp_practices_2024": out.reset_index(drop=True)}, [recon])


# --- CCG codes and the ODS register --------------------------------------------------------


def read_ccg_codes(raw: RawDir) -> SourceResult:
    """CCG ONS code, ODS code and name for April 2020 (135 CCGs) and April 2021 (106)."""
    frames, recons = [], []
    for vintage, (relative, prefix) in CCG_CODES.items():
        result = _simple_lookup(
            raw,
            relative,
            {f"{prefix}CD": "ccg_code", f"{prefix}CDH": "ccg_ods", f"{prefix}NM": "ccg_name"},
            ["ccg_code"],
            ["ccg_code"],
            "ccg",
        )
        frames.append(result.tables["ccg"].assign(vintage=vintage))
        recons += result.reconciliations
    table = pd.concat(frames, ignore_index=True)[["vintage", "ccg_code", "ccg_ods", "ccg_name"]]
    table = table.sort_values(["vintage", "ccg_code"]).reset_index(drop=True).astype("str")
    return SourceResult({"ccg_codes": table}, recons)


ODS_COLUMNS = {
    "Organization Code": "ods_code",
    "Org Name": "name",
    "Postcode": "postcode",
    "LegalStartDate": "start_date",
    "LegalEndDate": "end_date",
}


def _cell_text(value: object) -> str:
    """An .xls cell as text; whole numbers (Excel stores 20130401 as 20130401.0) lose '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xls(raw: RawDir, relative: str) -> tuple[pd.DataFrame, int]:
    """The first sheet as text below its header row; also how many rows were above it."""
    try:
        sheet = xlrd.open_workbook(raw.path(relative), on_demand=True).sheet_by_index(0)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError) as exc:
        raise SourceError(
            relative,
            f"the file cannot be read as an Excel 97-2003 workbook ({exc})",
            "download it again; it must be the published .xls, unchanged",
        ) from exc
    rows = [[_cell_text(v) for v in sheet.row_values(i)] for i in range(sheet.nrows)]
    header_at = next(
        (i for i, row in enumerate(rows[:20]) if "Organization Code" in row),
        0,
    )
    if not rows:
        raise SourceError(relative, "the sheet is empty", "download it again")
    header = rows[header_at]
    body = [row + [""] * (len(header) - len(row)) for row in rows[header_at + 1 :]]
    return pd.DataFrame(body, columns=header, dtype="str"), header_at


def _yyyymmdd(text: pd.Series) -> pd.Series:
    """ODS dates are written as YYYYMMDD numbers."""
    return pd.to_datetime(text, format="%Y%m%d", errors="coerce")


def read_ods_register(raw: RawDir) -> SourceResult:
    """ODS register of CCGs and sub-ICB locations, with open and close dates.

    Old ODS codes of CCGs (including closed ones) are resolved to names and dates here;
    a blank close date means the organisation is open (NaT).
    """
    recon = Reconciliation(SOURCE, ODS_REGISTER)
    frame, skipped = _read_xls(raw, ODS_REGISTER)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    require_columns(frame, ODS_COLUMNS, ODS_REGISTER)
    frame = frame[list(ODS_COLUMNS)].rename(columns=ODS_COLUMNS)
    recon.rows_in = len(frame)
    recon.notes.append(f"sheet 1, header on row {skipped + 1}; {skipped} rows above it skipped")
    frame = recon.reject_mask(frame, (frame == "").all(axis=1), "empty row")
    frame = _reject_blank(frame, ["ods_code"], recon)
    start, end = _yyyymmdd(frame["start_date"]), _yyyymmdd(frame["end_date"])
    frame = frame.assign(start_date=start, end_date=end, _end_text=frame["end_date"])
    frame = recon.reject_mask(
        frame, frame["start_date"].isna(), "no readable date in column 'LegalStartDate'"
    )
    frame = recon.reject_mask(
        frame,
        frame["end_date"].isna() & (frame["_end_text"] != ""),
        "unreadable date in column 'LegalEndDate'",
    )
    frame = _reject_duplicates(frame.drop(columns="_end_text"), ["ods_code"], recon)
    recon.rows_used = len(frame)
    recon.check()
    out = frame.astype({"ods_code": "str", "name": "str", "postcode": "str"})
    out = out.sort_values("ods_code").reset_index(drop=True)
    return SourceResult({"ods_ccg_register": out}, [recon])


# --- everything ----------------------------------------------------------------------------


def read(raw: RawDir) -> SourceResult:
    """Read every lookup table; note whether LTLA 2024 can join the 2023 LTLA-UTLA lookup."""
    result = read_lsoa21_geography(raw)
    utla = read_ltla_utla_2023(raw)
    utla.reconciliations[0].notes.append(
        compare_ltla_vintages(
            result.tables["lsoa21_geography"]["ltla24_code"],
            utla.tables["ltla_utla_2023"]["ltla23_code"],
        )
    )
    for part in (
        utla,
        read_ltla22_ltla23(raw),
        read_lsoa11_lsoa21(raw),
        read_lsoa11_ccg21(raw),
        read_lsoa11_sicbl22(raw),
        read_gp_practices(raw),
        read_ccg_codes(raw),
        read_ods_register(raw),
    ):
        result = result.merge(part)
    return result
