"""Command line: ``python -m data_pipeline build|check --raw DIR`` and ``fetch --cache DIR``."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
from pathlib import Path

from data_pipeline import atlas_files
from data_pipeline.errors import BuildInterrupted, ReconciliationError, SourceError
from data_pipeline.fetch import cli as fetch_cli
from data_pipeline.raw import RAW_ENV


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_pipeline",
        description="Build the Mind the Gap atlas from England's public data files.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("build", "build the atlas and swap it in (only if its content changed)"),
        ("check", "rebuild in a temporary directory and say whether the committed atlas matches"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--raw", metavar="DIR", help=f"directory of raw files (default: ${RAW_ENV})"
        )
        sub.add_argument(
            "--atlas",
            metavar="DIR",
            type=Path,
            default=atlas_files.ATLAS_DIR,
            help="atlas directory to build or check (default: geodata/atlas)",
        )
        sub.add_argument(
            "--allow-missing",
            action="store_true",
            help="leave out sources whose file is absent (named in manifest.json); "
            "geography and population files are always needed",
        )
    fetch_cli.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; errors a person can act on are printed without a traceback."""
    args = _parser().parse_args(argv)
    if args.command == "fetch":
        return fetch_cli.main(args)
    from data_pipeline.build import build  # heavy imports only once arguments are fine

    previous = {}
    if threading.current_thread() is threading.main_thread():  # handlers live in the main thread
        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if args.command == "build":
            report = build(args.raw, args.atlas, allow_missing=args.allow_missing)
            _name_missing(report.manifest)
            state = "updated" if report.changed else "unchanged (same content)"
            print(f"atlas {state}: {_shown(report.atlas_dir)} in {report.seconds:.1f} s")
            return 0
        report = build(args.raw, args.atlas, swap=False, allow_missing=args.allow_missing)
        _name_missing(report.manifest)
        try:
            diffs = atlas_files.differences(report.atlas_dir, args.atlas)
        finally:
            shutil.rmtree(report.atlas_dir, ignore_errors=True)
        if diffs:
            print("the committed atlas differs from a rebuild:")
            for line in diffs:
                print(f"  {line}")
            print("run `python -m data_pipeline build --raw DIR` and commit geodata/atlas")
            return 1
        print("the committed atlas matches a rebuild from the raw files")
        return 0
    except SourceError as exc:
        print(f"build stopped: {exc}", file=sys.stderr)
        return 2
    except ReconciliationError as exc:
        print(f"build stopped, rows do not add up: {exc}", file=sys.stderr)
        return 3
    except BuildInterrupted as exc:
        print(
            f"build stopped by {exc}: no half-written atlas is left; the atlas is the previous "
            "one (or the new one, complete, if the stop came during the final swap)",
            file=sys.stderr,
        )
        return 128 + signal.Signals[str(exc)].value
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(signum: int, _frame: object) -> None:
    """Turn a stop request into an exception, so the build can clean up on its way out."""
    raise BuildInterrupted(signal.Signals(signum).name)


def _shown(path: Path) -> str:
    """The atlas path relative to the checkout when it is inside it."""
    return (
        str(path.relative_to(atlas_files.ROOT))
        if path.is_relative_to(atlas_files.ROOT)
        else str(path)
    )


def _name_missing(record: dict) -> None:
    """Say on stderr which sources a build went without, and what that costs."""
    for entry in record.get("missing_sources", []):
        lost = ", ".join(entry["indicators"]) or "no indicator"
        print(
            f"built without {entry['step']} ({entry['file']} is missing): unavailable: {lost}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    sys.exit(main())
