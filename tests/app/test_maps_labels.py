"""Numbers and escaping as the maps write them."""

from __future__ import annotations

import pandas as pd

from gapmap.maps import decimals_for, escape, format_value


def test_format_value():
    assert format_value(12.345, "%") == "12.3%"
    assert format_value(1234.5, "per 100,000") == "1,234 per 100,000"
    assert format_value(0.853, "ratio") == "0.85"
    assert format_value(pd.NA, "%") == "-"
    assert format_value(float("nan")) == "-"


def test_format_value_units_and_fixed_decimals():
    assert format_value(7.25, "per 1,000") == "7.25 per 1,000"
    assert format_value(81.04, "years") == "81.0 years"
    assert format_value(12, "%", decimals=0) == "12%"
    assert format_value("3.5", None) == "3.50"
    assert format_value("n/a") == "-" and format_value(float("inf")) == "-"


def test_decimals_follow_the_size_of_the_number():
    assert [decimals_for(v) for v in (1234, -150, 12.3, 9.99, 0.5, None)] == [0, 0, 1, 2, 2, 2]


def test_escape_neutralises_markup_and_template_literals():
    assert escape('<b a="1">') == "&lt;b a=&quot;1&quot;&gt;"
    assert escape("`${x}` \\") == "&#96;&#36;{x}&#96; &#92;"
    assert escape(None) == "None"
