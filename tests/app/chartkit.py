"""Shared pieces of the chart tests: indicator metadata, a small hostile table and spec probes.

Plain functions, not fixtures, so each test module states what it uses.
"""

from __future__ import annotations

import pandas as pd
import vl_convert as vlc

META = {
    "id": "gap",
    "name": "Provision against need",
    "short_name": "Gap ratio",
    "unit": "ratio",
    "polarity": "high_is_good",
    "statistic": "ratio",
    "multiplier": 1,
}
PCT = {
    "id": "dep",
    "short_name": "Depression prevalence",
    "unit": "%",
    "polarity": "high_is_bad",
    "statistic": "proportion",
    "multiplier": 100,
}
EVIL = '<script>alert(1)</script>"onmouseover=x'


def table() -> pd.DataFrame:
    """Five areas: one with a hostile name, one suppressed."""
    return pd.DataFrame(
        {
            "area_code": ["A1", "A2", "A3", "A4", "A5"],
            "area_name": ["Alpha", "Beta", EVIL, "Delta", "Echo"],
            "period": ["2022-23"] * 5,
            "value": [1.2, 0.8, 1.0, None, 0.95],
            "lower_95": [1.1, 0.7, 0.9, None, 0.9],
            "upper_95": [1.3, 0.9, 1.1, None, 1.0],
            "numerator": [120.0, 80.0, 50.0, None, 190.0],
            "denominator": [100.0, 100.0, 50.0, None, 200.0],
            "comparison": ["better", "worse", "similar", "not_compared", "similar"],
            "suppressed": [False, False, False, True, False],
            "note": [None, None, None, "Suppressed: fewer than 8 people.", None],
        }
    )


def layers(spec: dict) -> list[dict]:
    return spec["layer"]


def data_of(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def marks(spec: dict) -> list[str]:
    return [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        for layer in layers(spec)
    ]


def layers_of(spec: dict, mark: str) -> list[dict]:
    """The layers drawn with one mark type."""
    return [lay for lay in layers(spec) if marks({"layer": [lay]}) == [mark]]


def compiles(chart) -> None:
    """The spec is valid Vega-Lite: vl-convert compiles it to Vega without error."""
    vega = vlc.vegalite_to_vega(chart.to_dict())
    assert vega["marks"]
