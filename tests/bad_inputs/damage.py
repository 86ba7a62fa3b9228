"""Ways to damage a real raw file, and the raw directories the damaged copies live in.

Every variant starts from the published file, cut to its first rows so that readers run
fast, and makes two copies of it: a *clean* one (the cut alone) and a *damaged* one (the cut
plus one kind of damage). Reading the clean copy shows the cut is harmless, so whatever the
damaged copy does is due to the damage alone.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq

BOM = b"\xef\xbb\xbf"

#: make(source_path, damaged) -> bytes of the file to put in the raw directory.
Maker = Callable[[Path, bool], bytes]
Rows = list[list[str]]
Edit = Callable[[list[str], Rows], tuple[list[str], Rows]]


def raw_copy(raw_dir: Path, root: Path, relative: str, data: bytes) -> Path:
    """A raw directory of symlinks to ``raw_dir`` in which ``relative`` holds ``data``."""
    for path in raw_dir.rglob("*"):
        if path.is_file():
            target = root / path.relative_to(raw_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    damaged = root / relative
    if damaged.is_symlink():
        damaged.unlink()
    damaged.parent.mkdir(parents=True, exist_ok=True)
    damaged.write_bytes(data)
    return root


# --------------------------------------------------------------------------- CSV


def _lines(path: Path) -> Iterator[str]:
    """The file's text, line by line (a BOM dropped), without reading it all at once."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        yield from handle


def _csv(rows: Rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def csv_file(
    head: int = 300,
    keep: Callable[[dict[str, str]], bool] | None = None,
    edit: Edit | None = None,
    text: Callable[[str], str] | None = None,
    encoding: str = "utf-8",
    prefix: bytes = b"",
    cut_bytes: float | None = None,
) -> Maker:
    """A CSV (plain or gzipped like the original) cut to ``head`` rows, then damaged.

    ``keep`` chooses rows before the cut; the damage is ``edit`` (on parsed rows), ``text``
    (on the CSV text), ``encoding``/``prefix`` (on the bytes) and ``cut_bytes`` (the file,
    compressed if it is, cut to that fraction of its length).
    """

    def make(path: Path, damaged: bool) -> bytes:
        rows = (row for row in csv.reader(_lines(path)) if row)
        header = next(rows)
        if keep is not None:
            rows = (row for row in rows if keep(dict(zip(header, row, strict=False))))
        body = list(itertools.islice(rows, head))
        if damaged and edit is not None:
            header, body = edit(list(header), [list(row) for row in body])
        content = _csv([header, *body])
        if damaged and text is not None:
            content = text(content)
        data = (prefix if damaged else b"") + content.encode(encoding if damaged else "utf-8")
        if path.suffix == ".gz":
            data = gzip.compress(data, compresslevel=1, mtime=0)
        if damaged and cut_bytes is not None:
            data = data[: int(len(data) * cut_bytes)]
        return data

    return make


def set_cell(row: int, column: str, value: str) -> Edit:
    """Put ``value`` in ``column`` of data row ``row``."""

    def edit(header: list[str], body: Rows) -> tuple[list[str], Rows]:
        body[row][header.index(column)] = value
        return header, body

    return edit


def set_cells(where: Callable[[dict[str, str]], bool], column: str, value: str) -> Edit:
    """Put ``value`` in ``column`` of the first row ``where`` selects."""

    def edit(header: list[str], body: Rows) -> tuple[list[str], Rows]:
        for row in body:
            if where(dict(zip(header, row, strict=False))):
                row[header.index(column)] = value
                return header, body
        raise AssertionError(f"no row to edit in column {column}")

    return edit


def rename_column(old: str, new: str) -> Edit:
    def edit(header: list[str], body: Rows) -> tuple[list[str], Rows]:
        header[header.index(old)] = new
        return header, body

    return edit


def drop_column(column: str) -> Edit:
    def edit(header: list[str], body: Rows) -> tuple[list[str], Rows]:
        at = header.index(column)
        return header[:at] + header[at + 1 :], [row[:at] + row[at + 1 :] for row in body]

    return edit


def duplicate_rows(first: int, count: int) -> Edit:
    """Append a second copy of data rows ``first`` .. ``first + count - 1``."""

    def edit(header: list[str], body: Rows) -> tuple[list[str], Rows]:
        return header, body + [list(row) for row in body[first : first + count]]

    return edit


def header_only(header: list[str], body: Rows) -> tuple[list[str], Rows]:
    return header, []


def cut_last_line(content: str) -> str:
    """End the file in the middle of its last line, as an interrupted download does."""
    body = content.rstrip("\n")
    last = body.rfind("\n")
    return body[: last + 1 + (len(body) - last) // 3]


# --------------------------------------------------------------------------- Parquet


def parquet_file(select: str, damage_sql: str | None = None) -> Maker:
    """Rows of a Parquet file chosen by ``select`` (SQL over ``{src}``), then ``damage_sql``.

    ``damage_sql`` runs against the table ``t`` before it is written back.
    """

    def make(path: Path, damaged: bool) -> bytes:
        with duckdb.connect() as con:
            source = select.format(src="read_parquet($path)")
            con.execute(f"CREATE TABLE t AS {source}", {"path": str(path)})
            if damaged and damage_sql:
                con.execute(damage_sql)
            table = con.sql("SELECT * FROM t").to_arrow_table()
        out = io.BytesIO()
        pq.write_table(table, out)
        return out.getvalue()

    return make


# --------------------------------------------------------------------------- workbooks


def workbook(
    sheets: Sequence[str],
    head: int = 60,
    edit: Callable[[openpyxl.Workbook], None] | None = None,
    cut_bytes: float | None = None,
) -> Maker:
    """A new workbook with the first ``head`` rows (values) of ``sheets``, then damaged."""

    def make(path: Path, damaged: bool) -> bytes:
        source = openpyxl.load_workbook(path, read_only=True, data_only=True)
        book = openpyxl.Workbook()
        book.remove(book.active)
        try:
            for name in sheets:
                sheet = book.create_sheet(name)
                for row in source[name].iter_rows(max_row=head, values_only=True):
                    sheet.append(list(row))
        finally:
            source.close()
        if damaged and edit is not None:
            edit(book)
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
        if damaged and cut_bytes is not None:
            data = data[: int(len(data) * cut_bytes)]
        return data

    return make


def find_cell(book: openpyxl.Workbook, sheet: str, text: str):
    """The first cell of ``sheet`` whose text starts with ``text`` (case-insensitive)."""
    for row in book[sheet].iter_rows():
        for cell in row:
            if str(cell.value or "").strip().lower().startswith(text.lower()):
                return cell
    raise AssertionError(f"no cell starting {text!r} in sheet {sheet}")


def other_file(name: str) -> Maker:
    """Put another published file of the same folder in this file's place."""

    def make(path: Path, damaged: bool) -> bytes:
        return (path.with_name(name) if damaged else path).read_bytes()

    return make


# --------------------------------------------------------------------------- GeoJSON


def geojson_file(
    keep: int = 20,
    edit: Callable[[list[dict]], None] | None = None,
    prefix: bytes = b"",
    cut_bytes: float | None = None,
) -> Maker:
    """The first ``keep`` features of a GeoJSON file, then damaged."""

    def make(path: Path, damaged: bool) -> bytes:
        collection = json.loads(path.read_bytes().decode("utf-8-sig"))
        collection["features"] = collection["features"][:keep]
        if damaged and edit is not None:
            edit(collection["features"])
        data = json.dumps(collection).encode("utf-8")
        if damaged:
            data = prefix + data
            if cut_bytes is not None:
                data = data[: int(len(data) * cut_bytes)]
        return data

    return make


def rename_property(old: str, new: str) -> Callable[[list[dict]], None]:
    def edit(features: list[dict]) -> None:
        for feature in features:
            feature["properties"][new] = feature["properties"].pop(old)

    return edit


def set_geometry(index: int, geometry: dict | None) -> Callable[[list[dict]], None]:
    def edit(features: list[dict]) -> None:
        features[index]["geometry"] = geometry

    return edit


def emptied(inner: Maker) -> Maker:
    """Zero bytes: a download that failed before it began (the clean copy is ``inner``'s)."""
    return lambda path, damaged: b"" if damaged else inner(path, False)


def replaced(inner: Maker, data: bytes) -> Maker:
    """Another file's bytes in this file's place (the clean copy is ``inner``'s)."""
    return lambda path, damaged: data if damaged else inner(path, False)


def truncated(fraction: float) -> Maker:
    """The published file itself, cut to ``fraction`` of its bytes."""

    def make(path: Path, damaged: bool) -> bytes:
        data = path.read_bytes()
        return data[: int(len(data) * fraction)] if damaged else data

    return make
