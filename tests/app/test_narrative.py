"""Plain-English sentences: wording follows the statistics, and data cannot inject markup."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gapmap import trends
from gapmap.atlas import Atlas
from gapmap.narrative import (
    FINDINGS,
    deprivation_rank,
    deprivation_sentence,
    finding,
    imd_decile_explainer,
    indicator_sentence,
    profile_explainer,
    profile_paragraphs,
)
from gapmap.wording import escape_md as escape
from tests.app.sentencekit import CATALOGUE, meta, row

COMPARISON_WORDS = re.compile(
    r"significant|similar|higher|lower|better|worse|above|below|England", re.I
)


# ----------------------------------------------------------------------------- comparisons


def test_significantly_worse_with_clear_difference():
    text = indicator_sentence(row(), meta(), "Sandwell")
    assert text == (
        "Recorded depression in Sandwell (13.7% of adults, 2022-23) is significantly higher "
        "than in England (13.3%), which is worse than the England average — a clear "
        "difference (99.8% level)."
    )


@pytest.mark.parametrize(
    ("polarity", "comparison", "direction", "judgement"),
    [
        ("high_is_bad", "worse", "higher", "worse"),
        ("high_is_bad", "better", "lower", "better"),
        ("high_is_good", "better", "higher", "better"),
        ("high_is_good", "worse", "lower", "worse"),
        ("neutral", "higher", "higher", None),
        ("neutral", "lower", "lower", None),
        ("high_is_bad", "higher", "higher", None),  # a publisher's own neutral wording
    ],
)
def test_direction_and_judgement_follow_polarity(polarity, comparison, direction, judgement):
    text = indicator_sentence(
        row(comparison=comparison, c998="similar"), meta(polarity=polarity), "Area"
    )
    assert f"significantly {direction} than in England" in text
    if judgement:
        assert f"which is {judgement} than the England average" in text
    else:
        assert "better" not in text and "worse" not in text
    assert "99.8%" not in text


def test_similar_never_says_significantly():
    text = indicator_sentence(row(comparison="similar", c998="similar"), meta(), "Area")
    assert "is similar to England (13.3%)" in text  # 13.25 rounds up, as charts do
    assert "significant" not in text and "99.8" not in text
    assert "better" not in text and "worse" not in text


def test_998_wording_needs_agreement():
    agree = indicator_sentence(row(comparison="better", c998="better"), meta(), "A")
    differ = indicator_sentence(row(comparison="better", c998="similar"), meta(), "A")
    assert "a clear difference (99.8% level)" in agree
    assert "99.8" not in differ


def test_not_compared_states_both_values_without_judgement():
    m = meta("imd_score", unit="score", statistic="score", domain="deprivation")
    text = indicator_sentence(
        row(value=30.28, england=21.92, comparison="not_compared", c998="not_compared"), m, "A"
    )
    assert "(30.3, 2022-23) compares with 21.9 for England" in text
    assert not re.search(r"significant|similar|better|worse|higher|lower", text)
    alone = indicator_sentence(
        row(england=pd.NA, comparison="not_compared", c998="not_compared"), meta(), "A"
    )
    assert "no England figure" in alone


def test_sentences_read_numbers_by_the_wording_rule():
    rate = indicator_sentence(
        row(value=2124.36, england=2217.8, comparison="worse"),
        meta("tt_access_rate", polarity="high_is_good", unit="per 100,000", statistic="rate"),
        "Black Country",
    )
    assert "(2,124.4 per 100,000 adults, 2022-23)" in rate
    assert "significantly lower than in England (2,217.8 per 100,000)" in rate
    smi = indicator_sentence(
        row(value=0.934, england=0.95, comparison="similar"), meta("smi_prevalence"), "A"
    )
    assert "(0.93% of patients, 2022-23) is similar to England (0.95%)" in smi


# ---------------------------------------------------------------------------------- ratios


def ratio_meta(indicator_id="tt_gap_ratio", polarity="high_is_good"):
    return meta(indicator_id, polarity=polarity, unit="ratio", statistic="ratio")


def test_gap_ratio_in_words():
    text = indicator_sentence(
        row(value=0.9239, england=1.0, comparison="worse", period="Jul 2022 - May 2023"),
        ratio_meta(),
        "Black Country",
    )
    assert text.startswith(
        "Black Country had about 8% less NHS Talking Therapies activity than the area's "
        "recorded depression would predict (ratio 0.92, Jul 2022 - May 2023)."
    )
    assert "This is significantly worse than the England average" in text
    assert "99.8% level" in text
    modelled = indicator_sentence(
        row(value=0.8838, england=1.0, comparison="similar", period="Jul 2022 - May 2023"),
        ratio_meta("tt_gap_ratio_modelled"),
        "Black Country",
    )
    assert modelled.startswith(
        "Black Country had about 12% less NHS Talking Therapies activity than the area's "
        "modelled need would predict (ratio 0.88, Jul 2022 - May 2023)."
    )


def test_reliance_ratio_and_similar_and_large_ratios():
    more = indicator_sentence(
        row(value=1.4828, comparison="worse", c998="similar"),
        ratio_meta("secondary_reliance_ratio", "high_is_bad"),
        "A",
    )
    assert (
        "about 48% more people in contact with secondary mental health care than its QOF SMI "
        "register would predict" in more
    )
    assert "99.8" not in more
    same = indicator_sentence(
        row(value=1.002, comparison="similar", c998="similar"), ratio_meta(), "A"
    )
    assert "had about as much NHS Talking Therapies activity as the area's recorded" in same
    assert "This is similar to the England average." in same
    double = indicator_sentence(row(value=2.31, comparison="better"), ratio_meta(), "A")
    assert "about 2.3 times as much" in double


# ------------------------------------------------------------------------------ suppressed


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        ("Suppressed: fewer than 8 people or events, which could identify someone.", "fewer"),
        ("Suppressed by the publisher in the source data.", "publisher"),
    ],
)
def test_suppressed_rows_give_no_number_and_no_comparison(note, reason):
    hidden = row(value=13.7, england=13.25, suppressed=True, note=note, comparison="worse")
    hidden["lower_95"], hidden["upper_95"] = 12.1, 15.3
    text = indicator_sentence(hidden, meta(), "Tiny Practice")
    assert reason in text and "hidden" in text
    for number in ("13.7", "13.2", "13.3", "12.1", "15.3", "%"):
        assert number not in text
    assert not COMPARISON_WORDS.search(text)
    ratio = indicator_sentence(
        row(value=0.5, suppressed=True, note=note), ratio_meta(), "Tiny Practice"
    )
    assert "0.5" not in ratio and not COMPARISON_WORDS.search(ratio)


def test_missing_value_says_why():
    text = indicator_sentence(
        row(value=pd.NA, comparison="not_compared", note="Not available: no figure."),
        meta(),
        "A",
    )
    assert (
        text
        == "There is no figure for recorded depression in A for 2022-23: Not available: no figure."
    )


# -------------------------------------------------------------------------------- escaping


def test_escaping_of_markup_in_names():
    assert escape("a*b_c[d]") == r"a\*b\_c\[d\]"
    assert escape("<script>alert(1)</script>") == r"&lt;script&gt;alert(1)&lt;/script&gt;"
    nasty = '<script>alert("x")</script> *bold* _it_ [link](http://x) "onmouseover=x'
    text = indicator_sentence(row(), meta(short_name="<b>x</b>"), nasty)
    assert "<script>" not in text and "<" not in text and ">" not in text
    assert r"\*bold\*" in text and r"\_it\_" in text and r"\[link\]" in text
    fallback = indicator_sentence(row(), meta("unknown_id", short_name="*Star* <i>"), "A")
    assert fallback.startswith(r"\*Star\* &lt;i&gt; in A")
    hidden = indicator_sentence(row(suppressed=True, note="<img src=x>"), meta(), "_A_")
    assert "<img" not in hidden and r"\_A\_" in hidden
    dep = deprivation_sentence(30.0, 3, 100, "<b>areas</b>", "*Town*")
    assert "<b>" not in dep and r"\*Town\*" in dep


# --------------------------------------------------------------------------- other texts


def test_deprivation_sentence_bands():
    text = deprivation_sentence(33.77, 12, 296, "local authorities", "Sandwell")
    assert text == (
        "Sandwell is among the 10% most deprived local authorities in England (ranked 12th "
        "of 296, where 1st is the most deprived; average IMD score 33.8)."
    )
    assert "20% most deprived" in deprivation_sentence(None, 50, 296, "areas", "A")
    assert "around the middle" in deprivation_sentence(None, 150, 296, "areas", "A")
    assert "10% least deprived" in deprivation_sentence(None, 296, 296, "areas", "A")
    assert "20% least deprived" in deprivation_sentence(None, 250, 296, "areas", "A")
    assert "IMD score" not in deprivation_sentence(None, 1, 10, "areas", "A")
    with pytest.raises(ValueError):
        deprivation_sentence(None, 0, 10, "areas", "A")


def test_imd_decile_explainer_reads_the_content_file():
    text = imd_decile_explainer()
    assert "decile 1 is the most deprived" in text.lower()
    assert "10% most deprived" in text
    guide = profile_explainer()
    assert guide.count("**Confidence interval.**") == 1 and "99.8%" in guide


# --------------------------------------------------------------------------- profile groups


HIDDEN_NOTE = "Suppressed: fewer than 8 people or events, which could identify someone."


def profile_of(*rows):
    return pd.DataFrame(list(rows))


@pytest.mark.parametrize(
    ("comparison", "c998", "group"),
    [
        ("worse", "worse", "worse_998"),
        ("worse", "similar", "worse"),
        ("worse", "not_compared", "worse"),  # a publisher's comparison: no 99.8% claim
        ("higher", "higher", "differs"),
        ("better", "better", "better_998"),
        ("better", "similar", "better"),
        ("similar", "similar", "similar"),
        ("not_compared", "not_compared", "not_compared"),
    ],
)
def test_each_comparison_finds_its_group(comparison, c998, group):
    assert finding(row(comparison=comparison, c998=c998)) == group
    assert finding(row(comparison=comparison, suppressed=True, value=pd.NA)) == "hidden"


def test_profile_groups_worse_first_and_hides_suppressed_values():
    profile = profile_of(
        row(
            indicator_id="tt_recovery_rate",
            value=61.0,
            england=50.0,
            comparison="better",
            c998="better",
        ),
        row(indicator_id="smi_prevalence", value=1.37, england=0.96, c998="similar"),
        row(value=15.9, england=13.2),
        row(
            indicator_id="imd_score",
            value=33.77,
            england=21.9,
            comparison="not_compared",
            c998="not_compared",
        ),
    )
    paragraphs = profile_paragraphs(profile, CATALOGUE, "Town")
    assert [p.split(".**")[0] for p in paragraphs] == [
        "**Worse than England, and very likely a real difference",
        "**Worse than England",
        "**Better than England, and very likely a real difference",
        "**Not compared with England",
    ]
    assert "Recorded depression in Town (15.9% of adults" in paragraphs[0]
    assert "99.8%" not in paragraphs[1] and "Recorded severe mental illness" in paragraphs[1]

    hidden = profile.copy()
    hidden.loc[2, ["value", "suppressed", "note", "comparison", "comparison_998"]] = [
        pd.NA,
        True,
        HIDDEN_NOTE,
        "not_compared",
        "not_compared",
    ]
    paragraphs = profile_paragraphs(hidden, CATALOGUE, "Town")
    last = paragraphs[-1]
    assert last.startswith("**Figures that are hidden or missing.** Recorded depression in Town")
    assert "fewer than 8 people" in last and "15.9" not in " ".join(paragraphs)
    assert not re.search(r"\d", last.replace("2022-23", "").replace("8 people", ""))


# ------------------------------------------------------------------------------ real atlas


@pytest.fixture(scope="module")
def atlas():
    return Atlas.load()


def test_profile_paragraphs_for_black_country(atlas):
    paragraphs = profile_paragraphs(
        atlas.profile("E38000259", "sub_icb"),
        atlas.indicators,
        "Black Country",
        trends.area_trends(atlas, "E38000259", "sub_icb"),
    )
    print("\n" + "\n\n".join(paragraphs))
    headings = [p.split(".**")[0].lstrip("*") for p in paragraphs]
    expected = [h for h in FINDINGS.values() if h in headings]
    assert headings[: len(expected)] == expected  # findings in their fixed order
    assert headings[-1] == "How the figures have changed"
    worst = paragraphs[0]
    assert worst.startswith("**Worse than England, and very likely a real difference.**")
    assert (
        "Talking Therapies treatment in Black Country (2,124.4 per 100,000 adults, "
        "Jul 2022 - May 2023) is significantly lower than in England (2,222.2 per 100,000), "
        "which is worse than the England average" in worst
    )
    # a 95%-only difference follows, in its own group: hospital beds, Nov 2022
    worse = paragraphs[1]
    assert worse.startswith("**Worse than England.**") and "hospital beds" in worse
    # recorded prevalence is neutral: higher than England, neither better nor worse
    differs = next(p for p in paragraphs if p.startswith("**Higher or lower than England.**"))
    assert "(14.8% of adults, 2024-25) is significantly higher than in England (14.3%) —" in differs
    assert differs.index("Recorded depression") < differs.index("secondary mental health")
    similar = next(p for p in paragraphs if p.startswith("**Similar to England.**"))
    assert (
        "about 2% more NHS Talking Therapies activity than the area's recorded depression would "
        "predict (ratio 1.02, Jul 2022 - May 2023). This is similar to the England average."
    ) in similar
    assert (
        "about 11% less NHS Talking Therapies activity than the area's modelled need would "
        "predict (ratio 0.89, Jul 2022 - May 2023)"
    ) in similar
    assert "secondary mental health care than its QOF SMI register would predict" in similar
    assert "two it can use" in paragraphs[-1]


def test_real_rank_sentence_for_sandwell(atlas):
    rank, n = deprivation_rank(atlas.table("imd_score", "ltla", "IoD2025"), "E08000028")
    text = deprivation_sentence(33.772, rank, n, "local authorities", "Sandwell")
    print("\n" + text)
    assert (rank, n) == (19, 296)
    assert text.startswith("Sandwell is among the 10% most deprived local authorities")
    with pytest.raises(ValueError):
        deprivation_rank(atlas.table("imd_score", "ltla", "IoD2025"), "nowhere")


def test_real_profile_for_sandwell_reads_sensibly(atlas):
    profile = atlas.profile("E08000028", "ltla")
    paragraphs = profile_paragraphs(
        profile, atlas.indicators, "Sandwell", trends.area_trends(atlas, "E08000028", "ltla")
    )
    text = "\n\n".join(paragraphs)
    print("\n" + text)
    assert (
        "Recorded depression in Sandwell (11.3% of adults, 2024-25) is significantly lower" in text
    )
    assert "Recorded depression in Sandwell rose from 7.0% in 2014-15 to 11.3% in 2024-25." in text
    assert "have no counts to test with" in text
    assert "rising by more than chance" not in text  # nothing here can be tested


def test_model_estimates_and_gaps_in_people_claim_no_sampling_test():
    """Modelled need has no sampling interval, and England's gap in people is 0 by construction."""
    data = Atlas.load()
    profile = data.profile("E38000259", "sub_icb").set_index("indicator_id")
    need = indicator_sentence(
        profile.loc["cmd_prevalence_modelled"], data.indicator("cmd_prevalence_modelled"), "BC"
    )
    assert "higher than in England (16.9%); both figures are model estimates" in need
    assert "significantly" not in need
    gap = profile.loc["tt_shortfall_modelled"]
    assert gap["comparison"] == "similar"
    text = indicator_sentence(gap, data.indicator("tt_shortfall_modelled"), "BC")
    assert "within the range expected among areas" in text
    assert "England" not in text
