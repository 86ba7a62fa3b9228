"""Recent trends on the read side: which test an indicator takes, the rules for when a trend
can be tested at all, and the verdicts. The statistics are tested in
``tests/methods/test_trend.py``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gapmap import trends
from gapmap.atlas import Atlas
from gapmap.trends import (
    CHI_SQUARE,
    CHI_SQUARE_LIMIT,
    WEIGHTED_LINE,
    RecentTrend,
    recent_trend,
)

YEARS = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]


def meta(statistic="proportion", polarity="high_is_bad"):
    return pd.Series({"id": "x", "statistic": statistic, "polarity": polarity, "unit": "%"})


def proportions(numerators, denominators=None, periods=YEARS, **extra):
    denominators = denominators or [10_000] * len(numerators)
    frame = pd.DataFrame(
        {
            "period": periods,
            "value": [100 * r / n for r, n in zip(numerators, denominators, strict=True)],
            "numerator": [float(r) for r in numerators],
            "denominator": [float(n) for n in denominators],
            "suppressed": [False] * len(numerators),
        }
    )
    return frame.assign(**extra)


def rates(values, half_widths, periods=YEARS):
    v, h = np.asarray(values, float), np.asarray(half_widths, float)
    return pd.DataFrame(
        {"period": periods, "value": v, "lower_95": v - h, "upper_95": v + h, "suppressed": False}
    )


# ------------------------------------------------------------------------- the verdicts


def test_rising_and_falling_proportions():
    rising = recent_trend(proportions([1000, 1100, 1200, 1300, 1400]), meta())
    assert rising.marker == "increasing" and rising.method == CHI_SQUARE
    assert rising.periods == tuple(YEARS)
    assert rising.chi_square > CHI_SQUARE_LIMIT and rising.p_value < 0.002
    falling = recent_trend(proportions([1400, 1300, 1200, 1100, 1000]), meta())
    assert falling.marker == "decreasing"


def test_flat_and_noisy_series_show_no_change():
    flat = recent_trend(proportions([1000] * 5), meta())
    assert flat.marker == "no_change" and flat.chi_square == pytest.approx(0)
    # a small rise that chance could give: significant at 95% but not at 99.8%
    small = recent_trend(proportions([1000, 1020, 1040, 1060, 1080]), meta())
    assert 3.84 < small.chi_square < CHI_SQUARE_LIMIT
    assert small.marker == "no_change"


def test_one_unusual_year_does_not_make_a_trend():
    # only the last year differs: without it the line is flat, so Fingertips' check fails
    jump = recent_trend(proportions([1000, 1000, 1000, 1000, 2000]), meta())
    assert jump.chi_square > 10 * CHI_SQUARE_LIMIT
    assert jump.marker == "no_change"


def test_rates_use_the_weighted_line():
    rising = recent_trend(rates([40, 42, 44, 46, 48], [1] * 5), meta("rate"))
    assert rising.marker == "increasing" and rising.method == WEIGHTED_LINE
    wide = recent_trend(rates([40, 42, 44, 46, 48], [10] * 5), meta("rate"))
    assert wide.marker == "no_change"


def test_only_the_five_most_recent_usable_years_are_used():
    periods = ["2014-15", "2015-16", *YEARS]
    series = proportions([3000, 2000, 1000, 1100, 1200, 1300, 1400], periods=periods)
    result = recent_trend(series.iloc[::-1], meta())  # any order in
    assert result.periods == tuple(YEARS) and result.marker == "increasing"
    hidden = series.assign(suppressed=[False] * 6 + [True])
    hidden.loc[6, ["value", "numerator", "denominator"]] = pd.NA
    skipped = recent_trend(hidden, meta())
    assert skipped.periods == tuple(periods[1:6])


def test_gaps_keep_their_place_in_time():
    assert trends.score("2019-20") - trends.score("2016-17") == 3
    assert trends.score("2016") == 2016
    # equal steps per year: on real dates the gap year is a straight line, still rising
    result = recent_trend(
        proportions(
            [1000, 1100, 1200, 1400, 1500],
            periods=["2015-16", "2016-17", "2017-18", "2019-20", "2020-21"],
        ),
        meta(),
    )
    assert result.marker == "increasing"


@pytest.mark.parametrize(
    ("series", "statistic", "words"),
    [
        (proportions([1000, 1100, 1200, 1300], periods=YEARS[:4]), "proportion", "only four"),
        (proportions([1000] * 5).assign(numerator=pd.NA), "proportion", "no counts"),
        (rates([1.0] * 5, [1.0] * 5).assign(lower_95=pd.NA), "rate", "no confidence intervals"),
        (
            proportions(
                [1000] * 5, periods=["2016-04", "2016-05", "2016-06", "2016-07", "2016-08"]
            ),
            "proportion",
            "monthly",
        ),
        (proportions([1000] * 5), "ratio", "this measure is a ratio"),
        (proportions([1000] * 5), "score", "this measure is a score"),
        (proportions([1000] * 5), "published", "publisher gave no counts"),
    ],
)
def test_cannot_be_calculated_says_why(series, statistic, words):
    result = recent_trend(series, meta(statistic))
    assert result.marker == "cannot_calculate" and not result.tested
    assert words in result.reason
    assert result.label("high_is_bad") == "Cannot be calculated"


def test_hidden_years_do_not_count_towards_five():
    series = proportions([1000, 1100, 1200, 1300, 1400])
    series.loc[2, "suppressed"] = True
    result = recent_trend(series, meta())
    assert result.marker == "cannot_calculate" and "only four" in result.reason


@pytest.mark.parametrize(
    ("marker", "polarity", "label"),
    [
        ("increasing", "high_is_bad", "Increasing and getting worse"),
        ("increasing", "high_is_good", "Increasing and getting better"),
        ("decreasing", "high_is_bad", "Decreasing and getting better"),
        ("decreasing", "high_is_good", "Decreasing and getting worse"),
        ("increasing", "neutral", "Increasing"),
        ("decreasing", "neutral", "Decreasing"),
        ("no_change", "high_is_bad", "No significant change"),
    ],
)
def test_fingertips_labels_follow_polarity(marker, polarity, label):
    assert RecentTrend(marker, periods=tuple(YEARS)).label(polarity) == label


def test_download_table_marks_the_years_tested():
    series = proportions([1000, 1100, 1200, 1300, 1400])
    series.loc[0, "suppressed"] = True
    table = trends.table(series.iloc[::-1], recent_trend(series, meta()))
    assert table["Period"].tolist() == YEARS
    assert not table["Used in trend test"].any()  # four usable years: nothing tested
    assert pd.isna(table.loc[0, "Value"]) and pd.isna(table.loc[0, "Count"])


# ------------------------------------------------------------------------------ real atlas


@pytest.fixture(scope="module")
def atlas():
    return Atlas.load()


def test_real_trends(atlas):
    england = trends.series(atlas, "depression_prevalence", None, "sub_icb")
    assert "england_value" not in england.columns
    result = recent_trend(england, atlas.indicator("depression_prevalence"))
    assert result.marker == "increasing"
    # 2020-21 and 2021-22 were published without counts, so they are not tested
    assert result.periods == ("2017-18", "2018-19", "2019-20", "2022-23", "2024-25")

    sandwell = trends.area_trends(atlas, "E08000028", "ltla")
    assert "depression_prevalence" in sandwell
    assert all(not r.tested for _, r in sandwell.values())  # published without counts

    ccg = trends.area_trends(atlas, "E38000144", "ccg", skip=frozenset({"imd_score"}))
    assert "imd_score" not in ccg
    assert ccg["depression_prevalence"][1].marker == "increasing"
    assert ccg["depression_prevalence"][1].periods[-1] == "2019-20"
    assert ccg["tt_gap_ratio"][1].marker == "cannot_calculate"
    recovery = ccg["tt_recovery_rate"][1]
    assert recovery.marker == "cannot_calculate" and "only four" in recovery.reason
