"""QOF 2024-25 prevalence on the real files: every level, England as published, sums that hold.

The expected figures are worked out here straight from the raw files with pandas (the QOF
2024-25 practice file, the early-2024 practice lookup, the LSOA 2021 lookup), not through
the pipeline's readers, so a slip in reading, placing or adding up practices shows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_pipeline import geography
from data_pipeline.indicators import finalise, load_catalogue
from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import deprivation as deprivation_family
from data_pipeline.indicators.families import practice_profile, qof_prevalence
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Usage
from data_pipeline.sources import deprivation, lookups, qof_practice
from tests.bad_inputs.test_corpus import reference
from tests.pipeline.test_build import _one

QOF_2425 = qof_practice.PREVALENCE_FILES["2024-25"]
LOOKUP = "lookups/gp_practice_pcn_subicb_icb_lookup_with_coords_2024.csv.gz"
LSOA_LTLA = "lookups/lookup_lsoa21_ward24_ltla24_geographr.csv.gz"
ENGLAND = "E92000001"
BLACK_COUNTRY_SUB_ICB = ("E38000259", "D2P2L")
BLACK_COUNTRY_ICB = "E54000062"
SANDWELL = "E08000028"
UNPLACED = ["Y08371", "Y08411"]


@pytest.fixture(scope="module")
def read(raw_dir: Path) -> list:
    """The QOF years, the practice lookup and IMD 2025, as the build reads them."""
    raw = RawDir(raw_dir)
    return [
        qof_practice.read_prevalence(raw),
        qof_practice.read_prevalence(raw, "2024-25"),
        lookups.read_gp_practices(raw),
        lookups.read_ltla_utla_2023(raw),
        deprivation.read_practice_imd_2025(raw),
    ]


@pytest.fixture(scope="module")
def ctx(raw_dir: Path, read) -> BuildContext:
    """Those tables on the real geography, with a ledger over their accounts."""
    ref = reference(raw_dir)
    tables = dict(ref.tables)
    recons, files = [], {}
    for result in read:
        tables.update(result.tables)
        recons += result.reconciliations
        files.update(result.table_files)
    ledger = Ledger(recons, files)
    usage = Usage(tables, {})
    return BuildContext(tables, ledger, usage, Availability(tables), ref.hierarchy, ref.recode)


@pytest.fixture(scope="module")
def obs(ctx) -> pd.DataFrame:
    return qof_prevalence.build(ctx)


@pytest.fixture(scope="module")
def registers(raw_dir: Path) -> pd.DataFrame:
    """The DEP and MH rows of the raw 2024-25 file, with each practice's lookup row."""
    qof = pd.read_csv(raw_dir / QOF_2425)
    qof = qof.loc[qof["GROUP_CODE"].isin(["DEP", "MH"])]
    lookup = pd.read_csv(raw_dir / LOOKUP, usecols=["PRAC_CODE", "LOC_CODE", "PRAC_LSOA21"])
    return qof.merge(lookup, left_on="PRACTICE_CODE", right_on="PRAC_CODE", how="left")


def test_2024_25_exists_at_sub_icb_icb_region_and_england(obs):
    latest = obs.loc[obs["period"] == "2024-25"]
    for indicator_id in ("depression_prevalence", "smi_prevalence"):
        rows = latest.loc[latest["indicator_id"] == indicator_id]
        counts = rows.groupby("level")["area_code"].nunique().to_dict()
        assert {k: counts[k] for k in ("sub_icb", "icb", "region", "england")} == {
            "sub_icb": 106,
            "icb": 42,
            "region": 7,
            "england": 1,
        }
        assert rows.loc[rows["level"] != "practice", "numerator"].notna().all()


def test_england_is_the_publisher_s_total(obs, registers):
    # NHS England QOF 2024-25: depression 14.27% (7.32 M of 51.29 M adults), SMI 1.02%.
    dep = _one(obs, indicator_id="depression_prevalence", level="england", period="2024-25")
    assert dep["numerator"] == 7_317_368 and dep["denominator"] == 51_293_187
    assert round(dep["numerator"] / dep["denominator"] * 100, 2) == 14.27
    smi = _one(obs, indicator_id="smi_prevalence", level="england", period="2024-25")
    assert smi["numerator"] == registers.query("GROUP_CODE == 'MH'")["REGISTER"].sum()
    assert smi["denominator"] == registers.query("GROUP_CODE == 'MH'")["PRACTICE_LIST_SIZE"].sum()
    assert round(smi["numerator"] / smi["denominator"] * 100, 2) == 1.02
    values = finalise(obs, load_catalogue())
    shown = _one(values, indicator_id="depression_prevalence", level="england", period="2024-25")
    assert shown["value"] == pytest.approx(14.27, abs=0.005)


def test_practices_the_lookup_cannot_place_are_named_not_dropped(ctx, read, obs, registers):
    unplaced = qof_prevalence.unplaced_practices(ctx, "2024-25")
    assert unplaced["practice_code"].tolist() == UNPLACED
    assert set(unplaced["reason"]) == {"not in the early-2024 practice lookup"}
    assert sorted(registers.loc[registers["LOC_CODE"].isna(), "PRACTICE_CODE"].unique()) == UNPLACED
    england = _one(obs, indicator_id="smi_prevalence", level="england", period="2024-25")
    assert all(code in england["note"] for code in UNPLACED)
    # England counts them; the sub-ICBs add up to England less them.
    regions = obs.query(
        "indicator_id == 'smi_prevalence' and period == '2024-25' and level == 'sub_icb'"
    )
    theirs = registers.loc[registers["PRACTICE_CODE"].isin(UNPLACED)]
    mh = theirs.loc[theirs["GROUP_CODE"] == "MH", "REGISTER"].sum()
    assert regions["numerator"].sum() == england["numerator"] - mh
    (account,) = [r for result in read for r in result.reconciliations if r.file == QOF_2425]
    notes = [n for n in account.notes if "Y08411" in n]
    assert notes and notes[0].startswith("2 practices in no sub-ICB")


def test_a_sub_icb_and_its_icb_are_the_sum_of_their_practices(obs, registers):
    code, ods = BLACK_COUNTRY_SUB_ICB
    mine = registers.loc[registers["LOC_CODE"] == ods]
    for indicator_id, group in qof_prevalence.GROUPS.items():
        practices = mine.loc[mine["GROUP_CODE"] == group]
        assert practices["PRACTICE_CODE"].nunique() > 150
        for level, area in (("sub_icb", code), ("icb", BLACK_COUNTRY_ICB)):
            row = _one(
                obs, indicator_id=indicator_id, level=level, area_code=area, period="2024-25"
            )
            assert row["numerator"] == practices["REGISTER"].sum()
            assert row["denominator"] == practices["PRACTICE_LIST_SIZE"].sum()


def test_every_sub_icb_register_adds_up_from_its_practices(obs, registers, ctx):
    ons = registers["LOC_CODE"].map(ctx.sub_icb_ods)
    expected = registers.assign(area_code=ons).groupby(["GROUP_CODE", "area_code"])["REGISTER"]
    expected = expected.sum()
    for indicator_id, group in qof_prevalence.GROUPS.items():
        rows = obs.query(
            f"indicator_id == '{indicator_id}' and period == '2024-25' and level == 'sub_icb'"
        ).set_index("area_code")["numerator"]
        assert rows.sort_index().to_dict() == expected.loc[group].sort_index().to_dict()


def test_smi_by_local_authority_counts_the_practices_in_it(obs, registers, raw_dir):
    lsoa = pd.read_csv(raw_dir / LSOA_LTLA, usecols=["lsoa21_code", "ltla24_code"])
    lsoa = lsoa.drop_duplicates("lsoa21_code")
    located = registers.merge(lsoa, left_on="PRAC_LSOA21", right_on="lsoa21_code", how="left")
    sandwell = located.loc[(located["ltla24_code"] == SANDWELL) & (located["GROUP_CODE"] == "MH")]
    assert len(sandwell) > 30
    row = _one(obs, indicator_id="smi_prevalence", level="ltla", area_code=SANDWELL)
    assert row["period"] == "2024-25" and row["vintage"] == "ltla-2024"
    assert row["numerator"] == sandwell["REGISTER"].sum()
    assert row["denominator"] == sandwell["PRACTICE_LIST_SIZE"].sum()
    utla = _one(obs, indicator_id="smi_prevalence", level="utla", area_code=SANDWELL)
    assert utla["numerator"] == row["numerator"]  # a metropolitan district is its own county
    ltla = obs.query("indicator_id == 'smi_prevalence' and level == 'ltla'")
    placed = located.loc[located["GROUP_CODE"].eq("MH") & located["ltla24_code"].notna()]
    assert ltla["numerator"].sum() == placed["REGISTER"].sum()


def test_depression_for_counties_counts_the_practices_standing_in_them(obs, registers, raw_dir):
    """Counties had no depression figure (issue 13 item 11); districts keep OHID's own."""
    lookup = pd.read_csv(raw_dir / LSOA_LTLA, usecols=["lsoa21_code", "ltla24_code"])
    lookup = lookup.drop_duplicates("lsoa21_code")
    located = registers.merge(lookup, left_on="PRAC_LSOA21", right_on="lsoa21_code", how="left")
    sandwell = located.loc[(located["ltla24_code"] == SANDWELL) & (located["GROUP_CODE"] == "DEP")]
    county = _one(obs, indicator_id="depression_prevalence", level="utla", area_code=SANDWELL)
    assert county["period"] == "2024-25" and county["vintage"] == "utla-2023"
    assert county["numerator"] == sandwell["REGISTER"].sum() > 30_000
    assert county["denominator"] == sandwell["PRACTICE_LIST_SIZE"].sum()
    # OHID publishes Sandwell district at 11.3%
    assert 11.2 < 100 * county["numerator"] / county["denominator"] < 11.4
    assert (
        obs.query("indicator_id == 'depression_prevalence' and level == 'utla'")[
            "area_code"
        ].nunique()
        > 140
    )


def test_practices_of_each_year_are_on_their_own_vintage(ctx, obs):
    practice = obs.loc[obs["level"] == "practice"]
    by_period = practice.groupby("period")["vintage"].unique().to_dict()
    assert {p: list(v) for p, v in by_period.items()} == {
        "2022-23": ["practice-2022-23"],
        "2024-25": ["practice-2024-25"],
    }
    latest = practice.loc[practice["period"] == "2024-25"]
    assert latest.groupby("indicator_id")["area_code"].nunique().to_dict() == {
        "depression_prevalence": 6188,
        "smi_prevalence": 6188,
    }
    sizes = practice_profile.build(ctx)
    sizes = sizes.loc[(sizes["indicator_id"] == "list_size") & (sizes["level"] == "practice")]
    assert sizes.groupby("period")["area_code"].nunique().to_dict() == {
        "2022-23": 6378,
        "2024-25": 6188,
    }
    a81001 = _one(sizes, area_code="A81001", period="2024-25")
    assert a81001["value"] == 3904 and a81001["vintage"] == "practice-2024-25"


def test_practice_areas_of_2024_25_hold_every_practice_with_a_value(ctx, obs):
    areas = geography.practice_areas_2024_25(ctx.tables, ctx.hierarchy)
    assert len(areas) == 6188 and areas["area_code"].is_unique
    assert set(areas["vintage"]) == {"practice-2024-25"}
    latest = obs.loc[(obs["level"] == "practice") & (obs["period"] == "2024-25")]
    assert set(latest["area_code"]) == set(areas["area_code"])
    unplaced = areas.loc[areas["parent_sub_icb"].isna(), "area_code"]
    assert sorted(unplaced) == UNPLACED
    cape_hill = _one(areas, area_code="M88006")
    assert cape_hill["parent_sub_icb"] == BLACK_COUNTRY_SUB_ICB[0]
    assert cape_hill["parent_icb"] == BLACK_COUNTRY_ICB and cape_hill["parent_ltla"] == SANDWELL
    assert cape_hill["area_name"] == "Cape Hill Medical Centre"
    assert _one(areas, area_code="Y08371")["area_name"] == "Beam Park Medical Practice"


def test_practice_imd_2025_for_the_practices_of_2024_25(ctx):
    frame = deprivation_family.build(ctx)
    imd = frame.loc[
        (frame["indicator_id"] == "practice_imd_score") & (frame["level"] == "practice")
    ]
    latest = imd.loc[imd["period"] == "IMD 2025"]
    assert len(latest) >= 6000 and latest["area_code"].is_unique
    assert set(latest["vintage"]) == {"practice-2024-25"}
    assert _one(latest, area_code="A81001")["value"] == pytest.approx(33.519)
