"""ONS Open Geography Portal: ArcGIS FeatureServer layers, read page by page.

A FeatureServer returns at most ``maxRecordCount`` features per query; when more remain it
sets ``exceededTransferLimit`` and the next page is asked for with ``resultOffset``. The
layer's own description carries ``editingInfo.lastEditDate``, which is the publication
stamp: a rerun compares it and downloads nothing when the layer has not changed.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.http import DownloadError, join
from data_pipeline.fetch.registry import Target

PAGE_SIZE = 2000
MAX_PAGES = 500


def layer_url(ctx: FetchContext, target: Target) -> str:
    """``<base>/<service>/FeatureServer/<layer>``."""
    service = target.option("service")
    layer = target.option("layer", 0)
    return ctx.url(target, f"{service}/FeatureServer/{layer}")


def release(ctx: FetchContext, target: Target) -> Release:
    """The layer as it stands: its last edit date identifies the release."""
    url = layer_url(ctx, target)
    info = ctx.client.get_json(join(url, "", f="json"))
    if "error" in info:
        raise DownloadError(url, f"the service answered with an error: {info['error']}")
    edited = (info.get("editingInfo") or {}).get("lastEditDate")
    published = (
        datetime.fromtimestamp(edited / 1000, UTC).isoformat(timespec="seconds")
        if isinstance(edited, int | float)
        else None
    )
    return Release(period=target.period, url=url, published=published)


def _pages(ctx: FetchContext, url: str, fmt: str, page_size: int) -> Iterator[dict[str, Any]]:
    offset = 0
    for _ in range(MAX_PAGES):
        query = join(
            url,
            "query",
            where="1=1",
            outFields="*",
            outSR="4326" if fmt == "geojson" else None,
            returnGeometry="true" if fmt == "geojson" else "false",
            resultOffset=offset,
            resultRecordCount=page_size,
            f=fmt,
        )
        page = ctx.client.get_json(query)
        if "error" in page:
            raise DownloadError(query, f"the service answered with an error: {page['error']}")
        features = page.get("features") or []
        yield page
        more = page.get("exceededTransferLimit") or (page.get("properties") or {}).get(
            "exceededTransferLimit"
        )
        if not features or not more:
            return
        offset += len(features)
    raise DownloadError(url, f"more than {MAX_PAGES} pages; the query does not end")


def features(ctx: FetchContext, target: Target) -> list[dict[str, Any]]:
    """Every feature of the layer as GeoJSON (WGS84)."""
    url = layer_url(ctx, target)
    out: list[dict[str, Any]] = []
    for page in _pages(ctx, url, "geojson", target.option("page_size", PAGE_SIZE)):
        out.extend(page.get("features") or [])
    return out


def rows(ctx: FetchContext, target: Target) -> list[dict[str, Any]]:
    """Every row (attributes only) of a table or layer."""
    url = layer_url(ctx, target)
    out: list[dict[str, Any]] = []
    for page in _pages(ctx, url, "json", target.option("page_size", PAGE_SIZE)):
        out.extend(f.get("attributes") or {} for f in page.get("features") or [])
    return out


def rename_map(names: list[str], rename: dict[str, str]) -> dict[str, str]:
    """Match registry renames to the service's field names without regard to case."""
    folded = {n.lower(): n for n in names}
    out = {}
    for published, ours in rename.items():
        actual = folded.get(published.lower())
        if actual is not None:
            out[actual] = ours
    return out


def write_geojson(feats: list[dict[str, Any]], rename: dict[str, str], dest: Path) -> Path:
    """A FeatureCollection with renamed properties (unrenamed properties kept as they are)."""
    names = list((feats[0].get("properties") or {}) if feats else {})
    mapping = rename_map(names, rename)
    out = []
    for feature in feats:
        props = feature.get("properties") or {}
        out.append(
            {
                "type": "Feature",
                "properties": {mapping.get(k, k): v for k, v in props.items()},
                "geometry": feature.get("geometry"),
            }
        )
    with dest.open("w", encoding="utf-8") as handle:
        json.dump({"type": "FeatureCollection", "features": out}, handle, separators=(",", ":"))
    return dest


def write_csv(
    records: list[dict[str, Any]], rename: dict[str, str], dest: Path, columns: list[str] | None
) -> Path:
    """Rows as CSV (gzipped when ``dest`` ends in .gz), renamed, in ``columns`` order if given."""
    names = list(records[0]) if records else []
    mapping = rename_map(names, rename)
    header = columns or [mapping.get(n, n) for n in names if not re.fullmatch(r"(?i)objectid", n)]
    inverse = {v: k for k, v in mapping.items()}
    absent = [c for c in header if inverse.get(c, c) not in names]
    if absent:
        raise CheckError(dest.name, f"the service has no field for {absent} (fields: {names})")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        values = (record.get(inverse.get(c, c)) for c in header)
        writer.writerow(["" if v is None else v for v in values])
    data = buffer.getvalue().encode("utf-8")
    if dest.name.endswith(".gz"):
        with gzip.GzipFile(dest, "wb", mtime=0) as handle:
            handle.write(data)
    else:
        dest.write_bytes(data)
    return dest
