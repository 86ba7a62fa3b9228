from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc
from PHStatsMethods.funnels import calculate_funnel_limits

from gapmap import charts
from gapmap.atlas import Atlas
from gapmap.palette import COMPARISON_COLOURS, COMPARISON_LABELS
from gapmap.periods import ordered

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


def compiles(chart) -> None:
    """The spec is valid Vega-Lite: vl-convert compiles it to Vega without error."""
    vega = vlc.vegalite_to_vega(chart.to_dict())
    assert vega["marks"]


# --------------------------------------------------------------------------- ranked


def test_ranked_titles_description_encodings() -> None:
    chart = charts.ranked(table(), META, england_value=1.0)
    spec = chart.to_dict()
    assert spec["title"]["text"].startswith("Gap ratio: areas ranked, 2022-23")
    assert spec["width"] == "container"
    assert spec["description"] == charts.describe_ranked(table(), META, england_value=1.0)
    points = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["circle"])
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
    texts = [lay for lay in layers(spec) if marks({"layer": [lay]}) == ["text"]]
    rows = [r for lay in texts for r in data_of(spec, lay)]
    assert len(rows) == 1 and rows[0]["label"] == "Delta"
    assert rows[0]["status"] == "suppressed" and rows[0]["value"] is None
    assert "1 without a value" in spec["description"]


def test_ranked_selected_is_highlighted_and_escaped() -> None:
    spec = charts.ranked(table(), META, selected="A3").to_dict()
    band = [lay for lay in layers(spec) if marks({"layer": [lay]}) == ["rect"]]
    assert len(band) == 1 and [r["label"] for r in data_of(spec, band[0])] == [EVIL]
    ring = [lay for lay in layers(spec) if marks({"layer": [lay]}) == ["point"]]
    assert [r["label"] for r in data_of(spec, ring[0])] == [EVIL]
    expr = spec["layer"][1]["encoding"]["y"]["axis"]["labelFontWeight"]["expr"]
    # the name is a JSON string literal inside the expression: quotes cannot break out
    literal = expr.split("===", 1)[1].split("?")[0].strip()
    assert json.loads(literal) == EVIL
    assert "is 2nd of 4 at 1.000 (similar to England)" in spec["description"]
    plain = charts.ranked(table(), META).to_dict()
    assert not [lay for lay in layers(plain) if marks({"layer": [lay]}) == ["rect"]]


# --------------------------------------------------------------------------- funnel


def ratio_reference() -> pd.DataFrame:
    df = pd.DataFrame({"o": [12, 30, 45, 8, 60], "e": [10.0, 35, 40, 12, 50]})
    return calculate_funnel_limits(df, "o", "ratio", 1, denom_col="e", metadata=False)


@pytest.mark.parametrize(
    ("mine", "side", "level"),
    [
        ("lower_95", "lower", "2s"),
        ("upper_95", "upper", "2s"),
        ("lower_998", "lower", "3s"),
        ("upper_998", "upper", "3s"),
    ],
)
def test_funnel_limits_ratio_equal_phstatsmethods(mine: str, side: str, level: str) -> None:
    ref = ratio_reference().iloc[[0, 4, 20, 60, 99]]
    got = charts.funnel_limits(ref[f"{side}_{level}_exp_events"], statistic="ratio")
    np.testing.assert_allclose(got[mine], ref[f"{side}_{level}_limit"], rtol=2e-5)


def test_funnel_limits_rate_and_proportion_equal_phstatsmethods() -> None:
    df = pd.DataFrame({"n": [50, 80, 120, 30], "d": [5000.0, 7000, 10000, 4000]})
    df["rate"] = df["n"] / df["d"] * 100000
    ref = calculate_funnel_limits(
        df.copy(),
        "n",
        "rate",
        100000,
        denom_col="d",
        rate="rate",
        rate_type="crude",
        years_of_data=1,
        metadata=False,
    ).iloc[[2, 30, 90]]
    base = float(ref["baseline"].iloc[0])
    for mine, side, level in [("lower_95", "lower", "2s"), ("upper_998", "upper", "3s")]:
        got = charts.funnel_limits(
            ref[f"{side}_{level}_population_1_year"],
            statistic="rate",
            baseline=base,
            multiplier=100000,
        )
        np.testing.assert_allclose(got[mine], ref[f"{side}_{level}_limit"], rtol=2e-5)

    props = pd.DataFrame({"n": [50, 80, 120, 30], "d": [500.0, 700, 1000, 400]})
    ref = calculate_funnel_limits(props, "n", "proportion", 100, denom_col="d", metadata=False)
    ref = ref.iloc[[10, 50, 99]]
    got = charts.funnel_limits(
        ref["Population"],
        statistic="proportion",
        baseline=ref["baseline"].iloc[0],
        multiplier=100,
    )
    for mine, theirs in [("lower_95", "lower_2s_limit"), ("upper_998", "upper_3s_limit")]:
        np.testing.assert_allclose(got[mine], ref[theirs], rtol=1e-9)


def test_funnel_limits_shape() -> None:
    got = charts.funnel_limits([10, 100, 1000, 10000], statistic="ratio")
    assert (got["lower_998"] < got["lower_95"]).all() and (got["lower_95"] < 1).all()
    assert (got["upper_998"] > got["upper_95"]).all() and (got["upper_95"] > 1).all()
    assert got["upper_95"].is_monotonic_decreasing  # the funnel narrows as E grows
    with pytest.raises(ValueError):
        charts.funnel_limits([10], statistic="score")


def test_funnel_chart_ratio() -> None:
    chart = charts.funnel(table(), META, selected="A1")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Gap ratio: funnel plot, 2022-23"
    assert "control limits around 1" in spec["description"]
    lines = [lay for lay in layers(spec) if marks({"layer": [lay]}) == ["line"]]
    curves = pd.DataFrame(data_of(spec, lines[0]))
    assert set(curves["curve"]) == {"lower_95", "upper_95", "lower_998", "upper_998"}
    assert lines[0]["encoding"]["x"]["title"] == "Expected count E (from need)"
    rule = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["rule"])
    assert data_of(spec, rule) == [{"y": 1.0}]
    points = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["circle"])
    assert {r["label"] for r in data_of(spec, points)} == {"Alpha", "Beta", EVIL, "Echo"}
    label = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["text"])
    assert [r["label"] for r in data_of(spec, label)] == ["Alpha"]
    compiles(chart)


def test_funnel_proportion_centres_on_england_and_rejects_scores() -> None:
    frame = table().assign(value=[12.0, 8.0, 10.0, None, 9.5])
    spec = charts.funnel(frame, PCT, england_value=10.0).to_dict()
    rule = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["rule"])
    assert data_of(spec, rule) == [{"y": 10.0}]
    assert not charts.has_funnel({"statistic": "score"})
    with pytest.raises(ValueError):
        charts.funnel(frame, {**PCT, "statistic": "score"})


# --------------------------------------------------------------------------- scatter


def test_scatter_joins_fits_and_labels() -> None:
    x = table().assign(value=[10.0, 20.0, 30.0, 40.0, 50.0], suppressed=False)
    y = table().assign(value=[1.0, 2.1, 2.9, 4.2, 5.0]).iloc[::-1]  # order must not matter
    chart = charts.scatter(x, y, PCT, META, selected="A2")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Gap ratio against Depression prevalence"
    points = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["circle"])
    assert points["encoding"]["x"]["title"] == "Depression prevalence (%)"
    assert points["encoding"]["y"]["title"] == "Gap ratio (ratio)"
    joined = {r["area_code"]: (r["x"], r["y"]) for r in data_of(spec, points)}
    assert joined["A2"] == (20.0, 2.1) and len(joined) == 5
    fit = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["line"])
    ends = data_of(spec, fit)
    slope, intercept = np.polyfit([10, 20, 30, 40, 50], [1.0, 2.1, 2.9, 4.2, 5.0], 1)
    assert ends[1]["y"] == pytest.approx(intercept + slope * 50)
    label = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["text"])
    assert [r["label"] for r in data_of(spec, label)] == ["Beta"]
    assert "correlation r = 1.00" in spec["description"]
    compiles(chart)


def test_least_squares_needs_three_points() -> None:
    assert np.isnan(charts.least_squares([1, 2], [3, 4])[0])
    slope, intercept, r = charts.least_squares([1, 2, 3], [2, 4, 6])
    assert (slope, intercept, r) == pytest.approx((2, 0, 1))


# ----------------------------------------------------------------------------- trend


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
    order = spec["layer"][0]["encoding"]["x"]["sort"]
    assert order == ["2018-19", "2019-20", "2020-21", "Jul 2022 - May 2023"]
    england = [
        lay for lay in layers(spec) if lay["encoding"].get("y", {}).get("field") == "england_value"
    ]
    assert len(england) == 2  # dashed line and its label
    assert "1 period suppressed" in spec["description"]
    assert "4.00% in 2018-19 and 6.00% in Jul 2022 - May 2023" in spec["description"]
    compiles(chart)


# ----------------------------------------------------------------------------- spine


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


def test_spine_chart() -> None:
    chart = charts.spine(profile(), area_name=EVIL)
    spec = chart.to_dict()
    assert spec["title"]["text"] == f"{EVIL} compared with England"
    points = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["circle"])
    rows = data_of(spec, points)
    assert [r["row"] for r in rows] == [
        "Depression (2022-23): 12.00% vs England 10.00%",
        "Recovery (2022-23): 50.00% vs England 50.00%",
    ]
    colour = points["encoding"]["color"]["scale"]
    assert (
        dict(zip(colour["domain"], colour["range"], strict=True))[COMPARISON_LABELS["worse"]]
        == COMPARISON_COLOURS["worse"]
    )
    assert "1 worse than England, 1 similar to England" in spec["description"]
    compiles(chart)


# ---------------------------------------------------------------------------- deciles


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
    line = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["line"])
    assert [(r["group"], r["value"]) for r in data_of(spec, line)] == [
        (0.5, 20.5),
        (10.5, pytest.approx(9.5)),
    ]
    assert "20.00% in decile 1 (most deprived)" in spec["description"]
    assert "slope index of inequality 11.00" in spec["description"]  # SII = -slope
    compiles(chart)
    quint = charts.by_decile(frame.rename(columns={"decile": "quintile"}).head(5), PCT)
    assert "quintile" in quint.to_dict()["title"]["text"]


# --------------------------------------------------------------------------- the atlas


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def test_real_gap_ratio_charts(atlas: Atlas) -> None:
    period = "Jul 2022 - May 2023"
    tab = atlas.table("tt_gap_ratio", "sub_icb", period)
    meta = atlas.indicator("tt_gap_ratio")
    england = atlas.england("tt_gap_ratio", period)["value"]
    ranked = charts.ranked(tab, meta, selected="E38000259", england_value=england)
    assert f"of {len(tab)}" in ranked.to_dict()["description"]
    funnel = charts.funnel(tab, meta, selected="E38000259")
    assert "NHS Black Country ICB - D2P2L" in funnel.to_dict()["description"]
    need = atlas.table("depression_prevalence", "sub_icb", "2022-23")
    scatter = charts.scatter(need, tab, atlas.indicator("depression_prevalence"), meta)
    for chart in (ranked, funnel, scatter):
        compiles(chart)


def test_real_trend_sandwell(atlas: Atlas) -> None:
    rows = atlas.trend("depression_prevalence", "E08000028", "ltla")
    chart = charts.trend(rows, atlas.indicator("depression_prevalence"), area_name="Sandwell")
    spec = chart.to_dict()
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ordered(rows["period"])
    assert "Sandwell" in spec["description"]
    compiles(chart)
    spine = charts.spine(atlas.profile("E08000028", "ltla"), area_name="Sandwell")
    compiles(spine)


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
    line = next(lay for lay in layers(spec) if marks({"layer": [lay]}) == ["line"])
    rows = data_of(spec, line)
    # the band edges of each quintile carry the fitted value at that population rank
    assert [r["group"] for r in rows] == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
    assert [r["value"] for r in rows] == pytest.approx([30.0, 28.4, 25.2, 20.4, 17.2, 14.0])
    assert "from 30.00% at the most deprived end to 14.00%" in spec["description"]
    with pytest.raises(ValueError):
        charts.by_decile(frame.rename(columns={"quantile": "band"}), PCT)


def test_scatter_highlights_a_group_of_areas():
    x = pd.DataFrame(
        {"area_code": list("abcd"), "area_name": list("ABCD"), "value": [1.0, 2.0, 3.0, 4.0]}
    )
    y = x.assign(value=[2.0, 4.0, 6.0, 8.1])
    meta = {"name": "N", "short_name": "N", "unit": "%", "polarity": "neutral"}
    spec = charts.scatter(x, y, meta, meta, highlight={"b", "c"}).to_dict()
    layers = [layer for layer in spec["layer"] if layer.get("mark", {}).get("size") == 70]
    assert len(layers) == 1
    data = spec["datasets"][layers[0]["data"]["name"]]
    assert sorted(row["area_code"] for row in data) == ["b", "c"]
