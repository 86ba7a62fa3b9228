import pytest

from gapmap import state
from gapmap.atlas import Atlas


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def test_empty_query_gives_the_default_view(atlas):
    selection, messages = state.resolve(atlas, {})
    assert selection.level == "sub_icb" and selection.indicator == "tt_gap_ratio"
    assert selection.period == atlas.periods("tt_gap_ratio", "sub_icb")[-1]
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
