"""QOF 2024-25 in the app: the newest period offered, and practices listed for two QOF years.

These read the atlas rebuilt with the QOF 2024-25 practice file (an atlas built before it has
2022-23 only, and fails the first test).
"""

from __future__ import annotations

from gapmap import search, state

BLACK_COUNTRY = "E38000259"
#: Parker Drive Surgery, Leicester: in QOF 2024-25 but not in QOF 2022-23's practice mapping.
NEW_PRACTICE = "C82018"


def test_the_newest_depression_period_at_sub_icb_is_2024_25(atlas):
    assert atlas.periods("depression_prevalence", "sub_icb")[-2:] == ["2022-23", "2024-25"]
    selection, messages = state.resolve(
        atlas, {"level": "sub_icb", "indicator": "depression_prevalence"}
    )
    assert selection.period == "2024-25" and messages == []
    table = atlas.table("depression_prevalence", "sub_icb", "2024-25")
    assert len(table) == 106 and table["value"].notna().all()


def test_a_practice_of_one_qof_year_only_is_found_once(atlas):
    vintages = atlas.areas.loc[atlas.areas["area_code"] == NEW_PRACTICE, "vintage"]
    assert list(vintages) == ["practice-2024-25"]
    (choice,) = search.choices(atlas, NEW_PRACTICE)
    assert choice.level == "sub_icb" and choice.key.endswith("practice-2024-25")
    assert "Parker Drive Surgery" in choice.label


def test_an_area_lists_each_of_its_practices_once(atlas):
    practices = atlas.within(BLACK_COUNTRY, "sub_icb", "practice")
    assert practices["area_code"].is_unique
    areas = atlas.areas.loc[atlas.areas["level"] == "practice"]
    everyone = areas.loc[areas["parent_sub_icb"] == BLACK_COUNTRY]
    assert set(practices["area_code"]) == set(everyone["area_code"])
    newest = everyone["vintage"] == "practice-2024-25"
    assert (practices["vintage"] == "practice-2024-25").sum() == newest.sum() > 150
