from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gapmap import charts
from tests.app.chartkit import PCT, compiles, data_of, layers_of


def test_by_decile_labels_and_sii_line() -> None:
    frame = pd.DataFrame(
        {
            "decile": range(1, 11),
            "value": np.linspace(20, 10, 10),
            "lower_95": np.linspace(19, 9, 10),
            "upper_95": np.linspace(21, 11, 10),
        }
    )
    chart = charts.by_decile(frame, PCT, slope=-11.0, intercept=20.5)
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Depression prevalence by deprivation decile"
    bars = spec["layer"][0]
    assert "most deprived" in bars["encoding"]["x"]["axis"]["labelExpr"]
    assert bars["encoding"]["x"]["title"].startswith("Deprivation decile (1 = most deprived")
    assert bars["encoding"]["y"]["title"] == "Depression prevalence (%)"
    line = layers_of(spec, "line")[0]
    assert [(r["group"], r["value"]) for r in data_of(spec, line)] == [
        (0.5, 20.5),
        (10.5, pytest.approx(9.5)),
    ]
    assert "20.0% in decile 1 (most deprived)" in spec["description"]
    assert "slope index of inequality 11.0" in spec["description"]  # SII = -slope
    compiles(chart)
    quint = charts.by_decile(frame.rename(columns={"decile": "quintile"}).head(5), PCT)
    assert "quintile" in quint.to_dict()["title"]["text"]


def test_by_decile_sii_line_follows_population_ranks() -> None:
    # gapmap.inequality.by_quantile's shape: 'quantile' and unequal population ranks
    frame = pd.DataFrame(
        {
            "quantile": [1, 2, 3, 4, 5],
            "value": [30.0, 25.0, 20.0, 18.0, 15.0],
            "rank_start": [0.0, 0.1, 0.3, 0.6, 0.8],
            "rank_end": [0.1, 0.3, 0.6, 0.8, 1.0],
        }
    )
    spec = charts.by_decile(frame, PCT, slope=-16.0, intercept=30.0).to_dict()
    assert spec["title"]["text"] == "Depression prevalence by deprivation quintile"
    line = layers_of(spec, "line")[0]
    rows = data_of(spec, line)
    # the band edges of each quintile carry the fitted value at that population rank
    assert [r["group"] for r in rows] == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
    assert [r["value"] for r in rows] == pytest.approx([30.0, 28.4, 25.2, 20.4, 17.2, 14.0])
    assert "from 30.0% at the most deprived end to 14.0%" in spec["description"]
    with pytest.raises(ValueError):
        charts.by_decile(frame.rename(columns={"quantile": "band"}), PCT)
