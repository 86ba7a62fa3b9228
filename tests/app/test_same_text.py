"""One value reads the same in every output: map, chart, table, CSV, sentence and board pack.

For six indicators of the committed atlas (a percentage, a rate per 100,000, two ratios, a
score and SMI prevalence, which reads with two decimals) one area's value and interval are
rendered through each output the app has, and each must show the figures pinned here. The
table on the page and the CSV export hold numbers (so they sort and load into a
spreadsheet); they must hold exactly the figure the text shows, not more decimals or fewer.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd
import pytest
import vl_convert as vlc

from gapmap import charts, export, maps, narrative, tables
from gapmap.atlas import Atlas
from gapmap.boardpack.facts import area_table
from gapmap.state import Selection
from tests.app.chartkit import layers_of
from tests.app.mapkit import forbid_network, props

LEVEL = "sub_icb"
AREA = "E38000259"  # NHS Black Country ICB - D2P2L


@dataclass(frozen=True)
class Case:
    """What one indicator's value and interval must read as, everywhere."""

    indicator: str
    text: str  # the value with its unit, as sentences and tooltips say it
    number: str  # the value alone, as chart tooltips and table cells print it
    low: str | None = None
    high: str | None = None
    interval: str | None = None  # the interval with its unit

    @property
    def figures(self) -> list[str]:
        """The numbers alone: value, then the interval's ends when there is one."""
        return [self.number] + ([self.low, self.high] if self.low else [])  # type: ignore[list-item]


CASES = [
    Case("depression_prevalence", "14.8%", "14.8", "14.7", "14.9", "14.7% to 14.9%"),
    Case(
        "tt_access_rate",
        "2,124.4 per 100,000",
        "2,124.4",
        "2,096.0",
        "2,153.0",
        "2,096.0 to 2,153.0 per 100,000",
    ),
    Case("tt_gap_ratio", "1.02", "1.02", "1.00", "1.04", "1.00 to 1.04"),
    Case("tt_gap_ratio_modelled", "0.89", "0.89", "0.87", "0.90", "0.87 to 0.90"),
    Case("imd_score", "30.3", "30.3"),
    Case("smi_prevalence", "1.01%", "1.01", "1.00", "1.03", "1.00% to 1.03%"),
]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Every output is drawn offline, as on a locked-down network (the atlas is conftest's)."""
    forbid_network(monkeypatch)


@dataclass(frozen=True)
class Inputs:
    """One indicator's latest map of sub-ICB locations, its metadata and the area's row."""

    meta: pd.Series
    period: str
    table: pd.DataFrame
    row: pd.Series
    england: float


def inputs(atlas: Atlas, indicator: str) -> Inputs:
    period = atlas.periods(indicator, LEVEL)[-1]
    table = atlas.table(indicator, LEVEL, period)
    row = table.loc[table["area_code"] == AREA].iloc[0]
    england = atlas.england(indicator, period)
    return Inputs(atlas.indicator(indicator), period, table, row, float(england["value"]))


def as_number(text: str) -> float:
    """A figure as printed ('2,124.4') as the number a table or CSV cell should hold."""
    return float(text.replace(",", ""))


def vega_prints(values: list[float], d3_format: str) -> list[str]:
    """What Vega draws for ``values`` with a chart's d3 format string."""
    spec = {
        "data": {"values": [{"i": i, "v": v} for i, v in enumerate(values)]},
        "mark": "text",
        "encoding": {
            "y": {"field": "i", "type": "ordinal", "axis": None},
            "text": {"field": "v", "type": "quantitative", "format": d3_format},
        },
    }
    return re.findall(r"<text[^>]*>([^<]*)</text>", vlc.vegalite_to_svg(spec))


def interval_of(row: pd.Series) -> list[float]:
    return [float(row[k]) for k in ("value", "lower_95", "upper_95") if pd.notna(row[k])]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.indicator)
def test_the_map_tooltip(atlas, case):
    got = inputs(atlas, case.indicator)
    vintage = atlas.vintage(case.indicator, LEVEL, got.period)
    m = maps.choropleth(atlas.boundaries(vintage), got.table, got.meta, england_value=got.england)
    lines = props(m)[AREA]["tip"].split("\n")
    assert lines[1] == f"{got.meta['short_name']}: {case.text}"
    if case.interval:
        assert lines[2] == f"95% CI {case.interval}"
    html = m.get_root().render()
    assert f"{got.meta['short_name']}: {case.text}" in html


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.indicator)
def test_the_ranked_chart(atlas, case):
    got = inputs(atlas, case.indicator)
    spec = charts.ranked(got.table, got.meta, selected=AREA, england_value=got.england).to_dict()
    assert f" at {case.text} (" in spec["description"]
    (dots,) = layers_of(spec, "circle")
    formats = {t["field"]: t.get("format") for t in dots["encoding"]["tooltip"]}
    assert formats["value"] == formats["lower_95"] == formats["upper_95"]
    assert vega_prints(interval_of(got.row), formats["value"]) == case.figures


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.indicator)
def test_the_table_on_the_page_and_its_csv(atlas, case):
    got = inputs(atlas, case.indicator)
    shown = tables.display_table(got.table, got.meta)
    row = shown.loc[shown["Code"] == AREA].iloc[0]
    value, lower, upper = (row[c] for c in shown.columns[2:5])
    cells = [value] + ([lower, upper] if case.low else [])
    assert [float(c) for c in cells] == [as_number(f) for f in case.figures]
    text = export.table_csv(shown).decode("utf-8-sig")
    record = next(r for r in csv.DictReader(io.StringIO(text)) if r["Code"] == AREA)
    csv_cells = [record[c] for c in shown.columns[2 : 5 if case.low else 3]]
    assert [float(c) for c in csv_cells] == [as_number(f) for f in case.figures]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.indicator)
def test_the_sentence(atlas, case):
    got = inputs(atlas, case.indicator)
    row = got.row.copy()
    row["england_value"] = got.england
    sentence = narrative.indicator_sentence(row, got.meta, "Black Country")
    assert case.text in sentence


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.indicator)
def test_the_board_pack_table(atlas, case):
    got = inputs(atlas, case.indicator)
    table = area_table(atlas, Selection(LEVEL, case.indicator, got.period, AREA))
    first = table.iloc[0]
    percent = got.meta["unit"] == "%"  # only a percentage keeps its unit in a cell
    assert first["Value"] == (case.text if percent else case.number)
    if case.interval:
        expected = case.interval if percent else f"{case.low} to {case.high}"
        assert first["95% confidence interval"] == expected
