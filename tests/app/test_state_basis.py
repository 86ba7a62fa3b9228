"""The need basis in the selection and the link: modelled prevalence or recorded depression.

Run on the committed atlas (built before modelled need: the basis falls back quietly) and on
a copy with the modelled indicators added in the shape of the data contract.
"""

from __future__ import annotations

import pytest

from gapmap import state, view
from gapmap.atlas import Atlas
from tests.app.modelledkit import write_modelled_atlas, write_recorded_only_atlas

SUB_ICB = "sub_icb"
TT_PERIOD = "Jul 2022 - May 2023"
BLACK_COUNTRY = "E38000259"


@pytest.fixture(scope="module")
def modelled(tmp_path_factory) -> Atlas:
    return Atlas.load(write_modelled_atlas(tmp_path_factory.mktemp("modelled") / "atlas"))


@pytest.fixture(scope="module")
def recorded_only(tmp_path_factory) -> Atlas:
    return Atlas.load(write_recorded_only_atlas(tmp_path_factory.mktemp("old") / "atlas"))


def test_an_atlas_without_modelled_need_opens_on_recorded_need_and_keeps_links(recorded_only):
    atlas = recorded_only
    assert not state.basis_choice(atlas)
    selection, messages = state.resolve(atlas, {})
    assert selection.indicator == "tt_gap_ratio" and selection.basis == state.MODELLED
    assert "basis" not in selection.to_query() and messages == []
    assert state.gap_indicator(atlas, state.MODELLED) == "tt_gap_ratio"
    # the basis is irrelevant without a choice, so a gap link does not grow a basis
    linked, _ = state.resolve(atlas, {"indicator": "tt_gap_ratio", "area": BLACK_COUNTRY})
    assert "basis" not in linked.to_query()


def test_a_recorded_basis_link_round_trips(atlas, modelled):
    for data in (atlas, modelled):
        selection, messages = state.resolve(data, {"basis": "recorded"})
        assert selection.basis == state.RECORDED and messages == []
        assert selection.indicator == "tt_gap_ratio"
        assert selection.to_query()["basis"] == "recorded"
        assert state.resolve(data, selection.to_query())[0] == selection


def test_an_unknown_basis_falls_back_with_a_kind_message(modelled):
    selection, messages = state.resolve(modelled, {"basis": "<b>guess</b>"})
    assert selection.basis == state.MODELLED
    assert len(messages) == 1 and "need measured by" in messages[0] and "<b>" not in messages[0]


def test_modelled_need_is_the_default_where_the_atlas_has_it(modelled):
    assert state.basis_choice(modelled)
    selection, messages = state.resolve(modelled, {})
    assert selection.indicator == "tt_gap_ratio_modelled" and messages == []
    assert selection.basis == state.MODELLED and "basis" not in selection.to_query()


def test_switching_basis_switches_the_gap_indicator_and_the_link(modelled):
    start, _ = state.resolve(modelled, {"area": BLACK_COUNTRY})
    recorded = state.with_basis(modelled, start, state.RECORDED)
    assert recorded.indicator == "tt_gap_ratio" and recorded.area == BLACK_COUNTRY
    assert recorded.period == TT_PERIOD
    assert recorded.to_query() == {
        "level": SUB_ICB,
        "indicator": "tt_gap_ratio",
        "period": TT_PERIOD,
        "area": BLACK_COUNTRY,
        "basis": "recorded",
    }
    back = state.with_basis(modelled, recorded, state.MODELLED)
    assert back == start
    with pytest.raises(ValueError, match="basis"):
        state.with_basis(modelled, start, "guess")


def test_an_old_gap_link_keeps_its_indicator_and_the_basis_follows(modelled):
    selection, messages = state.resolve(modelled, {"indicator": "tt_gap_ratio"})
    assert selection.indicator == "tt_gap_ratio" and selection.basis == state.RECORDED
    assert messages == []
    chosen = state.with_indicator(modelled, selection, "tt_gap_ratio_modelled")
    assert chosen.basis == state.MODELLED


def test_other_indicators_stay_and_the_basis_survives_a_change_of_level(modelled):
    start, _ = state.resolve(modelled, {"indicator": "tt_referrals_rate"})
    recorded = state.with_basis(modelled, start, state.RECORDED)
    assert recorded.indicator == "tt_referrals_rate" and recorded.basis == state.RECORDED
    districts = state.with_level(modelled, recorded, "ltla")
    assert districts.basis == state.RECORDED
    assert state.with_level(modelled, districts, SUB_ICB).basis == state.RECORDED
    gap_back = state.with_level(
        modelled, state.with_indicator(modelled, districts, "imd_score"), "ccg"
    )
    assert gap_back.basis == state.RECORDED


def test_the_need_measure_follows_the_basis_and_the_catalogue(atlas, modelled):
    assert view.paired_need(modelled, "tt_referrals_rate") == "cmd_prevalence_modelled"
    assert view.paired_need(modelled, "tt_referrals_rate", state.RECORDED) == (
        "depression_prevalence"
    )
    assert view.paired_need(modelled, "tt_gap_ratio", state.MODELLED) == "depression_prevalence"
    assert view.paired_need(modelled, "cmd_prevalence_modelled") == "imd_score"
    assert view.paired_need(atlas, "depression_prevalence") == "imd_score"


def test_the_need_panel_is_drawn_on_the_basis(modelled):
    selection, _ = state.resolve(modelled, {"indicator": "tt_referrals_rate"})
    need = view.need_panel(modelled, view.resolve(modelled, selection))
    assert need is not None and need.indicator_id == "cmd_prevalence_modelled"
    recorded = state.with_basis(modelled, selection, state.RECORDED)
    need = view.need_panel(modelled, view.resolve(modelled, recorded))
    assert need is not None and need.indicator_id == "depression_prevalence"
