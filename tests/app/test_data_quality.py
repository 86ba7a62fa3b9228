"""A figure flagged for data quality reads as such everywhere, and sets no benchmark.

On the atlas built with the data-quality rules: Oxfordshire's people in contact in November
2022 (740, against about 17,500 in the months before) is an incomplete submission. Its table
row, sentence, finding, map label, board-pack cell and comparison row say "data quality",
never lower, higher, better or worse; peer values and funnel limits leave it out; and the
Methods page lists it in a table people can download.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gapmap import findings, limits, narrative, peers, tables
from gapmap.atlas import ATLAS_ENV, Atlas
from gapmap.boardpack.facts import _value_cells
from gapmap.comparison import SECONDARY_INDICATORS, comparison_table
from gapmap.maps import classes
from gapmap.state import Selection
from gapmap.wording import QUALITY_WORDS, comparison_column, comparison_word, number_format
from methods.atlas_tables import QUALITY_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
OXFORDSHIRE = "E38000136"
INDICATOR, LEVEL, PERIOD = "mhsds_in_contact_rate", "sub_icb", "Nov 2022"
SOMERSET = "E38000150"
JUDGEMENTS = re.compile(r"\b(lower|higher|better|worse)\b", re.IGNORECASE)
INCOMPLETE = QUALITY_WORDS["incomplete_submission"]


@pytest.fixture(scope="module")
def table(atlas: Atlas) -> pd.DataFrame:
    return atlas.table(INDICATOR, LEVEL, PERIOD)


def _row(table: pd.DataFrame, code: str = OXFORDSHIRE) -> pd.Series:
    return table.loc[table["area_code"] == code].iloc[0]


def _judges(text: str) -> bool:
    """Whether text compares (the note's own words 'in contact' etc. never match)."""
    return bool(JUDGEMENTS.search(text))


def test_words_for_a_flagged_row_and_an_atlas_without_the_column():
    assert comparison_word("lower", "incomplete_submission") == INCOMPLETE
    assert comparison_word("worse", "implausible_zero") == "Data quality: implausible zero"
    assert comparison_word("lower", None) == "Lower than England"
    bare = pd.DataFrame({"comparison": ["better", pd.NA]})
    assert comparison_column(bare).tolist() == ["Better than England", "Not compared"]


def test_the_atlas_is_flagged_and_lists_what_it_caught(atlas: Atlas, table):
    row = _row(table)
    assert row["quality"] == "incomplete_submission" and row["value"] == pytest.approx(91.66, 1e-3)
    assert row["comparison"] == "not_compared"
    caught = atlas.quality_table
    assert tuple(caught.columns) == QUALITY_COLUMNS
    assert (caught["area_code"] == OXFORDSHIRE).any()


def test_the_table_row_says_data_quality(atlas: Atlas, table):
    shown = tables.display_table(table, atlas.indicator(INDICATOR)).set_index("Code")
    assert shown.loc[OXFORDSHIRE, "Compared with England"] == INCOMPLETE
    assert shown.loc[OXFORDSHIRE, "Note"].startswith("Data quality: incomplete submission (740")
    normal = shown.drop(index=OXFORDSHIRE)["Compared with England"]
    assert not normal.str.startswith("Data quality").all()


def test_the_sentence_and_finding_say_data_quality_not_lower(atlas: Atlas, table):
    row = _row(table).copy()
    row["england_value"] = atlas.england(INDICATOR, PERIOD)["value"]
    sentence = narrative.indicator_sentence(row, atlas.indicator(INDICATOR), "Oxfordshire")
    assert "Data quality: incomplete submission" in sentence
    assert "not compared with England" in sentence and not _judges(sentence)
    found = findings.statement(
        atlas, ("Secondary care", INDICATOR, findings._in_contact), OXFORDSHIRE, LEVEL
    )
    assert "Data quality: incomplete submission" in found.text and not _judges(found.text)
    assert found.status == findings.UNTESTED
    assert narrative.finding(row) == "not_compared"


def test_the_map_board_pack_and_comparison_table_say_data_quality(atlas: Atlas, table):
    coloured = classes.classify(table, atlas.indicator(INDICATOR), colour_by="comparison")
    assert coloured.label[OXFORDSHIRE] == INCOMPLETE
    not_compared = classes.palette.COMPARISON_COLOURS["not_compared"]
    assert coloured.fill[OXFORDSHIRE] == not_compared
    meta = atlas.indicator(INDICATOR)
    _, _, words, note = _value_cells(_row(table), number_format(meta), meta["statistic"])
    assert words == INCOMPLETE and note.startswith("Data quality")
    selection = Selection(level=LEVEL, indicator=INDICATOR, period=PERIOD, area=OXFORDSHIRE)
    rows = comparison_table(atlas, selection, SECONDARY_INDICATORS).set_index("Indicator")
    in_contact = rows.loc[atlas.indicator(INDICATOR)["short_name"]]
    assert in_contact["Compared with England"] == INCOMPLETE
    assert in_contact["Compared with peers"] == INCOMPLETE


def test_the_smi_zero_reads_as_an_implausible_zero(atlas: Atlas):
    rows = atlas.table("smi_health_checks_pct", "ccg", "2020-21")
    shown = tables.display_table(rows, atlas.indicator("smi_health_checks_pct")).set_index("Code")
    assert shown.loc[SOMERSET, "Compared with England"] == "Data quality: implausible zero"


def test_flagged_rows_set_no_peer_value_or_funnel_limit(atlas: Atlas, table):
    meta = atlas.indicator(INDICATOR)
    codes = tuple(table["area_code"].head(8)) + (OXFORDSHIRE,)
    with_flagged = peers.peer_value(table, codes, meta)
    without = peers.peer_value(table.loc[table["area_code"] != OXFORDSHIRE], codes, meta)
    # The same value from the same counts; only the count of peers left out differs.
    assert with_flagged.flagged == without.flagged + 1
    assert dataclasses.replace(with_flagged, flagged=without.flagged) == without
    assert "left out for data quality" in with_flagged.how
    flagged = table["quality"].notna().to_numpy()
    assert flagged.sum() == 4
    assert not (limits.benchmark_rows(table) & flagged).any()
    baseline = limits.funnel_baseline({"statistic": "rate"}, table, None)
    kept = table.loc[~flagged]
    assert baseline == pytest.approx(kept["numerator"].sum() / kept["denominator"].sum())


@pytest.mark.usefixtures("fresh_caches")
def test_methods_page_lists_the_rules_and_every_caught_row(atlas: Atlas, monkeypatch):
    monkeypatch.setenv(ATLAS_ENV, str(atlas.root))
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    app.run()
    app.switch_page(str(ROOT / "app_pages/methods.py"))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    text = " ".join(m.value for m in app.markdown)
    assert "Incomplete submission" in text and "Implausible zero" in text
    assert "The rules flag" in text
    listed = [
        frame.value
        for frame in app.dataframe
        if "Rule" in getattr(frame.value, "columns", []) and "Months caught" in frame.value
    ]
    assert listed and len(listed[0]) == len(atlas.quality_table)
    assert OXFORDSHIRE in set(listed[0]["Code"])
    labels = [b.label for b in app.get("download_button")]
    assert "Download table (CSV)" in labels
