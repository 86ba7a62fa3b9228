"""The Neighbourhoods page's logic: indicators, colours, search, framing, profile, table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gapmap import neighbourhoods as nb
from gapmap import palette, state
from gapmap.atlas import Atlas
from gapmap.maps import classify, colouring
from gapmap.maps.classes import decile_entries
from gapmap.wording import number_format
from methods.disclosure import THRESHOLD

ROOT = Path(__file__).resolve().parents[2]
SANDWELL = "E08000028"
DUDLEY_010A = "E01009891"
ENGLAND_BOUNDS = (-6.38, 49.88, 1.76, 55.81)


def tiny_atlas() -> Atlas:
    """Two neighbourhoods and one indicator the committed atlas does not have yet."""
    areas = pd.DataFrame(
        {
            "area_code": ["E01000001", "E01000002", "E09000001"],
            "area_name": ["City 001A", "City 001B", "City of London"],
            "level": ["lsoa", "lsoa", "ltla"],
            "vintage": ["lsoa-2021", "lsoa-2021", "ltla-2024"],
            "parent_ltla": ["E09000001", "E09000001", None],
        }
    )
    values = pd.DataFrame(
        {
            "indicator_id": ["antidepressant_items_per_1000"] * 2,
            "area_code": ["E01000001", "E01000002"],
            "level": ["lsoa"] * 2,
            "vintage": ["lsoa-2021"] * 2,
            "period": ["2025 Q1-Q2"] * 2,
            "value": [120.0, None],
            "lower_95": [110.0, None],
            "upper_95": [130.0, None],
            "numerator": [None, None],
            "denominator": [None, None],
            "comparison": ["higher", "not_compared"],
            "suppressed": [False, True],
            "note": [None, "Suppressed: fewer than 8 people or events."],
        }
    )
    indicators = pd.DataFrame(
        {
            "id": ["antidepressant_items_per_1000"],
            "name": ["Antidepressant items per 1,000 patients"],
            "short_name": ["Antidepressant items"],
            "unit": ["per 1,000"],
            "polarity": ["neutral"],
            "statistic": ["rate"],
            "levels": ["lsoa"],
            "periods": [json.dumps({"lsoa": ["2025 Q1-Q2"]})],
        }
    ).set_index("id", drop=False)
    return Atlas(areas, values, indicators, {})


def test_the_picker_offers_whatever_the_atlas_holds_for_neighbourhoods(atlas):
    assert nb.indicator_choices(atlas) == atlas.indicator_ids("lsoa")
    assert {"imd_score", "imd_decile", "mh_need_score"} <= set(nb.indicator_choices(atlas))
    tiny = tiny_atlas()
    assert nb.indicator_choices(tiny) == ["antidepressant_items_per_1000"]
    assert nb.chosen_indicator(tiny, "imd_score") == "antidepressant_items_per_1000"
    assert nb.chosen_indicator(atlas, "imd_score") == "imd_score"
    assert nb.chosen_indicator(atlas, "<script>") == nb.indicator_choices(atlas)[0]


def test_blank_and_suppressed_neighbourhoods_are_grey_and_say_why():
    shaded = nb.shading(tiny_atlas(), "antidepressant_items_per_1000")
    colours = shaded.rgba(["E01000001", "E01000002", "E01999999"])
    grey = list(int(palette.NO_DATA[i : i + 2], 16) for i in (1, 3, 5))
    assert list(colours[1][:3]) == grey == list(colours[2][:3])
    assert list(colours[0][:3]) != grey and set(colours[:, 3]) == {255}
    assert shaded.hover_text(["E01000001", "E01000002", "E01999999"]) == [
        "120.0 per 1,000 (higher than England)",
        "suppressed",
        "no data",
    ]


def test_deciles_colour_as_the_inequalities_drill_down_does(atlas):
    meta = atlas.indicator("imd_decile")
    assert colouring(meta) == "decile"
    shaded = nb.shading(atlas, "imd_decile")
    assert shaded.classes.legend[:10] == decile_entries()
    table = shaded.table.set_index("area_code")
    for code in table.index[:50]:
        assert shaded.classes.fill[code] == palette.deprivation_colour(table.at[code, "value"])


def test_value_maps_use_the_same_classes_as_every_other_map(atlas):
    shaded = nb.shading(atlas, "imd_score")
    again = classify(shaded.table, atlas.indicator("imd_score"), colour_by="value")
    assert shaded.classes == again
    assert len(shaded.classes.fill) == 33_755


def test_the_map_frames_england_and_small_areas_sensibly():
    england = nb.view_state(ENGLAND_BOUNDS)
    assert 4.5 < england["zoom"] < 6 and england["longitude"] == pytest.approx(-2.31)
    tiny = nb.view_state((-2.0, 52.5, -1.9999, 52.5001))
    assert tiny["zoom"] == 14.0  # never closer than street level
    half = nb.view_state(ENGLAND_BOUNDS, size=(nb.MAP_SIZE[0] // 2, nb.MAP_SIZE[1] // 2))
    assert half["zoom"] == pytest.approx(england["zoom"] - 1, abs=0.02)
    assert not any(math.isnan(v) for v in england.values())


def test_search_finds_neighbourhoods_councils_and_postcode_districts(atlas):
    by_code = nb.choices(atlas, DUDLEY_010A.lower())
    assert (by_code[0].level, by_code[0].code) == ("lsoa", DUDLEY_010A)
    by_name = nb.choices(atlas, "Sandwell")
    assert (by_name[0].level, by_name[0].code) == ("ltla", SANDWELL)
    assert sum(c.level == "lsoa" for c in by_name) == nb.MOST_FOUND
    by_district = nb.choices(atlas, "B70")
    assert ("ltla", SANDWELL) in {(c.level, c.code) for c in by_district}
    assert all(c.level in (*nb.CONTAINING, "lsoa") for c in by_district)
    assert nb.choices(atlas, "(") == [] and nb.choices(atlas, "a[") == []


def test_the_profile_names_its_areas_and_reads_without_blanks(atlas):
    found = nb.profile(atlas, DUDLEY_010A)
    assert found.name == "Dudley 010A"
    named = [(word, p.level, p.code) for word, p in found.parents]
    assert named[0] == ("local authority", "ltla", "E08000027")
    assert ("sub-ICB location", "sub_icb", "E38000259") in named
    assert not any(level == "utla" for _, level, _ in named)  # Dudley is its own county
    lines = "\n".join(found.lines())
    assert "IMD decile** (IoD2025): decile 2" in lines
    assert "higher than England (16\\.9%)" in lines
    assert not any(word in lines for word in ("None", "nan", "<NA>"))
    assert nb.profile(atlas, "E01999999") is None and nb.profile(atlas, None) is None


def test_the_toggle_limits_the_map_to_the_sidebar_area_or_the_neighbourhoods_council(atlas):
    sandwell, _ = state.resolve(atlas, {"level": "ltla", "area": SANDWELL})
    assert nb.home_area(atlas, sandwell, DUDLEY_010A).name == "Sandwell"
    default, _ = state.resolve(atlas, {})
    assert nb.home_area(atlas, default, DUDLEY_010A).code == "E08000027"
    assert nb.home_area(atlas, default, None) is None
    london, _ = state.resolve(atlas, {"level": "region", "area": "E40000003"})
    assert nb.home_area(atlas, london, None) is None  # regions hold no linked neighbourhoods
    inside = nb.codes_in(atlas, nb.home_area(atlas, sandwell, None))
    assert len(inside) == 190 and all(c.startswith("E01") for c in inside)
    assert len(nb.codes_in(atlas, None)) == 33_755
    assert nb.count_text(33_755, None) == "33,755 neighbourhoods drawn in England"
    one = nb.count_text(1, nb.place(atlas, "ltla", SANDWELL))
    assert one == "1 neighbourhood drawn in Sandwell"


def test_the_table_holds_the_atlas_figures_in_the_apps_number_format(atlas):
    shaded = nb.shading(atlas, "cmd_prevalence_modelled")
    shown = nb.table(atlas, shaded)
    assert len(shown) == 33_755 and shown["Local authority"].ne("").all()
    fmt = number_format(atlas.indicator("cmd_prevalence_modelled"))
    row = shaded.table.set_index("area_code").loc[DUDLEY_010A]
    mine = shown.set_index("LSOA code").loc[DUDLEY_010A]
    assert mine["Value (%)"] == fmt.rounded(row["value"])
    assert mine["Compared with England"] == "Higher than England"
    sandwell = nb.codes_in(atlas, nb.place(atlas, "ltla", SANDWELL))
    assert set(nb.table(atlas, shaded, sandwell)["LSOA code"]) == set(sandwell)
    csv = nb.download(shaded, shown.head(3))
    assert list(csv.columns[:2]) == ["Indicator", "Period"]


@pytest.mark.usefixtures("fresh_caches")
def test_the_page_keeps_its_neighbourhood_in_the_link_beside_the_sidebar():
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    app.query_params.update({"level": "ltla", "area": SANDWELL, "lsoa": DUDLEY_010A})
    app.run()
    app.switch_page(str(ROOT / "app_pages" / "neighbourhoods.py"))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.query_params["lsoa"] in (DUDLEY_010A, [DUDLEY_010A])
    assert app.query_params["area"] in (SANDWELL, [SANDWELL])
    text = " ".join(m.value for m in app.markdown)
    assert "33,755 neighbourhoods drawn in England" in text
    assert "Dudley 010A (E01009891)" in " ".join(h.value for h in app.subheader)
    assert app.toggle[0].label == "Show only the neighbourhoods in Sandwell"


def neighbourhoods(query: dict) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    app.query_params.update(query)
    app.run()
    app.switch_page(str(ROOT / "app_pages" / "neighbourhoods.py"))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.usefixtures("fresh_caches")
def test_picking_an_indicator_recolours_the_map_and_goes_in_the_link():
    app = neighbourhoods({})
    picker = next(s for s in app.selectbox if s.label == "Neighbourhood indicator")
    picker.select("imd_decile").run()
    assert not app.exception
    assert app.query_params["lsoa_indicator"] in ("imd_decile", ["imd_decile"])
    text = " ".join(m.value for m in app.markdown)
    assert "coloured by IMD decile (IoD2025)" in text


@pytest.mark.usefixtures("fresh_caches")
def test_a_link_to_no_neighbourhood_says_so_and_is_dropped():
    app = neighbourhoods({"lsoa": "<script>alert(1)</script>"})
    messages = " ".join(i.value for i in app.info)
    assert "not a neighbourhood in England" in messages and "<script>" not in messages
    assert "lsoa" not in app.query_params


def test_the_table_never_shows_a_count_the_small_numbers_rule_hides(atlas):
    for indicator in nb.indicator_choices(atlas):
        shown = nb.table(atlas, nb.shading(atlas, indicator))
        for column in ("Numerator", "Denominator", "Observed"):
            if column in shown:
                counts = pd.to_numeric(shown[column], errors="coerce")
                assert not counts.between(1, THRESHOLD - 1).any(), (indicator, column)
