"""Colour classes and legends shared by the interactive and static maps."""

from __future__ import annotations

import pandas as pd
import pytest

from gapmap import palette
from gapmap.maps import classify, value_breaks, value_class
from gapmap.maps.classes import area_rows, indicator_name
from tests.app.mapkit import META_BAD, sample_table


@pytest.fixture
def table() -> pd.DataFrame:
    return sample_table()


def test_value_breaks_cover_the_data_in_order():
    values = [1.23, 2.5, 3.9, 4.1, 7.77, 10.2, 55.0]
    edges, decimals = value_breaks(values)
    assert edges == sorted(set(edges))
    assert edges[0] <= min(values) and edges[-1] >= max(values)
    assert 2 <= len(edges) <= 6 and decimals == 0
    assert value_breaks([]) == ([], 0)
    assert len(value_breaks([5.0, 5.0])[0]) == 2  # one class when all equal


def test_classify_puts_every_valued_area_in_a_legend_class(table):
    result = classify(table, META_BAD)
    labels = [label for label, _ in result.legend]
    assert set(result.label.values()) <= set(labels)
    assert set(result.fill) == {"E06000001", "E06000002", "E06000005"}


def test_value_class_runs_from_edge_to_next_edge():
    edges = [0.0, 1.0, 2.0, 3.0]
    assert [value_class(v, edges) for v in (0.0, 0.5, 1.0, 1.01, 2.0, 3.0)] == [0, 0, 0, 1, 1, 2]


def test_comparison_classes_use_the_england_words_in_order(table):
    table.loc[3, "comparison"] = "unheard-of"
    result = classify(table, META_BAD, colour_by="comparison")
    assert result.legend == [
        (palette.COMPARISON_LABELS[c], palette.COMPARISON_COLOURS[c])
        for c in ("better", "worse", "not_compared")
    ] + [(palette.NO_DATA_LABEL, palette.NO_DATA)]
    assert result.label["E06000005"] == palette.COMPARISON_LABELS["not_compared"]
    assert result.title == "Depression prevalence: compared with England"
    assert result.key == "Tested at 95% confidence"


def test_value_classes_name_the_unit_and_what_darker_means(table):
    result = classify(table, {"name": "Long name", "polarity": "high_is_good"})
    assert result.title == "Long name"
    assert result.key == palette.darker_means("high_is_good")
    assert classify(table, META_BAD).title == "Depression prevalence (%)"


def test_area_rows_hide_suppressed_values_and_skip_rows_without_a_code(table):
    table.loc[2, "value"] = 99.0  # a suppressed row must not show its value
    extra = pd.DataFrame({"area_code": [None], "value": [1.0]})
    rows = area_rows(pd.concat([table, extra], ignore_index=True))
    assert set(rows) == {"E06000001", "E06000002", "E06000003", "E06000005"}
    assert rows["E06000003"]["value"] is None and rows["E06000003"]["suppressed"]
    assert rows["E06000001"]["lower"] == 9.0 and rows["E06000001"]["comparison"] == "better"
    assert rows["E06000003"]["comparison"] == "" and rows["E06000001"]["note"] == ""
    assert area_rows(pd.DataFrame()) == {}


def test_indicator_name_prefers_the_short_name():
    assert indicator_name({"short_name": "Short", "name": "Long"}) == "Short"
    assert indicator_name(pd.Series({"short_name": None, "name": "Long"})) == "Long"
    assert indicator_name(None) == "Value"


def test_palette_polarity_and_ramp():
    assert palette.value_scale("high_is_good", 5) == list(palette.WORSE_SCALE[::-1])
    assert palette.value_scale("neutral", 5) == list(palette.NEUTRAL_SCALE)
    three = palette.ramp(palette.WORSE_SCALE, 3)
    assert three[0] == palette.WORSE_SCALE[0] and three[-1] == palette.WORSE_SCALE[-1]
    assert palette.deprivation_colour(1) == palette.DEPRIVATION_SCALE[0]
    assert palette.deprivation_colour(None) == palette.NO_DATA
    assert len(palette.DEPRIVATION_SCALE) == 10
