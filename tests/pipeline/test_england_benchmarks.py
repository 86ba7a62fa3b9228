"""England from England, and the smaller holes, on the rebuilt atlas against the raw files.

Where the publisher gives England, the atlas's England is that figure on the areas' basis
(people in contact in November 2022, Talking Therapies for July 2022 - May 2023); where it
gives none (detentions, the Health Index inputs) the England row says so in the source's
terms. Buckinghamshire's missing QOF 2017-18 row is present with a note, and no practice
value is dropped without being named in the manifest. The expected figures are read from the
raw files here, without the pipeline's readers.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

ENGLAND = "E92000001"
BUCKINGHAMSHIRE = "E38000223"
MHSDS = "secondary_care/mhsds_time_series_apr2016_to_nov2022_ccg_subicb_provider.csv.gz"
NATIONAL_IN_CONTACT = "services/mhsds_people_in_contact_england_monthly_2016-2024_healthyr.csv"
QOF_2022_23 = "qof_practice/qof_prevalence_by_practice_2022-23.csv.gz"
TT_ENGLAND = "services/nhstt_monthly_activity_performance_england_only_2021-01_to_2026-03.csv.gz"
HEALTH_INDEX = "fingertips/ons_health_index_indicators_ltla21_2015-2021_healthyr.csv.gz"
QOF_CCG_2017_18 = "services/qof_ccg_workbooks/qof-1718-prev-ach-exc-ccg.xlsx"
LIFE_EXPECTANCY = "fingertips/gp_practice_life_expectancy_estimates_heec.csv.gz"
SMOKING = "fingertips/fingertips_91547_smoking_prevalence_qof_gp_and_areas_heec.csv.gz"
TT_PERIOD = "Jul 2022 - May 2023"
PRACTICE_CODE = r"[A-Z]\d{5}"


@pytest.fixture(scope="module")
def values(rebuild) -> pd.DataFrame:
    """The rebuilt atlas's values (the session's one build, see conftest)."""
    return pd.read_parquet(rebuild.atlas / "values.parquet")


def _england(values: pd.DataFrame, indicator: str, period: str) -> pd.Series:
    rows = values.loc[
        (values["indicator_id"] == indicator)
        & (values["level"] == "england")
        & (values["period"] == period)
    ]
    assert len(rows) == 1, (indicator, period)
    return rows.iloc[0]


def _local(values: pd.DataFrame, indicator: str, period: str) -> pd.DataFrame:
    return values.loc[
        (values["indicator_id"] == indicator)
        & (values["level"] == "sub_icb")
        & (values["period"] == period)
    ]


def _lists(raw_dir: Path, group: str) -> float:
    """England's registered patients in QOF 2022-23 (MH: all ages; DEP: aged 18+)."""
    qof = pd.read_csv(raw_dir / QOF_2022_23)
    return float(qof.loc[qof["GROUP_CODE"] == group, "PRACTICE_LIST_SIZE"].sum())


def _mhsds_england_rows(raw_dir: Path, measure: str) -> pd.DataFrame:
    sql = (
        "SELECT REPORTING_PERIOD_START AS start, MEASURE_VALUE AS value FROM "
        "read_csv($path, all_varchar = true) WHERE BREAKDOWN = 'England' AND MEASURE_ID = $m"
    )
    with duckdb.connect() as con:
        return con.execute(sql, {"path": str(raw_dir / MHSDS), "m": measure}).df()


def test_people_in_contact_nov_2022_is_the_published_england_figure(values, raw_dir):
    national = pd.read_csv(raw_dir / NATIONAL_IN_CONTACT)
    published = float(national.loc[national["date"] == "2022-11-30", "count"].iloc[0])
    assert published == 1_658_210
    lists = _lists(raw_dir, "MH")
    row = _england(values, "mhsds_in_contact_rate", "Nov 2022")
    assert row["numerator"] == published  # was 1,522,175, the sum of the sub-ICBs
    assert row["denominator"] == lists == 62_378_057  # registered patients, as the areas
    assert row["value"] == pytest.approx(published / lists * 100_000)  # 2,658 (was 2,440)
    assert "published count" in row["note"]
    ratio = _england(values, "secondary_reliance_ratio", "Nov 2022")
    assert ratio["numerator"] == ratio["denominator"] == published and ratio["value"] == 1


def test_ccg_year_end_reliance_counts_the_time_series_england_row(values, raw_dir):
    england = _mhsds_england_rows(raw_dir, "MHS01").set_index("start")["value"].astype(float)
    row = _england(values, "secondary_reliance_ratio", "2019-20")
    assert row["numerator"] == england["01/03/2020"] == row["denominator"]


def test_admissions_and_detentions_say_why_england_adds_up_the_areas(values, raw_dir):
    """The time series has England rows for MHS07 to July 2022 only, and none for MHS81."""
    admissions = _mhsds_england_rows(raw_dir, "MHS07")
    months = pd.to_datetime(admissions["start"], format="%d/%m/%Y")
    assert months.max() == pd.Timestamp("2022-07-01")
    assert _mhsds_england_rows(raw_dir, "MHS81").empty
    row = _england(values, "mhsds_admissions_rate", "Nov 2022")
    assert row["note"].startswith("The source has no England figure for people in hospital")
    detentions = _england(values, "mhsds_detentions_rate", "Aug - Nov 2022")
    assert pd.notna(detentions["value"])
    assert detentions["note"].startswith("The source publishes detentions by sub-ICB and by")
    assert "Suppressed by the publisher" not in detentions["note"]
    local = _local(values, "mhsds_detentions_rate", "Aug - Nov 2022")
    with_figure = local.loc[local["value"].notna()]
    # England is the areas with a figure over their own lists: the same basis
    assert detentions["numerator"] <= with_figure["numerator"].sum()
    assert detentions["denominator"] <= with_figure["denominator"].sum()
    # areas are compared now (none were, with no England)
    assert (local["comparison"] != "not_compared").sum() >= 80


def test_talking_therapies_months_take_the_publishers_england(values, raw_dir):
    national = pd.read_csv(raw_dir / TT_ENGLAND)
    months = national["reporting_period"].between("2022-07", "2023-05")
    adults = _lists(raw_dir, "DEP")
    for indicator, measure, total in (
        ("tt_referrals_rate", "M001", 1_596_892),
        ("tt_access_rate", "M031", 1_110_068),
    ):
        rows = national.loc[months & (national["measure_id"] == measure)]
        assert rows["reporting_period"].nunique() == 11
        assert rows["value"].sum() == total
        row = _england(values, indicator, TT_PERIOD)
        assert row["numerator"] == total and row["denominator"] == adults
    finished = national.loc[months & (national["measure_id"] == "M076"), "value"].sum()
    for indicator in ("tt_gap_ratio", "tt_gap_ratio_modelled"):
        assert _england(values, indicator, TT_PERIOD)["numerator"] == finished == 613_391


def test_health_index_england_rows_give_the_reason(values, raw_dir):
    codes = pd.read_csv(raw_dir / HEALTH_INDEX, usecols=["ltla21_code"])["ltla21_code"]
    assert not codes.str.startswith("E92").any() and codes.nunique() == 307
    for indicator in ("hi_suicides", "hi_self_harm"):
        rows = values.loc[(values["indicator_id"] == indicator) & (values["level"] == "england")]
        assert sorted(rows["period"]) == [str(year) for year in range(2015, 2022)]
        assert rows["value"].isna().all()
        assert rows["note"].str.startswith("No England value: the Health Index file").all()


def test_buckinghamshire_2017_18_is_present_with_a_note(values, raw_dir):
    book = openpyxl.load_workbook(raw_dir / QOF_CCG_2017_18, read_only=True)
    cells = {str(c) for row in book["DEP"].iter_rows(values_only=True) for c in row if c}
    book.close()
    assert not {"14Y", "10H", "10Y", BUCKINGHAMSHIRE} & cells
    for indicator in ("depression_prevalence", "smi_prevalence", "secondary_reliance_ratio"):
        rows = values.loc[
            (values["indicator_id"] == indicator)
            & (values["area_code"] == BUCKINGHAMSHIRE)
            & (values["period"] == "2017-18")
        ]
        assert len(rows) == 1, indicator
        assert pd.isna(rows["value"].iloc[0])
        assert rows["note"].iloc[0].startswith("Not in the source: it has no row for this CCG")


def test_no_practice_value_is_dropped_without_being_named(rebuild, values, raw_dir):
    built = rebuild.atlas
    areas = pd.read_parquet(built / "areas.parquet")
    practices = values.loc[values["level"] == "practice", ["area_code", "vintage"]]
    placed = practices.merge(areas[["area_code", "vintage"]], how="left", indicator=True)
    assert (placed["_merge"] == "both").all()  # every practice row has its area
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    named = {
        source["file"]: " ".join(source["rejected_by_reason"]) for source in manifest["sources"]
    }
    smoking = pd.read_csv(raw_dir / SMOKING, usecols=["Area Code", "Area Type"])
    for file, codes, indicators in (
        (
            LIFE_EXPECTANCY,
            pd.read_csv(raw_dir / LIFE_EXPECTANCY).iloc[:, 0],
            ("life_expectancy_female", "life_expectancy_male"),
        ),
        (
            SMOKING,
            smoking.loc[smoking["Area Type"] == "GPs", "Area Code"],
            ("smoking_prevalence",),
        ),
    ):
        practices = codes.astype(str)
        practices = practices[practices.str.fullmatch(PRACTICE_CODE)]
        own = values["indicator_id"].isin(indicators) & (values["level"] == "practice")
        shown = set(values.loc[own, "area_code"])
        missing = set(practices) - shown
        assert missing, file  # the six practices of the audit are among them
        unnamed = {code for code in missing if code not in named[file]}
        assert not unnamed, (file, unnamed)
