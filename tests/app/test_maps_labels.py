"""Numbers and escaping as the maps write them: by gapmap.wording, one format per indicator."""

from __future__ import annotations

import pandas as pd
import pytest

from gapmap.maps import choropleth, classify, drilldown, tooltip_text
from gapmap.wording import MINUS
from tests.app.mapkit import META_BAD, layer, props, sample_geojson, sample_table

RATE = {"id": "rate", "short_name": "Referrals", "unit": "per 100,000", "statistic": "rate"}
PER_1000 = {"id": "rec", "short_name": "Admissions", "unit": "per 1,000", "statistic": "rate"}
RATIO = {"id": "gap", "short_name": "Gap ratio", "unit": "ratio", "statistic": "ratio"}
SMI = {"id": "smi_prevalence", "short_name": "SMI", "unit": "%", "statistic": "proportion"}


def tip_lines(meta: dict, value: float, lower: float, upper: float, england=None) -> list:
    """The tooltip lines of one area holding ``value`` (and its interval) on a choropleth."""
    table = sample_table().assign(
        value=pd.array([value, 30.0, None, 20.0], dtype="Float64"),
        lower_95=pd.array([lower, 28.0, None, 19.0], dtype="Float64"),
        upper_95=pd.array([upper, 32.0, None, 21.0], dtype="Float64"),
    )
    tips = props(choropleth(sample_geojson(), table, meta, england_value=england))
    return tips["E06000001"]["tip"].split("\n")


@pytest.mark.parametrize(
    ("meta", "values", "shown", "interval"),
    [
        (RATE, (1234.5, 1200.04, 1300.0), "1,234.5 per 100,000", "1,200.0 to 1,300.0 per 100,000"),
        (PER_1000, (7.25, 7.15, 7.36), "7.3 per 1,000", "7.2 to 7.4 per 1,000"),
        (RATIO, (0.853, 0.8, 0.9), "0.85", "0.80 to 0.90"),
        (SMI, (0.934, 0.9, 0.97), "0.93%", "0.90% to 0.97%"),
    ],
)
def test_tooltip_numbers_follow_the_indicator_not_the_size_of_the_value(
    meta, values, shown, interval
):
    lines = tip_lines(meta, *values)
    assert lines[1] == f"{meta['short_name']}: {shown}"
    assert lines[2] == f"95% CI {interval}"


def test_every_value_of_one_indicator_has_the_same_decimals():
    # 1,234.5 and 12.3 per 100,000 in the same map: one decimal each, never 0 and 2
    assert tip_lines(RATE, 1234.5, 1000.0, 1500.0)[1].endswith(": 1,234.5 per 100,000")
    assert tip_lines(RATE, 12.34, 10.0, 15.0)[1].endswith(": 12.3 per 100,000")


def test_england_reads_as_the_areas_do():
    assert tip_lines(RATE, 1234.5, 1000.0, 1500.0, england=2124.36)[-1] == (
        "England: 2,124.4 per 100,000"
    )


def test_legend_class_edges_are_fixed_to_their_decimals_with_the_minus_sign():
    table = sample_table().assign(value=pd.array([-1.25, 3.5, None, 0.5], dtype="Float64"))
    legend = [label for label, _ in classify(table, RATIO).legend]
    assert legend[0].startswith(f"{MINUS}1.3 to ") and legend[-2].endswith(" to 3.5")


def test_tooltip_text_is_escaped_for_markup_and_template_literals():
    tip = tooltip_text('<b a="1">', "E1", ["`${x}` \\"])
    assert tip.split("\n") == ["&lt;b a=&quot;1&quot;&gt; · E1", "&#96;&#36;{x}&#96; &#92;"]


def test_practice_tooltips_use_the_same_format_and_a_dash_for_no_value():
    area = {"type": "FeatureCollection", "features": sample_geojson()["features"][:1]}
    practices = pd.DataFrame(
        {
            "area_code": ["M1", "M2"],
            "area_name": ["One", "Two"],
            "latitude": [52.5, 52.6],
            "longitude": [-1.5, -1.4],
            "value": [12.04, None],
        }
    )
    (dots,) = layer(drilldown(area, area, practices, meta=META_BAD), "GP practices")
    tips = [f["properties"]["tip"].split("\n")[1] for f in dots.data["features"]]
    assert tips == ["Depression prevalence: 12.0%", "Depression prevalence: -"]
