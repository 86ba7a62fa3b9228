from __future__ import annotations

import json

from gapmap import charts
from gapmap.palette import COMPARISON_COLOURS, COMPARISON_LABELS
from tests.app.chartkit import EVIL, META, compiles, data_of, layers, layers_of, marks, table


def test_ranked_titles_description_encodings() -> None:
    chart = charts.ranked(table(), META, england_value=1.0)
    spec = chart.to_dict()
    assert spec["title"]["text"].startswith("Gap ratio: areas ranked, 2022-23")
    assert spec["width"] == "container"
    assert spec["description"] == charts.describe_ranked(table(), META, england_value=1.0)
    points = layers_of(spec, "circle")[0]
    enc = points["encoding"]
    assert enc["x"]["field"] == "value" and enc["x"]["title"] == "Gap ratio (ratio)"
    colour = enc["color"]["scale"]
    mapping = dict(zip(colour["domain"], colour["range"], strict=True))
    assert mapping[COMPARISON_LABELS["better"]] == COMPARISON_COLOURS["better"]
    assert mapping[COMPARISON_LABELS["worse"]] == COMPARISON_COLOURS["worse"]
    # ranked by value, highest first, suppressed last
    assert enc["y"]["sort"][:2] == ["Alpha", EVIL]
    assert enc["y"]["sort"][-1] == "Delta"
    # England rule at 1
    rules = [lay for lay in layers(spec) if lay["encoding"].get("x", {}).get("field") == "england"]
    assert rules and data_of(spec, rules[0])[0]["england"] == 1.0
    compiles(chart)


def test_ranked_suppressed_listed_not_plotted() -> None:
    spec = charts.ranked(table(), META).to_dict()
    drawn = [
        row["label"]
        for lay in layers(spec)
        if marks({"layer": [lay]}) in (["circle"], ["rule"])
        and lay["encoding"].get("x", {}).get("field") in ("value", "lower_95")
        for row in data_of(spec, lay)
    ]
    assert "Delta" not in drawn and "Alpha" in drawn
    rows = [r for lay in layers_of(spec, "text") for r in data_of(spec, lay)]
    assert len(rows) == 1 and rows[0]["label"] == "Delta"
    assert rows[0]["status"] == "suppressed" and rows[0]["value"] is None
    assert "1 without a value" in spec["description"]


def test_ranked_selected_is_highlighted_and_escaped() -> None:
    spec = charts.ranked(table(), META, selected="A3").to_dict()
    band = layers_of(spec, "rect")
    assert len(band) == 1 and [r["label"] for r in data_of(spec, band[0])] == [EVIL]
    ring = layers_of(spec, "point")
    assert [r["label"] for r in data_of(spec, ring[0])] == [EVIL]
    expr = spec["layer"][1]["encoding"]["y"]["axis"]["labelFontWeight"]["expr"]
    # the name is a JSON string literal inside the expression: quotes cannot break out
    literal = expr.split("===", 1)[1].split("?")[0].strip()
    assert json.loads(literal) == EVIL
    assert "is 2nd of 4 at 1.00 (similar to England)" in spec["description"]
    plain = charts.ranked(table(), META).to_dict()
    assert not layers_of(plain, "rect")


def test_ranked_peers_banded_and_counted() -> None:
    spec = charts.ranked(table(), META, selected="A1", peers=["A2", "A5", "A4"]).to_dict()
    bands = layers_of(spec, "rect")
    assert [[r["label"] for r in data_of(spec, lay)] for lay in bands] == [
        ["Alpha"],
        ["Echo (peer)", "Beta (peer)", "Delta (peer)"],
    ]
    diamonds = [lay for lay in layers_of(spec, "point") if lay["mark"].get("shape") == "diamond"]
    # the suppressed peer is banded and named but has no dot to ring
    assert [r["label"] for r in data_of(spec, diamonds[0])] == ["Echo (peer)", "Beta (peer)"]
    assert "3 peer areas marked '(peer)', ranked 3rd to 4th" in spec["description"]
    assert "Diamonds and '(peer)'" in spec["title"]["subtitle"]
