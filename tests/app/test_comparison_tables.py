"""The Secondary care and Physical health tables read as people read them, and so do CSVs.

Every selectable level and area kind the pages offer is swept: no cell shows more decimals
than its indicator's format, a machine value ("3342.1256", "29700.0"), "None" or "nan".
"""

from __future__ import annotations

import re

import pytest

from gapmap import comparison, export
from gapmap.state import Selection

AREAS = [
    ("sub_icb", "E38000259"),  # NHS Black Country ICB - D2P2L
    ("icb", "E54000062"),
    ("region", "E40000011"),
    ("ltla", "E08000028"),  # Sandwell
    ("ccg", "E38000144"),  # Sandwell and West Birmingham CCG
]
MACHINE = re.compile(r"^-?\d+\.\d{3,}$|^-?\d{4,}\.0$")


@pytest.mark.parametrize(("level", "area"), AREAS)
@pytest.mark.parametrize(
    "indicators", [comparison.SECONDARY_INDICATORS, comparison.PHYSICAL_INDICATORS]
)
def test_every_cell_reads_as_formatted_text(atlas, level, area, indicators):
    selection = Selection(level, "tt_gap_ratio", "", area)
    table = comparison.comparison_table(atlas, selection, indicators)
    if table.empty:
        pytest.skip(f"no such indicators at {level}")
    shown = comparison.shown(table)
    for column in shown.columns:
        for cell in shown[column]:
            assert isinstance(cell, str), (column, cell)
            assert cell not in ("None", "nan", "NaN", "<NA>"), (column, cell)
            assert not MACHINE.match(cell.replace(",", "")), (column, cell)
    for column in ("Area", "England", "Peer group"):
        for cell in shown[column]:
            assert cell == "" or re.fullmatch(r"−?[\d,]+(\.\d{1,2})?", cell), (column, cell)
    csv = export.table_csv(comparison.for_csv(table)).decode("utf-8-sig")
    assert "None" not in csv and "nan" not in csv.lower().replace("nancy", "")
    assert comparison.DECIMALS not in csv
    for figure in re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", csv):
        assert len(figure.split(".")[1]) <= 2, figure


def test_black_country_reads_as_its_sentences_do(atlas):
    selection = Selection("sub_icb", "tt_gap_ratio", "", "E38000259")
    table = comparison.comparison_table(atlas, selection, comparison.SECONDARY_INDICATORS)
    row = comparison.shown(table).set_index("Indicator").loc["In contact with secondary MH care"]
    assert (row["Area"], row["95% confidence interval"], row["England"]) == (
        "3,342.1",
        "3,310.8 to 3,373.6",
        "2,658.3",
    )
    reliance = comparison.shown(table).set_index("Indicator").loc["Secondary care vs SMI register"]
    assert (reliance["Area"], reliance["England"]) == ("1.31", "1.00")
