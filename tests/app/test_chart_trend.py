from __future__ import annotations

import pandas as pd

from gapmap import charts
from tests.app.chartkit import PCT, compiles, layers


def test_trend_orders_periods_and_draws_england() -> None:
    frame = pd.DataFrame(
        {
            "period": ["2019-20", "Jul 2022 - May 2023", "2018-19", "2020-21"],
            "value": [5.0, 6.0, 4.0, None],
            "lower_95": [4.5, 5.5, 3.5, None],
            "upper_95": [5.5, 6.5, 4.5, None],
            "england_value": [5.5, 6.1, 5.0, 5.8],
            "comparison": ["similar", "worse", "better", "not_compared"],
            "suppressed": [False, False, False, True],
        }
    )
    chart = charts.trend(frame, PCT, area_name="Sandwell")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Depression prevalence in Sandwell"
    x = spec["layer"][0]["encoding"]["x"]
    assert x["field"] == "start" and x["type"] == "temporal"
    # Each period at its start: the gap from 2020-21 to July 2022 shows.
    ticks = [(v["year"], v["month"]) for v in x["axis"]["values"]]
    assert ticks == [(2018, 4), (2019, 4), (2020, 4), (2022, 7)]
    assert "Jul 2022 - May 2023" in x["axis"]["labelExpr"]
    england = [
        lay for lay in layers(spec) if lay["encoding"].get("y", {}).get("field") == "england_value"
    ]
    assert len(england) == 2  # dashed line and its label
    assert "1 period suppressed" in spec["description"]
    assert "4.0% in 2018-19 and 6.0% in Jul 2022 - May 2023" in spec["description"]
    compiles(chart)


def test_trend_verdict_travels_with_the_chart() -> None:
    frame = pd.DataFrame({"period": ["2021-22", "2022-23"], "value": [4.0, 5.0]})
    verdict = "Increasing and getting worse."
    spec = charts.trend(frame, PCT, area_name="Leeds", verdict=verdict).to_dict()
    assert spec["title"]["subtitle"][-1] == verdict
    assert spec["description"].endswith(" " + verdict)
    empty = charts.describe_trend(frame.assign(value=None), PCT, area_name="Leeds")
    assert empty == "Trend of Depression prevalence in Leeds: no values to show."


def _years(value, lower, upper) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2014-15", "2019-20", "2024-25"],
            "value": value,
            "lower_95": lower,
            "upper_95": upper,
            "england_value": [7.3, 11.6, 14.3],
        }
    )


def test_the_subtitle_promises_only_the_band_a_reader_can_see() -> None:
    """Issue 13 item 10: Sandwell's trend said 'with its 95% confidence band' and drew none
    (councils' QOF figures are published without intervals)."""

    def first_line(frame: pd.DataFrame) -> str:
        return charts.trend(frame, PCT, area_name="Sandwell").to_dict()["title"]["subtitle"][0]

    no_limits = _years([7.0, 9.7, 11.3], [None] * 3, [None] * 3)
    assert "published without a confidence interval, so no band" in first_line(no_limits)
    thin = _years([7.0, 9.7, 11.3], [6.95, 9.65, 11.25], [7.05, 9.75, 11.35])
    assert "too narrow to see" in first_line(thin)
    wide = _years([7.0, 9.7, 11.3], [6.0, 8.7, 10.3], [8.0, 10.7, 12.3])
    assert first_line(wide).startswith("Solid line: the area, with its 95% confidence band;")
