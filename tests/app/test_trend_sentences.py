"""Sentences about a series: movement between periods and the recent-trend test in words."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gapmap import trends
from gapmap.subjects import period_label
from gapmap.trend_sentences import (
    recent_trend_sentence,
    trend_explainer,
    trend_paragraph,
    trend_sentence,
    trend_verdict,
)
from gapmap.trends import RecentTrend
from tests.app.sentencekit import CATALOGUE, meta


def test_trend_sentence_direction_and_england():
    trend = pd.DataFrame(
        {
            "period": ["2016-17", "2014-15", "2015-16"],
            "value": [8.2, 7.0, 7.5],
            "england_value": [9.1, 7.3, 8.3],
            "suppressed": [False, False, False],
            "vintage": ["ltla-2024"] * 3,
        }
    )
    text = trend_sentence(trend, meta(), "Sandwell")
    assert text == (
        "Recorded depression in Sandwell rose from 7.0% in 2014-15 to 8.2% in 2016-17. "
        "England's figure rose from 7.3% in 2014-15 to 9.1% in 2016-17."
    )
    falling = trend.assign(value=[7.0, 8.2, 7.5], england_value=pd.NA)
    assert trend_sentence(falling, meta()) == (
        "Recorded depression fell from 8.2% in 2014-15 to 7.0% in 2016-17."
    )
    flat = trend.assign(value=[7.02, 6.98, 7.0])
    assert "stayed at about 7.0%" in trend_sentence(flat, meta())
    hidden = trend.assign(suppressed=[True, True, False])
    assert trend_sentence(hidden, meta()) is None
    merged = trend.assign(vintage=["ccg-2019", "ccg-2019", "ccg-2020"])
    assert "boundaries changed" in trend_sentence(merged, meta())


def test_monthly_periods_read_as_months():
    assert period_label("2016-04") == "April 2016"
    assert period_label("2018-19") == "2018-19"
    assert period_label("IoD2025") == "Indices of Deprivation 2025"
    monthly = pd.DataFrame({"period": ["2016-04", "2022-06"], "value": [2400.0, 2600.0]})
    text = trend_sentence(monthly, meta(unit="per 100,000"))
    assert "from 2,400.0 per 100,000 in April 2016 to 2,600.0 per 100,000 in June 2022" in text


def test_trend_paragraph_orders_findings_and_never_describes_hidden_values():
    years = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]
    depression = pd.DataFrame(
        {
            "period": years,
            "value": [9.0, 9.5, 10.0, 10.5, 11.0],
            "suppressed": [False] * 5,
            "england_value": [9.9, 10.7, 11.6, 12.3, 12.7],
        }
    )
    smi = pd.DataFrame(
        {"period": years, "value": [1.0, 1.1, 4.4, 1.2, 1.3], "suppressed": [False] * 5}
    )
    smi.loc[2, ["value", "suppressed"]] = [pd.NA, True]
    imd = pd.DataFrame({"period": years[:2], "value": [30.0, 30.0], "suppressed": [False] * 2})
    paragraph = trend_paragraph(
        {
            "smi_prevalence": (smi, RecentTrend("cannot_calculate", reason="a reason")),
            "depression_prevalence": (
                depression,
                RecentTrend("increasing", periods=tuple(years), method=trends.CHI_SQUARE),
            ),
            "imd_score": (imd, RecentTrend("cannot_calculate", reason="a score")),
        },
        CATALOGUE,
        "Town",
    )
    assert paragraph.startswith(
        "**How the figures have changed.** Recorded depression in Town rose from 9.0% in "
        "2017-18 to 11.0% in 2021-22. Over the last five years with figures (2017-18 to "
        "2021-22), it has been rising by more than chance would explain, so this is getting "
        "worse. Recorded severe mental illness (SMI) in Town rose from 1.00% in 2017-18 to "
        "1.30% in 2021-22. This change cannot be tested for chance, because a reason."
    )
    assert "4.4" not in paragraph  # the hidden year
    assert "England" not in paragraph and "IMD" not in paragraph  # scores are not trends
    assert trend_paragraph({}, CATALOGUE, "Town") is None


# ----------------------------------------------------------------------------- trend words


YEARS = ("2017-18", "2018-19", "2019-20", "2020-21", "2021-22")


@pytest.mark.parametrize(
    ("marker", "polarity", "expected"),
    [
        ("increasing", "high_is_bad", "rising over the last five years with figures (2017-18 "
         "to 2021-22). The rise is too big and steady to be chance, so this is getting worse."),
        ("decreasing", "high_is_bad", "falling over the last five years with figures (2017-18 "
         "to 2021-22). The fall is too big and steady to be chance, so this is getting better."),
        ("increasing", "high_is_good", "so this is getting better."),
        ("decreasing", "high_is_good", "so this is getting worse."),
        ("increasing", "neutral", "The rise is too big and steady to be chance."),
    ],
)  # fmt: skip
def test_recent_trend_sentence_follows_the_test_and_polarity(marker, polarity, expected):
    result = RecentTrend(marker, periods=YEARS, method=trends.CHI_SQUARE, chi_square=25.0)
    text = recent_trend_sentence(result, meta(polarity=polarity), "Town")
    assert text.startswith("Recorded depression in Town has been ")
    assert text.endswith(expected)
    if polarity == "neutral":
        assert "better" not in text and "worse" not in text
    assert "25" not in text  # no statistics in the plain sentence


def test_no_change_and_cannot_be_calculated_sentences():
    steady = RecentTrend("no_change", periods=YEARS, method=trends.CHI_SQUARE, chi_square=2.0)
    assert recent_trend_sentence(steady, meta(), "Town") == (
        "There has been no steady rise or fall in recorded depression in Town over the last "
        "five years with figures (2017-18 to 2021-22)."
    )
    assert not re.search(r"rising|falling|better|worse", recent_trend_sentence(steady, meta()))
    cannot = RecentTrend("cannot_calculate", reason=trends.PUBLISHED)
    assert recent_trend_sentence(cannot, meta(), "Town") == (
        "Whether recorded depression in Town is rising or falling cannot be tested, because "
        "the publisher gave no counts or confidence intervals to test with."
    )
    assert trend_verdict(cannot, meta()).startswith("Recent trend: cannot be calculated, because")
    rising = RecentTrend("increasing", periods=YEARS, method=trends.CHI_SQUARE)
    assert trend_verdict(rising, meta(polarity="high_is_good")) == (
        "Recent trend, 2017-18 to 2021-22: increasing and getting better "
        "(chi-square test for trend, 99.8% level)."
    )
    assert "five most recent years" in trend_explainer()
