"""The charts drawn from the committed atlas, as the pages draw them."""

from __future__ import annotations

import pytest

from gapmap import charts, limits
from gapmap.atlas import Atlas
from gapmap.periods import ordered
from tests.app.chartkit import compiles


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def test_real_gap_ratio_charts(atlas: Atlas) -> None:
    period = "Jul 2022 - May 2023"
    tab = atlas.table("tt_gap_ratio", "sub_icb", period)
    meta = atlas.indicator("tt_gap_ratio")
    england = atlas.england("tt_gap_ratio", period)["value"]
    ranked = charts.ranked(tab, meta, selected="E38000259", england_value=england)
    described = ranked.to_dict()["description"]
    valued = int(tab["value"].notna().sum())
    assert valued == len(tab) - 1  # E38000119 has no April 2023 count
    assert f"for {len(tab)} areas" in described
    assert f"NHS Black Country ICB - D2P2L is 32nd of {valued} at 1.02" in described
    assert "1 without a value (suppressed or missing) listed last" in described
    funnel = charts.funnel(tab, meta, limits.funnel(tab, meta), selected="E38000259")
    assert "NHS Black Country ICB - D2P2L" in funnel.to_dict()["description"]
    need = atlas.table("depression_prevalence", "sub_icb", "2022-23")
    need_meta = atlas.indicator("depression_prevalence")
    fit = limits.fit(need, tab)
    scatter = charts.scatter(need, tab, need_meta, meta, fit=fit)
    assert "least-squares line" in scatter.to_dict()["description"]
    for chart in (ranked, funnel, scatter):
        compiles(chart)


def test_real_trend_sandwell(atlas: Atlas) -> None:
    rows = atlas.trend("depression_prevalence", "E08000028", "ltla")
    chart = charts.trend(rows, atlas.indicator("depression_prevalence"), area_name="Sandwell")
    spec = chart.to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["type"] == "temporal" and len(x["axis"]["values"]) == len(ordered(rows["period"]))
    assert "Sandwell" in spec["description"]
    compiles(chart)
    spine = charts.spine(atlas.profile("E08000028", "ltla"), area_name="Sandwell")
    compiles(spine)
