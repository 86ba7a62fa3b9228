from __future__ import annotations

import pandas as pd
import pytest

from gapmap import charts, limits
from tests.app.chartkit import EVIL, META, PCT, compiles, data_of, layers_of, table


def test_funnel_chart_ratio() -> None:
    chart = charts.funnel(table(), META, limits.funnel(table(), META), selected="A1")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Gap ratio: funnel plot, 2022-23"
    assert "control limits around 1" in spec["description"]
    lines = layers_of(spec, "line")
    curves = pd.DataFrame(data_of(spec, lines[0]))
    assert set(curves["curve"]) == {"lower_95", "upper_95", "lower_998", "upper_998"}
    assert lines[0]["encoding"]["x"]["title"] == "Expected count E (from need)"
    rule = layers_of(spec, "rule")[0]
    assert data_of(spec, rule) == [{"y": 1.0}]
    points = layers_of(spec, "circle")[0]
    assert {r["label"] for r in data_of(spec, points)} == {"Alpha", "Beta", EVIL, "Echo"}
    label = layers_of(spec, "text")[0]
    assert [r["label"] for r in data_of(spec, label)] == ["Alpha"]
    compiles(chart)


def test_funnel_draws_the_limits_it_is_given() -> None:
    given = pd.DataFrame(
        {
            "denominator": [50.0, 100.0, 200.0],
            "baseline": 1.1,
            "lower_95": [0.5, 0.6, 0.7],
            "upper_95": [1.5, 1.4, 1.3],
            "lower_998": [0.4, 1.5, 0.6],
            "upper_998": [1.6, 1.7, 0.9],
        }
    )
    spec = charts.funnel(table(), META, given, selected="A1").to_dict()
    curves = pd.DataFrame(data_of(spec, layers_of(spec, "line")[0]))
    upper = curves.loc[curves["curve"] == "upper_998"].set_index("denominator")["limit"]
    assert upper.to_dict() == {50.0: 1.6, 100.0: 1.7, 200.0: 0.9}
    assert data_of(spec, layers_of(spec, "rule")[0]) == [{"y": 1.1}]
    # the sentence reads the same limits: Echo (0.95 at 200) above 0.9, Alpha and Beta
    # (1.2 and 0.8 at 100) below 1.5, the hostile name (1.0 at 50) within
    assert "1 above and 2 below the 99.8% limits" in spec["description"]
    assert "Alpha is 1.20, below the 99.8% limit" in spec["description"]


def test_funnel_sentence_places_no_area_without_its_limit() -> None:
    grid_only = limits.funnel(table(), META).iloc[[0, -1]]
    text = charts.describe_funnel(table(), META, grid_only, selected="A1")
    assert "0 above and 0 below" in text and "Alpha is 1.20;" in text
    empty = limits.funnel(table().iloc[[3]], META)
    spec = charts.funnel(table().iloc[[3]], META, empty).to_dict()
    assert not layers_of(spec, "line") and "1 without a value" in spec["description"]


def test_funnel_proportion_centres_on_england_and_rejects_scores() -> None:
    frame = table().assign(value=[12.0, 8.0, 10.0, None, 9.5])
    given = limits.funnel(frame, PCT, england_value=10.0)
    spec = charts.funnel(frame, PCT, given).to_dict()
    rule = layers_of(spec, "rule")[0]
    assert data_of(spec, rule) == [{"y": 10.0}]
    assert "around England" in spec["description"]
    assert not charts.has_funnel({"statistic": "score"})
    with pytest.raises(ValueError):
        charts.funnel(frame, {**PCT, "statistic": "score"}, given)
