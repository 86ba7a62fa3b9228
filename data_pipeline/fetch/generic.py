"""Steps most source fetchers share: find the release by the target's kind, download it.

A source fetcher module (``data_pipeline/sources/<source>_fetch.py``) has two functions,
``releases(ctx, target)`` and ``produce(ctx, target, release)``; most delegate the first to
:func:`releases` and build the second from :func:`download` plus a transform of their own.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from data_pipeline.fetch import arcgis, listings
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.files import as_named
from data_pipeline.fetch.registry import Target


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The current release(s) of ``target``, found the way its ``kind`` says."""
    kind = target.kind
    if kind == "arcgis":
        return [arcgis.release(ctx, target)]
    if kind == "url":
        return [listings.fixed_url(ctx, target)]
    if kind == "govuk":
        return [listings.govuk_attachment(ctx, target)]
    if kind == "page":
        return [listings.linked_file(ctx, target)]
    if kind == "ckan":
        return listings.ckan_resources(ctx, target)
    raise ValueError(f"target {target.id}: kind {kind!r} needs its source's own fetcher")


def download(ctx: FetchContext, release: Release) -> Path:
    """Download the release's file (checked against the registry checksum if it has one)."""
    return ctx.download(release.url, file_name(release.url), sha256=release.sha256)


def file_name(url: str) -> str:
    """The file name a URL serves: its last path segment, or that of a ``?uri=`` parameter."""
    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
    if "." not in name:
        for _, value in urllib.parse.parse_qsl(parts.query):
            if "/" in value and "." in value.rsplit("/", 1)[-1]:
                return value.rsplit("/", 1)[-1]
    return name or "download"


def as_is(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """The download itself, gzipped or not as the reader's file name says."""
    relative = target.paths[0]
    got = download(ctx, release)
    return {relative: as_named(got, relative, ctx.temp("out_" + Path(relative).name))}
