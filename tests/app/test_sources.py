"""Where figures come from: publishers named once each, and the build's row accounting."""

from __future__ import annotations

import pandas as pd

from gapmap import sources


def test_publishers_are_named_once_in_the_order_of_the_files():
    files = "services/tt.csv; qof_practice/a.csv;services/b.csv ;boundaries/x.geojson"
    assert sources.publisher(files) == "NHS England, NHS England QOF, ONS"


def test_unknown_folders_point_to_the_methods_page():
    assert sources.publisher("elsewhere/file.csv") == "see Methods & data"


def test_source_lines_name_the_publishers_and_the_period():
    meta = pd.Series({"sources": "population/pop.csv"})
    assert sources.source_line(meta, "2022") == "Source: ONS population estimates; period 2022."
    assert sources.chart_source(meta, "2022") == "ONS population estimates"


def test_the_reconciliation_lists_each_file_once_with_its_main_reasons():
    entry = {
        "file": "a.csv",
        "rows_in": 10_000,
        "rows_used": 8_000,
        "rows_rejected": 2_000,
        "rejected_by_reason": {"x": 5, "y": 1_500, "z": 400, "w": 95},
    }
    manifest = {"sources": [entry, entry], "raw_files": {"a.csv": {}, "b.csv": {}}}
    table = sources.reconciliation(manifest)
    assert len(table) == 1
    assert table["Main reasons for rejection"].iloc[0] == "y (1,500); z (400); w (95)"
    assert sources.raw_file_count(manifest) == 2 and sources.raw_file_count({}) == 0
