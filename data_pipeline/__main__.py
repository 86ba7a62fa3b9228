"""Command line: ``python -m data_pipeline build|check --raw DIR`` and ``fetch --cache DIR``."""

from __future__ import annotations

import argparse
import shutil
import sys

from data_pipeline import atlas_files
from data_pipeline.errors import ReconciliationError, SourceError
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
    fetch_cli.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; errors a person can act on are printed without a traceback."""
    args = _parser().parse_args(argv)
    if args.command == "fetch":
        return fetch_cli.main(args)
    from data_pipeline.build import build  # heavy imports only once arguments are fine

    try:
        if args.command == "build":
            report = build(args.raw)
            state = "updated" if report.changed else "unchanged (same content)"
            print(
                f"atlas {state}: {report.atlas_dir.relative_to(atlas_files.ROOT)} "
                f"in {report.seconds:.1f} s"
            )
            return 0
        report = build(args.raw, swap=False)
        try:
            diffs = atlas_files.differences(report.atlas_dir, atlas_files.ATLAS_DIR)
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


if __name__ == "__main__":
    sys.exit(main())
