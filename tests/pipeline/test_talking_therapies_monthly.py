"""NHS Talking Therapies monthly reader (England and providers): real files and damaged copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import talking_therapies_monthly as ttm

ACTIVITY, MEASURES, PROVIDERS = ttm.ACTIVITY_FILE, ttm.MEASURES_FILE, ttm.PROVIDERS_FILE
ENGLAND_CSV = "services/nhstt_monthly_activity_performance_england_only_2021-01_to_2026-03.csv.gz"
FY_2024_25 = (pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-01"))


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return ttm.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def england(result) -> pd.DataFrame:
    return result.tables["tt_monthly_england"]


def _england_by_measure(england: pd.DataFrame, months=FY_2024_25) -> pd.Series:
    rows = england.loc[england["month"].between(*months)]
    return rows.groupby("measure")["value"].sum()


# --- real files -------------------------------------------------------------------------


@pytest.mark.raw
def test_every_row_of_every_file_is_accounted_for(result, raw_dir: Path):
    with duckdb.connect() as con:
        (n,) = con.execute(
            "SELECT count(*) FROM read_parquet($p)", {"p": str(raw_dir / ACTIVITY)}
        ).fetchone()
    activity = result.reconciliation(ACTIVITY)
    assert activity.rows_in == n == 1_870_253
    used = len(result.tables["tt_monthly_england"]) + len(result.tables["tt_monthly_provider"])
    assert activity.rows_used == used == 65_261
    # Providers with activity but no entry in the provider list: nothing to place them by.
    reason = "provider not in the provider list (no address or ICB to place it by)"
    assert activity.rejected[reason] == 98
    providers = result.reconciliation(PROVIDERS)
    assert providers.rows_in == providers.rows_used == 233
    measures = result.reconciliation(MEASURES)
    assert (measures.rows_in, measures.rows_used) == (466, 7)
    for recon in (activity, providers, measures):
        assert recon.rows_in == recon.rows_used + recon.rows_rejected


@pytest.mark.raw
def test_england_2024_25_matches_the_published_year(england):
    # MANIFEST: England FY2024-25 1.77 M referrals, 1.20 M accessing, 667k finished a course.
    year = _england_by_measure(england)
    assert year["referrals_received"] == 1_772_132
    assert year["accessing_services"] == 1_196_618
    assert year["finished_course_treatment"] == 667_143
    assert round(year["referrals_received"] / 1e6, 2) == 1.77


@pytest.mark.raw
def test_england_recovery_in_march_2025_is_the_published_51_6(england):
    march = england.loc[england["month"] == pd.Timestamp("2025-03-01")].set_index("measure")
    value = march["value"]
    at_caseness = value["finished_course_treatment"] - value["not_at_caseness"]
    assert round(100 * value["recovery"] / at_caseness, 1) == 51.6
    assert (value["recovery"], at_caseness) == (26_373, 51_155)


@pytest.mark.raw
def test_england_runs_january_2021_to_march_2026_and_ends_at_163_100_referrals(england):
    months = england["month"].drop_duplicates().sort_values()
    assert len(months) == 63
    assert (months.iloc[0], months.iloc[-1]) == (
        pd.Timestamp("2021-01-01"),
        pd.Timestamp("2026-03-01"),
    )
    last = england.loc[england["month"] == months.iloc[-1]].set_index("measure")["value"]
    assert last["referrals_received"] == 163_100
    assert not england["source_suppressed"].any()


@pytest.mark.raw
def test_england_equals_the_england_only_file(england, raw_dir: Path):
    csv = pd.read_csv(raw_dir / ENGLAND_CSV, dtype={"value": float})
    csv = csv.loc[csv["measure_id"].isin(ttm.MEASURE_IDS) & csv["measure_statistic"].eq("count")]
    expected = csv.set_index(["reporting_period", "measure_id"])["value"].sort_index()
    got = england.assign(reporting_period=england["month"].dt.strftime("%Y-%m"))
    got = got.set_index(["reporting_period", "measure_id"])["value"].astype(float).sort_index()
    assert got.to_dict() == expected.to_dict()


@pytest.mark.raw
def test_measures_are_named_from_the_definitions_file(result, england):
    assert set(england["measure"]) == {
        "referrals_received",
        "accessing_services",
        "accessing_services_6_weeks",
        "accessing_services_18_weeks",
        "finished_course_treatment",
        "not_at_caseness",
        "recovery",
    }
    # M031 is published under three names over time; it is one measure here.
    m031 = england.loc[england["measure_id"] == "M031", "measure"]
    assert set(m031) == {"accessing_services"} and len(m031) == 63
    notes = result.reconciliation(ACTIVITY).notes
    assert "M031 published as 'first_treatment' from 2021-01 to 2022-08" in notes
    assert "M031 published as 'first_assessment' from 2022-07 to 2022-07" in notes


@pytest.mark.raw
def test_provider_counts_are_rounded_and_withheld_figures_flagged(result):
    provider = result.tables["tt_monthly_provider"]
    shown = provider["value"].dropna()
    assert (shown % 5 == 0).all() and (shown > 0).all()
    withheld = provider["source_suppressed"]
    assert withheld.sum() == provider["value"].isna().sum() > 0
    assert provider["provider_code"].nunique() == 177
    listed = set(result.tables["tt_providers"]["provider_code"])
    assert set(provider["provider_code"]) <= listed


# --- damaged copies -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(raw_dir: Path) -> pd.DataFrame:
    """A small real slice of the activity file: two months, England and two providers."""
    with duckdb.connect() as con:
        return con.execute(
            "SELECT * FROM read_parquet($p) WHERE reporting_period IN ('2025-12', '2026-03') "
            "AND org_code2 IN ('all', 'TAJ', 'M6Y4Z')",
            {"p": str(raw_dir / ACTIVITY)},
        ).df()


def _raw(root: Path, raw_dir: Path, activity: pd.DataFrame, **replace: pd.DataFrame) -> RawDir:
    (root / "services").mkdir(parents=True, exist_ok=True)
    activity.to_parquet(root / ACTIVITY, index=False)
    for relative in (MEASURES, PROVIDERS):
        name = Path(relative).stem
        if name in replace:
            replace[name].to_parquet(root / relative, index=False)
        else:
            shutil.copy(raw_dir / relative, root / relative)
    return RawDir(root)


def test_sample_accounts_for_every_row(tmp_path, raw_dir, sample):
    result = ttm.read(_raw(tmp_path, raw_dir, sample))
    recon = result.reconciliation(ACTIVITY)
    assert recon.rows_in == len(sample)
    assert recon.rows_in == recon.rows_used + recon.rows_rejected
    # M6Y4Z (Derby and Derbyshire, from July 2025) is not in the provider list.
    reason = "provider not in the provider list (no address or ICB to place it by)"
    assert recon.rejected[reason] == 2 * len(ttm.MEASURE_IDS)
    provider = result.tables["tt_monthly_provider"]
    assert set(provider["provider_code"]) == {"TAJ"}
    assert len(provider) == len(result.tables["tt_monthly_england"]) == 2 * len(ttm.MEASURE_IDS)


@pytest.mark.parametrize("column", ["value", "measure_id", "org_code2"])
def test_missing_activity_column(tmp_path, raw_dir, sample, column):
    with pytest.raises(SourceError) as err:
        ttm.read(_raw(tmp_path, raw_dir, sample.drop(columns=column)))
    assert ACTIVITY in str(err.value) and f"column '{column}'" in str(err.value)


def test_bad_periods_duplicates_and_negatives_are_rejected(tmp_path, raw_dir, sample):
    used = sample.loc[sample["measure_id"].isin(ttm.MEASURE_IDS) & sample["org_code2"].eq("all")]
    frame = pd.concat([sample, used.iloc[[0]]], ignore_index=True)
    frame.loc[used.index[1], "reporting_period"] = "March 2025"
    frame.loc[used.index[2], "value"] = -5.0
    recon = ttm.read(_raw(tmp_path, raw_dir, frame)).reconciliation(ACTIVITY)
    assert recon.rejected["reporting period not in the form 2026-03"] == 1
    assert recon.rejected["negative count in column 'value'"] == 1
    assert recon.rejected["duplicate row (same month, organisation and measure)"] == 1


def test_definitions_without_a_measure_stop_with_its_id(tmp_path, raw_dir, sample):
    measures = pd.read_parquet(raw_dir / MEASURES)
    measures = measures.loc[measures["measure_id"] != "M191"]
    with pytest.raises(SourceError) as err:
        ttm.read(_raw(tmp_path, raw_dir, sample, nhstt_metadata_measures_monthly=measures))
    assert MEASURES in str(err.value) and "M191" in str(err.value)


def test_provider_list_without_postcodes_is_named(tmp_path, raw_dir, sample):
    providers = pd.read_parquet(raw_dir / PROVIDERS).drop(columns="postcode")
    with pytest.raises(SourceError) as err:
        ttm.read(_raw(tmp_path, raw_dir, sample, nhstt_metadata_providers=providers))
    assert PROVIDERS in str(err.value) and "column 'postcode'" in str(err.value)
