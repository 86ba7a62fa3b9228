"""Fetch the NHS Talking Therapies files read by :mod:`data_pipeline.sources.talking_therapies`.

The annual measures are NHS England's annual report CSVs combined into one long Parquet
table by the nhstt package, which is updated when NHS England publishes a year; a HEAD
request (ETag, size) tells whether it changed. The monthly sub-ICB extract (Jul 2022 - May
2023) is a frozen archived copy checked by its SHA-256.
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
