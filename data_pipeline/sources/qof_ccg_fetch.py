"""Fetch the QOF CCG workbooks read by :mod:`data_pipeline.sources.qof_ccg`.

NHS Digital's QOF CCG workbooks for 2014-15 to 2019-20 are closed releases. They are
fetched as archived copies of the published files and checked against their SHA-256, so
a rerun makes no request at all once they are cached.
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
