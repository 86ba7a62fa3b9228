import pytest

from gapmap import state
from gapmap.atlas import Atlas


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def test_empty_query_gives_the_default_view(atlas):
    selection, messages = state.resolve(atlas, {})
    assert selection.level == "sub_icb" and selection.indicator == "tt_gap_ratio_modelled"
    assert selection.period == atlas.periods("tt_gap_ratio_modelled", "sub_icb")[-1]
    assert selection.basis == state.MODELLED
    assert selection.area is None and messages == []


def test_a_deep_link_is_restored_exactly(atlas):
    query = {
        "level": "ltla",
        "indicator": "depression_prevalence",
        "period": "2022-23",
        "area": "E08000028",
    }
    selection, messages = state.resolve(atlas, query)
    assert selection.to_query() == query and messages == []


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"level": "galaxy"}, "geography"),
        ({"indicator": "<script>alert(1)</script>"}, "indicator"),
        ({"period": "1066"}, "period"),
        ({"area": "E99999999"}, "area"),
        ({"level": "ltla", "indicator": "tt_access_rate"}, "indicator"),
    ],
)
def test_bad_parameters_fall_back_with_a_kind_message(atlas, query, fragment):
    selection, messages = state.resolve(atlas, query)
    assert len(messages) == 1 and fragment in messages[0]
    assert "<script>" not in messages[0]
    # the fallback is itself a valid view
    assert selection.indicator in atlas.indicator_ids(selection.level)
    assert selection.period in atlas.periods(selection.indicator, selection.level)


def test_list_values_and_hostile_text_are_handled(atlas):
    selection, messages = state.resolve(atlas, {"level": ["icb", "x"], "area": ['"onmouseover=']})
    assert selection.level == "icb"
    assert messages and '"' not in messages[0]


def test_changing_level_keeps_what_still_makes_sense(atlas):
    start, _ = state.resolve(
        atlas, {"level": "sub_icb", "indicator": "depression_prevalence", "area": "E38000259"}
    )
    moved = state.with_level(atlas, start, "ltla")
    assert moved.indicator == "depression_prevalence"
    assert moved.period == atlas.periods("depression_prevalence", "ltla")[-1]
    assert moved.area is None  # a sub-ICB code is not a district
    other = state.with_level(atlas, start, "utla")
    assert other.indicator in atlas.indicator_ids("utla")


def test_ccg_periods_switch_vintage_and_drop_areas_not_on_that_map(atlas):
    start, _ = state.resolve(
        atlas,
        {
            "level": "ccg",
            "indicator": "depression_prevalence",
            "period": "2018-19",
            "area": "E38000144",
        },
    )
    assert start.area == "E38000144"
    later = state.with_period(atlas, start, "2019-20")
    assert later.area == "E38000144"  # Sandwell and West Birmingham existed until 2021
    gone = state.with_indicator(atlas, start, "tt_referrals_rate")
    assert gone.period in atlas.periods("tt_referrals_rate", "ccg")


# ---------------------------------------------------------------------------- peer groups

SANDWELL_LINK = {
    "level": "ltla",
    "indicator": "depression_prevalence",
    "period": "2022-23",
    "area": "E08000028",
}
BLACK_COUNTRY_NEIGHBOURS = ("E08000027", "E08000030", "E08000031")  # Dudley, Walsall, Wolves


def test_similar_areas_are_the_default_and_stay_out_of_the_link(atlas):
    for query in (SANDWELL_LINK, {**SANDWELL_LINK, "peers": "similar"}):
        selection, messages = state.resolve(atlas, query)
        assert selection.peers is None and messages == []
        assert selection.to_query() == SANDWELL_LINK


def test_a_chosen_peer_list_round_trips_through_the_link(atlas):
    query = {**SANDWELL_LINK, "peers": ",".join(BLACK_COUNTRY_NEIGHBOURS)}
    selection, messages = state.resolve(atlas, query)
    assert selection.peers == BLACK_COUNTRY_NEIGHBOURS and messages == []
    assert selection.to_query() == query
    assert state.resolve(atlas, selection.to_query())[0] == selection
    # an empty choice is still a choice: it survives as "chosen"
    empty = state.with_peers(selection, [])
    assert empty.to_query()["peers"] == "chosen"
    assert state.resolve(atlas, empty.to_query())[0].peers == ()
    assert "peers" not in state.with_peers(selection, None).to_query()


def test_a_peer_list_is_tidied_kindly(atlas):
    query = {
        **SANDWELL_LINK,
        "peers": " e08000027 ,E08000030,E08000030,,E38000259,<script>alert(1)</script>",
    }
    selection, messages = state.resolve(atlas, query)
    assert selection.peers == ("E08000027", "E08000030")  # case, spaces and repeats forgiven
    assert len(messages) == 1 and "2 area codes not on this map" in messages[0]
    assert "E38000259" in messages[0] and "<script>" not in messages[0]
    assert selection.area == "E08000028"  # the rest of the link is untouched


def test_a_peer_list_holds_at_most_twenty_areas(atlas):
    districts = list(atlas.areas_at("ltla", "ltla-2024")["area_code"][:25])
    selection, messages = state.resolve(atlas, {**SANDWELL_LINK, "peers": ",".join(districts)})
    assert selection.peers == tuple(districts[: state.MAX_PEERS])
    assert any("at most 20" in m for m in messages)
    assert len(state.with_peers(selection, districts).peers) == state.MAX_PEERS
    hostile, _ = state.resolve(atlas, {**SANDWELL_LINK, "peers": "x," * 100_000})
    assert hostile.peers == ()


def test_chosen_peers_survive_level_and_period_changes_where_they_still_exist(atlas):
    selection, _ = state.resolve(
        atlas,
        {**SANDWELL_LINK, "peers": "E08000027,E07000234"},  # Dudley, Bromsgrove
    )
    counties = state.with_level(atlas, selection, "utla")
    assert counties.area == "E08000028"
    assert counties.peers == ("E08000027",)  # a metropolitan district is also upper tier
    nhs = state.with_level(atlas, selection, "sub_icb")
    assert nhs.peers == ()  # still the user's own (empty) list, not similar areas
    assert state.with_level(atlas, state.with_peers(selection, None), "icb").peers is None


def test_chosen_ccgs_are_dropped_when_a_period_moves_to_boundaries_without_them(atlas):
    old = set(atlas.areas_at("ccg", "ccg-2019")["area_code"])
    new = set(atlas.areas_at("ccg", "ccg-2020")["area_code"])
    kept, merged = sorted(old & new)[0], sorted(old - new)[0]
    start, messages = state.resolve(
        atlas,
        {
            "level": "ccg",
            "indicator": "depression_prevalence",
            "period": "2018-19",
            "peers": f"{kept},{merged}",
        },
    )
    assert start.peers == (kept, merged) and messages == []
    later = state.with_period(atlas, start, "2019-20")  # on the CCGs of April 2020
    assert later.peers == (kept,)
