"""The app with a missing or damaged atlas: a message saying what to run, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gapmap.atlas import ATLAS_DIR, ATLAS_ENV

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "app_pages/need_vs_provision.py",
    "app_pages/secondary_care.py",
    "app_pages/physical_health.py",
    "app_pages/inequalities.py",
    "app_pages/my_area.py",
    "app_pages/methods.py",
]


def run(atlas_dir: Path, monkeypatch, page: str | None = None, query: dict | None = None):
    monkeypatch.setenv(ATLAS_ENV, str(atlas_dir))
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(str(ROOT / page))
        app.run()
    return app


def errors(app: AppTest) -> str:
    return " ".join(e.value for e in app.error)


def copy_atlas(tmp_path: Path) -> Path:
    target = tmp_path / "atlas"
    shutil.copytree(ATLAS_DIR, target)
    return target


def test_missing_atlas_says_what_to_run(tmp_path, monkeypatch):
    app = run(tmp_path / "nowhere", monkeypatch)
    assert not app.exception
    assert "python -m data_pipeline build" in errors(app)


@pytest.mark.parametrize("damaged", ["values.parquet", "areas.parquet", "manifest.json"])
def test_corrupt_atlas_file_says_what_to_run(tmp_path, monkeypatch, damaged):
    atlas = copy_atlas(tmp_path)
    path = atlas / damaged
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 3])
    app = run(atlas, monkeypatch)
    assert not app.exception
    assert "python -m data_pipeline build" in errors(app)


@pytest.mark.parametrize("page", PAGES)
def test_missing_boundaries_leave_every_page_readable(tmp_path, monkeypatch, page):
    atlas = copy_atlas(tmp_path)
    shutil.rmtree(atlas / "boundaries")
    app = run(atlas, monkeypatch, page, {"level": "ltla", "area": "E08000028"})
    assert not app.exception, [e.value for e in app.exception]
    if page != "app_pages/methods.py":
        assert "python -m data_pipeline build" in errors(app)
    assert app.title, "the page still lays out its title and tables"
