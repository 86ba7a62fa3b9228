"""The board pack's chart pages: charts reshaped so print in greyscale keeps comparisons apart."""

from __future__ import annotations

import pandas as pd

from gapmap import charts, export
from gapmap.boardpack.chart_pages import shaped


def test_print_shapes_tell_england_comparisons_apart_without_colour():
    frame = pd.DataFrame(
        {
            "area_code": ["A", "B", "C"],
            "area_name": ["Up", "Down", "Same"],
            "value": [1.2, 0.8, 1.0],
            "lower_95": [1.1, 0.7, 0.9],
            "upper_95": [1.3, 0.9, 1.1],
            "comparison": ["better", "worse", "similar"],
            "suppressed": False,
        }
    )
    meta = {"short_name": "Gap", "unit": "ratio", "polarity": "high_is_good"}
    spec = shaped(charts.ranked(frame, meta, england_value=1.0).to_dict())
    dots = [layer for layer in spec["layer"] if "shape" in layer.get("encoding", {})]
    assert len(dots) == 1 and dots[0]["mark"]["type"] == "point" and dots[0]["mark"]["filled"]
    scale = dots[0]["encoding"]["shape"]["scale"]
    shapes = dict(zip(scale["domain"], scale["range"], strict=True))
    assert shapes == {
        "Better than England": "triangle-up",
        "Similar to England": "circle",
        "Worse than England": "triangle-down",
    }
    assert export.to_png(spec)[:4] == b"\x89PNG"


def test_marks_not_coloured_by_comparison_are_left_as_they_are():
    spec = {
        "layer": [
            {"mark": "circle", "encoding": {"color": {"field": "other"}}},
            {"mark": {"type": "bar"}, "encoding": {"color": {"field": "compared"}}},
        ]
    }
    assert shaped(spec) == spec
