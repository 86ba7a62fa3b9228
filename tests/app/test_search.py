"""Search results as choices: a practice selects its sub-ICB location, labels are inert."""

from __future__ import annotations

from gapmap import search
from gapmap.wording import escape_md


def test_a_practice_selects_its_sub_icb_location(atlas):
    (choice,) = search.choices(atlas, "M88006")
    assert (choice.level, choice.code) == ("sub_icb", "E38000259")
    assert "Cape Hill Medical Centre" in choice.label and "→ NHS Black Country" in choice.label
    # Listed for each QOF year it is in, the practice is offered once, on its newest year.
    vintages = atlas.areas.loc[atlas.areas["area_code"] == "M88006", "vintage"]
    assert choice.key == f"pick-practice-M88006-{max(vintages)}"


def test_an_area_selects_itself_with_its_kind_in_an_escaped_label(atlas):
    found = search.choices(atlas, "Sandwell")
    district = next(c for c in found if c.level == "ltla")
    assert district.code == "E08000028"
    assert district.label == escape_md("Sandwell (E08000028, Local authority (district))")
    assert len({c.key for c in found}) == len(found)


def test_a_label_from_data_is_made_inert(atlas):
    class Row:
        level, area_code, area_name = "ltla", "E1", "*Bold* [link](x)"

    assert search.level_of_result(atlas, Row())[2] == escape_md(
        "*Bold* [link](x) (E1, Local authority (district))"
    )
    assert "\\*Bold\\*" in search.level_of_result(atlas, Row())[2]


def test_nothing_found_is_an_empty_list(atlas):
    assert search.choices(atlas, "zzqx") == []


def test_each_area_is_listed_once_councils_first(atlas):
    found = atlas.search("Sandwell")
    assert not found.duplicated(["area_code", "level"]).any()
    assert list(found["level"])[:2] == ["ltla", "utla"]
    ccg = found.loc[found["area_code"] == "E38000144"]
    assert list(ccg["vintage"]) == ["ccg-2020"]  # its newest map


def test_a_postcode_district_finds_the_council_and_nhs_area_it_is_in(atlas):
    found = atlas.search("B70")
    assert list(found["area_code"])[:3] == ["E08000028", "E08000028", "E38000259"]
    assert (found["level"] == "practice").sum() >= 5


def test_picking_a_former_ccg_moves_to_a_period_whose_map_has_it(atlas):
    from gapmap import state

    ccg = state.with_level(
        atlas, state.Selection("sub_icb", "tt_gap_ratio_modelled", "Jul 2022 - May 2023"), "ccg"
    )
    assert not state.area_in_view(atlas, ccg, "E38000144")
    picked = state.with_area(atlas, ccg, "E38000144")
    assert picked.area == "E38000144" and state.area_in_view(atlas, picked, "E38000144")
    assert picked.period == "2020-21"
    assert state.with_area(atlas, ccg, "E00000000") == ccg


def test_practice_names_read_as_written(atlas):
    names = atlas.areas.loc[atlas.areas["level"] == "practice", "area_name"]
    assert not names.str.contains(r"[a-z]'S\b", regex=True).any()
    assert "St Paul's Medical Practice" in set(names)


def test_a_primary_care_network_is_found_by_name_and_by_code(atlas):
    by_name = [c for c in search.choices(atlas, "Newcomen") if c.level == "pcn"]
    by_code = [c for c in search.choices(atlas, "u11746") if c.level == "pcn"]
    assert [c.code for c in by_name] == [c.code for c in by_code] == ["U11746"]
    assert by_code[0].label == escape_md("Swb Newcomen PCN (U11746, Primary care network (PCN))")


def test_a_primary_care_network_lists_its_practices(atlas):
    practices = atlas.within("U11746", "pcn", "practice")
    assert len(practices) >= 3 and practices["area_code"].is_unique
    assert set(practices["parent_pcn"]) == {"U11746"}
