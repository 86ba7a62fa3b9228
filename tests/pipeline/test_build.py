"""The whole build on the real raw files: accounting, reproducibility, real figures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import PHStatsMethods as phs
import pytest

from data_pipeline import atlas_files, pcn_shapes
from data_pipeline.indicators import load_catalogue
from methods import disclosure

pytestmark = [pytest.mark.slow, pytest.mark.raw]


@pytest.fixture(scope="module")
def built(rebuild) -> Path:
    """The atlas rebuilt from the raw files (in a copy of the committed one; conftest.py)."""
    return rebuild.atlas


@pytest.fixture(scope="module")
def values(built) -> pd.DataFrame:
    return pd.read_parquet(built / "values.parquet")


@pytest.fixture(scope="module")
def manifest(built) -> dict:
    return json.loads((built / "manifest.json").read_text(encoding="utf-8"))


def test_rebuild_reproduces_the_committed_atlas(rebuild, built):
    assert atlas_files.ATLAS_DIR.is_dir(), "no committed atlas under geodata/atlas"
    assert not rebuild.report.changed, "the rebuild differs from the committed atlas"
    assert atlas_files.differences(built, atlas_files.ATLAS_DIR) == []


def test_every_source_row_is_used_or_rejected_with_a_reason(manifest):
    assert manifest["sources"], "manifest lists no sources"
    for entry in manifest["sources"]:
        assert entry["rows_in"] == entry["rows_used"] + entry["rows_rejected"], entry["file"]
        assert entry["rows_rejected"] == sum(entry["rejected_by_reason"].values()), entry["file"]
        assert all(reason.strip() for reason in entry["rejected_by_reason"]), entry["file"]


def test_every_raw_file_read_has_a_checksum_and_an_account(manifest):
    files = set(manifest["raw_files"])
    accounted = {entry["file"] for entry in manifest["sources"]}
    assert files <= accounted, sorted(files - accounted)
    assert all(len(digest) == 64 for digest in manifest["raw_files"].values())


def test_gap_ratio_is_one_over_england_by_construction(values):
    ratios = (
        "tt_gap_ratio",
        "tt_gap_ratio_modelled",
        "recognition_ratio",
        "secondary_reliance_ratio",
    )
    for indicator_id in ratios:
        rows = values.loc[values["indicator_id"] == indicator_id]
        england = rows.loc[rows["level"] == "england"]
        assert england["value"].to_numpy(float) == pytest.approx(1.0, rel=1e-12)
        for (level, period), part in rows.loc[rows["level"] != "england"].groupby(
            ["level", "period"]
        ):
            # O/E weighted by E over all areas = sum(O) / sum(E), which is 1 where England
            # is the sum of its areas (counts are rounded to 5, so allow that rounding).
            # Secondary-care reliance takes England from NHS England's published total,
            # which the areas' counts need not add to (people in contact with providers in
            # several areas, records without an area), so there it is near 1, not exactly.
            ratio = (part["value"] * part["denominator"]).sum() / part["denominator"].sum()
            tolerance = 0.05 if indicator_id == "secondary_reliance_ratio" else 0.01
            assert ratio == pytest.approx(1.0, abs=tolerance), (indicator_id, level, period)


def test_limits_equal_phstatsmethods_on_the_source_counts(values):
    # Black Country sub-ICB (ODS D2P2L) depression: 138,767 on the register of 1,010,189
    # adults (QOF 2022-23 practice file, summed independently in test_qof_practice).
    row = _one(
        values, indicator_id="depression_prevalence", area_code="E38000259", period="2022-23"
    )
    for key, conf in (("95", 0.95), ("998", 0.998)):
        lo, hi = phs.wilson(138_767, 1_010_189, conf)
        assert row[f"lower_{key}"] == pytest.approx(lo * 100, rel=1e-12)
        assert row[f"upper_{key}"] == pytest.approx(hi * 100, rel=1e-12)
    # A rate: England Talking Therapies referrals 2018-19 per 100,000 adults.
    refs = _one(values, indicator_id="tt_referrals_rate", level="england", period="2018-19")
    lo = phs.byars_lower(1_603_643, 0.95) / refs["denominator"] * 100_000
    assert refs["lower_95"] == pytest.approx(lo, rel=1e-12)


def test_no_disclosive_count_anywhere(values):
    """Counts from sources under NHS England's rule: never 1-7, always a multiple of 5."""
    catalogue = load_catalogue()
    local = values.loc[values["level"] != "england"]
    for column, key in (("numerator", "release"), ("denominator", "denominator_release")):
        ruled = {
            i
            for i, ind in catalogue.items()
            if getattr(ind, key) and disclosure.release_of(getattr(ind, key)) == disclosure.ROUNDED
        }
        shown = local.loc[local["indicator_id"].isin(ruled), column].dropna()
        assert len(shown) > 500, column
        assert not ((shown >= 1) & (shown < 8)).any(), column
        assert (shown % 5 == 0).all(), column
    assert values.loc[values["suppressed"], "note"].notna().all()
    assert values.loc[values["suppressed"], "value"].isna().all()


def _one(values, **where) -> pd.Series:
    rows = values
    for key, wanted in where.items():
        rows = rows.loc[rows[key] == wanted]
    assert len(rows) == 1, where
    return rows.iloc[0]


def test_england_figures_equal_the_sources(values):
    dep = _one(values, indicator_id="depression_prevalence", level="england", period="2022-23")
    assert dep["value"] == pytest.approx(13.25, abs=0.005)
    smi = _one(values, indicator_id="smi_prevalence", level="england", period="2022-23")
    assert smi["value"] == pytest.approx(0.997, abs=0.001)
    refs = _one(values, indicator_id="tt_referrals_rate", level="england", period="2018-19")
    assert refs["numerator"] == 1_603_643  # NHS Talking Therapies annual report, England
    items = _one(
        values, indicator_id="antidepressant_items_per_1000", level="england", period="2025 Q1-Q2"
    )
    assert items["numerator"] == pytest.approx(22.13e6 + 22.50e6, rel=0.01)


def test_black_country_and_sandwell_figures(values):
    # Black Country sub-ICB (ODS D2P2L): 181 practices, depression 138,767 of 1,010,189.
    dep = _one(
        values, indicator_id="depression_prevalence", area_code="E38000259", period="2022-23"
    )
    # QOF publishes exact practice counts, so the atlas keeps them exact.
    assert dep["numerator"] == 138_767 and dep["denominator"] == 1_010_189
    assert dep["value"] == pytest.approx(138_767 / 1_010_189 * 100, rel=1e-9)
    # Sandwell and West Birmingham CCG 2018-19 depression register (QOF workbook cell).
    swb = _one(
        values, indicator_id="depression_prevalence", area_code="E38000144", period="2018-19"
    )
    assert swb["numerator"] == 36_545
    # Sandwell's IoD2025 average score is among the most deprived districts.
    ltla = values.loc[(values["indicator_id"] == "imd_score") & (values["level"] == "ltla")]
    rank = ltla["value"].rank(ascending=False)
    assert int(rank[ltla["area_code"] == "E08000028"].iloc[0]) <= 20


def test_boundaries_fit_their_budgets(built):
    for path in (built / atlas_files.BOUNDARY_DIR_NAME).glob("*.geojson"):
        # About 1,270 drawn primary care networks have a budget of their own.
        budget = pcn_shapes.BUDGET_BYTES if path.name.startswith("pcn-") else 420_000
        assert path.stat().st_size <= budget, path.name
    total = sum(p.stat().st_size for p in built.rglob("*") if p.is_file())
    assert total <= 25 * 1024 * 1024
