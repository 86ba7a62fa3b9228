import shutil

import pytest

from gapmap.atlas import ATLAS_DIR, Atlas, AtlasUnavailable
from gapmap.periods import ordered


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def test_missing_or_corrupt_atlas_says_what_to_run(tmp_path):
    with pytest.raises(AtlasUnavailable, match="python -m data_pipeline build"):
        Atlas.load(tmp_path)
    shutil.copytree(ATLAS_DIR, tmp_path / "atlas")
    (tmp_path / "atlas" / "values.parquet").write_bytes(b"not parquet")
    with pytest.raises(AtlasUnavailable, match="python -m data_pipeline build"):
        Atlas.load(tmp_path / "atlas")


def test_periods_are_chronological():
    assert ordered(["2019-20", "2016-04", "Jul 2022 - May 2023", "2014-15", "2016-17"]) == [
        "2014-15",
        "2016-04",
        "2016-17",
        "2019-20",
        "Jul 2022 - May 2023",
    ]


def test_table_has_every_area_of_the_level_with_names(atlas):
    table = atlas.table("tt_gap_ratio", "sub_icb", "Jul 2022 - May 2023")
    assert len(table) == 106 and table["area_name"].notna().all()
    assert atlas.vintage("tt_gap_ratio", "sub_icb", "Jul 2022 - May 2023") == "sub_icb-2023"
    assert atlas.england("tt_gap_ratio", "Jul 2022 - May 2023")["value"] == pytest.approx(1)


def test_ccg_periods_join_their_own_vintage(atlas):
    assert atlas.vintage("depression_prevalence", "ccg", "2018-19") == "ccg-2019"
    assert atlas.vintage("depression_prevalence", "ccg", "2019-20") == "ccg-2020"
    # IMD 2019 is one period, given on each CCG set, so every CCG period finds it.
    assert atlas.period_on("imd_score", "ccg", "ccg-2020") == "IoD2019"
    assert len(atlas.table("imd_score", "ccg", "IoD2019", "ccg-2020")) == 135


def test_search_by_name_code_practice_and_postcode_district(atlas):
    assert "E08000028" in set(atlas.search("Sandwell")["area_code"])
    assert atlas.search("e38000259").iloc[0]["area_code"] == "E38000259"
    by_district = atlas.search("B70")
    # the practices there, after the council and sub-ICB location they are in
    assert list(by_district["level"][:3]) == ["ltla", "utla", "sub_icb"]
    assert (by_district["level"][3:] == "practice").all()
    assert atlas.search("x")["area_code"].tolist() == []  # too short to search
    assert atlas.search(".*")["area_code"].tolist() == []  # no regular expressions


def test_drill_down_inside_sandwell(atlas):
    assert len(atlas.within("E08000028", "ltla", "lsoa")) == 190
    lsoas = atlas.within("E38000259", "sub_icb", "lsoa")
    shapes = atlas.lsoa_shapes(list(lsoas["area_code"]))
    assert len(shapes) == len(lsoas) == 723
    assert len(atlas.within("E38000259", "sub_icb", "practice")) == 181


def test_profile_has_latest_values_and_england(atlas):
    profile = atlas.profile("E38000259", "sub_icb").set_index("indicator_id")
    gap = profile.loc["tt_gap_ratio"]
    assert gap["period"] == "Jul 2022 - May 2023" and round(gap["value"], 2) == 1.02
    # inside the overdispersion-adjusted limits, so similar to England
    assert gap["comparison"] == "similar" and gap["england_value"] == pytest.approx(1)
    access = profile.loc["tt_access_rate"]
    assert access["comparison"] == "worse" and access["value"] < access["england_value"]
    # recorded prevalence is neutral: higher or lower, never better or worse
    assert profile.loc["depression_prevalence", "comparison"] == "higher"
