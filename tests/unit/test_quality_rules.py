"""The data-quality rules on tiny frames written here: what each catches, and what it leaves."""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline import quality
from data_pipeline.quality import rules
from data_pipeline.quality.mark import period_months


def _months(area: str, counts: list[float | None], start: str = "2021-01-01") -> pd.DataFrame:
    months = pd.date_range(start, periods=len(counts), freq="MS")
    return pd.DataFrame({"area": area, "month": months, "count": counts})


def _caught(frame: pd.DataFrame) -> list[str]:
    out = rules.incomplete_submission(frame)
    return [m.strftime("%Y-%m") for m in out.loc[out["caught"], "month"]]


# --- incomplete_submission ---------------------------------------------------------------


def test_a_collapsed_month_is_caught_against_the_median_of_the_months_before():
    frame = _months("A", [1000, 1010, 990, 1020, 1000, 1005, 40])
    out = rules.incomplete_submission(frame)
    last = out.iloc[-1]
    assert bool(last["caught"])
    assert last["reference"] == 1002.5  # median of the previous six months
    assert last["reference_months"] == rules.REFERENCE_MONTHS
    assert last["share"] == pytest.approx(40 / 1002.5)


def test_a_month_just_above_the_threshold_is_not_caught():
    share = rules.SUBMISSION_SHARE
    assert _caught(_months("A", [1000] * 6 + [1000 * share])) == []
    assert _caught(_months("A", [1000] * 6 + [1000 * share - 1])) == ["2021-07"]


def test_a_run_of_collapsed_months_is_caught_whole_not_judged_against_itself():
    # Without excluding caught months, the fourth would be set against a median pulled down
    # by the first three and escape.
    counts = [17_000, 17_200, 17_400, 17_500, 17_900, 18_200, 840, 865, 790, 740]
    assert _caught(_months("A", counts)) == ["2021-07", "2021-08", "2021-09", "2021-10"]


def test_a_lasting_fall_is_a_new_level_not_an_incomplete_submission():
    counts = [15_000] * 6 + [5_000] * (rules.MAX_RUN_MONTHS + 3)
    assert _caught(_months("A", counts)) == []
    recovered = [15_000] * 6 + [5_000] * rules.MAX_RUN_MONTHS + [15_000]
    assert len(_caught(_months("A", recovered))) == rules.MAX_RUN_MONTHS


def test_too_little_history_or_too_small_a_count_is_not_judged():
    short = _months("A", [1000, 1000, 10])  # only two months before the fall
    assert _caught(short) == []
    assert rules.incomplete_submission(short)["reference"].isna().iloc[-1]
    small = _months("A", [40, 42, 38, 41, 40, 39, 5])  # a median under 100 can halve by chance
    assert _caught(small) == []


def test_the_reference_looks_back_a_year_at_most_and_skips_suppressed_months():
    frame = pd.concat(
        [
            _months("A", [1000, 1000, 1000], start="2019-01-01"),  # too old to count
            _months("A", [None, 1000, 1000, 1000, 100], start="2021-01-01"),
        ]
    )
    out = rules.incomplete_submission(frame)
    assert out["reference_months"].iloc[-1] == 3
    assert out["caught"].iloc[-1]
    assert not out["caught"].iloc[3]  # the suppressed month is neither judged nor caught


def test_areas_are_judged_separately_and_refuse_duplicate_months():
    frame = pd.concat([_months("A", [1000] * 6 + [100]), _months("B", [100] * 6 + [1000])])
    out = rules.incomplete_submission(frame)
    assert out.loc[out["caught"], "area"].tolist() == ["A"]
    with pytest.raises(ValueError, match="two rows for one month"):
        rules.incomplete_submission(pd.concat([frame, frame.tail(1)]))
    with pytest.raises(ValueError, match="columns"):
        rules.incomplete_submission(frame.drop(columns="count"))


# --- implausible_zero --------------------------------------------------------------------


def _percent(area: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"area": area, "period": range(len(values)), "value": values})


def test_a_zero_where_the_area_usually_checks_many_is_caught():
    out = rules.implausible_zero(_percent("A", [29.1, 33.8, 0.0, 0.32, 49.3, 74.3]))
    assert out["caught"].tolist() == [False, False, True, True, False, False]
    # the other near-zero year does not pull the reference down
    assert out["reference"].iloc[2] == pytest.approx(41.55)


def test_a_low_value_that_is_not_near_zero_or_an_area_that_is_always_low_is_kept():
    assert not rules.implausible_zero(_percent("A", [2.2, 20.0, 25.0]))["caught"].any()
    assert not rules.implausible_zero(_percent("A", [0.0, 3.0, 4.0]))["caught"].any()
    assert not rules.implausible_zero(_percent("A", [0.0, 30.0]))["caught"].any()  # one other


def test_near_zero_and_far_higher_thresholds_are_the_stated_constants():
    just_under = rules.NEAR_ZERO_PERCENT - 0.01
    at_bound = rules.FAR_HIGHER_PERCENT
    assert rules.implausible_zero(_percent("A", [just_under, at_bound, at_bound]))["caught"][0]
    below = at_bound - 0.01
    assert not rules.implausible_zero(_percent("A", [just_under, below, below]))["caught"][0]


# --- how a caught row is treated in finalise -----------------------------------------


def test_withhold_sets_not_compared_and_adds_the_column_when_absent():
    frame = pd.DataFrame(
        {
            "comparison": ["lower", "better"],
            "comparison_998": ["lower", "better"],
            quality.QUALITY: [quality.INCOMPLETE_SUBMISSION, pd.NA],
        }
    )
    out = quality.withhold(frame)
    assert out["comparison"].tolist() == ["not_compared", "better"]
    assert out["comparison_998"].tolist() == ["not_compared", "better"]
    bare = quality.withhold(frame.drop(columns=quality.QUALITY))
    assert bare[quality.QUALITY].isna().all() and bare["comparison"].tolist()[0] == "lower"


def test_period_labels_give_the_months_a_row_is_built_from():
    assert period_months("2017-18") == [pd.Timestamp("2018-03-01")]
    assert period_months("2018-03", monthly=True) == [pd.Timestamp("2018-03-01")]
    assert period_months("Nov 2022") == [pd.Timestamp("2022-11-01")]
    assert len(period_months("Aug - Nov 2022")) == 4
    assert len(period_months("Jul 2022 - May 2023")) == 11
    with pytest.raises(ValueError, match="months of period"):
        period_months("sometime")


def test_every_rule_states_its_threshold_and_why():
    for rule in rules.RULES.values():
        assert rule.label and rule.threshold and rule.why
    assert set(rules.RULES) == {quality.INCOMPLETE_SUBMISSION, quality.IMPLAUSIBLE_ZERO}


def test_the_methods_prose_states_the_thresholds_the_code_uses():
    from pathlib import Path

    from data_pipeline.quality import mark

    text = (Path(__file__).resolve().parents[2] / "content" / "data_quality.md").read_text()
    stated = [
        f"**{rules.SUBMISSION_SHARE:.0%}**",
        f"latest **{rules.REFERENCE_MONTHS}** accepted months",
        f"in the **{rules.LOOKBACK_MONTHS}** months",
        f"At least **{rules.MIN_REFERENCE_MONTHS}**",
        f"at least **{rules.MIN_REFERENCE_COUNT}**",
        f"longer than **{rules.MAX_RUN_MONTHS}** months",
        f"below **{rules.NEAR_ZERO_PERCENT:g}%**",
        f"at least **{rules.FAR_HIGHER_PERCENT:g}%**",
        f"at least **{rules.MIN_OTHER_PERIODS}** other",
        f"**{mark.MATERIAL_SHORTFALL:.0%} short**",
    ]
    assert [s for s in stated if s not in text] == []


def test_the_read_side_has_words_for_every_rule():
    from gapmap.wording import QUALITY_WORDS

    assert set(QUALITY_WORDS) == set(rules.RULES)
    for rule_id, words in QUALITY_WORDS.items():
        assert words == f"Data quality: {rules.RULES[rule_id].label}"
