"""Tables for people: the map's table, and the drill-down map as tables."""

from __future__ import annotations

import pandas as pd

from gapmap import tables


def test_the_map_table_is_highest_first_with_blanks_last_and_words_for_comparisons():
    table = pd.DataFrame(
        {
            "area_name": ["A", "B", "C"],
            "area_code": ["E1", "E2", "E3"],
            "value": [1.23456, None, 2.0],
            "lower_95": [1.1, None, 1.9],
            "upper_95": [1.3, None, 2.1],
            "comparison": ["worse", "not_compared", "better"],
            "numerator": [10, None, 20],
            "denominator": [100, None, 100],
            "note": [None, "Suppressed", None],
        }
    )
    shown = tables.display_table(table, pd.Series({"unit": "%"}))
    assert list(shown["Code"]) == ["E3", "E1", "E2"]
    assert shown["Value (%)"].iloc[1] == 1.2  # the figure the map and sentences print
    assert list(shown["Compared with England"]) == [
        "Better than England",
        "Worse than England",
        "Not compared",
    ]


def test_neighbourhoods_are_most_deprived_first():
    shapes = pd.DataFrame(
        {"area_name": ["x", "y", "z"], "area_code": ["L3", "L1", "L2"], "imd_decile": [4, None, 1]}
    )
    out = tables.neighbourhood_table(shapes)
    assert list(out["Code"]) == ["L2", "L3", "L1"]


def test_practices_keep_a_suppressed_value_blank():
    practices = pd.DataFrame(
        {
            "area_name": ["B surgery", "A surgery"],
            "area_code": ["P2", "P1"],
            "value": [12.3456, 3.0],
            "suppressed": [False, True],
            "note": [None, "Suppressed"],
        }
    )
    meta = pd.Series({"short_name": "Depression", "unit": "%"})
    out = tables.practice_table(practices, meta)
    assert list(out["Code"]) == ["P1", "P2"]
    assert pd.isna(out["Depression (%)"].iloc[0]) and out["Depression (%)"].iloc[1] == 12.3


def test_counts_read_as_counts_and_a_ratio_names_its_expected(atlas):
    from gapmap import export

    gap = tables.display_table(
        atlas.table("tt_gap_ratio", "sub_icb", "Jul 2022 - May 2023"),
        atlas.indicator("tt_gap_ratio"),
    )
    assert {"Observed", "Expected"} <= set(gap.columns) and "Denominator" not in gap.columns
    rate_meta = atlas.indicator("mhsds_in_contact_rate")
    rate = tables.display_table(
        atlas.table("mhsds_in_contact_rate", "sub_icb", "Nov 2022"), rate_meta
    )
    csv = export.table_csv(tables.for_download(rate, rate_meta, "Nov 2022")).decode("utf-8-sig")
    header, first = csv.splitlines()[:2]
    assert header.startswith("Indicator,Period,Area,Code")
    assert first.startswith(f"{rate_meta['name']},Nov 2022,") or first.startswith(
        f'"{rate_meta["name"]}",Nov 2022,'
    )
    assert ".0," not in first and "None" not in csv and "<NA>" not in csv
    expected = export.table_csv(gap).decode("utf-8-sig").splitlines()[1].split(",")
    assert len(expected[gap.columns.get_loc("Expected")].split(".")[-1]) <= 1


def test_each_float_column_shows_the_places_its_figures_have():
    """Issue 13 item 3: the grid showed Middlesbrough's 40.0 as "40" beside Blackpool's 43.5."""
    frame = pd.DataFrame(
        {
            "Value (score)": pd.array([43.5, 40.0, None], dtype="Float64"),
            "Ratio": [1.02, 0.9, 1.0],
            "Count": pd.array([3, 4, None], dtype="Int64"),
            "Whole": [2.0, 3.0, 4.0],
        }
    )
    assert tables.decimal_places(frame) == {"Value (score)": 1, "Ratio": 2}


def test_a_similar_area_whose_shown_interval_leaves_england_out_says_why(atlas):
    """Most sub-ICBs' ratios have intervals that leave out 1 and yet are similar to England
    once areas' usual spread is allowed for: each such row, and only those, says so."""
    meta = atlas.indicator("tt_gap_ratio_modelled")
    shown = tables.display_table(
        atlas.table("tt_gap_ratio_modelled", "sub_icb", "Jul 2022 - May 2023"), meta
    )
    low, high = shown["Lower 95% limit"], shown["Upper 95% limit"]
    outside = ((low > 1) | (high < 1)).fillna(False)
    similar = shown["Compared with England"] == "Similar to England"
    noted = shown["Note"].str.contains("leaves out England's 1", regex=False)
    assert (similar & outside).sum() >= 20  # the case is common, not a corner
    assert (noted == (similar & outside)).all()
