"""The freshness record of a real build: every source the build read, and its newest periods."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from data_pipeline import freshness
from data_pipeline.fetch import registry
from methods.periods import newest, sort_key

pytestmark = [pytest.mark.slow, pytest.mark.raw]


@pytest.fixture(scope="module")
def manifest(rebuild) -> dict:
    return json.loads((rebuild.atlas / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def entries(manifest) -> dict[str, dict]:
    return {entry["id"]: entry for entry in manifest["freshness"]}


@pytest.fixture(scope="module")
def values(rebuild) -> pd.DataFrame:
    return pd.read_parquet(rebuild.atlas / "values.parquet")


def test_freshness_names_every_file_the_build_read_once(manifest):
    named = [path for entry in manifest["freshness"] for path in entry["files"]]
    assert sorted(named) == sorted(manifest["raw_files"])


def test_every_file_read_belongs_to_a_registry_target(manifest, entries):
    targets = {target.id for target in registry.load(environ={}).targets}
    assert set(entries) <= targets, sorted(set(entries) - targets)
    for entry in manifest["freshness"]:
        assert entry["publisher"] and entry["fetch"] and entry["latest_words"], entry["id"]


def test_talking_therapies_and_qof_make_the_indicators_the_catalogue_says(entries):
    assert "tt_referrals_rate" in entries["talking_therapies.annual"]["indicators"]
    assert "tt_access_rate" in entries["talking_therapies.monthly_subicb"]["indicators"]
    assert "depression_prevalence" in entries["qof_practice.2022_23"]["indicators"]


def test_newest_periods_are_those_of_the_atlas(entries, values):
    """Each level's newest period is the newest the atlas holds for the indicators named,
    among those begun by the end of a fixed release's own period."""
    targets = registry.load(environ={}).targets
    for entry in entries.values():
        target = next((t for t in targets if t.id == entry["id"]), None)
        end = freshness.release_end(target.period) if target else None
        used = values.loc[values["indicator_id"].isin(entry["latest_of"])]
        if end is not None:
            begun = [sort_key(str(p))[:2] <= end for p in used["period"]]
            used = used.loc[begun]
        expected = {
            str(level): newest(part["period"].astype(str))
            for level, part in used.groupby("level", sort=False)
        }
        assert entry["latest"] == expected, entry["id"]


def test_a_yearly_workbook_is_not_credited_with_newer_files_periods(entries):
    (workbook,) = [e for e in entries.values() if e["dataset"].startswith("QOF 2014-15 CCG")]
    assert workbook["latest_words"] == "CCG and England: 2014-15"
    practice = next(e for e in entries.values() if "Outcomes Framework 2022-23" in e["dataset"])
    assert "2024-25" not in practice["latest_words"] and "2022-23" in practice["latest_words"]


def test_mhsds_and_monthly_talking_therapies_stop_where_the_sub_icb_files_stop(entries):
    assert entries["mhsds.time_series"]["latest"]["sub_icb"] == "Nov 2022"
    monthly = entries["talking_therapies.monthly_subicb"]
    assert monthly["latest"]["sub_icb"] == "Jul 2022 - May 2023"
    assert monthly["fetch"].startswith("the same archived copy (2022-07/2023-05")


def test_the_annual_report_is_fetched_at_its_newest(entries):
    annual = entries["talking_therapies.annual"]
    assert annual["fetch"].startswith("the newest release on ")
    assert annual["latest"]["ccg"] == "2021-22"
