"""Antidepressant items for councils and neighbourhoods, and councils' mental-health need,
checked in the committed atlas against the raw files, worked out here independently.

Sandwell's 2011 LSOAs are taken from a lookup the build does not use for this (ONS LSOA 2011
to CCG and district, April 2021); the 2021 LSOAs and the population from the raw files.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline import atlas_files
from data_pipeline.sources.prescribing import LSOA_FILES

pytestmark = pytest.mark.raw

INDICATOR = "antidepressant_items_per_1000"
PERIOD = "2025 Q1-Q2"
SANDWELL = "E08000028"
ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return pd.read_parquet(atlas_files.ATLAS_DIR / "values.parquet")


@pytest.fixture(scope="module")
def pldr(raw_dir) -> pd.DataFrame:
    """English rows of both PLDR quarters, as published."""
    frames = []
    for quarter, relative in LSOA_FILES.items():
        raw = pd.read_csv(raw_dir / relative, dtype={"lsoa11": str})
        frames.append(raw.loc[raw["lsoa11"].str.startswith("E01")].assign(quarter=quarter))
    return pd.concat(frames, ignore_index=True)


def _row(values: pd.DataFrame, indicator: str, level: str, code: str, period: str) -> pd.Series:
    rows = values.loc[
        (values["indicator_id"] == indicator)
        & (values["level"] == level)
        & (values["area_code"] == code)
        & (values["period"] == period)
    ]
    assert len(rows) == 1, (indicator, level, code)
    return rows.iloc[0]


def _items_and_patients(rows: pd.DataFrame) -> tuple[float, float]:
    """Items over both quarters; registered patients, the mean of the two quarters."""
    patients = rows.groupby("quarter")["All_Patients"].sum().mean()
    return rows["items"].sum(), patients


def test_england_is_every_english_lsoa_of_both_quarters(values, pldr):
    items, patients = _items_and_patients(pldr)
    assert round(items) == 44_635_122  # 22,131,864 in Q1 + 22,503,257 in Q2
    assert patients == (63_640_534 + 63_665_842) / 2
    england = _row(values, INDICATOR, "england", ENGLAND, PERIOD)
    assert england["numerator"] == pytest.approx(items, rel=1e-12)
    assert england["denominator"] == patients
    assert england["value"] == pytest.approx(701.22, abs=0.005)
    for level in ("lsoa", "ltla", "utla"):
        part = values.loc[
            (values["indicator_id"] == INDICATOR)
            & (values["level"] == level)
            & (values["period"] == PERIOD)
        ]
        assert part["numerator"].sum() == pytest.approx(items, rel=1e-9), level
        assert part["denominator"].sum() == pytest.approx(patients, rel=1e-9), level


def test_sandwell_district_and_county_are_its_lsoas_in_the_raw_files(values, pldr, raw_dir):
    lookup = pd.read_csv(raw_dir / "lookups/lsoa11_ccg21_lad21_lookup_apr2021.csv.gz", dtype=str)
    lsoa11 = set(lookup.loc[lookup["LAD21CD"] == SANDWELL, "LSOA11CD"])
    assert len(lsoa11) == 186
    items, patients = _items_and_patients(pldr.loc[pldr["lsoa11"].isin(lsoa11)])
    assert round(items, 2) == 235_700.19 and patients == 389_388.5
    for level in ("ltla", "utla"):
        row = _row(values, INDICATOR, level, SANDWELL, PERIOD)
        assert row["numerator"] == pytest.approx(items, rel=1e-12)
        assert row["denominator"] == patients
        assert row["value"] == pytest.approx(605.31, abs=0.005)
        assert row["comparison"] == "lower"  # England 701.2


def test_every_english_lsoa_2021_has_a_value_and_sandwells_add_up(values, raw_dir):
    lsoa = values.loc[
        (values["indicator_id"] == INDICATOR)
        & (values["level"] == "lsoa")
        & (values["period"] == PERIOD)
    ]
    assert lsoa["area_code"].is_unique and len(lsoa) == 33_755
    assert lsoa["value"].notna().all()
    wards = pd.read_csv(raw_dir / "lookups/lookup_lsoa21_ward24_ltla24_geographr.csv.gz", dtype=str)
    sandwell = set(wards.loc[wards["ltla24_code"] == SANDWELL, "lsoa21_code"])
    assert len(sandwell) == 190
    ours = lsoa.loc[lsoa["area_code"].isin(sandwell)]
    council = _row(values, INDICATOR, "ltla", SANDWELL, PERIOD)
    assert ours["numerator"].sum() == pytest.approx(council["numerator"], rel=1e-12)
    assert ours["denominator"].sum() == pytest.approx(council["denominator"], rel=1e-12)


def test_the_parts_of_a_split_sandwell_lsoa_show_its_rate(values, pldr, raw_dir):
    lookup = pd.read_csv(
        raw_dir / "lookups/lookup_lsoa11_lsoa21_ltla22_geographr.csv.gz", dtype=str
    )
    split = lookup.loc[(lookup["change_code"] == "S") & (lookup["ltla22_code"] == SANDWELL)]
    assert split["lsoa11_code"].nunique() == 4  # 182 unchanged, 4 split into 8
    parent = split["lsoa11_code"].iloc[0]
    items, patients = _items_and_patients(pldr.loc[pldr["lsoa11"] == parent])
    children = split.loc[split["lsoa11_code"] == parent, "lsoa21_code"]
    for child in children:
        row = _row(values, INDICATOR, "lsoa", child, PERIOD)
        assert row["value"] == pytest.approx(1000 * items / patients, rel=1e-9)
        assert row["numerator"] == pytest.approx(items / len(children), rel=1e-9)


def test_sandwell_mental_health_need_is_its_lsoas_weighted_by_population(values, raw_dir):
    pop = pd.read_csv(
        raw_dir / "population/population_mid2020_lsoa11_single_year_age_demographr.csv.gz",
        usecols=["lsoa11_code", "total_population"],
    )
    lookup = pd.read_csv(raw_dir / "lookups/lookup_lsoa11_lsoa21_ltla22_geographr.csv.gz")
    lookup = lookup.loc[lookup["lsoa11_code"].str.startswith("E01")]
    lookup = lookup.assign(n=lookup.groupby("lsoa11_code")["lsoa21_code"].transform("size"))
    weights = lookup.merge(pop, on="lsoa11_code")
    weights["w"] = weights["total_population"] / weights["n"]
    weights = weights.groupby("lsoa21_code")["w"].sum()
    iod = pd.read_csv(
        raw_dir / "deprivation/iod2025_lsoa21_underlying_indicators_humaniverse.csv.gz",
        usecols=["lsoa21_code", "mental_health_indicator"],
    ).set_index("lsoa21_code")["mental_health_indicator"]
    wards = pd.read_csv(raw_dir / "lookups/lookup_lsoa21_ward24_ltla24_geographr.csv.gz")
    codes = wards.loc[wards["ltla24_code"] == SANDWELL, "lsoa21_code"]
    expected = (iod[codes] * weights[codes]).sum() / weights[codes].sum()
    assert expected == pytest.approx(0.127, abs=0.0005)  # England's LSOAs average near 0
    for level in ("ltla", "utla"):
        row = _row(values, "mh_need_score", level, SANDWELL, "IoD2025")
        assert row["value"] == pytest.approx(expected, rel=1e-9)
    districts = values.loc[
        (values["indicator_id"] == "mh_need_score") & (values["level"] == "ltla")
    ]
    assert len(districts) == 296 and districts["value"].notna().all()
