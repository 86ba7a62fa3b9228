"""Small CCG-level secondary-care files: out-of-area placements, readmissions, restraint.

Three raw files, each a single snapshot:

- ``services/oaps_inappropriate_by_ccg21_sep-nov2020.csv``: inappropriate out-of-area
  placements active at the end of Sep-Nov 2020, and their cost, by CCG (April 2021 codes).
- ``services/ccgois_3_16_unplanned_mh_readmissions_30d_ccg_2013-2015.xlsx``: CCG Outcomes
  Indicator 3.16, 30-day unplanned readmissions after a mental-health inpatient discharge,
  rolling 12-month periods 2013/14 to Oct 2014 - Sep 2015. The header sits below a block of
  title and notes rows, so it is found by its content.
- ``services/mhsds_restrictive_interventions_by_ccg21_sep-nov2020.csv``: restrictive
  interventions by BAME / non-BAME group, as reshaped by a third party (provider figures
  mapped to 35 CCGs and averaged): indicative only.
"""

from __future__ import annotations

import re
import zipfile

import pandas as pd

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import (
    SUPPRESSED,
    SUPPRESSION_MARKERS,
    numeric,
    read_csv_text,
    require_columns,
)

SOURCE = "secondary_other"
OAPS_FILE = "services/oaps_inappropriate_by_ccg21_sep-nov2020.csv"
READMISSIONS_FILE = "services/ccgois_3_16_unplanned_mh_readmissions_30d_ccg_2013-2015.xlsx"
RESTRICTIVE_FILE = "services/mhsds_restrictive_interventions_by_ccg21_sep-nov2020.csv"

_E38 = r"^E38\d{6}$"
OAPS_COLUMNS = {
    "CCG21CD": "ccg21_code",
    "Inappropriate OAPs active at period end": "oaps_active",
    "Total Cost For Inappropriate OAPs in Period": "oaps_cost",
}
#: Readmissions workbook header -> output column.
READMISSIONS_COLUMNS = {
    "Reporting period": "period",
    "Breakdown": "level",
    "ONS code": "ons_code",
    "Level": "ods_code",
    "Level description": "name",
    "ISR": "isr",
    "CI lower": "lower_95",
    "CI upper": "upper_95",
    "Discharges": "discharges",
    "Observed readmissions": "readmissions",
}
READMISSIONS_LEVELS = {"National": "england", "CCG": "ccg"}
READMISSIONS_NUMBERS = ("isr", "lower_95", "upper_95", "discharges", "readmissions")
#: Restrictive-intervention columns are "<intervention> (<group>)", 6 x 3 of them.
INTERVENTIONS = (
    "Chemical Restraint",
    "Mechanical restraint",
    "Physical Restraint",
    "Seclusion",
    "Segregation",
    "UNKNOWN",
)
GROUPS = {"BAME": "BAME", "Non-BAME": "Non-BAME", "Unknown/Not Stated": "Unknown"}
RESTRICTIVE_COLUMNS = tuple(f"{i} ({g})" for i in INTERVENTIONS for g in GROUPS)


def _codes(frame: pd.DataFrame, column: str, recon: Reconciliation) -> pd.DataFrame:
    """Keep rows whose ``column`` is a CCG E38 code (stripped); count the others out."""
    code = frame[column].astype("string").str.strip()
    bad = ~code.str.fullmatch(_E38).fillna(False)
    return recon.reject_mask(frame.assign(**{column: code}), bad, "not a CCG code (E38)")


def read_oaps(raw: RawDir) -> SourceResult:
    """Table ``oaps_ccg21``: inappropriate out-of-area placements and their cost, by CCG21."""
    path = raw.path(OAPS_FILE)
    recon = Reconciliation(SOURCE, OAPS_FILE)
    frame = read_csv_text(path, OAPS_FILE)
    require_columns(frame, OAPS_COLUMNS, OAPS_FILE)
    recon.rows_in = len(frame)
    frame = _codes(frame, "CCG21CD", recon)
    for column in list(OAPS_COLUMNS)[1:]:
        frame = numeric(frame, column, recon, count=True)
    out = frame.rename(columns=OAPS_COLUMNS)[[*OAPS_COLUMNS.values(), SUPPRESSED]]
    out = out.astype({SUPPRESSED: bool})
    out = recon.reject_mask(out, out.duplicated(["ccg21_code"]), "duplicate CCG code")
    out = out.sort_values("ccg21_code").reset_index(drop=True)
    recon.rows_used = len(out)
    recon.notes.append(
        "snapshot Sep-Nov 2020 on April 2021 CCG codes; counts are rounded to the nearest 5 "
        "and CCGs without placements may be absent"
    )
    recon.check()
    return SourceResult({"oaps_ccg21": out}, [recon])


def _header_row(sheet: pd.DataFrame) -> int:
    """Index of the first row holding most of the expected headers (found by content).

    Most, not all: a renamed header should still locate the table, so that the error can
    name the one column that is missing.
    """
    wanted = set(READMISSIONS_COLUMNS)
    for index, row in sheet.iterrows():
        cells = {_as_text(cell) for cell in row}
        if len(cells & wanted) > len(wanted) // 2:
            return int(index)
    raise SourceError(
        READMISSIONS_FILE,
        "no header row with 'Reporting period', 'Breakdown', 'ISR'... was found",
        "use the published CCG OIS 3.16 workbook unchanged",
    )


def _read_sheet(path) -> pd.DataFrame:
    """The first worksheet as text cells, with no header; unreadable workbooks raise."""
    try:
        return pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise SourceError(
            READMISSIONS_FILE,
            f"the workbook cannot be read ({exc.__class__.__name__}: {exc})",
            "download it again; it must be the published .xlsx file",
        ) from exc


def _as_text(cell: object) -> str:
    """A workbook cell as text for validation: empty cells become '' (a suppression marker)."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ""
    return str(cell).strip()


def read_readmissions(raw: RawDir) -> SourceResult:
    """Table ``readmissions_ccg``: 30-day readmission ratios for England and each CCG."""
    path = raw.path(READMISSIONS_FILE)
    recon = Reconciliation(SOURCE, READMISSIONS_FILE)
    sheet = _read_sheet(path)
    header = _header_row(sheet)
    frame = sheet.iloc[header + 1 :].copy()
    frame.columns = [_as_text(cell) for cell in sheet.iloc[header]]
    frame = frame.loc[:, [c for c in frame.columns if c]]
    require_columns(frame, READMISSIONS_COLUMNS, READMISSIONS_FILE)
    frame = frame[list(READMISSIONS_COLUMNS)].map(_as_text).rename(columns=READMISSIONS_COLUMNS)
    blank = frame.eq("").all(axis=1)
    frame = frame.loc[~blank]
    recon.rows_in = len(frame)
    recon.notes.append(
        f"header found on worksheet row {header + 1}; the {header} title and notes rows above "
        f"it and {int(blank.sum())} empty rows below it are not data rows"
    )
    level = frame["level"].map(READMISSIONS_LEVELS)
    for name in sorted(set(frame["level"][level.isna()])):
        recon.reject(
            f"breakdown not used by the atlas: {name or '(blank)'}",
            int(frame["level"].eq(name).sum()),
        )
    frame = frame.loc[level.notna()].assign(level=level[level.notna()])
    frame = recon.reject_mask(frame, frame["period"].eq(""), "blank reporting period")
    for column in READMISSIONS_NUMBERS:
        frame = numeric(frame, column, recon, count=True)
    ods = frame["ods_code"].where(frame["level"].eq("ccg"))
    out = frame.assign(
        ods_code=ods.astype("string"),
        period=frame["period"].astype("string"),
        level=frame["level"].astype("string"),
        ons_code=frame["ons_code"].astype("string"),
        name=frame["name"].astype("string"),
    ).astype({SUPPRESSED: bool})
    keys = ["period", "level", "ons_code"]
    out = recon.reject_mask(out, out.duplicated(keys), "duplicate row (same period and area)")
    out = out.sort_values(keys).reset_index(drop=True)
    out = out[[*READMISSIONS_COLUMNS.values(), SUPPRESSED]]
    recon.rows_used = len(out)
    recon.notes.append(
        "isr is indirectly age/sex standardised (England = 100); '*' (small numbers) is kept "
        "as missing and flagged source_suppressed"
    )
    recon.check()
    return SourceResult({"readmissions_ccg": out}, [recon])


def _split_column(name: str) -> tuple[str, str]:
    """``"Mechanical restraint (Non-BAME)"`` -> ``("Mechanical Restraint", "Non-BAME")``."""
    match = re.fullmatch(r"(.+) \((.+)\)", name)
    if match is None:
        raise ValueError(name)
    intervention, group = match.groups()
    return intervention.strip().title(), GROUPS[group]


def read_restrictive(raw: RawDir) -> SourceResult:
    """Table ``restrictive_ccg21``: restrictive interventions by ethnic group, 35 CCG21s."""
    path = raw.path(RESTRICTIVE_FILE)
    recon = Reconciliation(SOURCE, RESTRICTIVE_FILE)
    frame = read_csv_text(path, RESTRICTIVE_FILE)
    require_columns(frame, ["CCG21CD", *RESTRICTIVE_COLUMNS], RESTRICTIVE_FILE)
    recon.rows_in = len(frame)
    frame = _codes(frame, "CCG21CD", recon)
    frame = recon.reject_mask(frame, frame["CCG21CD"].duplicated(), "duplicate CCG code")
    # Validate the wide rows so the accounting stays one row per CCG, as in the file; a
    # suppression marker is flagged on the cell it sits in, not on the whole CCG.
    markers = {
        c: frame[c].astype("string").str.strip().isin(SUPPRESSION_MARKERS)
        for c in RESTRICTIVE_COLUMNS
    }
    for column in RESTRICTIVE_COLUMNS:
        frame = numeric(frame, column, recon, count=True)
    parts = []
    for column in RESTRICTIVE_COLUMNS:
        intervention, group = _split_column(column)
        parts.append(
            pd.DataFrame(
                {
                    "ccg21_code": frame["CCG21CD"].astype("string"),
                    "intervention": intervention,
                    "group": group,
                    "value": frame[column],
                    SUPPRESSED: markers[column].reindex(frame.index).astype(bool),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True).astype({"intervention": "string", "group": "string"})
    out = out.sort_values(["ccg21_code", "intervention", "group"]).reset_index(drop=True)
    recon.rows_used = len(frame)
    recon.notes.append(
        "processed by Open Innovations, not the publisher: provider figures mapped to CCGs and "
        "averaged over Sep-Nov 2020; 35 CCGs only; each file row gives 18 output rows"
    )
    recon.check()
    return SourceResult({"restrictive_ccg21": out}, [recon])


def read(raw: RawDir) -> SourceResult:
    """All three small secondary-care tables, with one reconciliation per file."""
    return read_oaps(raw).merge(read_readmissions(raw)).merge(read_restrictive(raw))
