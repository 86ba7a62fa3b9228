"""Who gets help, by deprivation, inside one ICB: the chart, and the decile table read for it.

The chart is checked on the atlas's own rows for NHS Black Country ICB (the atlas must have
the decile table, written by builds since it was added) and on a damaged copy of them (a
suppressed decile); the read side on the same atlas.
"""

from __future__ import annotations

import numpy as np
import pytest

from gapmap import charts, export, icb_deciles
from tests.app.chartkit import compiles, data_of, layers_of

BLACK_COUNTRY = "E54000062"
YEAR = "2024-25"


@pytest.fixture(scope="module")
def recovery(atlas):
    if atlas.decile_table.empty:
        pytest.fail("the atlas has no decile table (deciles.parquet): rebuild it")
    return icb_deciles.paired(atlas, icb_deciles.RECOVERY, BLACK_COUNTRY, YEAR)


@pytest.fixture(scope="module")
def meta(atlas):
    return atlas.indicator(icb_deciles.RECOVERY)


def _points(spec: dict) -> list[dict]:
    return data_of(spec, layers_of(spec, "point")[0])


def test_the_chart_has_ten_deciles_england_and_the_icb_in_its_title(recovery, meta):
    chart = charts.icb_by_decile(recovery, meta, "NHS Black Country ICB", YEAR)
    spec = chart.to_dict()
    assert (
        spec["title"]["text"]
        == "Talking Therapies recovery by deprivation decile: NHS Black Country ICB"
    )
    assert YEAR in spec["title"]["subtitle"]
    assert sorted(row["decile"] for row in _points(spec)) == list(range(1, 11))
    england = data_of(spec, layers_of(spec, "line")[0])
    assert [row["decile"] for row in england] == list(range(1, 11))
    rules = data_of(spec, layers_of(spec, "rule")[0])
    assert all(row["lower_95"] <= row["value"] <= row["upper_95"] for row in rules)
    x = layers_of(spec, "point")[0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0.5, 10.5]
    assert "most deprived" in x["axis"]["labelExpr"]
    compiles(chart)


def test_the_value_axis_holds_every_value_limit_and_england(recovery, meta):
    spec = charts.icb_by_decile(recovery, meta, "NHS Black Country ICB", YEAR).to_dict()
    low, high = layers_of(spec, "point")[0]["encoding"]["y"]["scale"]["domain"]
    shown = recovery[["value", "lower_95", "upper_95", "england_value"]].to_numpy(float)
    assert low <= np.nanmin(shown) and high >= np.nanmax(shown)
    assert low == 0 and high < 100  # recovery in the Black Country tops out near 64%


def test_the_text_alternative_reads_both_ends_of_the_icb_and_england(recovery, meta):
    text = charts.describe_icb_by_decile(recovery, meta, "NHS Black Country ICB", YEAR)
    assert text == (
        "Talking Therapies recovery by deprivation decile in NHS Black Country ICB, 2024-25: "
        "45.3% in decile 1 (most deprived) and 58.5% in decile 10 (least deprived); "
        "England 42.8% and 56.2%."
    )


def test_a_suppressed_decile_draws_no_dot_and_is_named(recovery, meta):
    damaged = recovery.copy()
    damaged.loc[damaged["decile"] == 10, ["value", "lower_95", "upper_95"]] = np.nan
    spec = charts.icb_by_decile(damaged, meta, "NHS Black Country ICB", YEAR).to_dict()
    assert sorted(row["decile"] for row in _points(spec)) == list(range(1, 10))
    assert "No value shown for decile 10 (suppressed)." in spec["description"]


def test_the_download_holds_the_figures_the_chart_prints(recovery, meta):
    table = icb_deciles.download_table(recovery, meta)
    assert list(table["Decile (1 = most deprived)"]) == list(range(1, 11))
    assert table.loc[0, "value"] == 45.3 and table.loc[0, "england_value"] == 42.8
    text = export.table_csv(table).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("1,NHS Black Country ICB,2024-25,45.3,")


def test_the_icb_of_a_selection(atlas):
    assert icb_deciles.icb_for(atlas, "sub_icb", "E38000259") == BLACK_COUNTRY
    assert icb_deciles.icb_for(atlas, "ltla", "E08000028") == BLACK_COUNTRY  # Sandwell
    assert icb_deciles.icb_for(atlas, "icb", BLACK_COUNTRY) == BLACK_COUNTRY
    assert icb_deciles.icb_for(atlas, "region", "E40000011") is None
    assert len(icb_deciles.icb_choices(atlas)) == 42
    assert icb_deciles.periods(atlas) == ["2022-23", "2023-24", "2024-25"]


def test_the_finding_names_the_icb_both_ends_and_what_is_left_out(atlas):
    text = icb_deciles.finding(atlas, BLACK_COUNTRY, YEAR, "tt_finished_treatment_rate")
    assert text.startswith("In NHS Black Country ICB in 2024-25, the rate of finished courses")
    assert "1,562.3 per 100,000 adults in the most deprived tenth" in text
    assert "(lower than England's 1,745.2 per 100,000)" in text
    assert (
        "45.3% in the most deprived tenth of neighbourhoods (higher than England's 42.8%)" in text
    )
    assert text.endswith(
        "4.9% of the ICB's courses finished had no recorded neighbourhood, so no decile, "
        "and are left out."
    )
