"""``python -m data_pipeline fetch``: arguments, the run, and its exit code."""

from __future__ import annotations

import argparse
import os

from data_pipeline.fetch import registry as registry_mod
from data_pipeline.fetch.cache import CACHE_ENV, Cache, default_cache_dir
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.http import Client
from data_pipeline.fetch.progress import Progress
from data_pipeline.fetch.runner import run, summary

DESCRIPTION = (
    "download the current public releases into a raw-data cache laid out for "
    "`build --raw <cache>`; a rerun downloads only what is new"
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register the ``fetch`` subcommand."""
    sub = commands.add_parser("fetch", help=DESCRIPTION, description=DESCRIPTION)
    sub.add_argument(
        "--cache",
        metavar="DIR",
        help=f"cache directory (default: ${CACHE_ENV}, else ~/.cache/mind-the-gap/raw)",
    )
    sub.add_argument(
        "--only",
        metavar="NAME",
        action="append",
        help="fetch only this source or target id (repeatable), e.g. --only boundaries",
    )
    sub.add_argument(
        "--months",
        type=int,
        default=12,
        help="latest monthly prescribing releases to keep (default 12)",
    )
    sub.add_argument(
        "--base-url",
        metavar="PUBLISHER=URL",
        action="append",
        default=[],
        help="use another address for a publisher (a mirror or a test server)",
    )
    sub.add_argument("--retries", type=int, default=3, help="retries per request (default 3)")
    sub.add_argument("--list", action="store_true", help="list the targets and exit")
    sub.add_argument("--quiet", action="store_true", help="no progress bars")


def main(args: argparse.Namespace) -> int:
    """Run a fetch; 0 when every file the build needs is cached, 1 otherwise."""
    overrides = {}
    for item in args.base_url:
        key, sep, url = item.partition("=")
        if not sep or not url:
            print(f"--base-url wants PUBLISHER=URL, got {item!r}")
            return 2
        overrides[key] = url
    try:
        reg = registry_mod.load().with_base_urls(overrides)
        targets = reg.select(args.only)
    except KeyError as exc:
        print(f"fetch stopped: {exc.args[0]}")
        return 2
    if args.list:
        for t in targets:
            need = "needed by build" if t.needed else "optional"
            print(f"{t.id:<42} {reg.publisher(t.publisher).name} - {t.dataset} [{need}]")
        return 0
    root = default_cache_dir() if not args.cache else os.path.expanduser(args.cache)
    cache = Cache(root)
    progress = Progress(quiet=args.quiet)
    progress.message(f"cache: {cache.root}")
    ctx = FetchContext(
        client=Client(retries=args.retries),
        registry=reg,
        cache=cache,
        progress=progress,
        months=args.months,
    )
    report = run(ctx, targets)
    for line in summary(report):
        progress.message(line)
    if report.ok:
        progress.message(f"build from it with: python -m data_pipeline build --raw {cache.root}")
        return 0
    return 1
