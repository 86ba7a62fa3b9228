"""Fetch the population file read by :mod:`data_pipeline.sources.population`.

ONS publishes small-area population estimates (SAPE) as a workbook per year, linked from
its dataset page. The mid-2020 LSOA 2011 single-year-of-age persons sheet is turned into
the layout the reader uses: ``lsoa11_name, lsoa11_code, total_population, 0 ... 90+``.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.files import find_header, is_zip, sheet_rows, write_rows, zip_member
from data_pipeline.fetch.registry import Target

AGES = [str(a) for a in range(90)] + ["90+"]


def _cell(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def sape_lsoa(source: Path, dest: Path) -> Path:
    """The persons sheet of an ONS SAPE workbook -> one row per LSOA with single ages."""
    import openpyxl

    with source.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True)
        names = list(book.sheetnames)
        book.close()
    persons = next((n for n in names if "person" in n.lower()), None)
    if persons is None:
        raise CheckError(dest.name, f"the workbook has no persons sheet (sheets: {names})")
    rows = sheet_rows(source, persons)[persons]
    at = find_header(rows, ["LSOA Code", "All Ages"])
    header = [_cell(c) for c in rows[at]]
    pos = {h.lower(): i for i, h in enumerate(header)}
    missing = [a for a in AGES if a.lower() not in pos]
    if missing:
        raise CheckError(dest.name, f"age columns missing from the persons sheet: {missing[:5]}")
    picks = [pos["lsoa name"], pos["lsoa code"], pos["all ages"], *(pos[a] for a in AGES)]
    body = (
        [row[i] for i in picks]
        for row in rows[at + 1 :]
        if row and row[pos["lsoa code"]] not in (None, "")
    )
    return write_rows(dest, ["lsoa11_name", "lsoa11_code", "total_population", *AGES], body)


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The workbook linked from the ONS dataset page."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """Download the workbook (zipped or not) and reshape the persons sheet."""
    relative = target.paths[0]
    got = generic.download(ctx, release)
    if not got.name.lower().endswith(".xlsx") and is_zip(got):
        import zipfile

        with zipfile.ZipFile(got) as archive:
            inner = [n for n in archive.namelist() if n.lower().endswith(".xlsx")]
        if inner:
            got = zip_member(got, inner[0].rsplit("/", 1)[-1], ctx.temp("sape.xlsx"))
    return {relative: sape_lsoa(got, ctx.temp("out_" + Path(relative).name))}
