"""Data-quality rules on the real files, then on the rebuilt atlas.

Source level (fast): each rule applied to the publishers' own series catches the incomplete
submissions and implausible zeros an audit found by eye, and leaves normal areas alone.
Atlas level (the session's rebuild): the rows built from them are flagged, keep their value,
are not compared, and are listed in ``quality.parquet`` and the manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.quality import evidence, rules
from data_pipeline.raw import RawDir
from data_pipeline.sources import mhsds, smi_checks, talking_therapies

OXFORDSHIRE = "E38000136"
#: The seven Berkshire CCGs whose submissions collapsed in February and March 2018.
BERKSHIRE = ("10G", "10M", "10N", "10T", "10W", "11C", "11D")
#: Their 2019 successors (Berkshire West, East Berkshire), where the 2017-18 year end lands.
BERKSHIRE_2019 = ("E38000221", "E38000224")
SOMERSET, CRAWLEY, HORSHAM = "E38000150", "E38000039", "E38000083"


def _caught(judged: pd.DataFrame) -> pd.DataFrame:
    return judged.loc[judged["rule"].notna()]


@pytest.fixture(scope="module")
def mhsds_judged(raw_dir: Path) -> pd.DataFrame:
    table = mhsds.read_time_series(RawDir(raw_dir)).tables["mhsds_monthly"]
    return evidence.mhsds(table)


def test_oxfordshire_nov_2022_is_an_incomplete_submission(mhsds_judged):
    people = mhsds_judged.loc[mhsds_judged["measure"] == "MHS01"].set_index(["org_code", "month"])
    row = people.loc[("10Q", pd.Timestamp("2022-11-01"))]
    assert row["rule"] == rules.INCOMPLETE_SUBMISSION
    assert row["value"] == 740
    # median of Jan - Jun 2022 (the collapsed Aug - Oct months never enter a reference)
    assert row["reference"] == 17_477.5
    for code in ("14Y", "18C", "B2M3M"):  # Buckinghamshire, Herefs & Worcs, Coventry & Warks
        assert people.loc[(code, pd.Timestamp("2022-11-01")), "rule"] == "incomplete_submission"
        assert people.loc[(code, pd.Timestamp("2022-11-01")), "share"] < 0.1


def test_berkshire_march_2018_is_caught_and_a_normal_area_is_not(mhsds_judged):
    people = _caught(mhsds_judged.loc[mhsds_judged["measure"] == "MHS01"])
    march = people.loc[people["month"] == pd.Timestamp("2018-03-01"), "org_code"]
    assert sorted(march) == sorted(BERKSHIRE)
    # Birmingham and Solihull, Leeds, North West London: never caught
    assert not people["org_code"].isin(["15E", "15F", "W2U3Z"]).any()


def test_counts_caught_by_the_submission_rule(mhsds_judged):
    caught = _caught(mhsds_judged)
    by_measure = caught.groupby("measure").size().to_dict()
    assert by_measure == {"MHS01": 76, "MHS07": 40}
    # the cut sits at the trough of the month-on-median ratios: of the tenths from 0.1 to 0.9,
    # 0.5 to 0.6 holds the fewest months, and nine in ten lie between 0.92 and 1.10
    people = mhsds_judged.loc[mhsds_judged["measure"] == "MHS01", "share"].dropna()
    tenths = pd.cut(people.astype(float), [i / 10 for i in range(1, 10)], right=False)
    counts = tenths.value_counts().sort_index()
    assert counts.idxmin().left == pytest.approx(rules.SUBMISSION_SHARE)
    assert people.between(0.917, 1.101).mean() > 0.9


def test_somerset_and_crawley_zeros_are_implausible(raw_dir: Path):
    table = smi_checks.read(RawDir(raw_dir)).tables["smi_checks"]
    judged = evidence.smi_checks(table)
    caught = _caught(judged)
    q4 = caught.loc[caught["month"].dt.month == 3]
    assert sorted(zip(q4["org_code"], q4["month"].dt.year, strict=True)) == [
        ("09H", 2019),  # Crawley 2018-19: 0%
        ("09X", 2019),  # Horsham and Mid Sussex 2018-19: 0%
        ("11X", 2021),  # Somerset 2020-21: 0%
        ("11X", 2022),  # Somerset 2021-22: 0.32%
    ]
    somerset = q4.loc[q4["month"] == pd.Timestamp("2022-03-01")].iloc[0]
    assert somerset["value"] == pytest.approx(100 * 14 / 4363)
    assert len(caught) == 9  # four quarter 4s the atlas shows, five other quarters


def test_talking_therapies_monthly_series_checked_the_same_way(raw_dir: Path):
    table = talking_therapies.read_monthly(RawDir(raw_dir)).tables["tt_monthly_subicb"]
    caught = _caught(evidence.talking_therapies(table))
    stamps = caught["month"].dt.strftime("%Y-%m")
    months = sorted(set(zip(caught["org_code"], stamps, strict=True)))
    assert months == [
        ("E38000008", "2023-04"),
        ("E38000205", "2022-10"),
        ("E38000243", "2023-04"),
    ]


# --- the rebuilt atlas ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(rebuild) -> Path:
    return rebuild.atlas


@pytest.fixture(scope="module")
def values(built) -> pd.DataFrame:
    return pd.read_parquet(built / "values.parquet")


def _row(values: pd.DataFrame, indicator: str, area: str, period: str) -> pd.Series:
    rows = values.loc[
        (values["indicator_id"] == indicator)
        & (values["area_code"] == area)
        & (values["period"] == period)
    ]
    assert len(rows) == 1, (indicator, area, period)
    return rows.iloc[0]


@pytest.mark.slow
def test_oxfordshire_row_is_flagged_kept_and_not_compared(values):
    for indicator in ("mhsds_in_contact_rate", "mhsds_admissions_rate", "secondary_reliance_ratio"):
        row = _row(values, indicator, OXFORDSHIRE, "Nov 2022")
        assert row["quality"] == "incomplete_submission"
        assert row["comparison"] == row["comparison_998"] == "not_compared"
        assert pd.notna(row["value"])
    row = _row(values, "mhsds_in_contact_rate", OXFORDSHIRE, "Nov 2022")
    assert row["numerator"] == 740
    assert row["note"].startswith("Data quality: incomplete submission (740 people in contact")
    detentions = _row(values, "mhsds_detentions_rate", OXFORDSHIRE, "Aug - Nov 2022")
    assert detentions["quality"] == "incomplete_submission"


@pytest.mark.slow
def test_smi_zeros_and_berkshire_year_end_are_flagged(values):
    for area, period in ((SOMERSET, "2020-21"), (SOMERSET, "2021-22"), (CRAWLEY, "2018-19")):
        row = _row(values, "smi_health_checks_pct", area, period)
        assert row["quality"] == "implausible_zero"
        assert row["comparison"] == "not_compared"
    assert pd.isna(_row(values, "smi_health_checks_pct", SOMERSET, "2019-20")["quality"])
    for area in BERKSHIRE_2019:
        row = _row(values, "mhsds_in_contact_rate", area, "2017-18")
        assert row["quality"] == "incomplete_submission"
        assert "in part of this area" in row["note"]


@pytest.mark.slow
def test_a_normal_area_is_not_flagged(values):
    birmingham = values.loc[values["area_code"] == "E38000258"]  # Birmingham and Solihull
    assert len(birmingham) and birmingham["quality"].isna().all()
    compared = _row(values, "mhsds_in_contact_rate", "E38000258", "Nov 2022")["comparison"]
    assert compared != "not_compared"


@pytest.mark.slow
def test_quality_table_lists_every_flagged_row_and_the_manifest_counts_it(built, values):
    table = pd.read_parquet(built / "quality.parquet")
    flagged = values.loc[values["quality"].notna()]
    key = ["indicator_id", "area_code", "level", "vintage", "period"]
    assert sorted(map(tuple, table[key].to_numpy())) == sorted(map(tuple, flagged[key].to_numpy()))
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["quality"] == table["rule"].value_counts().to_dict()
    oxford = table.loc[
        (table["area_code"] == OXFORDSHIRE) & (table["indicator_id"] == "mhsds_in_contact_rate")
    ].iloc[0]
    assert oxford["value"] == 740 and oxford["reference"] == 17_477.5
    assert oxford["share"] == pytest.approx(740 / 17_477.5)
