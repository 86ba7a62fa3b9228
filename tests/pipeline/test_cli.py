"""The command line and the build's guarantees when something is wrong."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from data_pipeline import atlas_files
from data_pipeline.__main__ import main
from data_pipeline.build import build
from data_pipeline.errors import SourceError


def test_missing_raw_directory_is_a_named_error(tmp_path, capsys):
    code = main(["build", "--raw", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2
    assert "raw-data directory does not exist" in err and "What to do" in err
    assert "Traceback" not in err


def test_no_raw_directory_given_names_the_option(monkeypatch, capsys):
    monkeypatch.delenv("MTG_RAW_DIR", raising=False)
    assert main(["check"]) == 2
    assert "--raw" in capsys.readouterr().err


def _partial_raw(raw_dir: Path, tmp_path: Path, leave_out: str) -> Path:
    """A copy (by symlinks) of the raw directory without one file."""
    copy = tmp_path / "raw"
    for path in raw_dir.rglob("*"):
        if path.is_file() and path.relative_to(raw_dir).as_posix() != leave_out:
            target = copy / path.relative_to(raw_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return copy


@pytest.mark.raw
def test_a_missing_file_stops_the_build_and_leaves_the_atlas_untouched(raw_dir, tmp_path):
    atlas = tmp_path / "geodata" / "atlas"
    atlas.mkdir(parents=True)
    (atlas / "values.parquet").write_bytes(b"previous atlas")
    missing = "services/smi_physical_health_checks_by_ccg_subicb_q3_2018-19_to_q4_2023-24.csv"
    raw = _partial_raw(raw_dir, tmp_path, missing)
    with pytest.raises(SourceError) as caught:
        build(raw, atlas_dir=atlas, progress=lambda _: None)
    assert missing in str(caught.value) and "file not found" in str(caught.value)
    assert (atlas / "values.parquet").read_bytes() == b"previous atlas"
    assert sorted(p.name for p in atlas.parent.iterdir()) == ["atlas"]  # no temp dirs left


def test_swap_keeps_identical_atlas_and_replaces_a_changed_one(tmp_path):
    atlas = tmp_path / "atlas"
    atlas.mkdir()
    (atlas / "a.txt").write_text("one")
    same = atlas_files.new_build_dir(atlas)
    shutil.rmtree(same / atlas_files.BOUNDARY_DIR_NAME)
    (same / "a.txt").write_text("one")
    before = (atlas / "a.txt").stat().st_mtime_ns
    assert atlas_files.swap_in(same, atlas) is False
    assert (atlas / "a.txt").stat().st_mtime_ns == before and not same.exists()
    changed = atlas_files.new_build_dir(atlas)
    shutil.rmtree(changed / atlas_files.BOUNDARY_DIR_NAME)
    (changed / "a.txt").write_text("two")
    assert atlas_files.swap_in(changed, atlas) is True
    assert (atlas / "a.txt").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas"]


# --- leaving out a missing source (--allow-missing) ------------------------------------------

IOD_LSOA = "deprivation/iod2025_lsoa21_scores_ranks_deciles_humaniverse.csv.gz"


def _fake_atlas(tmp_path: Path) -> Path:
    atlas = tmp_path / "geodata" / "atlas"
    atlas.mkdir(parents=True)
    (atlas / "values.parquet").write_bytes(b"previous atlas")
    return atlas


def _untouched(atlas: Path) -> bool:
    names = sorted(p.name for p in atlas.parent.iterdir())
    return (atlas / "values.parquet").read_bytes() == b"previous atlas" and names == ["atlas"]


@pytest.mark.raw
def test_a_missing_source_stops_the_build_and_names_the_option(raw_dir, tmp_path, capsys):
    atlas = _fake_atlas(tmp_path)
    raw = _partial_raw(raw_dir, tmp_path, IOD_LSOA)
    assert main(["build", "--raw", str(raw), "--atlas", str(atlas)]) == 2
    err = capsys.readouterr().err
    assert IOD_LSOA in err and "file not found" in err and "--allow-missing" in err
    assert "Traceback" not in err
    assert _untouched(atlas)


@pytest.mark.raw
def test_allow_missing_never_leaves_out_geography(raw_dir, tmp_path, capsys):
    atlas = _fake_atlas(tmp_path)
    region = "boundaries/NHS_England_Regions_January_2024_EN_BSC.geojson"
    raw = _partial_raw(raw_dir, tmp_path, region)
    assert main(["build", "--raw", str(raw), "--atlas", str(atlas), "--allow-missing"]) == 2
    err = capsys.readouterr().err
    assert region in err and "cannot be built without it" in err
    assert _untouched(atlas)


@pytest.mark.raw
def test_allow_missing_never_passes_over_a_broken_file(raw_dir, tmp_path, capsys):
    atlas = _fake_atlas(tmp_path)
    raw = _partial_raw(raw_dir, tmp_path, IOD_LSOA)
    (raw / IOD_LSOA).write_bytes(b"")  # present, but empty: broken, not missing
    assert main(["build", "--raw", str(raw), "--atlas", str(atlas), "--allow-missing"]) == 2
    err = capsys.readouterr().err
    assert IOD_LSOA in err and "file is empty" in err
    assert _untouched(atlas)


def test_stop_signals_wait_for_the_end_of_the_swap():
    """SIGTERM during the renames of the swap is delivered only once they are done."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        with atlas_files.signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            held = list(seen)
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert held == []
    assert seen == [signal.SIGTERM]
