"""Write a few rows in a publisher's layout into a raw directory under ``tmp_path``.

The small reader tests build each raw file from its real header (copied from the published
file) and a handful of rows, so they run in milliseconds without the 94 MB of public files.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import xlwt

from data_pipeline.raw import RawDir
from data_pipeline.sources import SourceResult

BOM = "\ufeff"


def write_csv(
    root: Path, relative: str, header: Sequence[str], rows: Sequence[Sequence], bom: bool = False
) -> Path:
    """Write ``rows`` under ``header`` to ``root/relative``; gzip it when the name ends .gz."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = (BOM if bom else "") + buffer.getvalue()
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if relative.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_records(
    root: Path,
    relative: str,
    header: str,
    records: Sequence[dict[str, object]],
    bom: bool = False,
) -> Path:
    """Write ``records`` under a published header line; columns a record omits are blank."""
    columns = next(csv.reader([header]))
    unknown = {key for record in records for key in record} - set(columns)
    assert not unknown, f"not in the published header: {sorted(unknown)}"
    rows = [[record.get(column, "") for column in columns] for record in records]
    return write_csv(root, relative, columns, rows, bom=bom)


def write_parquet(
    root: Path, relative: str, schema: Sequence[tuple[str, pa.DataType]], records: Sequence[dict]
) -> Path:
    """Write ``records`` to a parquet file with the published column names and types."""
    schema = pa.schema(list(schema))
    columns = {name: [record.get(name) for record in records] for name in schema.names}
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns, schema=schema), path)
    return path


def write_workbook(root: Path, relative: str, sheets: dict[str, Sequence[Sequence]]) -> Path:
    """Write an .xlsx workbook: one sheet per name, rows as given (first row first)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_xls(root: Path, relative: str, rows: Sequence[Sequence]) -> Path:
    """Write an Excel 97-2003 (.xls) workbook of one sheet, rows as given."""
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path


def raw_with(root: Path, relative: str, header: Sequence[str], rows: Sequence[Sequence], **kw):
    """A :class:`RawDir` holding just this one file."""
    write_csv(root, relative, header, rows, **kw)
    return RawDir(root)


def rejected(result: SourceResult) -> Counter[str]:
    """Rejected rows by reason, over every file the reader read (each must add up)."""
    total: Counter[str] = Counter()
    for recon in result.reconciliations:
        recon.check()
        total.update(recon.rejected)
    return total


def rows_in(result: SourceResult) -> int:
    """Rows read, over every file."""
    return sum(recon.rows_in for recon in result.reconciliations)
