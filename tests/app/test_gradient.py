"""The deprivation gradient across GP practices: the frame, the groups, the line, the words."""

from __future__ import annotations

import pandas as pd
import pytest

from gapmap import gradient

DEPRESSION = "depression_prevalence"


def test_choices_keep_the_page_order_and_only_what_the_atlas_has(atlas):
    assert gradient.choices(atlas) == [
        i for i in gradient.PRACTICE_INDICATORS if i in atlas.indicator_ids("practice")
    ]
    assert gradient.choices(atlas)[0] == DEPRESSION


def test_the_practice_frame_leaves_out_suppressed_practices(atlas):
    frame = gradient.practice_frame(atlas, DEPRESSION, "2022-23")
    assert list(frame.columns) == [
        "area_code",
        "value",
        "numerator",
        "denominator",
        "imd_score",
        "weight",
    ]
    assert frame["area_code"].is_unique
    # QOF registers are published exact, small ones included: suppression here is the
    # publisher's, as in the life expectancy of practices whose populations are too small.
    period = "2019"
    frame = gradient.practice_frame(atlas, "life_expectancy_female", period)
    values = atlas.table("life_expectancy_female", "practice", period)
    hidden = set(values.loc[values["suppressed"], "area_code"])
    assert hidden and not hidden & set(frame["area_code"])


@pytest.mark.parametrize(
    ("period", "paired"),
    [
        ("2024-25", ("IMD 2025", "2024-25")),  # the year's own list size, the new edition
        ("2023-24", ("IMD 2019", "2022-23")),  # IMD 2025 was not out; the earlier list size
        ("2022-23", ("IMD 2019", "2022-23")),
        ("2020", ("IMD 2019", "2022-23")),  # no list size that early: the nearest one
    ],
)
def test_each_year_pairs_with_the_deprivation_edition_and_list_size_of_its_time(
    atlas, period, paired
):
    assert gradient.deprivation_for(atlas, period) == paired


def test_the_practice_frame_uses_the_paired_edition(atlas):
    frame = gradient.practice_frame(atlas, DEPRESSION, "2024-25")
    imd = atlas.table("practice_imd_score", "practice", "IMD 2025").set_index("area_code")
    sizes = atlas.table("list_size", "practice", "2024-25").set_index("area_code")
    row = frame.iloc[0]
    assert row["imd_score"] == imd.loc[row["area_code"], "value"]
    assert row["weight"] == sizes.loc[row["area_code"], "value"]


@pytest.mark.parametrize(("n", "word"), [(10, "decile"), (5, "quintile")])
def test_groups_are_named_by_their_number(atlas, n, word):
    groups, result = gradient.quantile_summary(atlas, DEPRESSION, "2022-23", n)
    assert gradient.quantile_word(n) == word
    assert list(groups[word]) == list(range(1, n + 1))
    assert result["n_quantiles"] == n and result["method"] == "simulation"


def test_the_fitted_line_runs_from_the_most_to_the_least_deprived_end():
    slope, intercept = gradient.fitted_line(
        {"value_most_deprived": 12.5, "value_least_deprived": 9.0}
    )
    assert (slope, intercept) == (-3.5, 12.5)


def test_the_sii_sentence_gives_the_gap_its_side_and_unit():
    meta = pd.Series({"unit": "%"})
    result = {"sii": -3.4, "sii_lower": -3.9, "sii_upper": -2.9, "rii": -0.25, "mean": 13.6}
    text = gradient.sii_sentence(result, meta, "decile", "IMD 2025")
    # read by wording: one decimal for a percentage, two for the RII, d3's minus sign
    assert "Slope index of inequality: \u22123.4 percentage points" in text
    assert "(95% confidence interval \u22123.9 to \u22122.9)" in text
    assert "3.4 percentage points less than the least deprived end" in text
    assert "Relative index: \u22120.25" in text and "England average (13.6%)" in text
    smi = gradient.sii_sentence(
        result, pd.Series({"id": "smi_prevalence", "unit": "%"}), "decile", "IMD 2019"
    )
    assert "Slope index of inequality: \u22123.40 percentage points" in smi
    assert "from deciles of GP practices" in text
    assert text.endswith("deprivation of their patients' neighbourhoods (IMD 2025).")
    analytic = gradient.sii_sentence(
        {**result, "sii": 2.0, "sii_lower": None}, meta, "quintile", "IMD 2019"
    )
    assert "confidence interval" not in analytic and "more than" in analytic
