"""QOF recorded prevalence of depression (18+) and severe mental illness by CCG, 2014-15 to 2019-20.

NHS Digital publishes one workbook per year with a sheet per clinical area. Each sheet puts
two years side by side (the previous year, then the year of the publication) under several
title rows, and the columns move from year to year (area-team columns in 2014-15, STP columns
from 2016-17, CCG columns only in 2019-20). So nothing here relies on a fixed offset: the
header row is the one holding a "CCG code" cell, the year's block is the span under that
year's label above the header, and the register, list size and prevalence columns are found
by their header text within that block.

Depression prevalence is published against the list of patients aged 18 and over; the
severe-mental-illness register (MH) is published against the whole list. ``list_size`` is
always the published denominator, so ``register / list_size * 100`` reproduces
``prevalence_pct``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric

SOURCE = "qof_ccg"
FOLDER = "services/qof_ccg_workbooks"

#: The workbook of each QOF year, relative to the raw directory.
WORKBOOKS: dict[str, str] = {
    "2014-15": f"{FOLDER}/qof-1415-ccg-all.xlsx",
    "2015-16": f"{FOLDER}/qof-1516-prev-ach-exc-ccg-v2.xlsx",
    "2016-17": f"{FOLDER}/qof-1617-prev-ach-exc-ccg.xlsx",
    "2017-18": f"{FOLDER}/qof-1718-prev-ach-exc-ccg.xlsx",
    "2018-19": f"{FOLDER}/qof-1819-prev-ach-exc-ccg.xlsx",
    "2019-20": f"{FOLDER}/qof-1920-prev-ach-pca-ccg.xlsx",
}

#: Sheet names accepted for each register (compared without case, spaces or punctuation).
SHEET_NAMES: dict[str, tuple[str, ...]] = {
    "DEP": ("DEP", "DEP18", "DEPRESSION"),
    "MH": ("MH", "SMI", "MENTALHEALTH"),
}

COLUMNS = [
    "year",
    "org_type",
    "ccg_ods",
    "ccg_ons",
    "ccg_name",
    "group",
    "register",
    "list_size",
    "prevalence_pct",
    SUPPRESSED,
]

CCG_CODE = re.compile(r"^ccg (ods )?code\b")
CCG_ONS = re.compile(r"^ccg (ons|geography) code\b")
CCG_NAME = re.compile(r"^ccg name\b")
#: CCG ODS codes are two digits and a letter (00C, 15E, 99N); region and area-team codes
#: (Y56, Q72) are not, so a row carrying one is an aggregate.
ODS_CODE = re.compile(r"^[0-9]{2}[A-Z]$")
ENGLAND = {"ENGLAND", "E92000001"}
YEAR_LABEL = re.compile(r"^20[0-9]{2}-[0-9]{2}$")
#: Cells that hold nothing: NHS Digital fills visually empty cells with "_" for screen readers.
EMPTY = {"", "_"}
#: How far above the header row the year labels may sit.
YEAR_SEARCH_ROWS = 8


@dataclass(frozen=True)
class Layout:
    """Where the fields of one sheet are: header row index and column indices (0-based)."""

    header_row: int
    ods: int
    ons: int | None
    name: int
    register: int
    list_size: int
    prevalence: int
    block: tuple[int, int]


def _text(value: object) -> str:
    """A cell as single-spaced text ('' for an empty cell)."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _value(value: object) -> str:
    """A data cell as text for :func:`numeric`, keeping every digit of a float."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return _text(value)


def _key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def _find_sheet(workbook, group: str, relative: str):
    """The worksheet of ``group``, accepting the spellings in :data:`SHEET_NAMES`."""
    for name in workbook.sheetnames:
        if _key(name) in SHEET_NAMES[group]:
            return workbook[name]
    raise SourceError(
        relative,
        f"no sheet for the {group} register (looked for {', '.join(SHEET_NAMES[group])}; "
        f"the workbook has {', '.join(workbook.sheetnames)})",
        "use the published QOF CCG workbook unchanged",
    )


def _find_header(rows: list[tuple], sheet: str, relative: str) -> int:
    """Index of the first row with a 'CCG code' / 'CCG ODS code' cell."""
    for index, row in enumerate(rows):
        if any(CCG_CODE.match(_text(cell).lower()) for cell in row):
            return index
    raise SourceError(
        relative,
        f"sheet {sheet}: no header row with a 'CCG code' or 'CCG ODS code' cell",
        "use the published QOF CCG workbook unchanged, or restore the header row",
        column="CCG code",
    )


def _match_one(header: tuple, pattern: re.Pattern, span: range) -> list[int]:
    return [i for i in span if i < len(header) and pattern.search(_text(header[i]).lower())]


def _year_block(rows: list[tuple], header_row: int, year: str) -> list[tuple[int, int]]:
    """Column spans [start, end) labelled ``year`` in the rows just above the header.

    A span runs from the year label to the next labelled cell of the same row, which is
    how the workbooks group "Number of practices, List size, Register, Prevalence" by year.
    """
    spans = []
    width = len(rows[header_row])
    for row in rows[max(0, header_row - YEAR_SEARCH_ROWS) : header_row]:
        cells = [_text(c) for c in row]
        labelled = [i for i, c in enumerate(cells) if c not in EMPTY]
        for position, i in enumerate(labelled):
            if cells[i] == year:
                end = labelled[position + 1] if position + 1 < len(labelled) else width
                spans.append((i, end))
    return spans


def _check_latest_year(
    rows: list[tuple], header_row: int, year: str, sheet: str, relative: str
) -> None:
    """Refuse a workbook whose newest year is not ``year``.

    Each workbook also carries the previous year, so without this check next year's workbook
    put in this year's place would be read without complaint.
    """
    labels = {
        _text(cell)
        for row in rows[max(0, header_row - YEAR_SEARCH_ROWS) : header_row]
        for cell in row
        if YEAR_LABEL.match(_text(cell))
    }
    if labels and max(labels) != year:
        raise SourceError(
            relative,
            f"sheet {sheet}: the newest year in the workbook is {max(labels)}, not {year}",
            f"put the QOF {year} CCG workbook at this path",
        )


def _locate(rows: list[tuple], group: str, year: str, sheet: str, relative: str) -> Layout:
    """Find the header row and the columns of ``year``'s register, list size and prevalence."""
    header_row = _find_header(rows, sheet, relative)
    header = rows[header_row]
    everything = range(len(header))

    def single(pattern: re.Pattern, label: str, span: range, required: bool = True) -> int | None:
        found = _match_one(header, pattern, span)
        if not found and not required:
            return None
        if len(found) != 1:
            raise SourceError(
                relative,
                f"sheet {sheet}: expected one '{label}' column in the header row "
                f"(row {header_row + 1}), found {len(found)}",
                "use the published QOF CCG workbook unchanged, or restore the header",
                column=label,
            )
        return found[0]

    _check_latest_year(rows, header_row, year, sheet, relative)
    ods = single(CCG_CODE, "CCG code", everything)
    ons = single(CCG_ONS, "CCG ONS code", everything, required=False)
    name = single(CCG_NAME, "CCG name", everything)
    for start, end in _year_block(rows, header_row, year):
        span = range(start, end)
        if not _match_one(header, re.compile(r"^register\b"), span):
            continue
        register = single(re.compile(r"^register\b"), "Register", span)
        prevalence = single(re.compile(r"^prevalence\b"), "Prevalence", span)
        if group == "DEP":
            list_pattern, list_label = re.compile(r"list size.*18\+"), "List size ages 18+"
        else:
            list_pattern, list_label = re.compile(r"^list size(?!.*18\+)"), "List size"
        list_size = single(list_pattern, list_label, span)
        return Layout(header_row, ods, ons, name, register, list_size, prevalence, (start, end))
    raise SourceError(
        relative,
        f"sheet {sheet}: no block of columns labelled {year} with a 'Register' column above "
        f"the header row (row {header_row + 1})",
        f"check that this is the QOF {year} CCG workbook, published unchanged",
        column="Register",
    )


def _frame(rows: list[tuple], layout: Layout) -> pd.DataFrame:
    """The non-blank rows below the header, as text, with the located fields only."""
    fields = {
        "ccg_ods": layout.ods,
        "ccg_ons": layout.ons,
        "ccg_name": layout.name,
        "register": layout.register,
        "list_size": layout.list_size,
        "prevalence_pct": layout.prevalence,
    }
    records = []
    for row in rows[layout.header_row + 1 :]:
        if all(_text(cell) in EMPTY for cell in row):
            continue
        record = {
            field: (_value(row[i]) if i is not None and i < len(row) else "")
            for field, i in fields.items()
        }
        record["first_cell"] = _text(row[0]) if row else ""
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=[*fields, "first_cell"])
    return frame.astype("string")


def _classify(frame: pd.DataFrame) -> pd.Series:
    """'ccg', 'england', 'subtotal' (figures but no CCG code) or 'note' for each row."""
    ods = frame["ccg_ods"].str.upper()
    labels = [ods, frame["ccg_ons"].str.upper(), frame["ccg_name"].str.upper()]
    labels.append(frame["first_cell"].str.upper())
    is_england = pd.concat([s.isin(ENGLAND) for s in labels], axis=1).any(axis=1)
    has_figures = pd.to_numeric(frame["register"].str.replace(",", ""), errors="coerce").notna()
    kind = pd.Series("note", index=frame.index, dtype="string")
    kind = kind.mask(has_figures, "subtotal")
    kind = kind.mask(ods.str.fullmatch(ODS_CODE.pattern).fillna(False), "ccg")
    return kind.mask(is_england, "england")


def _read_sheet(
    rows: list[tuple], group: str, year: str, sheet: str, recon: Reconciliation
) -> pd.DataFrame:
    """Validate one sheet's rows into the output layout, counting each row."""
    layout = _locate(rows, group, year, sheet, recon.file)
    frame = _frame(rows, layout)
    start, end = layout.block
    list_header = _text(rows[layout.header_row][layout.list_size])
    recon.notes.append(
        f"sheet {sheet}: header on row {layout.header_row + 1} (the rows above are titles); "
        f"{year} block in columns {get_column_letter(start + 1)}-{get_column_letter(end)}; "
        f"register {get_column_letter(layout.register + 1)}, list size "
        f"{get_column_letter(layout.list_size + 1)} '{list_header}', "
        f"prevalence {get_column_letter(layout.prevalence + 1)}; "
        f"{len(frame)} non-blank rows below the header"
    )
    recon.rows_in += len(frame)
    kind = _classify(frame)
    frame = frame.assign(org_type=kind)
    frame = recon.reject_mask(frame, kind == "note", "note or footnote below the table")
    label = frame["first_cell"].where(frame["first_cell"] != "", frame["ccg_name"])
    frame = frame.assign(label=label.fillna(""))
    for name in sorted(set(frame.loc[frame["org_type"] == "subtotal", "label"])):
        mask = (frame["org_type"] == "subtotal") & (frame["label"] == name)
        reason = f"subtotal row not used by the atlas: {name or '(unlabelled)'}"
        frame = recon.reject_mask(frame, mask, reason)
    frame = numeric(frame, "register", recon, count=True)
    frame = numeric(frame, "list_size", recon, count=True)
    frame = numeric(frame, "prevalence_pct", recon)
    recon.rows_used += len(frame)
    ods = frame["ccg_ods"].str.upper().where(frame["org_type"] == "ccg")
    ons = frame["ccg_ons"].where(frame["ccg_ons"].str.len() > 0)
    return frame.assign(
        year=year,
        group=group,
        ccg_ods=ods.astype("string"),
        ccg_ons=ons.astype("string"),
        ccg_name=frame["ccg_name"].astype("string"),
        org_type=frame["org_type"].astype(str),
    )[COLUMNS]


def _load(path: Path, relative: str):
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise SourceError(
            relative,
            f"the file is not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})",
            "download the QOF CCG workbook again",
        ) from exc


def read_year(raw: RawDir, year: str) -> SourceResult:
    """Read the DEP and MH sheets of one year's workbook."""
    relative = WORKBOOKS[year]
    recon = Reconciliation(SOURCE, relative)
    workbook = _load(raw.path(relative), relative)
    try:
        frames = []
        for group in SHEET_NAMES:
            sheet = _find_sheet(workbook, group, relative)
            rows = list(sheet.iter_rows(values_only=True))
            frames.append(_read_sheet(rows, group, year, sheet.title, recon))
    finally:
        workbook.close()
    recon.check()
    table = _sorted(pd.concat(frames, ignore_index=True))
    return SourceResult({"qof_ccg": table}, [recon])


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    keys = ["year", "group", "org_type", "ccg_ods"]
    return table.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)


def read(raw: RawDir) -> SourceResult:
    """Read all six QOF CCG workbooks into the ``qof_ccg`` table."""
    tables, recons = [], []
    for year in WORKBOOKS:
        result = read_year(raw, year)
        tables.append(result.tables["qof_ccg"])
        recons.extend(result.reconciliations)
    table = _sorted(pd.concat(tables, ignore_index=True))
    return SourceResult({"qof_ccg": table}, recons)
