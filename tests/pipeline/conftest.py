"""One rebuild of the atlas for the slow pipeline tests, done once per test session.

The rebuild goes into a copy of the committed atlas, exactly as ``python -m data_pipeline
build`` would: so the same build shows that the committed atlas is reproduced (nothing to
swap in) and that a second build with the same inputs changes no byte and no file time.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from data_pipeline import atlas_files
from data_pipeline.build import BuildReport, build


def snapshot(atlas: Path) -> dict[str, tuple[str, int]]:
    """SHA-256 and modification time (ns) of every file under ``atlas``."""
    return {
        path.relative_to(atlas).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(atlas.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class Rebuild:
    """Where the rebuilt atlas is, the build's report, and the files before the build."""

    atlas: Path
    report: BuildReport
    before: dict[str, tuple[str, int]]


@pytest.fixture(scope="session")
def rebuild(raw_dir: Path, tmp_path_factory) -> Rebuild:
    """Build from the raw files into a copy of the committed atlas (swap as the CLI does)."""
    assert atlas_files.ATLAS_DIR.is_dir(), "no committed atlas under geodata/atlas"
    atlas = tmp_path_factory.mktemp("rebuild") / "geodata" / "atlas"
    shutil.copytree(atlas_files.ATLAS_DIR, atlas)
    before = snapshot(atlas)
    report = build(raw_dir, atlas_dir=atlas, progress=lambda _: None)
    return Rebuild(atlas, report, before)
