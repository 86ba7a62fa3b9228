"""A council's NHS figures: the sub-ICB locations it lies in, each named with what it includes.

Sandwell (district E08000028) lies wholly in NHS Black Country (sub-ICB E38000259), with
Dudley, Walsall and Wolverhampton. Buckinghamshire (county/UA E06000060) lies in two.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gapmap import nhs_cover
from gapmap.wording import and_list

SANDWELL, BLACK_COUNTRY, BUCKINGHAMSHIRE = "E08000028", "E38000259", "E06000060"
LABEL = "NHS Black Country, which includes Sandwell, Dudley, Walsall and Wolverhampton"


@pytest.mark.parametrize("level", ["ltla", "utla"])
def test_sandwell_lies_wholly_in_black_country(atlas, level):
    (area,) = nhs_cover.containing(atlas, SANDWELL, level)
    assert (area.code, area.share) == (BLACK_COUNTRY, 1.0)
    assert area.label == LABEL
    assert nhs_cover.spread_sentence(atlas, SANDWELL, level) == (
        "Sandwell lies wholly in NHS Black Country."
    )


def test_a_council_across_two_nhs_areas_says_so_with_the_shares(atlas):
    areas = nhs_cover.containing(atlas, BUCKINGHAMSHIRE, "utla")
    assert len(areas) == 2 and areas[0].share > areas[1].share
    assert sum(a.share for a in areas) == pytest.approx(1.0)
    # The Buckinghamshire sub-ICB shares its ICB's name with two others: its code stays.
    assert areas[0].name.endswith("ICB - 14Y")
    assert "part of Buckinghamshire" in areas[1].label
    sentence = nhs_cover.spread_sentence(atlas, BUCKINGHAMSHIRE, "utla")
    assert sentence.startswith("Buckinghamshire lies in two NHS areas")
    assert "not for Buckinghamshire" in sentence


def test_the_nhs_figures_are_those_the_council_has_none_of(atlas):
    figures = nhs_cover.nhs_figures(atlas, SANDWELL, "ltla")
    own = set(atlas.profile(SANDWELL, "ltla")["indicator_id"])
    assert {"tt_gap_ratio_modelled", "tt_access_rate", "mhsds_in_contact_rate"} <= set(
        figures["indicator_id"]
    )
    assert not (set(figures["indicator_id"]) & own)  # Sandwell's own figures stay its own
    assert set(figures["area_code"]) == {BLACK_COUNTRY} and set(figures["nhs_area"]) == {LABEL}
    ratio = figures.set_index("indicator_id").loc["tt_gap_ratio_modelled"]
    black_country = atlas.profile(BLACK_COUNTRY, "sub_icb").set_index("indicator_id")
    assert ratio["value"] == black_country.loc["tt_gap_ratio_modelled", "value"]


def test_the_paragraphs_speak_of_the_nhs_area_never_of_the_council(atlas):
    text = nhs_cover.paragraphs(atlas, SANDWELL, "ltla")
    assert text[1] == f"**{LABEL}.**"
    findings = " ".join(text[2:])
    assert "in NHS Black Country (" in findings and "in Sandwell (" not in findings


def test_nhs_areas_and_practices_have_no_nhs_area_of_this_kind(atlas):
    assert nhs_cover.containing(atlas, BLACK_COUNTRY, "sub_icb") == []
    assert nhs_cover.paragraphs(atlas, BLACK_COUNTRY, "sub_icb") == []
    assert nhs_cover.nhs_figures(atlas, "E99999999", "ltla").empty


def test_a_long_list_of_councils_is_cut_with_a_count():
    area = nhs_cover.NhsArea("S1", "NHS Oak", 1.0, tuple(f"C{i}" for i in range(9)), ("P",))
    assert area.label == "NHS Oak, which includes C0, C1, C2, C3, C4 and five other councils"


def test_short_names_drop_the_ods_code_only_where_still_unique():
    names = pd.Series(["NHS Oak ICB - 01A", "NHS Elm ICB - 02B", "NHS Elm ICB - 03C"])
    assert list(nhs_cover.short_names(names)) == ["NHS Oak", *names[1:]]


def test_and_list_reads_as_a_sentence():
    assert and_list([]) == "" and and_list(["A"]) == "A"
    assert and_list(["A", "B"]) == "A and B" and and_list(["A", "B", "C"]) == "A, B and C"


def test_my_area_shows_sandwells_nhs_area_by_its_label():
    root = Path(__file__).resolve().parents[2]
    app = AppTest.from_file(str(root / "dashboard.py"), default_timeout=60)
    query = {"level": "ltla", "indicator": "depression_prevalence", "period": "2022-23"}
    for key, value in {**query, "area": SANDWELL}.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(str(root / "app_pages/my_area.py"))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "From the NHS area" in [h.value for h in app.subheader]
    text = " ".join(m.value for m in app.markdown)
    assert f"**{LABEL}.**" in text
