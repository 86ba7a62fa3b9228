"""Fetch the Fingertips-type files read by :mod:`data_pipeline.sources.fingertips`.

Indicators come from the OHID Fingertips API as its standard CSV
(``/api/all_data/csv/by_indicator_id``), one request per child area type. The release is
identified by the indicator's ``DataChange.LastUploadedAt`` from ``/api/indicator_metadata``;
when the API gives no date, the CSV is fetched and compared byte for byte with the cache.

LA mental-health series are written in the tidy layout the reader was built for (area,
period, value, comparison with England); the smoking indicator is kept as the raw API CSV.
The ONS Health Index comes from the healthyr package's published table, and practice life
expectancy is a frozen archived extract.
"""

from __future__ import annotations

import re
from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.files import as_named, read_csv_rows, write_rows
from data_pipeline.fetch.http import join
from data_pipeline.fetch.registry import Target

#: Fingertips "Area Type" for England; the LA extracts call it "Country".
ENGLAND = "England"
COMPARED = "Compared to England value or percentiles"


def data_url(ctx: FetchContext, target: Target, area_type: int) -> str:
    """All data for the target's indicator at one child area type, as CSV."""
    return join(
        ctx.url(target, "api/all_data/csv/by_indicator_id"),
        "",
        indicator_ids=target.option("indicator"),
        child_area_type_id=area_type,
        parent_area_type_id=15,
    )


def release(ctx: FetchContext, target: Target) -> Release:
    """The indicator's last upload date, from its metadata."""
    indicator = target.option("indicator")
    meta = ctx.client.get_json(
        join(ctx.url(target, "api/indicator_metadata/by_indicator_id"), "", indicator_ids=indicator)
    )
    item = meta.get(str(indicator)) if isinstance(meta, dict) else None
    change = (item or {}).get("DataChange") or {}
    published = change.get("LastUploadedAt")
    urls = [data_url(ctx, target, t) for t in target.option("area_types", [])]
    return Release(period=target.period, url=" ".join(urls), published=published)


def download_csv(ctx: FetchContext, target: Target, release: Release) -> Path:
    """The API CSV for every area type, one header, repeated rows (England) once."""
    combined = ctx.temp(f"fingertips_{target.option('indicator')}.csv")
    header: list[str] | None = None
    seen: set[tuple[str, ...]] = set()
    rows: list[list[str]] = []
    for i, url in enumerate(release.url.split()):
        part = ctx.download(url, f"fingertips_{target.option('indicator')}_{i}.csv")
        head, body = read_csv_rows(part)
        if header is None:
            header = head
        elif head != header:
            raise CheckError(combined.name, "area types returned different CSV headers")
        for row in body:
            key = tuple(row)
            if key not in seen:
                seen.add(key)
                rows.append(row)
    if not header or "Area Code" not in header:
        raise CheckError(combined.name, "the API returned no Fingertips CSV header")
    return write_rows(combined, header, rows)


def _la_type(code: str, area_type: str) -> str:
    if area_type == ENGLAND or code == "E92000001":
        return "Country"
    return "District" if code.startswith("E07") else "UA"


def la_series(ctx: FetchContext, target: Target, source: Path) -> Path:
    """One indicator by local authority, in the tidy layout the reader expects.

    Breakdown rows (a ``Category Type``) are left out; where the indicator is split by
    sex, the persons rows are kept. The indicator label is the reader's fixed name.
    """
    header, rows = read_csv_rows(source)
    col = {name: i for i, name in enumerate(header)}
    needed = ["Area Code", "Area Name", "Area Type", "Sex", "Category Type", "Time period", "Value"]
    missing = [n for n in needed if n not in col]
    if missing:
        raise CheckError(source.name, f"Fingertips CSV without columns {missing}")
    sexes = {r[col["Sex"]] for r in rows}
    keep_sex = "Persons" if "Persons" in sexes else None
    out = []
    for r in rows:
        if r[col["Category Type"]].strip() or (keep_sex and r[col["Sex"]] != keep_sex):
            continue
        code, kind = r[col["Area Code"]].strip(), r[col["Area Type"]].strip()
        if not re.fullmatch(r"E\d{8}", code):
            continue
        compared = r[col[COMPARED]] if COMPARED in col else ""
        out.append(
            [
                code,
                r[col["Area Name"]],
                _la_type(code, kind),
                r[col["Time period"]],
                target.option("label"),
                r[col["Value"]],
                compared,
            ]
        )
    columns = ["area_code", "area_name", "area_type", "period", "indicator", "value"]
    dest = ctx.temp("la_" + Path(target.paths[0]).name)
    return write_rows(dest, [*columns, target.option("comparison")], out)


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """Fingertips indicators by metadata; other targets by their kind."""
    if target.kind == "fingertips":
        return [release(ctx, target)]
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """Download and shape each file as the reader expects it."""
    relative = target.paths[0]
    if target.kind != "fingertips":
        return generic.as_is(ctx, target, release)
    raw = download_csv(ctx, target, release)
    if target.option("transform") == "la_series":
        raw = la_series(ctx, target, raw)
    return {relative: as_named(raw, relative, ctx.temp("out_" + Path(relative).name))}
