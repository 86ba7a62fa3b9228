"""Fetch the English Indices of Deprivation files read by :mod:`data_pipeline.sources.deprivation`.

MHCLG's files are found through the GOV.UK Content API (the newest ``_vN`` of each file
wins, since corrected files are re-issued under a new version). File 7 (all scores, ranks
and deciles per LSOA) is reduced to the domain columns under the names the reader uses;
the File 10 workbook becomes one CSV with ``janitor``-style column names; File 11 and the
2019 CCG workbook are read by the reader as published. The practice IMD score comes from
the Fingertips API (indicator 93553).
"""

from __future__ import annotations

import re
from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.files import (
    as_named,
    clean_name,
    read_csv_rows,
    sheet_rows,
    write_rows,
)
from data_pipeline.fetch.http import join
from data_pipeline.fetch.registry import Target
from data_pipeline.sources import fingertips_fetch

#: IoD domains: the reader's prefix and the start of MHCLG's header.
DOMAINS = {
    "IMD": "Index of Multiple Deprivation (IMD)",
    "Income": "Income",
    "Employment": "Employment",
    "Education": "Education, Skills and Training",
    "Health": "Health Deprivation and Disability",
    "Crime": "Crime",
    "Housing_and_Services": "Barriers to Housing and Services",
    "Environment": "Living Environment",
}
MEASURES = ("decile", "rank", "score")


def file7_scores(source: Path, dest: Path) -> Path:
    """IoD File 7 -> ``lsoa21_code`` and ``<Domain>_decile/_rank/_score`` per LSOA."""
    header, rows = read_csv_rows(source)
    lsoa = next((i for i, h in enumerate(header) if re.match(r"(?i)lsoa code", h)), None)
    if lsoa is None:
        raise CheckError(dest.name, f"File 7 has no 'LSOA code' column (has {header[:5]})")
    picks: list[tuple[str, int]] = []
    for measure in MEASURES:
        for prefix, published in DOMAINS.items():
            start = f"{published} {measure}".lower()
            found = [i for i, h in enumerate(header) if h.lower().startswith(start)]
            if not found:
                raise CheckError(dest.name, f"File 7 has no column starting '{start}'")
            picks.append((f"{prefix}_{measure}", found[0]))
    out_header = ["lsoa21_code", *(name for name, _ in picks)]
    body = ([r[lsoa], *(r[i] for _, i in picks)] for r in rows if r[lsoa].startswith("E01"))
    return write_rows(dest, out_header, body)


def summary_csv(source: Path, dest: Path, prefix: str) -> Path:
    """An IoD summary workbook (one sheet per domain) -> one CSV, columns as janitor names them.

    Every sheet whose header has an "... Average score" column is read; the area code and
    name become ``<prefix>_code`` and ``<prefix>_name``; sheets are joined on the code.
    """
    columns: list[str] = [f"{prefix}_code", f"{prefix}_name"]
    table: dict[str, dict[str, object]] = {}
    for rows in sheet_rows(source).values():
        at = next(
            (
                i
                for i, row in enumerate(rows[:30])
                if any(str(c or "").strip().lower().endswith("average score") for c in row)
            ),
            None,
        )
        if at is None:
            continue
        names = [clean_name(c) if c is not None else "" for c in rows[at]]
        code = next(i for i, n in enumerate(names) if n.endswith("code") or "_code_" in n)
        name = next(i for i, n in enumerate(names) if n.endswith("name") or "_name_" in n)
        for i, n in enumerate(names):
            if n and i not in (code, name) and n not in columns:
                columns.append(n)
        for row in rows[at + 1 :]:
            key = str(row[code] or "").strip()
            if not key:
                continue
            record = table.setdefault(key, {columns[0]: key, columns[1]: row[name]})
            for i, n in enumerate(names):
                if n and i not in (code, name):
                    record[n] = row[i]
    if not table:
        raise CheckError(dest.name, "no sheet has an '... Average score' column")
    return write_rows(dest, columns, ([r.get(c) for c in columns] for r in table.values()))


def practice_imd(ctx: FetchContext, target: Target, source: Path, dest: Path) -> Path:
    """Fingertips CSV for indicator 93553 -> the practice IMD layout the reader expects.

    ``IsAreaCurrent`` comes from the API's list of current GP practices.
    """
    header, rows = read_csv_rows(source)
    col = {h: i for i, h in enumerate(header)}
    areas = ctx.client.get_json(join(ctx.url(target, "api/areas/by_area_type"), "", area_type_id=7))
    current = {str(a.get("Code")) for a in areas if isinstance(a, dict)}
    out = []
    for r in rows:
        if r[col["Area Type"]].strip() != "GPs" or r[col["Category Type"]].strip():
            continue
        code = r[col["Area Code"]].strip()
        out.append(
            [
                r[col["Indicator ID"]],
                r[col["Time period"]].strip(),
                code,
                r[col["Area Name"]],
                1 if code in current else 0,
                r[col["Value"]],
            ]
        )
    columns = ["IndicatorID", "Year", "AreaCode", "AreaName", "IsAreaCurrent", "Value"]
    return write_rows(dest, columns, out)


def practice_imd_2025(source: Path, dest: Path) -> Path:
    """Fingertips CSV for indicator 94240 -> ``PRACTICE_CODE, PRACTICE_NAME, IMD_YEAR, IMD_SCORE``.

    GP practice rows only (no category breakdowns), as the reader expects them.
    """
    header, rows = read_csv_rows(source)
    col = {h: i for i, h in enumerate(header)}
    out = [
        [
            r[col["Area Code"]].strip(),
            r[col["Area Name"]],
            r[col["Time period"]].strip(),
            r[col["Value"]],
        ]
        for r in rows
        if r[col["Area Type"]].strip() == "GPs" and not r[col["Category Type"]].strip()
    ]
    return write_rows(dest, ["PRACTICE_CODE", "PRACTICE_NAME", "IMD_YEAR", "IMD_SCORE"], out)


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """GOV.UK attachments, the IMD package table, or the Fingertips indicator."""
    if target.kind == "fingertips":
        return [fingertips_fetch.release(ctx, target)]
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """Download and shape each file as the reader expects it."""
    relative = target.paths[0]
    dest = ctx.temp("out_" + Path(relative).name)
    transform = target.option("transform")
    if target.kind == "fingertips":
        source = fingertips_fetch.download_csv(ctx, target, release)
        if transform == "practice_imd_2025":
            return {relative: practice_imd_2025(source, dest)}
        return {relative: practice_imd(ctx, target, source, dest)}
    if transform == "file7_scores":
        return {relative: file7_scores(generic.download(ctx, release), dest)}
    if transform == "summary_csv":
        got = generic.download(ctx, release)
        return {relative: summary_csv(got, dest, target.option("prefix"))}
    got = generic.download(ctx, release)
    return {relative: as_named(got, relative, dest)}
