"""Small file transforms shared by the source fetchers: gzip, zip members, sheets to CSV.

Outputs are deterministic (gzip without a timestamp), so refetching unchanged data yields
byte-identical files and the build's checksums do not move.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from data_pipeline.fetch.checks import CheckError

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """Whether ``path`` starts with the gzip magic number."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def is_zip(path: Path) -> bool:
    """Whether ``path`` is a zip archive (workbooks are zips too)."""
    return zipfile.is_zipfile(path)


def gzip_file(source: Path, dest: Path) -> Path:
    """Compress ``source`` into ``dest`` with no timestamp in the header."""
    with source.open("rb") as src, gzip.GzipFile(dest, "wb", mtime=0) as out:
        shutil.copyfileobj(src, out, 1 << 20)
    return dest


def gunzip_file(source: Path, dest: Path) -> Path:
    """Decompress ``source`` into ``dest``."""
    with gzip.open(source, "rb") as src, dest.open("wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    return dest


def as_named(source: Path, relative: str, dest: Path) -> Path:
    """``source`` in the form ``relative``'s name implies: gzipped for ``.gz``, else plain."""
    want_gz = relative.endswith(".gz")
    have_gz = is_gzip(source)
    if want_gz and not have_gz:
        return gzip_file(source, dest)
    if have_gz and not want_gz:
        return gunzip_file(source, dest)
    shutil.move(source, dest)
    return dest


def zip_member(archive: Path, pattern: str, dest: Path) -> Path:
    """Extract the member whose name matches ``pattern`` (case-insensitive) to ``dest``."""
    regex = re.compile(pattern, re.I)
    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if regex.search(n.rsplit("/", 1)[-1])]
        if not names:
            raise CheckError(
                dest.name, f"the archive has no member matching {pattern!r}: {zf.namelist()[:10]}"
            )
        with zf.open(sorted(names)[0]) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    return dest


def write_rows(dest: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write a CSV (gzipped when ``dest`` ends in .gz); ``None`` becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buffer.getvalue().encode("utf-8")
    if dest.name.endswith(".gz"):
        with gzip.GzipFile(dest, "wb", mtime=0) as handle:
            handle.write(data)
    else:
        dest.write_bytes(data)
    return dest


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a plain or gzipped CSV (UTF-8, BOM dropped)."""
    opener = gzip.open if is_gzip(path) else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        return header, [row for row in reader if row]


def sheet_rows(path: Path, sheet: str | None = None) -> dict[str, list[tuple]]:
    """Rows (values only) of every sheet of a workbook, or of the one named ``sheet``."""
    import openpyxl

    with path.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            names = [sheet] if sheet else list(book.sheetnames)
            return {name: list(book[name].iter_rows(values_only=True)) for name in names}
        finally:
            book.close()


def find_header(rows: list[tuple], required: Iterable[str], search: int = 30) -> int:
    """Index of the first row holding every ``required`` cell (compared without case)."""
    wanted = {r.strip().lower() for r in required}
    for i, row in enumerate(rows[:search]):
        cells = {str(c).strip().lower() for c in row if c is not None}
        if wanted <= cells:
            return i
    raise CheckError(
        "(workbook)", f"no header row with {sorted(wanted)} in the first {search} rows"
    )


def clean_name(text: str) -> str:
    """A column header in snake case, as R's ``janitor::clean_names`` writes it.

    ``"IMD - Proportion of LSOAs in most deprived 10% nationally"`` becomes
    ``imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally`` (the published
    summaries were converted with that function, and the readers use its names).
    """
    text = str(text).replace("%", " percent ").replace("#", " number ")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()
    return re.sub(r"_+", "_", text)
