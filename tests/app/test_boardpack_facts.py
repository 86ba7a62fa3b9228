"""What the board pack says: printed tables of values, ranked subsets and sentences.

The tables come from the committed atlas; the sentences from small frames written here.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from gapmap.atlas import Atlas
from gapmap.boardpack.facts import (
    AREA_COLUMNS,
    CHART_KEEP,
    Facts,
    area_table,
    built_date,
    counts_sentence,
    england_sentence,
    facts,
    long_date,
    plottable,
    rank_sentence,
    ranked_subset,
    ranked_table,
)
from gapmap.state import Selection

GAP = "Jul 2022 - May 2023"
BLACK_COUNTRY = Selection("sub_icb", "tt_gap_ratio", GAP, "E38000259")
ENGLAND = Selection("sub_icb", "tt_gap_ratio", GAP, None)


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


def test_area_table_puts_the_selected_indicator_first_with_england_in_words(atlas):
    table = area_table(atlas, BLACK_COUNTRY)
    first = table.iloc[0]
    assert list(table.columns) == list(AREA_COLUMNS)
    assert (first["Indicator"], first["Period"], first["Value"]) == (
        "Talking Therapies vs recorded need",
        GAP,
        "1.02",
    )
    assert first["95% confidence interval"] == "1.00 to 1.04"
    assert first["England"] == "1.00"
    assert first["Compared with England (95%)"] == "Similar to England"
    assert len(table) >= 10
    words = table.set_index("Indicator")["Compared with England (95%)"]
    assert words["Talking Therapies access (per 100,000)"] == "Worse than England"
    assert words["SMI physical health checks"] == "Better than England"
    assert words["Depression prevalence"] == "Higher than England"  # recorded: neutral
    assert words.str.contains("(?:than|to) England|Not compared").all()


def test_a_gap_called_similar_though_its_interval_leaves_england_out_says_why(atlas):
    """Black Country's gap in people, 1,781 (1,535 to 2,024) against England's 0, is within
    the spread among areas: the row must not read as a contradiction."""
    table = area_table(atlas, BLACK_COUNTRY).set_index("Indicator")
    gap = table.loc["Gap in people (Talking Therapies)"]
    assert gap["Compared with England (95%)"] == "Similar to England"
    low, high = (float(x.replace(",", "")) for x in gap["95% confidence interval"].split(" to "))
    assert low > 0 and gap["England"] == "0"
    assert "Its interval leaves out England's 0, but areas vary this much." in gap["Note"]
    gap_ratio = table.loc["Talking Therapies vs modelled need"]
    assert gap_ratio["95% confidence interval"] == "0.87 to 0.90"
    assert "leaves out England's 1" in gap_ratio["Note"]
    agrees = table.loc["Talking Therapies vs recorded need"]  # 1.00 to 1.04: includes 1
    assert "leaves out" not in agrees["Note"]
    access = table.loc["Talking Therapies access (per 100,000)"]  # a rate: worse, as it reads
    assert "leaves out" not in access["Note"]


def test_area_table_reads_every_number_by_its_indicator_format(atlas):
    table = area_table(atlas, BLACK_COUNTRY).set_index("Indicator")
    access = table.loc["Talking Therapies access (per 100,000)"]
    assert (access["Value"], access["95% confidence interval"], access["England"]) == (
        "2,124.4",
        "2,096.0 to 2,153.0",
        "2,222.2",
    )  # one decimal for every rate, however large: not "2,124"
    smi = table.loc["SMI prevalence"]  # below 1%: two decimals (wording.FINER)
    assert (smi["Value"], smi["95% confidence interval"]) == ("1.01%", "1.00% to 1.03%")
    assert table.loc["Mental health need score", "England"] == "\u22120.02"  # d3's minus


def test_ranked_table_lists_top_and_bottom_under_england_and_says_so(atlas):
    info = facts(atlas, ENGLAND)
    table, note = ranked_table(info)
    assert table.iloc[0]["Area"] == "England" and table.iloc[0]["Code"] == "E92000001"
    assert table.iloc[1]["Rank"] == "1"
    assert table["Area"].str.contains("areas not shown").sum() == 1
    assert note is not None and "20 highest and 20 lowest of 105 areas with a value" in note
    assert "every area without one" in note and "the other 65" in note
    # England, the top 20, the gap row, the bottom 20, then the one sub-ICB without a value
    assert len(table) == 1 + 20 + 1 + 20 + 1
    assert table.iloc[-1]["Code"] == "E38000119" and table.iloc[-1]["Value"] == ""


def test_ranked_subset_keeps_the_ends_and_the_selected_area_with_neighbours(atlas):
    table = atlas.table("tt_gap_ratio", "sub_icb", GAP)
    subset, note = ranked_subset(table, "E38000259")
    assert len(subset) <= 2 * CHART_KEEP + 5
    chosen = subset.loc[subset["area_code"] == "E38000259", "area_name"].iloc[0]
    assert chosen.split(". ", 1)[1] == "NHS Black Country ICB - D2P2L"
    assert subset["area_name"].iloc[0].strip().startswith("1. ")
    assert note and "rank" in note
    small = table.head(30)
    assert len(ranked_subset(small, None)[0]) == 30


def test_tied_areas_keep_their_rank_order_when_the_chart_sorts_by_label():
    names = [f"Area {c}" for c in "ABCDEFGHIJKL"]
    values = [12, 11, 10, 9, 8, 7, 6, 5, 4, 4, 3, 2]  # the 9th and 10th are tied
    table = pd.DataFrame(
        {
            "area_code": [f"E0{i}" for i in range(12)],
            "area_name": names[:8] + ["Area Z", "Area A2"] + names[10:],
            "value": values,
            "suppressed": False,
        }
    )
    subset, _ = ranked_subset(table, None)
    # charts.ranked orders by value, then by label: the labels must agree with the ranks
    shown = subset.sort_values(["value", "area_name"], ascending=[False, True])["area_name"]
    ranks = [int(label.split(".")[0]) for label in shown]
    assert ranks == list(range(1, 13))
    assert list(shown)[8:10] == [" 9. Area A2", "10. Area Z"]


def small_facts(area: str | None, england: float | None = 12.5) -> Facts:
    """Five districts: two worse, one similar, one hidden, one with no value."""
    table = pd.DataFrame(
        {
            "area_code": ["E1", "E2", "E3", "E4", "E5"],
            "area_name": ["Ash", "Birch", "Cedar", "Damson", "Elm"],
            "value": [20.0, 15.0, 12.0, None, None],
            "denominator": [1000, 0, 500, 800, None],
            "suppressed": [False, False, False, True, False],
            "comparison": ["worse", "worse", "similar", None, None],
        }
    )
    meta = pd.Series({"short_name": "Depression", "name": "Depression", "unit": "%"})
    day = date(2026, 3, 1)
    return Facts(
        selection=Selection("ltla", "depression_prevalence", "2022-23", area),
        meta=meta,
        level_label="Local authority (district)",
        area_name={"E2": "Birch", "E4": "Damson"}.get(area or ""),
        table=table,
        england=england,
        vintage="2023",
        built=day,
        generated=day,
    )


def test_sentences_count_compare_and_rank_in_words():
    assert counts_sentence(small_facts(None)) == (
        "Of 5 local authority districts: 1 similar to England; 2 worse than England; "
        "2 without a value (suppressed or missing). England: 12.5%."
    )
    assert counts_sentence(small_facts(None, england=None)).endswith("missing).")
    assert rank_sentence(small_facts("E2")) == (
        "Birch ranks 2nd of 3 local authority districts with a value (1 = highest value)."
    )
    assert rank_sentence(small_facts("E4")) is None  # hidden: no rank
    assert england_sentence(small_facts(None)) == (
        "England's value for 2022-23: 12.5%. No area is selected."
    )
    assert "no published figure" in england_sentence(small_facts(None, england=None))


def test_a_funnel_places_only_shown_values_with_a_denominator():
    assert plottable(small_facts(None).table) == 2


def test_facts_say_where_and_repeat_the_selection_in_the_footer(atlas):
    info = facts(atlas, BLACK_COUNTRY, date(2027, 1, 5))
    assert info.where == "NHS Black Country ICB - D2P2L (E38000259)"
    assert info.footer.split(" · ")[1:] == [
        info.where,
        "Sub-ICB location",
        "Talking Therapies vs recorded need",
        GAP,
    ]
    assert info.generated == date(2027, 1, 5) and info.built == built_date(atlas.manifest)
    assert facts(atlas, ENGLAND).where == "England"


def test_dates_read_the_same_everywhere_and_a_bad_stamp_says_what_to_do():
    assert built_date({"built_at": "2026-11-23T10:00:00Z"}) == date(2026, 11, 23)
    assert long_date(date(2026, 11, 3)) == "3 November 2026"
    with pytest.raises(ValueError, match="rebuild the atlas"):
        built_date({"built_at": "yesterday"})
