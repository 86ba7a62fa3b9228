"""Checks a fetched file must pass before it replaces the cached one.

The check fits the format: a CSV's header must hold the columns its reader requires, a
GeoJSON must parse as a feature collection whose features carry those properties, a
workbook must open (with the named sheets), a Parquet file must have the columns in its
schema. A failure is a :class:`CheckError` naming the file and what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from pathlib import Path

from data_pipeline.fetch.registry import FileSpec


class CheckError(Exception):
    """A fetched file is not what its reader needs."""

    def __init__(self, relative: str, problem: str):
        self.relative = relative
        self.problem = problem
        super().__init__(f"{relative}: {problem}")


def _open_text(path: Path, relative: str) -> io.TextIOBase:
    if relative.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def csv_header(path: Path, relative: str) -> list[str]:
    """The header row of a plain or gzipped CSV, stripped."""
    try:
        with _open_text(path, relative) as handle:
            row = next(csv.reader(handle), None)
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise CheckError(relative, f"not readable as CSV text ({exc})") from exc
    if not row:
        raise CheckError(relative, "the file is empty")
    return [c.strip() for c in row]


def _missing(have: list[str], want: tuple[str, ...]) -> list[str]:
    present = set(have)
    return [c for c in want if c not in present]


def _check_csv(path: Path, spec: FileSpec) -> None:
    header = csv_header(path, spec.path)
    missing = _missing(header, spec.columns)
    if missing:
        raise CheckError(spec.path, f"columns missing from the header: {missing}")
    if spec.path.endswith(".gz"):  # read to the end: a truncated gzip fails here
        try:
            with gzip.open(path, "rb") as handle:
                while handle.read(1 << 20):
                    pass
        except (OSError, EOFError) as exc:
            raise CheckError(spec.path, f"the gzip stream is corrupt ({exc})") from exc


def _check_geojson(path: Path, spec: FileSpec) -> None:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckError(spec.path, f"not valid JSON ({exc})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if data.get("type") != "FeatureCollection" or not isinstance(features, list) or not features:
        raise CheckError(spec.path, "not a GeoJSON FeatureCollection with features")
    props = features[0].get("properties") or {}
    missing = _missing(list(props), spec.columns)
    if missing:
        raise CheckError(spec.path, f"feature properties missing: {missing}")


def _check_workbook(path: Path, spec: FileSpec) -> None:
    if spec.path.endswith(".xls"):
        import xlrd

        try:
            names = xlrd.open_workbook(path, on_demand=True).sheet_names()
        except (xlrd.XLRDError, OSError, ValueError) as exc:
            raise CheckError(spec.path, f"not an Excel 97-2003 workbook ({exc})") from exc
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                if archive.testzip() is not None:
                    raise CheckError(spec.path, "the workbook archive is corrupt")
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            names = list(book.sheetnames)
            book.close()
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise CheckError(spec.path, f"the workbook does not open ({exc})") from exc
    folded = {n.strip().lower() for n in names}
    missing = [s for s in spec.sheets if s.lower() not in folded]
    if missing:
        raise CheckError(spec.path, f"sheets missing: {missing} (has {names})")


def _check_parquet(path: Path, spec: FileSpec) -> None:
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise CheckError(spec.path, f"not a Parquet file ({exc.__class__.__name__})") from exc
    missing = _missing(names, spec.columns)
    if missing:
        raise CheckError(spec.path, f"columns missing from the schema: {missing}")


def check_file(path: Path, spec: FileSpec) -> None:
    """Run the check that fits ``spec.path``'s format; raise :class:`CheckError` if it fails."""
    if not path.is_file() or path.stat().st_size == 0:
        raise CheckError(spec.path, "the file is empty")
    name = spec.path.lower()
    if name.endswith((".csv", ".csv.gz")):
        _check_csv(path, spec)
    elif name.endswith((".geojson", ".json")):
        _check_geojson(path, spec)
    elif name.endswith((".xlsx", ".xls")):
        _check_workbook(path, spec)
    elif name.endswith(".parquet"):
        _check_parquet(path, spec)
