"""The view resolved once per run: what it holds, and the questions pages ask of it."""

from __future__ import annotations

import pandas as pd
import pytest

from gapmap import view
from gapmap.atlas import Atlas
from gapmap.state import Selection

GAP = "tt_gap_ratio"
TT_PERIOD = "Jul 2022 - May 2023"
BLACK_COUNTRY = "E38000259"
SANDWELL = "E08000028"


class Counting:
    """An atlas that counts the lookups made through it."""

    def __init__(self, atlas: Atlas) -> None:
        self._atlas = atlas
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str):
        found = getattr(self._atlas, name)
        if not callable(found):
            return found

        def counted(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            return found(*args, **kwargs)

        return counted


def test_resolve_looks_everything_up_once(atlas):
    counting = Counting(atlas)
    resolved = view.resolve(counting, Selection("sub_icb", GAP, TT_PERIOD, BLACK_COUNTRY))
    assert counting.calls["vintage"] == 1
    assert counting.calls["table"] == 1
    assert counting.calls["england"] == 1
    assert resolved.vintage == atlas.vintage(GAP, "sub_icb", TT_PERIOD)
    pd.testing.assert_frame_equal(resolved.table, atlas.table(GAP, "sub_icb", TT_PERIOD))


def test_the_view_holds_the_area_england_and_the_peer_group(atlas):
    resolved = view.resolve(atlas, Selection("sub_icb", GAP, TT_PERIOD, BLACK_COUNTRY))
    assert resolved.england_value == pytest.approx(1.0)
    assert resolved.area_name.startswith("NHS Black Country")
    assert resolved.area_label == f"Selected: {resolved.area_name} ({BLACK_COUNTRY})"
    assert resolved.area_row["area_code"] == BLACK_COUNTRY
    assert len(resolved.peers.codes) == 10 and BLACK_COUNTRY not in resolved.peers.codes
    assert list(resolved.shown["Code"]) != []  # the map's table as people read it
    assert resolved.level_label == atlas.levels()["sub_icb"]


def test_with_no_area_the_view_is_about_england(atlas):
    resolved = view.resolve(atlas, Selection("sub_icb", GAP, TT_PERIOD))
    assert resolved.area_name is None and resolved.area_row is None
    assert resolved.area_label == "No area selected." and resolved.subject == "England"
    assert resolved.peers.codes == ()


def test_an_england_value_that_is_blank_draws_no_line(atlas):
    panel = view.panel(atlas, GAP, "sub_icb", TT_PERIOD)
    blank = panel.england.copy()
    blank["value"] = float("nan")
    assert view.Panel(**{**panel.__dict__, "england": blank}).england_value is None
    assert view.Panel(**{**panel.__dict__, "england": None}).england_value is None


def test_the_latest_period_and_none_where_the_level_lacks_it(atlas):
    assert view.latest_period(atlas, "depression_prevalence", "ltla") == "2024-25"
    assert view.latest_panel(atlas, "smi_health_checks_pct", "ltla") is None
    checks = view.latest_panel(atlas, "smi_health_checks_pct", "sub_icb")
    assert checks.period == atlas.periods("smi_health_checks_pct", "sub_icb")[-1]


def test_depression_is_drawn_against_provision_and_deprivation_against_depression():
    assert view.need_measure(GAP) == "depression_prevalence"
    assert view.need_measure("depression_prevalence") == "imd_score"


def test_the_need_measure_shares_the_map_boundaries(atlas):
    resolved = view.resolve(atlas, Selection("sub_icb", GAP, TT_PERIOD))
    need = view.need_panel(atlas, resolved)
    assert need.indicator_id == "depression_prevalence"
    assert need.vintage == resolved.vintage and need.level == "sub_icb"


def test_the_pairing_keeps_to_the_boundaries_not_the_latest_period(atlas):
    # the 2017-18 CCG map is on the 2019 boundaries: depression's latest period on them is
    # 2018-19, though the atlas has later periods on later boundaries
    ccg = view.resolve(atlas, Selection("ccg", GAP, "2017-18"))
    need = view.need_panel(atlas, ccg)
    assert (need.period, need.vintage) == ("2018-19", "ccg-2019") == (need.period, ccg.vintage)
    assert view.latest_period(atlas, "depression_prevalence", "ccg") != "2018-19"
    assert view.on_same_map(atlas, ccg.panel, "no_such_indicator") is None


def test_deprivation_text_names_the_area_and_its_rank(atlas):
    resolved = view.resolve(atlas, Selection("sub_icb", GAP, TT_PERIOD, BLACK_COUNTRY))
    text = view.deprivation_text(atlas, resolved)
    assert "Black Country" in text and "of 106" in text
    assert (
        view.deprivation_text(atlas, view.resolve(atlas, Selection("sub_icb", GAP, TT_PERIOD)))
        is None
    )


def test_a_page_maps_its_own_indicator_when_the_sidebar_is_elsewhere(atlas):
    from gapmap.view import page_view, resolve

    sidebar = resolve(
        atlas, Selection("sub_icb", "tt_gap_ratio_modelled", "Jul 2022 - May 2023", "E38000259")
    )
    mapped = page_view(atlas, sidebar, ("secondary_reliance_ratio", "mhsds_in_contact_rate"))
    assert mapped.selection.indicator == "secondary_reliance_ratio"
    assert mapped.selection.period == "Nov 2022" and mapped.selection.area == "E38000259"
    assert page_view(atlas, sidebar, ("tt_gap_ratio_modelled",)) is sidebar
    # a level without any of them keeps the sidebar's view
    ltla = resolve(atlas, Selection("ltla", "imd_score", "IoD2025", "E08000028"))
    assert page_view(atlas, ltla, ("secondary_reliance_ratio",)) is ltla
