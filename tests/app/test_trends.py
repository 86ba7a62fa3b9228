"""Recent-trend tests: the statistics checked against independent calculations, and the rules
for when a trend can be tested at all."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from gapmap import trends
from gapmap.atlas import Atlas
from gapmap.trends import (
    CHI_SQUARE,
    CHI_SQUARE_LIMIT,
    WEIGHTED_LINE,
    RecentTrend,
    chi_square_for_trend,
    recent_trend,
    weighted_trend,
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


# ------------------------------------------------------------------------------ statistics


def test_chi_square_matches_r_prop_trend_test():
    # R: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82))
    # -> X-squared = 8.2249, df = 1, p-value = 0.004132
    x2, u = chi_square_for_trend([83, 90, 129, 70], [86, 93, 136, 82], [1, 2, 3, 4])
    assert x2 == pytest.approx(8.2249, abs=5e-5)
    assert chi2.sf(x2, 1) == pytest.approx(0.004132, abs=5e-7)
    assert u < 0  # the proportion falls


def test_chi_square_matches_fingertips_formula_and_weighted_regression():
    rng = np.random.default_rng(4)
    n = rng.integers(500, 5000, 5).astype(float)
    r = np.floor(n * rng.uniform(0.05, 0.3, 5))
    t = np.array([2015.0, 2016, 2017, 2019, 2020])
    x2, u = chi_square_for_trend(r, n, t)
    # Fingertips' TrendMarkerCalculator form
    big_n, big_r = n.sum(), r.sum()
    part = big_n * (r * t).sum() - big_r * (n * t).sum()
    fingertips = (
        big_n
        * part**2
        / (big_r * (big_n - big_r) * (big_n * (n * t * t).sum() - (n * t).sum() ** 2))
    )
    assert x2 == pytest.approx(fingertips, rel=1e-9)
    # R's prop.trend.test: the regression sum of squares of p on t, weights n / (pbar qbar)
    p_bar = big_r / big_n
    slope, _ = np.polyfit(t, r / n, 1, w=np.sqrt(n / (p_bar * (1 - p_bar))))
    weights = n / (p_bar * (1 - p_bar))
    t_bar = (weights * t).sum() / weights.sum()
    assert x2 == pytest.approx(slope**2 * (weights * (t - t_bar) ** 2).sum(), rel=1e-9)
    assert np.sign(u) == np.sign(slope)


def test_weighted_trend_matches_numpy_weighted_fit():
    t = np.array([1.0, 2, 3, 4, 5])
    values = np.array([40.0, 42.5, 41.0, 45.0, 47.0])
    lower = values - np.array([1.0, 1.5, 0.8, 2.0, 1.2])
    upper = values + np.array([1.2, 1.5, 0.9, 2.2, 1.1])
    x2, slope = weighted_trend(values, lower, upper, t)
    se = (upper - lower) / 3.92
    (b, _), cov = np.polyfit(t, values, 1, w=1 / se, cov="unscaled")
    assert slope == pytest.approx(b, rel=1e-9)
    assert x2 == pytest.approx(b**2 / cov[0, 0], rel=1e-9)


def test_undefined_statistics_raise():
    with pytest.raises(ValueError):
        chi_square_for_trend([0, 0, 0], [10, 10, 10], [1, 2, 3])
    with pytest.raises(ValueError):
        weighted_trend([1, 2], [1, 2], [1, 2], [1, 2])  # zero-width intervals
    with pytest.raises(ValueError):
        weighted_trend([1, 2], [0, 1], [2, 3], [1, 1])  # one time only


def test_threshold_is_fingertips_998():
    assert abs(CHI_SQUARE_LIMIT - 9.54953570608324) < 1e-9


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
    # 2020-21, 2021-22 and 2024-25 were published without counts, so they are not tested
    assert result.periods == ("2016-17", "2017-18", "2018-19", "2019-20", "2022-23")

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
