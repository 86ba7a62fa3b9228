"""One wording module: the same value reads the same in sentences, tables and charts."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import vl_convert as vlc

from gapmap import narrative, peers, trends
from gapmap.wording import (
    COMPARISON_KEYS,
    COMPARISON_LABELS,
    COMPARISON_WORDS,
    FINER,
    MINUS,
    as_number,
    compared_heading,
    compared_with,
    d3_format,
    decimal_places,
    escape_html,
    escape_md,
    fixed,
    format_number,
    lower_first,
    number_format,
    number_word,
    ordinal,
    plural,
    spread_note,
)

ATLAS = Path(__file__).resolve().parents[2] / "geodata" / "atlas"

# ------------------------------------------------------------------------------ the rule


@pytest.mark.parametrize(
    ("unit", "statistic", "indicator", "places"),
    [
        ("%", "proportion", "depression_prevalence", 1),
        ("%", "proportion", "smi_prevalence", 2),  # about 0.95%: 1 place is one figure
        ("per 100,000", "rate", None, 1),
        ("per 1,000", "rate", None, 1),
        ("ratio", "ratio", None, 2),
        ("", "ratio", None, 2),
        ("score", "score", "imd_score", 1),
        ("score", "score", "mh_need_score", 2),
        ("years", "published", None, 1),
        ("%", "published", "smi_excess_mortality_ratio", 1),
        ("patients", "score", "list_size", 0),
        ("decile", "score", "imd_decile", 0),
        ("", "count", None, 0),
    ],
)
def test_decimal_places_follow_unit_statistic_and_size(unit, statistic, indicator, places):
    assert decimal_places(unit, statistic, indicator) == places


def test_values_read_with_their_units():
    assert format_number(13.736, "%") == "13.7%"
    assert format_number(390.4, "%") == "390.4%"
    assert format_number(2124.36, "per 100,000") == "2,124.4 per 100,000"
    assert format_number(7.25, "per 1,000") == "7.3 per 1,000"  # a tie rounds up, as d3 does
    assert format_number(0.857, "ratio") == "0.86"
    assert format_number(0.934, "%", indicator="smi_prevalence") == "0.93%"
    assert format_number(33.772, "score") == "33.8"
    assert format_number(79.04, "years") == "79.0 years"
    assert format_number(12345, "patients") == "12,345 patients"
    assert format_number(3, "decile") == "decile 3"
    assert format_number(1234567.891, "") == "1,234,567.9"
    assert format_number(None, "%") == "" and format_number("n/a", "%") == ""


def test_number_format_from_metadata_with_and_without_unit():
    fmt = number_format(
        pd.Series({"id": "tt_access_rate", "unit": "per 100,000", "statistic": "rate"})
    )
    assert (fmt.unit, fmt.decimals, fmt.d3) == ("per 100,000", 1, ",.1f")
    assert fmt.text(2124.35) == "2,124.3 per 100,000"  # the float is just below the tie
    assert fmt.text(2124.36, unit=False) == fmt.number(2124.36) == "2,124.4"
    assert (
        fmt.text(float("nan"), missing="-") == "-" and fmt.number(pd.NA, "no value") == "no value"
    )
    assert number_format({"indicator_id": "smi_prevalence", "unit": "%"}).decimals == 2
    assert number_format({"unit": "%", "statistic": pd.NA}).decimals == 1
    assert number_format(None, unit="ratio").text(1) == "1.00"
    assert d3_format({"unit": "patients"}) == ",.0f"


def test_intervals_say_the_unit_once_or_on_both_ends():
    rate = number_format(unit="per 1,000")
    assert rate.interval(7.21, 7.34) == "7.2 to 7.3 per 1,000"
    assert rate.interval(7.21, 7.34, unit=False) == "7.2 to 7.3"
    assert number_format(unit="%").interval(9, 11) == "9.0% to 11.0%"
    assert number_format(unit="ratio").interval(0.91, 0.94) == "0.91 to 0.94"
    assert rate.interval(None, 7.3) == "" and rate.interval(1, None, missing="-") == "-"


def test_negative_zero_is_never_shown_and_negatives_take_the_minus_sign():
    assert fixed(-0.001, 1) == "0.0" and fixed(-0.0, 2) == "0.00" and fixed(-0.4, 0) == "0"
    assert fixed(-1.25, 1) == f"{MINUS}1.3"  # away from zero, as d3 does
    assert format_number(-0.017, "score", indicator="mh_need_score") == f"{MINUS}0.02"
    assert "-0" not in fixed(-0.0049, 2)


def test_as_number_accepts_only_finite_numbers():
    cells = (1, "2.5", None, pd.NA, float("nan"), float("inf"), "x", True)
    assert [as_number(v) for v in cells] == [1.0, 2.5, None, None, None, None, None, None]


VEGA_VALUES = [-1.25, -0.001, 0.125, 2.675, 13.25, 7.25, 1234567.85, 0.0, 99.95, -2.5]


@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_charts_print_the_same_text_as_sentences(decimals):
    """Vega-Lite, drawing with NumberFormat.d3, prints exactly NumberFormat.number."""
    fmt = number_format(unit="score")
    fmt = type(fmt)(fmt.unit, decimals)
    spec = {
        "data": {"values": [{"i": i, "v": v} for i, v in enumerate(VEGA_VALUES)]},
        "mark": "text",
        "encoding": {
            "y": {"field": "i", "type": "ordinal", "axis": None},
            "text": {"field": "v", "type": "quantitative", "format": fmt.d3},
        },
    }
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", vlc.vegalite_to_svg(spec))
    assert drawn == [fmt.number(v) for v in VEGA_VALUES]


# ------------------------------------------------------------------ read well in the atlas


def test_every_atlas_indicator_reads_with_two_to_five_significant_figures():
    """At an indicator's typical size, its values keep 2-5 significant figures.

    A new indicator whose values are small (under 1 in its unit) fails here until it is
    given 2 places in FINER; an entry in FINER that 1 place would serve fails too.
    """
    meta = pd.read_parquet(ATLAS / "indicators.parquet")
    values = pd.read_parquet(ATLAS / "values.parquet", columns=["indicator_id", "value"])
    typical = values.assign(size=values["value"].abs()).groupby("indicator_id")["size"].median()
    for _, indicator in meta.iterrows():
        fmt = number_format(indicator)
        digits = fmt.number(typical[indicator["id"]]).replace(",", "").replace(".", "")
        figures = len(digits.lstrip("0"))
        assert 2 <= figures <= 5 or fmt.decimals == 0, (indicator["id"], digits)
        if indicator["id"] in FINER:
            one_place = fixed(typical[indicator["id"]], 1).replace(".", "").lstrip("0")
            assert len(one_place) < 2, indicator["id"]


# ------------------------------------------------------------------------------- words


def test_comparison_words_in_every_form():
    assert COMPARISON_WORDS == {
        "better": "Better than England",
        "similar": "Similar to England",
        "worse": "Worse than England",
        "higher": "Higher than England",
        "lower": "Lower than England",
        "not_compared": "Not compared",
    }
    assert COMPARISON_LABELS["not_compared"] == "Not compared with England"
    assert compared_with("better", lower=True, average=True) == "better than the England average"
    assert compared_with("similar", lower=True, average=True) == "similar to the England average"
    assert compared_with("worse", "peers") == "Worse than peers"
    assert compared_with("nonsense") == "Not compared"
    assert compared_heading() == "Compared with England (95%)"
    assert compared_heading("998") == "Compared with England (99.8%)"
    assert set(peers.COMPARED_WORDS) == set(COMPARISON_KEYS)
    assert peers.COMPARED_WORDS["similar"] == "Similar to peers"


def test_a_similar_ratio_whose_interval_leaves_england_out_says_why():
    """Limits that allow for how much areas vary can call 'similar' what chance alone would not."""
    note = spread_note("ratio", "similar", 0.87, 0.90)
    assert note == "Its interval leaves out England's 1, but areas vary this much."
    assert spread_note("difference", "similar", 1535, 2024).startswith(
        "Its interval leaves out England's 0,"
    )
    assert spread_note("ratio", "similar", 0.95, 1.05) == ""  # the interval agrees
    assert spread_note("ratio", "worse", 0.80, 0.90) == ""  # the verdict agrees
    assert spread_note("rate", "similar", 10.0, 12.0) == ""  # compared by its interval
    assert spread_note("ratio", "similar", None, float("nan")) == ""  # hidden: nothing to say


def test_small_words():
    assert [ordinal(n) for n in (1, 2, 3, 11, 12, 13, 21, 22, 101, 112)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "22nd", "101st", "112th"
    ]  # fmt: skip
    assert plural(1, "area") == "1 area" and plural(3, "area") == "3 areas"
    assert plural(2, "person", "people") == "2 people"
    assert [number_word(n) for n in (1, 5, 9, 10)] == ["one", "five", "nine", "10"]
    assert lower_first("Better than England") == "better than England"
    assert lower_first("NHS Talking Therapies") == "NHS Talking Therapies"


# ---------------------------------------------------------------------------- escaping


def test_escape_md_shows_data_as_written():
    assert escape_md("a*b_c[d]") == r"a\*b\_c\[d\]"
    assert escape_md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape_md("$x$ | `y` # ~z~") == r"\$x\$ \| \`y\` \# \~z\~"
    assert escape_md("- item\n+ more\n12. third") == "\\- item\n\\+ more\n12\\. third"
    # what cannot start markup mid-line stays readable
    assert escape_md("Jul 2022 - May 2023 (E38000259, sub-ICB).") == (
        "Jul 2022 - May 2023 (E38000259, sub-ICB)."
    )
    assert escape_md("Bath & North East Somerset") == "Bath &amp; North East Somerset"


def test_escape_html_for_markup_attributes_and_js_templates():
    assert escape_html('<b a="1">') == "&lt;b a=&quot;1&quot;&gt;"
    assert escape_html("`${x}` \\") == "&#96;&#36;{x}&#96; &#92;"
    assert escape_html(None) == "None"


# ------------------------------------------------------------------ same text everywhere


def test_sentences_and_trend_tables_use_the_same_words_and_numbers():
    meta = pd.Series(
        {"id": "smi_prevalence", "short_name": "SMI", "unit": "%", "statistic": "proportion"}
    )
    row = pd.Series(
        {"period": "2022-23", "value": 0.934, "england_value": 0.9497, "comparison": "similar"}
    )
    sentence = narrative.indicator_sentence(row, meta, "Town")
    fmt = number_format(meta)
    assert f"({fmt.text(0.934)} of patients" in sentence and f"({fmt.text(0.9497)})" in sentence
    assert compared_with("similar", lower=True) in sentence
    series = pd.DataFrame(
        {
            "period": ["2021-22", "2022-23"],
            "value": [1.0, 0.934],
            "comparison": ["worse", "similar"],
        }
    )
    table = trends.table(series, trends.RecentTrend("cannot_calculate"))
    assert table["Compared with England"].tolist() == [
        COMPARISON_WORDS["worse"],
        COMPARISON_WORDS["similar"],
    ]


def test_a_count_of_areas_has_its_thousands_separated():
    from gapmap.wording import plural

    assert plural(1272, "area") == "1,272 areas"
    assert plural(1, "area") == "1 area"
