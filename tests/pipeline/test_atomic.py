"""The build is atomic and idempotent, and can go on without a missing source.

- A second build with the same inputs changes no byte and no file time of the atlas.
- A build stopped by SIGTERM, while reading or while writing the new atlas, leaves the
  atlas byte for byte as it was and no temporary directory behind.
- ``--allow-missing`` builds without a source whose file is absent, names it on stderr and
  in ``manifest.json``, and the indicators that depend on it are absent from the atlas.

Every build here writes to a copy of the atlas in a temporary directory, never to
geodata/atlas.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline import atlas_files
from data_pipeline.sources import qof_practice
from tests.pipeline.conftest import snapshot

pytestmark = [pytest.mark.slow, pytest.mark.raw]

#: Generous: a whole build takes about a minute on two cores, longer on a busy machine.
BUILD_TIMEOUT = 900


def _leftovers(atlas: Path) -> list[str]:
    """Temporary build or set-aside directories next to the atlas."""
    return sorted(p.name for p in atlas.parent.iterdir() if p.name.startswith(".atlas-"))


def _atlas_copy(tmp_path: Path) -> Path:
    atlas = tmp_path / "geodata" / "atlas"
    shutil.copytree(atlas_files.ATLAS_DIR, atlas)
    return atlas


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "data_pipeline", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


# --------------------------------------------------------------------------- idempotent


def test_a_second_build_with_the_same_inputs_changes_no_bytes(rebuild):
    """The session's rebuild ran over a copy of the committed atlas, built from these inputs."""
    assert rebuild.report.changed is False
    assert snapshot(rebuild.atlas) == rebuild.before  # same bytes, same modification times
    assert _leftovers(rebuild.atlas) == []


# --------------------------------------------------------------------------- SIGTERM


class _Lines:
    """Collects a pipe's lines in a thread, so the test can wait for one without blocking."""

    def __init__(self, pipe):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self._thread.start()

    def _read(self, pipe) -> None:
        for line in pipe:
            self.lines.append(line)

    def text(self) -> str:
        self._thread.join(timeout=30)
        return "".join(self.lines)


def _wait_until(condition, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + BUILD_TIMEOUT
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the build ended (code {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("moment", ["reading the sources", "writing the new atlas"])
def test_sigterm_mid_build_leaves_the_atlas_unchanged(raw_dir, tmp_path, moment):
    atlas = _atlas_copy(tmp_path)
    before = snapshot(atlas)
    proc = subprocess.Popen(
        _cli("build", "--raw", str(raw_dir), "--atlas", str(atlas)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    out, err = _Lines(proc.stdout), _Lines(proc.stderr)
    if moment == "reading the sources":
        _wait_until(lambda: any("[ 2/" in line for line in out.lines), proc, "the 2nd source")
    else:
        _wait_until(lambda: bool(_leftovers(atlas)), proc, "the temporary atlas directory")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    stderr = err.text()
    out.text()

    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "build stopped by SIGTERM" in stderr and "Traceback" not in stderr
    assert snapshot(atlas) == before  # every byte and every file time as before
    assert _leftovers(atlas) == []  # the half-written atlas was removed


# --------------------------------------------------------------------------- missing source

MISSING = qof_practice.PREVALENCE_FILE
#: Lost with the QOF practice registers: their own indicators, and the sub-ICB rates whose
#: denominators are the practices' list sizes.
SUB_ICB_FAMILY = ["england", "icb", "region", "sub_icb"]
EXPECTED_UNAVAILABLE = {
    "depression_prevalence": ["england", "icb", "practice", "region", "sub_icb"],
    "smi_prevalence": ["england", "icb", "practice", "region", "sub_icb"],
    "list_size": ["practice"],
    "practice_imd_score": ["practice"],
    "tt_referrals_rate": SUB_ICB_FAMILY,
    "tt_access_rate": SUB_ICB_FAMILY,
    "tt_gap_ratio": SUB_ICB_FAMILY,
    "mhsds_in_contact_rate": SUB_ICB_FAMILY,
    "mhsds_admissions_rate": SUB_ICB_FAMILY,
    "mhsds_detentions_rate": SUB_ICB_FAMILY,
    "recognition_ratio": SUB_ICB_FAMILY,  # the depression register against modelled need
    "secondary_reliance_ratio": SUB_ICB_FAMILY,  # expected from the SMI register
}


def _raw_without(raw_dir: Path, root: Path, leave_out: str) -> Path:
    """A copy (by symlinks) of the raw directory without one file."""
    for path in raw_dir.rglob("*"):
        relative = path.relative_to(raw_dir).as_posix()
        if path.is_file() and relative != leave_out:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return root


@pytest.fixture(scope="module")
def partial(raw_dir, tmp_path_factory):
    """``build --allow-missing`` without the QOF practice registers, into a new atlas."""
    home = tmp_path_factory.mktemp("partial")
    raw = _raw_without(raw_dir, home / "raw", MISSING)
    atlas = home / "geodata" / "atlas"
    done = subprocess.run(
        _cli("build", "--raw", str(raw), "--atlas", str(atlas), "--allow-missing"),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=BUILD_TIMEOUT,
    )
    return done, atlas


def test_allow_missing_builds_and_names_the_missing_source(partial):
    done, atlas = partial
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert f"built without QOF: practice registers 2022-23 ({MISSING} is missing)" in done.stderr
    assert "unavailable: depression_prevalence" in done.stderr
    assert f"MISSING {MISSING}, left out" in done.stdout
    assert _leftovers(atlas) == []


def test_manifest_records_the_missing_source_and_what_it_costs(partial):
    _, atlas = partial
    manifest = json.loads((atlas / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["missing_sources"] == [
        {
            "step": "QOF: practice registers 2022-23",
            "source": "qof_practice",
            "file": MISSING,
            "tables": ["qof_practice"],
            "indicators": EXPECTED_UNAVAILABLE,
        }
    ]
    assert MISSING not in manifest["raw_files"]
    assert MISSING not in {entry["file"] for entry in manifest["sources"]}
    for entry in manifest["sources"]:  # every row of every file read is still accounted for
        assert entry["rows_in"] == entry["rows_used"] + entry["rows_rejected"], entry["file"]


#: The period each lost indicator took from the 2022-23 practice registers (directly, or as
#: the list sizes that are its denominator). Other periods of the same indicators come from
#: other files (QOF 2024-25, NHS Talking Therapies' ICB tables) and stay.
LOST_PERIOD = {
    "depression_prevalence": "2022-23",
    "smi_prevalence": "2022-23",
    "list_size": "2022-23",
    "practice_imd_score": "IMD 2019",
    "tt_referrals_rate": "Jul 2022 - May 2023",
    "tt_access_rate": "Jul 2022 - May 2023",
    "tt_gap_ratio": "Jul 2022 - May 2023",
    "mhsds_in_contact_rate": "Nov 2022",
    "mhsds_admissions_rate": "Nov 2022",
    "mhsds_detentions_rate": "Aug - Nov 2022",
    "recognition_ratio": "2022-23",
    "secondary_reliance_ratio": "Nov 2022",
}


def test_indicators_that_need_the_missing_source_are_absent(partial):
    _, atlas = partial
    assert set(LOST_PERIOD) == set(EXPECTED_UNAVAILABLE)
    values = pd.read_parquet(atlas / "values.parquet")
    present = set(zip(values["indicator_id"], values["level"], values["period"], strict=True))
    committed = pd.read_parquet(atlas_files.ATLAS_DIR / "values.parquet")
    full = set(zip(committed["indicator_id"], committed["level"], committed["period"], strict=True))
    for indicator, levels in EXPECTED_UNAVAILABLE.items():
        for level in levels:
            if level == "england":  # England rows of other periods come from other sources
                continue
            lost = (indicator, level, LOST_PERIOD[indicator])
            assert lost in full, lost  # the full build has it...
            assert lost not in present, lost  # ...the partial one does not
    smi = values.loc[values["indicator_id"] == "smi_prevalence"]  # only QOF publishes it
    assert not ((smi["level"] == "england") & (smi["period"] == "2022-23")).any()
    # ...while what other sources give is still there, newer QOF years included.
    for indicator, level, period in (
        ("depression_prevalence", "ccg", "2019-20"),
        ("depression_prevalence", "ltla", "2022-23"),
        ("depression_prevalence", "sub_icb", "2024-25"),
        ("tt_gap_ratio", "ccg", "2019-20"),
        ("tt_referrals_rate", "icb", "2022-23"),
        ("imd_score", "sub_icb", "IoD2025"),
        ("smi_health_checks_pct", "sub_icb", "2022-23"),
    ):
        assert (indicator, level, period) in present, (indicator, level, period)
    catalogue = pd.read_parquet(atlas / "indicators.parquet").set_index("id")
    # MHSDS by sub-ICB has only November 2022, whose denominators were the lost list sizes.
    assert "sub_icb" not in catalogue.loc["mhsds_in_contact_rate", "levels"]


@pytest.mark.parametrize(
    "page",
    [
        "app_pages/need_vs_provision.py",
        "app_pages/secondary_care.py",
        "app_pages/physical_health.py",
        "app_pages/inequalities.py",
        "app_pages/my_area.py",
        "app_pages/methods.py",
    ],
)
def test_every_page_of_a_partial_atlas_says_what_is_unavailable(partial, monkeypatch, page):
    """The app on that atlas: no traceback, and each page names the missing file."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    _, atlas = partial
    monkeypatch.setenv("MTG_ATLAS_DIR", str(atlas))
    st.cache_data.clear()
    st.cache_resource.clear()
    root = Path(__file__).resolve().parents[2]
    app = AppTest.from_file(str(root / "dashboard.py"), default_timeout=90)
    app.query_params.update({"level": "sub_icb", "area": "E38000259"})
    app.run()
    app.switch_page(str(root / page))
    app.run()
    st.cache_data.clear()
    st.cache_resource.clear()
    assert not app.exception, [e.value for e in app.exception]
    warned = " ".join(w.value for w in app.warning).replace("\\", "")  # markdown escapes
    assert "built without" in warned and Path(MISSING).name in warned, warned
    assert "python -m data_pipeline fetch" in warned
