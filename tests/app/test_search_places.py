"""Search by place: a ward's name finds the councils and sub-ICB location it lies in.

"West Bromwich" is no council's name and no LSOA's; it is a ward of Sandwell (West Bromwich
Central, 8 LSOAs 2021, all in NHS Black Country). The atlas carries each LSOA's ward.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from gapmap import places, search, state
from gapmap.atlas import Atlas

SANDWELL, BLACK_COUNTRY, SOLIHULL = "E08000028", "E38000259", "E08000029"


def test_a_ward_name_finds_its_councils_first_then_its_sub_icb(atlas):
    found = search.choices(atlas, "West Bromwich")
    assert [(c.level, c.code) for c in found] == [
        ("ltla", SANDWELL),
        ("utla", SANDWELL),
        ("sub_icb", BLACK_COUNTRY),
    ]
    assert found[0].label.startswith("West Bromwich Central (ward) — Sandwell (E08000028")
    assert "(ward) — NHS Black Country" in found[2].label
    assert len({c.key for c in found}) == len(found)


def test_every_place_result_opens_its_area(atlas):
    for text in ("West Bromwich", "Bromwich", "Castle Bromwich"):
        for choice in search.choices(atlas, text):
            start = state.Selection("sub_icb", "tt_gap_ratio_modelled", "Jul 2022 - May 2023")
            moved = state.with_level(atlas, start, choice.level)
            picked = state.with_area(atlas, moved, choice.code)
            assert picked.area == choice.code, choice.label
            assert state.area_in_view(atlas, picked, choice.code), choice.label


def test_a_name_shared_by_wards_of_two_councils_finds_both_each_once(atlas):
    found = atlas.search("Bromwich")
    assert not found.duplicated(["area_code", "level"]).any()
    councils = found.loc[found["level"] == "ltla"]
    assert set(councils["area_code"]) == {SANDWELL, SOLIHULL}  # West and Castle Bromwich
    levels = list(found["level"])
    assert levels.index("sub_icb") > max(i for i, lv in enumerate(levels) if lv == "utla")


def test_a_direct_match_is_not_repeated_or_relabelled_by_a_ward(atlas):
    found = atlas.search("Sandwell")
    direct = found.loc[(found["area_code"] == SANDWELL) & (found["level"] == "ltla")]
    assert len(direct) == 1 and pd.isna(direct["via"].iloc[0])


def _areas(with_wards: bool = True) -> pd.DataFrame:
    rows = [
        # area_code, area_name, level, vintage, parent_ltla, parent_utla, parent_sub_icb, ward
        ("L1", "Oakshire District", "ltla", "ltla-2024", None, None, None, None),
        ("L2", "Elmford", "ltla", "ltla-2024", None, None, None, None),
        ("U1", "Oakshire", "utla", "utla-2023", None, None, None, None),
        ("S1", "NHS Oak", "sub_icb", "sub_icb-2023", None, None, None, None),
        ("a1", "Oak 001A", "lsoa", "lsoa-2021", "L1", "U1", "S1", "Riverside East"),
        ("a2", "Oak 001B", "lsoa", "lsoa-2021", "L2", "U1", "S1", "Riverside East"),
        ("a3", "Oak 002A", "lsoa", "lsoa-2021", "L1", "U1", "S1", "Riverside"),
    ]
    columns = ["area_code", "area_name", "level", "vintage"]
    columns += ["parent_ltla", "parent_utla", "parent_sub_icb", "ward_name"]
    frame = pd.DataFrame(rows, columns=columns).astype("string")
    frame["ward_code"] = frame["ward_name"]
    return frame if with_wards else frame.drop(columns=["ward_name", "ward_code"])


def test_a_ward_across_two_districts_leads_to_both_and_an_exact_ward_comes_first():
    found = places.ward_areas(_areas(), "riverside")
    assert sorted(zip(found["level"], found["area_code"], strict=True)) == [
        ("ltla", "L1"),
        ("ltla", "L2"),
        ("sub_icb", "S1"),
        ("utla", "U1"),
    ]
    via = dict(zip(found["area_code"], found["via"], strict=True))
    assert via["L1"] == "Riverside (ward)"  # the exact name, not "Riverside East"
    assert via["L2"] == "Riverside East (ward)"


def test_no_wards_or_a_short_query_finds_no_places():
    assert places.ward_areas(_areas(with_wards=False), "riverside").empty
    assert places.ward_areas(_areas(), "ri").empty
    assert places.ward_areas(_areas(), "nowhere").empty


def test_an_atlas_without_wards_still_searches_by_name():
    areas = _areas(with_wards=False).assign(ods_code=pd.NA, postcode=pd.NA)
    atlas = Atlas(areas=areas, values=pd.DataFrame(), indicators=pd.DataFrame(), manifest={})
    assert list(atlas.search("Elmford")["area_code"]) == ["L2"]


def test_my_area_search_by_ward_opens_the_council():
    root = Path(__file__).resolve().parents[2]
    app = AppTest.from_file(str(root / "dashboard.py"), default_timeout=60)
    app.run()
    app.switch_page(str(root / "app_pages/my_area.py"))
    app.run()
    app.text_input[0].input("West Bromwich").run()
    labels = [b.label for b in app.button]
    assert any(label.startswith("West Bromwich Central (ward) — Sandwell") for label in labels)
    next(b for b in app.button if "Sandwell (E08000028" in b.label).click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [box.value for box in app.sidebar.selectbox][-1] == SANDWELL
