"""Series breaks on the read side: marking a trend, testing and describing only one series.

The first tests use small frames written here to pin the rules; the rest read the atlas
(its ``breaks.parquet``, so they need an atlas built with series breaks) and sweep every
indicator at every level for the Sandwell and Black Country areas and England: no trend
test, sentence or chart description compares figures across a break.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gapmap import breaks, charts, trends
from gapmap.atlas import Atlas
from gapmap.periods import sort_key
from gapmap.subjects import period_label
from gapmap.trend_sentences import (
    recent_trend_sentence,
    trend_paragraph,
    trend_sentence,
    trend_verdict,
)
from tests.app.chartkit import META, compiles, layers_of

YEARS = ["2016-17", "2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23"]
RATE = pd.Series({"id": "r", "short_name": "Rate", "statistic": "rate", "unit": "per 100,000"})
PROPORTION = pd.Series({"id": "p", "short_name": "Share", "statistic": "proportion", "unit": "%"})


def breaks_table(*rows: tuple[str, bool]) -> pd.DataFrame:
    """Breaks of one indicator and level: (first period of the new series, apart)."""
    return pd.DataFrame(
        {
            "period": [p for p, _ in rows],
            "change": [f"what changed in {p}" for p, _ in rows],
            "label": [f"new in {p}" for p, _ in rows],
            "apart": [a for _, a in rows],
        }
    )


def rising(periods=YEARS) -> pd.DataFrame:
    """A proportion rising steeply every year: any five points test as increasing."""
    n = len(periods)
    return pd.DataFrame(
        {
            "period": periods,
            "value": [10.0 + 2 * i for i in range(n)],
            "numerator": [1000.0 + 200 * i for i in range(n)],
            "denominator": [10_000.0] * n,
            "lower_95": [9.5 + 2 * i for i in range(n)],
            "upper_95": [10.5 + 2 * i for i in range(n)],
            "suppressed": False,
        }
    )


# ----------------------------------------------------------------------- small frames


def test_each_period_is_marked_with_the_series_it_belongs_to() -> None:
    periods = [*YEARS[:5], "Jul 2022 - May 2023", "2023-24"]
    marked = breaks.mark(
        rising(periods), breaks_table(("2019-20", False), ("Jul 2022 - May 2023", True))
    )
    starts = [None if pd.isna(s) else s for s in marked[breaks.START]]
    first, later = [None] * 3, ["2019-20", "2019-20", "Jul 2022 - May 2023", "2019-20"]
    assert starts == first + later
    assert list(marked[breaks.APART]) == [False] * 5 + [True, False]
    current, brk = breaks.latest(marked)
    assert list(current["period"]) == ["2019-20", "2020-21", "2023-24"]
    assert brk is not None and brk.period == "2019-20"
    assert [b.period for b in breaks.drawn(marked)] == ["2019-20", "Jul 2022 - May 2023"]
    assert breaks.mark(rising(), breaks_table()).equals(rising())


def test_the_trend_test_never_crosses_a_break() -> None:
    # Seven rising years: without the break the last five test as increasing.
    assert trends.recent_trend(rising(), PROPORTION).marker == "increasing"
    marked = breaks.mark(rising(), breaks_table(("2019-20", False)))
    result = trends.recent_trend(marked, PROPORTION)
    assert result.marker == "cannot_calculate" and result.since == "2019-20"
    assert result.reason == "the series changed in 2019-20: what changed in 2019-20"
    sentence = recent_trend_sentence(result, PROPORTION, "Sandwell")
    assert "cannot be tested, because the series changed in 2019-20" in sentence
    verdict = trend_verdict(result, PROPORTION)  # a chart's caption line stays short
    assert verdict == "Recent trend: cannot be calculated, because the series changed in 2019-20."
    # A period standing apart is left out, and the years either side are one series.
    periods = [*YEARS[:4], "Jul 2022 - May 2023", "2023-24", "2024-25"]
    apart = breaks.mark(rising(periods), breaks_table(("Jul 2022 - May 2023", True)))
    result = trends.recent_trend(apart, PROPORTION)
    assert result.tested and "Jul 2022 - May 2023" not in result.periods
    assert result.periods == ("2017-18", "2018-19", "2019-20", "2023-24", "2024-25")


def test_sentences_describe_only_the_latest_series_and_say_what_changed() -> None:
    marked = breaks.mark(rising(), breaks_table(("2020-21", False)))
    sentence = trend_sentence(marked, RATE, "Sandwell")
    assert "from 18.0 per 100,000 in 2020-21 to 22.0 per 100,000 in 2022-23" in sentence
    assert "2016-17" not in sentence
    assert "Earlier figures are not compared with these, because the series changed in 2020-21" in (
        sentence
    )
    one = breaks.mark(rising(), breaks_table(("2022-23", False)))
    assert trend_sentence(one, RATE, "Sandwell") == (
        "Rate in Sandwell is not compared with earlier figures, because the series changed "
        "in 2022-23: what changed in 2022-23."
    )


def test_the_chart_places_periods_by_time_and_draws_each_break() -> None:
    periods = ["2018-19", "2019-20", "Jul 2022 - May 2023", "2023-24"]
    marked = breaks.mark(rising(periods), breaks_table(("Jul 2022 - May 2023", True)))
    chart = charts.trend(marked, RATE, area_name="Sandwell")
    spec = chart.to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["field"] == "start" and x["type"] == "temporal" and x["scale"]["type"] == "utc"
    assert len(x["axis"]["values"]) == 4  # every period named at its start
    rules = layers_of(spec, "rule")
    starts = {row["start"] for lay in rules for row in spec["datasets"][lay["data"]["name"]]}
    assert "2022-07-01" in starts
    assert "what changed in Jul 2022 - May 2023" in spec["description"]
    assert "2018-19" in spec["description"] and "in 2023-24" in spec["description"]
    compiles(chart)


def test_a_ratio_draws_england_as_the_labelled_line_at_one() -> None:
    england = pd.DataFrame({"period": YEARS[:4], "value": [1.0] * 4})
    spec = charts.trend(england, META, area_name="England").to_dict()
    texts = [r for lay in layers_of(spec, "text") for r in spec["datasets"][lay["data"]["name"]]]
    assert {"reference": 1.0, "label": "England = 1"} in texts
    domains = [
        lay["encoding"]["y"]["scale"]["domain"]
        for lay in spec["layer"]
        if "scale" in lay["encoding"].get("y", {})
    ]
    assert [0.5, 1.5] in domains  # an axis with values either side of 1
    assert "1 in every period by definition" in spec["description"]
    area = england.assign(value=[0.8, 0.9, 0.85, 0.95], england_value=1.0)
    spec = charts.trend(area, META, area_name="Sandwell").to_dict()
    fields = {lay["encoding"].get("y", {}).get("field") for lay in spec["layer"]}
    assert "england_value" not in fields and "reference" in fields
    compiles(charts.trend(area, META, area_name="Sandwell"))


# -------------------------------------------------------------------------- the atlas

SWEEP = [
    (None, "england"),
    ("E08000028", "ltla"),
    ("E08000028", "utla"),
    ("E38000144", "ccg"),
    ("E38000046", "ccg"),
    ("E38000250", "ccg"),
    ("E38000259", "sub_icb"),
    ("E54000062", "icb"),
    ("E40000011", "region"),
]
MOVED = re.compile(
    r"(?:rose from .+? in (?P<a>.+?) to .+? in (?P<b>.+?)\.)"
    r"|(?:fell from .+? in (?P<c>.+?) to .+? in (?P<d>.+?)\.)"
    r"|(?:stayed at about .+? between (?P<e>.+?) and (?P<f>.+?)\.)"
)
DESCRIBED = re.compile(
    r"over \d+ periods: .+? in (?P<a>.+?) and .+? in (?P<b>.+?)(?: against|;|\.)"
)


def crossed(atlas: Atlas, indicator: str, level: str, first: str, last: str) -> list[str]:
    """Breaks a comparison of ``first`` with ``last`` would cross (from the breaks table)."""
    low, high = sort_key(first), sort_key(last)
    found = []
    for row in atlas.series_breaks(indicator, level).itertuples(index=False):
        inside = low < sort_key(row.period) <= high
        if (row.apart and row.period in (first, last)) or (not row.apart and inside):
            found.append(str(row.period))
    return found


def pairs(pattern: re.Pattern, text: str | None, labels: dict[str, str]) -> list[tuple]:
    """The (first, last) periods each comparison in ``text`` names."""
    out = []
    for match in pattern.finditer(text or ""):
        named = [g for g in match.groups() if g is not None]
        out.append(tuple(labels.get(g, g) for g in named))
    return out


def sweep(atlas: Atlas):
    """(indicator, level, area name, series) of every trend of the swept areas."""
    for code, level in SWEEP:
        name = "England" if code is None else str(atlas.area(code, level=level)["area_name"])
        for indicator in atlas.indicator_ids(level):
            rows = trends.series(atlas, indicator, code, level)
            if rows["period"].nunique() >= 2:
                yield indicator, level, name, rows


def test_the_atlas_records_its_breaks(atlas: Atlas) -> None:
    table = atlas.break_table
    assert set(breaks.COLUMNS) <= set(table.columns)
    found = set(zip(table["indicator_id"], table["level"], table["period"], strict=True))
    assert ("tt_referrals_rate", "england", "Jul 2022 - May 2023") in found
    assert ("mhsds_in_contact_rate", "england", "Nov 2022") in found
    assert ("smi_prevalence", "ccg", "2019-20") in found
    for indicator, level, period in found:
        assert period in atlas.periods(indicator, level), (indicator, level, period)


def test_no_trend_test_sentence_or_description_crosses_a_break(atlas: Atlas) -> None:
    checked = 0
    for indicator, level, name, rows in sweep(atlas):
        meta = atlas.indicator(indicator)
        result = trends.recent_trend(rows, meta)
        where = (indicator, level, name)
        if result.tested:
            assert not crossed(atlas, indicator, level, *result.periods[::4]), where
        labels = {period_label(p): str(p) for p in rows["period"]}
        said = trend_sentence(rows, meta, name)
        for first, last in pairs(MOVED, said, labels):
            assert not crossed(atlas, indicator, level, first, last), (where, said)
            if "England's figure" in (said or ""):
                assert not crossed(atlas, indicator, "england", first, last), (where, said)
        text = charts.describe_trend(rows, meta, area_name=name)
        for first, last in pairs(DESCRIBED, text, {}):
            assert not crossed(atlas, indicator, level, first, last), (where, text)
        checked += 1
    assert checked > 60


def test_the_profile_paragraph_never_compares_across_a_break(atlas: Atlas) -> None:
    described = 0
    for code, level in SWEEP[1:]:
        found = trends.area_trends(atlas, code, level)
        name = str(atlas.area(code, level=level)["area_name"])
        for indicator, (rows, result) in found.items():
            labels = {period_label(p): str(p) for p in rows["period"]}
            text = trend_paragraph({indicator: (rows, result)}, atlas.indicators, name)
            for first, last in pairs(MOVED, text, labels):
                assert not crossed(atlas, indicator, level, first, last), (indicator, text)
                described += 1
    assert described > 10


def test_real_series_that_change_are_not_tested_across_the_change(atlas: Atlas) -> None:
    smi = trends.series(atlas, "smi_prevalence", None, "england")
    result = trends.recent_trend(smi, atlas.indicator("smi_prevalence"))
    assert result.marker == "cannot_calculate" and result.since == "2019-20"
    assert result.reason.startswith("the series changed in 2019-20: QOF changed")
    referrals = trends.series(atlas, "tt_referrals_rate", None, "england")
    result = trends.recent_trend(referrals, atlas.indicator("tt_referrals_rate"))
    assert result.tested and "Jul 2022 - May 2023" not in result.periods
    said = trend_sentence(referrals, atlas.indicator("tt_referrals_rate"), "England")
    assert "Jul 2022 - May 2023 is left out: this figure covers 11 months" in said
    assert "to 3,188.6 per 100,000 in Jul 2022 - May 2023" not in said
    chart = charts.trend(referrals, atlas.indicator("tt_referrals_rate"), area_name="England")
    assert "11 months, registered patients" in str(chart.to_dict()["datasets"])
    compiles(chart)


def test_imd_2019_is_one_ccg_period_found_on_each_ccg_set(atlas: Atlas) -> None:
    assert atlas.periods("imd_score", "ccg") == ["IoD2019"]
    sandwell = atlas.trend("imd_score", "E38000144", "ccg")
    assert list(sandwell["period"]) == ["IoD2019"]
    sizes = {
        vintage: len(atlas.table("imd_score", "ccg", "IoD2019", vintage))
        for vintage in ("ccg-2019", "ccg-2020")
    }
    assert sizes == {"ccg-2019": 191, "ccg-2020": 135}
    assert atlas.table("imd_score", "ccg", "IoD2019")["vintage"].unique().tolist() == ["ccg-2021"]
    for vintage in ("ccg-2019", "ccg-2020", "ccg-2021"):
        assert atlas.period_on("imd_score", "ccg", vintage) == "IoD2019"


def test_every_other_period_joins_one_boundary_vintage(atlas: Atlas) -> None:
    keys = ["indicator_id", "level", "period"]
    vintages = atlas.values.groupby(keys)["vintage"].nunique()
    several = sorted(vintages[vintages > 1].index)
    assert several == [("imd_score", "ccg", "IoD2019")]


def test_ccg_mergers_change_no_series_under_one_code(atlas: Atlas) -> None:
    """Why no CCG vintage is a break: a code on several CCG sets has one population."""
    rows = atlas.values.loc[
        (atlas.values["indicator_id"] == "tt_referrals_rate") & (atlas.values["level"] == "ccg")
    ]
    spread = rows.groupby("area_code").agg(
        sets=("vintage", "nunique"), low=("denominator", "min"), high=("denominator", "max")
    )
    shared = spread.loc[spread["sets"] > 1]
    assert len(shared) > 50
    assert (shared["low"] == shared["high"]).all()


@pytest.mark.parametrize("indicator", ["tt_gap_ratio_modelled", "tt_gap_ratio"])
def test_england_gap_ratio_chart_has_a_labelled_line_at_one(atlas: Atlas, indicator) -> None:
    rows = trends.series(atlas, indicator, None, "england")
    spec = charts.trend(rows, atlas.indicator(indicator), area_name="England").to_dict()
    assert "England = 1" in str(spec["datasets"])
    xs = [lay["encoding"]["x"] for lay in spec["layer"] if "field" in lay["encoding"].get("x", {})]
    assert xs and all(x["type"] == "temporal" for x in xs)
