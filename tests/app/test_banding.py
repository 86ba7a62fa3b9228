import pandas as pd

from gapmap import banding


def _table(comparison, lower, upper):
    return pd.DataFrame({"comparison": comparison, "lower_95": lower, "upper_95": upper})


def test_poisson_flags_only_intervals_that_exclude_one():
    t = _table(["similar"] * 4, [1.1, 0.8, 0.5, None], [1.3, 1.2, 0.9, None])
    assert banding.poisson_flagged(t).tolist() == [True, False, True, False]


def test_row_counts_each_method_over_compared_areas_only():
    t = _table(
        ["higher", "similar", "similar", "not_compared", "lower"],
        [1.1, 1.05, 0.8, None, 0.5],
        [1.3, 1.2, 1.2, None, 0.9],
    )
    row = banding.banding_row("Gap", "sub_icb", "2024-25", t)
    assert row["Compared"] == "4"
    assert row["Flagged by Poisson limits"] == "3 of 4 (75%)"
    assert row["Flagged with overdispersion allowed"] == "2 of 4 (50%)"
    assert row["Areas"] == "sub-ICB locations"


def test_table_covers_every_ratio_indicator_below_england(atlas):
    table = banding.banding_table(atlas)
    ratios = set(atlas.indicators.index[atlas.indicators["statistic"] == "ratio"])
    names = set(atlas.indicators.loc[list(ratios), "short_name"])
    assert set(table["Indicator"]) == names
    assert "england" not in set(table["Areas"])
    assert not table.isna().any().any()
