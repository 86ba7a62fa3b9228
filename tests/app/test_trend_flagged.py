"""A figure flagged for data quality is never a point of a trend: test, sentence and chart.

Somerset CCG (E38000150) reported 0% of people with SMI having all six health checks in
2020-21 and 0.32% in 2021-22 (the implausible-zero rule flags both): the trend is about
2018-19 and 2019-20 only, and the flagged years are shown, and said, to be left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gapmap import charts, trends
from gapmap.trend_sentences import trend_sentence
from tests.app.chartkit import compiles, data_of, layers_of

SOMERSET = ("smi_health_checks_pct", "E38000150", "ccg")


def test_flagged_years_are_left_out_of_the_test(atlas):
    table = atlas.trend(*SOMERSET)
    assert list(table.loc[trends.flagged(table), "period"]) == ["2020-21", "2021-22"]
    # Five unflagged years of an otherwise identical series are tested; flag one, and four
    # remain, too few.
    five = pd.DataFrame(
        {
            "period": ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20"],
            "value": [10.0, 20.0, 30.0, 40.0, 50.0],
            "numerator": [10.0, 20.0, 30.0, 40.0, 50.0],
            "denominator": [100.0] * 5,
            "quality": [pd.NA] * 5,
        }
    )
    meta = atlas.indicator("smi_health_checks_pct")
    assert trends.recent_trend(five, meta).marker == "increasing"
    one_flagged = five.assign(quality=[pd.NA] * 4 + ["incomplete_submission"])
    result = trends.recent_trend(one_flagged, meta)
    assert result.marker == "cannot_calculate" and "2019-20" not in result.periods


def test_the_sentence_describes_unflagged_years_and_says_which_are_left_out(atlas):
    table = atlas.trend(*SOMERSET)
    text = trend_sentence(table, atlas.indicator(SOMERSET[0]), "Somerset")
    assert "rose from 29.1% in 2018-19 to 33.8% in 2019-20" in text
    assert "0.0%" not in text and "fell" not in text
    assert "2020-21 is left out (data quality: implausible zero)." in text
    assert "2021-22 is left out (data quality: implausible zero)." in text


def test_the_chart_breaks_its_line_and_band_and_draws_open_diamonds(atlas):
    table = atlas.trend(*SOMERSET)
    meta = atlas.indicator(SOMERSET[0])
    chart = charts.trend(table, meta, area_name="Somerset")
    spec = chart.to_dict()
    (band,) = layers_of(spec, "area")
    assert {r["period"] for r in data_of(spec, band)} == {"2018-19", "2019-20"}
    area_line = next(
        lay for lay in layers_of(spec, "line") if lay["encoding"]["y"]["field"] == "line"
    )
    drawn = {r["period"]: r["line"] for r in data_of(spec, area_line)}
    assert drawn["2020-21"] is None and drawn["2021-22"] is None
    assert np.isfinite(drawn["2019-20"])
    open_marks = [
        lay
        for lay in layers_of(spec, "point")
        if lay["mark"].get("shape") == "diamond" and lay["mark"].get("filled") is False
    ]
    (diamonds,) = open_marks
    assert {r["period"] for r in data_of(spec, diamonds)} == {"2020-21", "2021-22"}
    assert any("flagged for data quality" in line for line in spec["title"]["subtitle"])
    compiles(chart)
    text = charts.describe_trend(table, meta, area_name="Somerset")
    assert "29.1% in 2018-19 and 33.8% in 2019-20" in text
    assert "2 periods flagged for data quality, left out of the line" in text
