"""Inside the selected area: its neighbourhoods by deprivation and its GP practices."""

from __future__ import annotations

import pytest

from gapmap import drilldown, view
from gapmap.state import Selection

BLACK_COUNTRY = Selection("sub_icb", "tt_gap_ratio", "Jul 2022 - May 2023", "E38000259")


def test_the_layers_hold_the_area_s_neighbourhoods_and_practices(atlas):
    drill = drilldown.layers(atlas, view.resolve(atlas, BLACK_COUNTRY))
    lsoas = atlas.within(BLACK_COUNTRY.area, "sub_icb", "lsoa")
    assert set(drill.shapes["area_code"]) == set(lsoas["area_code"])
    assert drill.shapes["imd_decile"].between(1, 10).all()
    # The practices open in 2024-25: the area's practices less those closed or merged since.
    inside = drilldown.practice_codes(atlas, BLACK_COUNTRY)
    latest = set(atlas.table("depression_prevalence", "practice", "2024-25")["area_code"])
    assert set(drill.practices["area_code"]) == inside & latest
    assert len(inside) - len(drill.practices) == 10
    (feature,) = drill.outline["features"]
    assert feature["properties"]["area_code"] == BLACK_COUNTRY.area
    assert drill.practice_meta["id"] == "depression_prevalence"
    # The practices carry their latest values (QOF 2024-25), every one of them.
    assert drill.practice_period == "2024-25"
    assert drill.practices["value"].notna().all()


def test_the_summary_counts_what_the_map_shows(atlas):
    drill = drilldown.layers(atlas, view.resolve(atlas, BLACK_COUNTRY))
    most = int((drill.shapes["imd_decile"] == 1).sum())
    assert 0 < most == drill.most_deprived < len(drill.shapes)
    assert drill.summary() == (
        f"{len(drill.shapes)} neighbourhoods, {most} of them in England's most deprived "
        f"tenth (decile 1); {len(drill.practices)} GP practices (hover over one for its "
        "depression prevalence in 2024-25)."
    )


@pytest.mark.parametrize(
    "selection",
    [
        Selection("ccg", "tt_gap_ratio", "2019-20", "E38000006"),  # no LSOA link to CCGs
        Selection("sub_icb", "tt_gap_ratio", "Jul 2022 - May 2023"),  # no area
    ],
)
def test_no_layers_where_no_neighbourhoods_link(atlas, selection):
    assert drilldown.layers(atlas, view.resolve(atlas, selection)) is None
    assert drilldown.practice_codes(atlas, selection) == set()
