"""Run the fetchers: find each dataset's current release, download what is new, install it.

For every target of the registry the source's fetcher (looked up in
:data:`data_pipeline.fetch.fetchers.FETCHERS`) lists the current release(s); a release
whose identity (URL, published date, ETag, size...) matches the cache index is skipped
without a download. New releases are downloaded into a work directory, transformed into
the files the readers expect, checked, and only then moved into place.

A publisher that cannot be reached is named once; its targets keep their cached files.
The run succeeds when every file the build needs is in the cache, fetched now or earlier.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError, check_file
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.fetchers import Fetcher, fetcher
from data_pipeline.fetch.http import FetchError, Unreachable
from data_pipeline.fetch.registry import Target


@dataclass
class Report:
    """What a fetch run did, target by target."""

    downloaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    unreachable: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every file the build needs is in the cache."""
        return not self.missing


def entry_id(target: Target, release: Release) -> str:
    """Index key: the target, plus the period for targets with one release per period."""
    return f"{target.id}:{release.period}" if target.option("per_period") else target.id


def _paths(module: Fetcher, target: Target, release: Release) -> list[str]:
    return module.paths(target, release) if module.paths else target.paths


def _install(
    ctx: FetchContext, module: Fetcher, target: Target, release: Release, report: Report
) -> None:
    key = entry_id(target, release)
    paths = _paths(module, target, release)
    if ctx.cache.unchanged(key, release, paths):
        report.unchanged.append(key)
        return
    ctx.workdir = ctx.cache.workdir()
    try:
        produced = module.produce(ctx, target, release)
        specs = {f.path: f for f in target.files}
        for relative, temp in produced.items():
            spec = specs.get(relative)
            if spec is None:  # per-period files share the target's first spec
                spec = type(target.files[0])(relative, target.files[0].columns)
            check_file(temp, spec)
        if ctx.cache.same_content(key, produced):
            ctx.cache.touch(key, release)
            report.unchanged.append(key)
            return
        ctx.cache.install(key, target.id, target.publisher, target.dataset, release, produced)
        report.downloaded.append(key)
    finally:
        ctx.cache.cleanup(ctx.workdir)
        ctx.workdir = None


def _fetch_target(ctx: FetchContext, target: Target, report: Report) -> None:
    module = fetcher(target.source)
    releases = module.releases(ctx, target)
    for release in releases:
        _install(ctx, module, target, release, report)
    if target.option("per_period"):
        current = {entry_id(target, r) for r in releases}
        for key, entry in list(ctx.cache.entries.items()):
            if entry.target == target.id and key not in current:
                ctx.cache.retire(key)
                report.retired.append(key)


def _cached_files(ctx: FetchContext, target: Target) -> list[str]:
    if target.option("per_period"):
        entries = [e for e in ctx.cache.entries.values() if e.target == target.id]
        return sorted(f for e in entries for f in e.files)
    return [p for p in target.paths if ctx.cache.has(p)]


def run(ctx: FetchContext, targets: list[Target]) -> Report:
    """Fetch ``targets`` into ``ctx.cache``; never raises for a publisher's failure."""
    start = time.monotonic()
    report = Report()
    down: dict[str, str] = {}
    for target in targets:
        name = ctx.registry.publisher(target.publisher).name
        if target.publisher in down:
            report.failed[target.id] = f"{name} could not be reached"
        else:
            ctx.progress.message(f"{target.id}: {target.dataset} ({name})")
            try:
                _fetch_target(ctx, target, report)
            except Unreachable as exc:
                down[target.publisher] = exc.problem
                report.unreachable[name] = f"{exc.url}: {exc.problem}"
                report.failed[target.id] = f"{name} could not be reached"
                ctx.progress.message(f"  {name} could not be reached: {exc}")
            except (FetchError, CheckError) as exc:
                report.failed[target.id] = str(exc)
                ctx.progress.message(f"  failed: {exc}")
        if target.id in report.failed:
            cached = _cached_files(ctx, target)
            if cached and len(cached) >= len(target.paths):
                ctx.progress.message(f"  keeping the cached files: {', '.join(cached)}")
            elif target.needed:
                absent = [p for p in target.paths if not ctx.cache.has(p)] or target.paths
                report.missing.extend(absent)
    report.seconds = time.monotonic() - start
    return report


def summary(report: Report) -> list[str]:
    """Lines for the end of a run: what changed, who was unreachable, what is missing."""
    lines = [
        f"fetch finished in {report.seconds:.0f} s: {len(report.downloaded)} downloaded, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed"
    ]
    for name, why in sorted(report.unreachable.items()):
        lines.append(f"unreachable: {name} ({why}); its cached files are used")
    for target, why in sorted(report.failed.items()):
        if "could not be reached" not in why:
            lines.append(f"failed: {target}: {why}")
    if report.missing:
        lines.append(
            "never fetched, so the build cannot run until they are: " + ", ".join(report.missing)
        )
    return lines
