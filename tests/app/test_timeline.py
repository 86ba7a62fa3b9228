"""Which series pages draw over time: the selected area's, England's, the monthly one."""

from __future__ import annotations

import pandas as pd
import pytest

from gapmap import timeline, view
from gapmap.atlas import Atlas
from gapmap.state import Selection

SANDWELL = "E08000028"
DEPRESSION = "depression_prevalence"


def resolved(atlas: Atlas, *args) -> view.View:
    return view.resolve(atlas, Selection(*args))


def test_the_selected_area_s_trend_is_tested_and_named(atlas):
    trend = timeline.selected_trend(atlas, resolved(atlas, "ltla", DEPRESSION, "2022-23", SANDWELL))
    assert trend.subject == "Sandwell" and trend.level == "ltla"
    assert trend.span == "2014-15 to 2024-25"
    assert trend.key == f"trend-{DEPRESSION}-ltla-{SANDWELL}"
    assert set(trend.result.periods) <= set(trend.series["period"])


def test_with_no_area_the_trend_is_england_s(atlas):
    trend = timeline.selected_trend(atlas, resolved(atlas, "ltla", DEPRESSION, "2022-23"))
    assert trend.subject == "England" and trend.level == "england"
    assert trend.key == f"trend-{DEPRESSION}-england-england"
    assert "england_value" not in trend.series.columns


@pytest.mark.parametrize(
    ("indicator", "england"),
    [("tt_gap_ratio", "1.00"), ("tt_shortfall_modelled", "0 people a year")],
)
def test_englands_own_ratio_to_england_is_not_drawn_as_a_trend(atlas, indicator, england):
    """Issue 13 item 8: with no area, the gap ratio was a flat 1.000 line over seven years."""
    period = atlas.periods(indicator, "icb")[-1]
    no_area = resolved(atlas, "icb", indicator, period)
    assert timeline.selected_trend(atlas, no_area) is None
    reason = timeline.no_trend_reason(atlas, no_area)
    assert f"so England's is {england} in every period by definition" in reason
    assert reason.endswith("Choose an area to see its trend.")
    black_country = resolved(atlas, "icb", indicator, period, "E54000062")
    assert timeline.no_trend_reason(atlas, black_country) is None
    assert timeline.selected_trend(atlas, black_country).subject != "England"


def test_englands_trend_is_drawn_where_it_moves(atlas):
    depression = resolved(atlas, "ltla", DEPRESSION, "2022-23")
    assert timeline.no_trend_reason(atlas, depression) is None


def test_no_trend_from_a_single_period(atlas):
    assert (
        timeline.selected_trend(atlas, resolved(atlas, "utla", "imd_score", "IoD2025", SANDWELL))
        is None
    )


def test_the_monthly_series_is_the_ccg_s_where_the_code_carries_one(atlas):
    ccg = atlas.areas_at("ccg", timeline.MONTHLY_VINTAGE)["area_code"].iloc[0]
    chosen = Selection("ccg", "mhsds_in_contact_rate", "2019-20", ccg)
    monthly = timeline.monthly_trend(atlas, chosen)
    assert monthly.code == ccg and monthly.subject != "England"
    assert monthly.series["area_code"].eq(ccg).all()


@pytest.mark.parametrize(
    "selection",
    [
        Selection("ltla", DEPRESSION, "2022-23", SANDWELL),  # districts have no monthly series
        Selection("sub_icb", "tt_gap_ratio", "Jul 2022 - May 2023"),  # no area
    ],
)
def test_otherwise_the_monthly_series_is_england_s(atlas, selection):
    monthly = timeline.monthly_trend(atlas, selection)
    assert monthly.code is None and monthly.subject == "England"
    assert len(monthly.series) > 24


def test_span_reads_first_to_last():
    assert timeline.span(pd.DataFrame({"period": ["2019-20", "2020-21"]})) == ("2019-20 to 2020-21")


def test_a_sub_icb_with_a_new_code_follows_the_ccg_of_its_nhs_code(atlas):
    """NHS Black Country ICB - D2P2L (E38000259) replaced NHS Black Country and West
    Birmingham CCG (E38000250, also D2P2L) in July 2022; the chart says whose line it is."""
    monthly = timeline.monthly_trend(atlas, Selection("sub_icb", DEPRESSION, "", "E38000259"))
    assert monthly.code == "E38000250"
    assert monthly.subject == "NHS Black Country and West Birmingham CCG"
    assert monthly.series["area_code"].eq("E38000250").all()
    assert monthly.months == "April 2016 – June 2022"
    assert "has no monthly series of its own" in monthly.note
    assert "whose area may differ" in monthly.note


def test_englands_months_run_to_its_last_month(atlas):
    monthly = timeline.monthly_trend(atlas, Selection("ltla", DEPRESSION, "", SANDWELL))
    assert monthly.months == "April 2016 – April 2024" and monthly.note is None
