"""Fetch the small secondary-care files read by :mod:`data_pipeline.sources.secondary_other`.

Out-of-area placements, restrictive interventions and 30-day readmissions are single
historic snapshots; they are fetched as archived copies checked by their SHA-256.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.registry import Target


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The file at its registry address (checksum or HEAD identifies the release)."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """The file as published, under the reader's name."""
    return generic.as_is(ctx, target, release)
