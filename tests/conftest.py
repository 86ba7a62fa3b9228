"""Shared test fixtures: where the raw public files are, and the ``raw`` mark for their tests.

Any test that uses the ``raw_dir`` fixture (directly, or through ``raw``, ``rebuild`` or another
fixture built on it) is marked ``raw`` at collection, so ``pytest -m "not raw"`` leaves out every
test that needs the 94 MB of public files without each test having to say so.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data_pipeline.raw import RAW_ENV, RawDir

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW = ROOT.parent / "shared" / "data" / "raw"


def raw_root() -> Path:
    """The raw-data directory: $MTG_RAW_DIR, else ../shared/data/raw beside the checkout."""
    return Path(os.environ.get(RAW_ENV) or DEFAULT_RAW)


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    root = raw_root()
    if not root.is_dir():
        pytest.fail(f"raw data not found at {root}; set {RAW_ENV}")
    return root


@pytest.fixture
def raw(raw_dir: Path) -> RawDir:
    return RawDir(raw_dir)


RAW_FIXTURE = "raw_dir"


#: The session fixture that builds the whole atlas from the raw files (about a minute).
REBUILD_FIXTURE = "rebuild"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``raw`` every test whose fixtures reach the raw-data directory; group the tests.

    The tests run on parallel workers (``-n`` in pyproject.toml, ``--dist loadgroup``). Each
    file's tests stay on one worker, so a module's fixtures are set up once; every test that
    reads the rebuilt atlas goes to one worker, so the atlas is built once, not once a worker.
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if RAW_FIXTURE in fixtures:
            item.add_marker(pytest.mark.raw)
        group = REBUILD_FIXTURE if REBUILD_FIXTURE in fixtures else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
