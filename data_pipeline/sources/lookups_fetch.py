"""Fetch the lookup tables read by :mod:`data_pipeline.sources.lookups`.

ONS lookups are ArcGIS tables read page by page (attributes only) and written as CSV with
the column names the reader uses. The early-2024 GP practice lookup, a derived snapshot
with postcode coordinates, is an archived copy checked by its SHA-256.
"""

from __future__ import annotations

import time
from pathlib import Path

from data_pipeline.fetch import arcgis, generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.registry import Target


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The table's last edit (ONS) or the archived copy's checksum."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """CSV under the reader's file name; renamed tables keep only the renamed columns."""
    if target.kind != "arcgis":
        return generic.as_is(ctx, target, release)
    spec = target.files[0]
    start = time.monotonic()
    records = arcgis.rows(ctx, target)
    if not records:
        raise CheckError(spec.path, f"the table {target.option('service')} returned no rows")
    rename = target.option("rename", {})
    columns = list(spec.columns) if rename else None
    dest = ctx.temp(Path(spec.path).name)
    arcgis.write_csv(records, rename, dest, columns)
    ctx.progress.done(spec.path, dest.stat().st_size, time.monotonic() - start)
    return {spec.path: dest}
