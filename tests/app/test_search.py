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
