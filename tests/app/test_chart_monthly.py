"""Talking Therapies month by month: the chart, its axes and its words, on the atlas's rows.

The atlas tests read the monthly indicators (``tt_monthly_*``) for England and NHS Black
Country ICB, so they need an atlas built with them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import vl_convert as vlc

from gapmap import export, tt_months
from gapmap.charts.monthly import describe_monthly, monthly, y_domain
from gapmap.state import Selection
from tests.app.chartkit import compiles

BLACK_COUNTRY = "E54000062"
BLACK_COUNTRY_NAME = "NHS Black Country Integrated Care Board"
#: Advance widths (em) of the label characters in Liberation Sans (Arial's metrics).
EM = {"J": 0.5, "a": 0.556, "n": 0.556, "u": 0.556, "l": 0.222, " ": 0.278}
EM.update(dict.fromkeys("0123456789", 0.556))


def _select(level: str = "icb", area: str | None = BLACK_COUNTRY) -> Selection:
    return Selection(level, "tt_gap_ratio_modelled", "2024-25", area)


def _layers(spec: dict, data: dict | None = None) -> list[dict]:
    """Every drawn layer of a (possibly nested) layer chart, with the data it inherits."""
    out = []
    for layer in spec.get("layer", []):
        own = layer.get("data", data)
        out += _layers(layer, own) if "layer" in layer else [{**layer, "data": own}]
    return out


def _marked(spec: dict, mark: str) -> list[dict]:
    return [lay for lay in _layers(spec) if lay["mark"]["type"] == mark]


def _lines(spec: dict) -> list[dict]:
    return _marked(spec, "line")


def _drawn(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


# --- the y domain -------------------------------------------------------------------------


def test_counts_start_at_zero_and_hold_every_value():
    low, high = y_domain(np.array([2280.0, np.nan, 3180.0]), percent=False)
    assert low == 0 and high > 3180


def test_percentages_fit_closely_within_0_and_100():
    low, high = y_domain(np.array([82.0, 99.5, 91.0]), percent=True)
    assert 70 < low < 82 and 99.5 < high <= 100
    assert y_domain(np.array([np.nan]), percent=True) == [0.0, 100.0]


# --- on the atlas ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def referrals(atlas) -> tt_months.MonthlySeries:
    return tt_months.monthly_series(atlas, "tt_monthly_referrals", _select())


def test_the_area_is_followed_up_to_its_icb(atlas):
    assert tt_months.containing_icb(atlas, _select()) == BLACK_COUNTRY
    sub_icb = _select("sub_icb", "E38000259")  # NHS Black Country ICB - D2P2L
    assert tt_months.containing_icb(atlas, sub_icb) == BLACK_COUNTRY
    assert tt_months.containing_icb(atlas, _select("region", "E40000011")) is None
    assert tt_months.containing_icb(atlas, _select(area=None)) is None


def test_sentence_gives_march_2026_for_england_and_the_icb(atlas, referrals):
    england_only = tt_months.monthly_series(atlas, "tt_monthly_referrals", _select(area=None))
    sentence = tt_months.latest_sentence(england_only)
    assert sentence == "In March 2026, 163,100 referrals were received in England."
    both = tt_months.latest_sentence(referrals)
    assert both.startswith("In March 2026, 163,100 referrals were received in England, and ")
    assert BLACK_COUNTRY_NAME in both and "approximation" in both


def test_both_lines_run_to_march_2026_on_axes_that_hold_them(referrals):
    chart = monthly(referrals.table, referrals.meta, icb_name=referrals.icb_name)
    spec = chart.to_dict()
    lines = _lines(spec)
    assert len(lines) == 2
    orients = set()
    for layer in lines:
        rows = _drawn(spec, layer)
        assert rows[-1]["date"] == "2026-03-01"
        values = [r["value"] for r in rows if r["value"] is not None]
        y = layer["encoding"]["y"]
        low, high = y["scale"]["domain"]
        assert low <= min(values) and max(values) <= high
        assert y["axis"]["tickCount"] >= 4 and y["axis"]["format"] == ",.0f"
        orients.add(y["axis"]["orient"])
        x = layer["encoding"]["x"]
        assert x["type"] == "temporal" and x["axis"]["tickCount"]["interval"] == "month"
    # Counts of very different size: England left, the ICB right.
    assert orients == {"left", "right"}
    assert spec["layer"][0]["resolve"]["scale"]["y"] == "independent"
    assert "England reads on the left axis" in " ".join(spec["title"]["subtitle"])
    compiles(chart)
    # Both axes are drawn (a diamond layer must not take the ICB's axis away).
    titled_axes = {
        (axis["orient"], axis.get("title"))
        for axis in vlc.vegalite_to_vega(spec)["axes"]
        if axis.get("title")
    }
    assert titled_axes == {
        ("bottom", "Month"),
        ("left", "England (referrals)"),
        ("right", f"{BLACK_COUNTRY_NAME} (referrals)"),
    }


def test_percentages_share_one_axis(atlas):
    series = tt_months.monthly_series(atlas, "tt_monthly_recovery", _select())
    spec = monthly(series.table, series.meta, icb_name=series.icb_name).to_dict()
    domains = {tuple(layer["encoding"]["y"]["scale"]["domain"]) for layer in _lines(spec)}
    assert len(domains) == 1
    low, high = domains.pop()
    values = series.table["value"].dropna().astype(float)
    assert low <= values.min() and values.max() <= high <= 100


def test_x_labels_do_not_overlap_in_the_exported_image(referrals):
    """Label positions from the SVG export; the PNG is drawn from the same layout."""
    chart = monthly(referrals.table, referrals.meta, icb_name=referrals.icb_name)
    framed = export.captioned(chart, title="t", subtitle=None, source="NHS England", period="p")
    svg = export.to_svg(framed)
    labels = re.findall(
        r'<text text-anchor="(\w+)" transform="translate\(([\d.]+),[\d.]+\)"[^>]*'
        r'font-size="([\d.]+)px"[^>]*opacity="([\d.]+)"[^>]*>([A-Z][a-z]{2} \d{4})</text>',
        svg,
    )
    # Every tick keeps its label (none hidden to make room), Jan and Jul of each year.
    assert all(opacity == "1" for *_, opacity, _ in labels)
    assert len(labels) == 11 and labels[-1][-1] == "Jan 2026"
    spans = []
    for anchor, x, size, _, text in labels:
        width = float(size) * sum(EM[c] for c in text)
        left = {"start": 0.0, "middle": width / 2, "end": width}[anchor]
        spans.append((float(x) - left, float(x) - left + width))
    for (_, right), (left, _) in zip(spans, spans[1:], strict=False):
        assert right + 2 < left  # at least 2 pixels apart


def test_text_alternative_names_both_lines(referrals):
    text = describe_monthly(referrals.table, referrals.meta, icb_name=referrals.icb_name)
    assert "163,100 referrals in March 2026" in text
    assert f"{BLACK_COUNTRY_NAME} (approximate, from its providers)" in text


def test_the_note_under_the_chart_says_the_line_is_approximate(atlas, referrals):
    assert "The ICB line is an approximation" in tt_months.chart_note(referrals)
    england = tt_months.monthly_series(atlas, "tt_monthly_referrals", _select(area=None))
    assert tt_months.chart_note(england).startswith("Select an ICB")


def test_the_csv_holds_both_series_with_their_counts(referrals):
    table = referrals.table
    assert set(table["area_name"]) == {"England", BLACK_COUNTRY_NAME}
    latest = table.loc[table["period"] == "2026-03"].set_index("area_name")
    assert latest.loc["England", "numerator"] == 163_100
    icb = latest.loc[BLACK_COUNTRY_NAME]
    assert icb["value"] == icb["numerator"] and float(icb["numerator"]) % 5 == 0


def test_months_flagged_for_data_quality_are_marked_on_the_icb_line(referrals):
    # December 2022: Dudley's provider sent about a quarter of its usual referrals.
    table = referrals.table
    flagged = table.loc[table["quality"].notna()]
    assert "2022-12" in set(flagged.loc[flagged["area_code"] == BLACK_COUNTRY, "period"])
    spec = monthly(table, referrals.meta, icb_name=referrals.icb_name).to_dict()
    (diamonds,) = _marked(spec, "point")
    drawn = {row["date"] for row in _drawn(spec, diamonds)}
    assert "2022-12-01" in drawn and len(drawn) == len(flagged)
    assert any("data quality" in line for line in spec["title"]["subtitle"])
    # ...and left out of the ICB's line: a gap there, not a dip to a quarter.
    (icb_line,) = [lay for lay in _lines(spec) if lay["encoding"]["y"]["axis"]["orient"] == "right"]
    december = next(r for r in _drawn(spec, icb_line) if r["date"] == "2022-12-01")
    assert december["line"] is None and december["value"] is not None
    text = describe_monthly(table, referrals.meta, icb_name=referrals.icb_name)
    assert len(flagged) == 1  # December 2022 alone
    assert "1 month flagged for data quality is left out of the lines" in text


def test_the_recovery_redefinition_of_april_2022_stops_the_lines(atlas):
    series = tt_months.monthly_series(atlas, "tt_monthly_recovery", _select())
    assert [b.period for b in series.breaks] == ["2022-04"]
    chart = monthly(series.table, series.meta, icb_name=series.icb_name, breaks=series.breaks)
    spec = chart.to_dict()
    (rule,) = _marked(spec, "rule")
    assert _drawn(spec, rule)[0]["date"] == "2022-04-01"
    labels = [r["label"] for lay in _marked(spec, "text") for r in _drawn(spec, lay)]
    assert "Recovery redefined" in labels
    for line in _lines(spec):  # each line is drawn in two pieces, before and after
        assert line["encoding"]["detail"]["field"] == "segment"
        segments = {(r["date"] < "2022-04-01", r["segment"]) for r in _drawn(spec, line)}
        assert segments == {(True, 0), (False, 1)}
    assert any("redefined" in line for line in spec["title"]["subtitle"])
    compiles(chart)
    text = describe_monthly(
        series.table, series.meta, icb_name=series.icb_name, breaks=series.breaks
    )
    assert "The series changed in 2022-04: from April 2022 (version 2.1" in text
