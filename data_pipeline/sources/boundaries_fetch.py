"""Fetch the boundary files read by :mod:`data_pipeline.sources.boundaries`.

ONS layers come from the Open Geography Portal's FeatureServers, page by page, as GeoJSON
in WGS84; properties are renamed where the reader was written for a converted file
(``LSOA21CD`` -> ``lsoa21_code``) or a lower-case vintage (``ccg20cd``). The ODS-keyed 2019
CCG map is a frozen archived copy checked by its SHA-256.
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
    """The layer's last edit (ONS) or the archived copy's checksum."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """GeoJSON under the reader's file name, with the reader's property names."""
    if target.kind != "arcgis":
        return generic.as_is(ctx, target, release)
    relative = target.paths[0]
    start = time.monotonic()
    features = arcgis.features(ctx, target)
    if not features:
        raise CheckError(relative, f"the layer {target.option('service')} returned no features")
    dest = ctx.temp(Path(relative).name)
    arcgis.write_geojson(features, target.option("rename", {}), dest)
    ctx.progress.done(relative, dest.stat().st_size, time.monotonic() - start)
    return {relative: dest}
