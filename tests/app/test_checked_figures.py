"""Figures a reviewer questioned, checked against the source file's own cells.

The SMI physical health checks file (NHS England, quarter 4 of each year) gives, for
2023-24, 377 of 1,969 people on the register with all six checks in Cheshire and Merseyside
ICB - 01T and 325 of 1,418 in 01V; for 2020-21, 2,999 of 5,472 in Sandwell and West
Birmingham CCG (05L). They are low and high, but they are what was published.
"""

from __future__ import annotations

import pytest

CASES = [
    ("sub_icb", "E38000161", "2023-24", 377, 1_969),  # 01T
    ("sub_icb", "E38000170", "2023-24", 325, 1_418),  # 01V
    ("ccg", "E38000144", "2020-21", 2_999, 5_472),  # 05L
]


@pytest.mark.parametrize(("level", "area", "period", "checked", "register"), CASES)
def test_smi_health_checks_are_the_published_cells(atlas, level, area, period, checked, register):
    table = atlas.table("smi_health_checks_pct", level, period)
    row = table.loc[table["area_code"] == area].iloc[0]
    assert (row["numerator"], row["denominator"]) == (checked, register)
    assert row["value"] == pytest.approx(checked / register * 100)
