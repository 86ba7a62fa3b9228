from __future__ import annotations

import pandas as pd
import pytest

from gapmap import charts
from gapmap.palette import COMPARISON_COLOURS, COMPARISON_LABELS
from tests.app.chartkit import EVIL, compiles, data_of, layers_of


def profile() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": ["dep", "rec", "imd"],
            "short_name": ["Depression", "Recovery", "IMD"],
            "unit": ["%", "%", "score"],
            "polarity": ["high_is_bad", "high_is_good", "neutral"],
            "period": ["2022-23", "2022-23", "IoD2025"],
            "value": [12.0, 50.0, 30.0],
            "england_value": [10.0, 50.0, None],
            "comparison": ["worse", "similar", "not_compared"],
            "suppressed": [False, False, False],
        }
    )


def test_spine_frame_relative_and_fingertips_positions() -> None:
    rel = charts.spine_frame(profile())
    assert rel["position"].tolist()[:2] == pytest.approx([1.2, 1.0])
    assert rel.loc[2, "status"] == "no England value"
    areas = pd.DataFrame(
        {"indicator_id": ["dep"] * 3 + ["rec"] * 3, "value": [6.0, 12.0, 14.0, 40, 50, 70]}
    )
    fing = charts.spine_frame(profile(), areas=areas)
    dep = fing.iloc[0]
    # England 10 at 0.5; furthest area (6 or 14, both 4 away) at an edge; high is bad -> left
    assert dep["position"] == pytest.approx(0.5 - 2 / 8)
    assert (dep["worst"], dep["best"]) == pytest.approx((0.0, 1.0))
    rec = fing.iloc[1]
    assert rec["position"] == pytest.approx(0.5)
    assert rec["best"] == pytest.approx(1.0) and rec["worst"] == pytest.approx(0.5 - 10 / 40)


def test_spine_frame_suppressed_and_empty() -> None:
    frame = charts.spine_frame(profile().assign(suppressed=[True, False, False]))
    assert frame.loc[0, "status"] == "suppressed" and frame.loc[0, "value_text"] == "suppressed"
    assert frame.loc[0, "row"] == "Depression\n2022-23: suppressed vs England 10.0%"
    assert charts.spine_frame(profile().iloc[:0]).empty


def test_spine_chart() -> None:
    chart = charts.spine(profile(), area_name=EVIL)
    spec = chart.to_dict()
    assert spec["title"]["text"] == f"{EVIL} compared with England"
    points = layers_of(spec, "circle")[0]
    rows = data_of(spec, points)
    assert [r["row"] for r in rows] == [
        "Depression\n2022-23: 12.0% vs England 10.0%",
        "Recovery\n2022-23: 50.0% vs England 50.0%",
    ]
    colour = points["encoding"]["color"]["scale"]
    assert (
        dict(zip(colour["domain"], colour["range"], strict=True))[COMPARISON_LABELS["worse"]]
        == COMPARISON_COLOURS["worse"]
    )
    assert "1 worse than England, 1 similar to England" in spec["description"]
    compiles(chart)


def test_spine_chart_with_areas_draws_range_bars() -> None:
    areas = pd.DataFrame({"indicator_id": ["dep", "dep", "rec"], "value": [6.0, 14.0, 40.0]})
    spec = charts.spine(profile(), area_name="Leeds", areas=areas).to_dict()
    assert len(layers_of(spec, "bar")) == 2
    assert "Bars: range and middle half" in spec["title"]["subtitle"]
    assert "1 not placed" in spec["description"]


def test_a_count_is_listed_not_placed_and_not_set_against_englands_total() -> None:
    """Monthly referrals grow with the area: placing 3,010 against England's 163,100 among
    other areas' counts would only rank areas by size."""
    counts = pd.DataFrame(
        {
            "indicator_id": ["tt_monthly_referrals", "tt_shortfall_modelled"],
            "short_name": ["Referrals (monthly)", "Gap in people"],
            "unit": ["referrals", "people a year"],
            "polarity": ["neutral", "high_is_bad"],
            "period": ["2026-03", "2024-25"],
            "value": [3010.0, 2621.0],
            "england_value": [163100.0, 0.0],
            "comparison": ["not_compared", "worse"],
            "suppressed": [False, False],
        }
    )
    areas = pd.DataFrame({"indicator_id": ["tt_monthly_referrals"] * 2, "value": [500.0, 9e3]})
    frame = charts.spine_frame(pd.concat([profile(), counts], ignore_index=True), areas=areas)
    listed = frame.loc[frame["unit"].isin(["referrals", "people a year"])]
    assert listed["position"].isna().all()
    assert listed["row"].tolist() == [
        "Referrals (monthly)\n2026-03: 3,010 referrals",
        "Gap in people\n2024-25: 2,621 people a year",
    ]
    assert (listed["status"] == "a count: not placed against other areas").all()
