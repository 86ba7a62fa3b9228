from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gapmap import charts, limits
from tests.app.chartkit import META, PCT, compiles, data_of, layers_of, table


def test_scatter_joins_fits_and_labels() -> None:
    x = table().assign(value=[10.0, 20.0, 30.0, 40.0, 50.0], suppressed=False)
    y = table().assign(value=[1.0, 2.1, 2.9, 4.2, 5.0]).iloc[::-1]  # order must not matter
    chart = charts.scatter(x, y, PCT, META, fit=limits.fit(x, y), selected="A2")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Gap ratio against Depression prevalence"
    points = layers_of(spec, "circle")[0]
    assert points["encoding"]["x"]["title"] == "Depression prevalence (%)"
    assert points["encoding"]["y"]["title"] == "Gap ratio (ratio)"
    joined = {r["area_code"]: (r["x"], r["y"]) for r in data_of(spec, points)}
    assert joined["A2"] == (20.0, 2.1) and len(joined) == 5
    ends = data_of(spec, layers_of(spec, "line")[0])
    slope, intercept = np.polyfit([10, 20, 30, 40, 50], [1.0, 2.1, 2.9, 4.2, 5.0], 1)
    assert ends[1]["y"] == pytest.approx(intercept + slope * 50)
    label = layers_of(spec, "text")[0]
    assert [r["label"] for r in data_of(spec, label)] == ["Beta"]
    assert "correlation r = 1.00" in spec["description"]
    compiles(chart)


def test_scatter_without_a_fit_draws_no_line() -> None:
    x = table().assign(value=[10.0, 20.0, 30.0, 40.0, 50.0])
    y = table().assign(value=[1.0, 2.1, 2.9, 4.2, 5.0])
    for fit in (None, limits.fit(x.head(2), y.head(2))):
        spec = charts.scatter(x, y, PCT, META, fit=fit).to_dict()
        assert not layers_of(spec, "line")
        assert "least-squares line" not in spec["description"]


def test_scatter_highlights_a_group_of_areas():
    x = pd.DataFrame(
        {"area_code": list("abcd"), "area_name": list("ABCD"), "value": [1.0, 2.0, 3.0, 4.0]}
    )
    y = x.assign(value=[2.0, 4.0, 6.0, 8.1])
    meta = {"name": "N", "short_name": "N", "unit": "%", "polarity": "neutral"}
    spec = charts.scatter(x, y, meta, meta, fit=limits.fit(x, y), highlight={"b", "c"}).to_dict()
    layers = [layer for layer in spec["layer"] if layer.get("mark", {}).get("size") == 70]
    assert len(layers) == 1
    data = spec["datasets"][layers[0]["data"]["name"]]
    assert sorted(row["area_code"] for row in data) == ["b", "c"]
