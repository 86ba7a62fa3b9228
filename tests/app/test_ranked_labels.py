"""Issue 13 item 6: a ranked chart names every area, the selected one included, in full.

Drawn as the page sends it, under Streamlit's chart theme (which drops overlapping axis
labels): before, every other row was unnamed, so Herefordshire and Worcestershire, 106th,
could be the dot with no name, and three sub-ICBs of one ICB were all cut to "NHS
Buckinghamshire, Oxfordshire and Berkshire W…".
"""

from __future__ import annotations

import re

import pytest

from gapmap import ui
from gapmap.atlas import Atlas
from gapmap.charts import ranked
from gapmap.wording import compact_nhs_name
from tests.app.lookkit import drawing, problems

HEREFORDSHIRE_AND_WORCESTERSHIRE = "E38000236"


def page_spec(monkeypatch, chart) -> dict:
    shown: list[dict] = []
    monkeypatch.setattr(ui.st, "vega_lite_chart", lambda spec, **kw: shown.append(spec))
    ui.show_chart(chart)
    return shown[0]


@pytest.mark.parametrize(
    ("level", "indicator"),
    [("sub_icb", "tt_gap_ratio_modelled"), ("icb", "tt_gap_ratio"), ("ltla", "imd_score")],
)
def test_every_area_is_named_on_the_ranked_chart(atlas: Atlas, monkeypatch, level, indicator):
    period = atlas.periods(indicator, level)[-1]
    table = atlas.table(indicator, level, period)
    meta = atlas.indicator(indicator)
    selected = table["area_code"].iloc[len(table) // 2]
    spec = page_spec(monkeypatch, ranked(table, meta, selected=selected))
    drawn = drawing(spec)
    (rows,) = [axis.labels for axis in drawn.axes if axis.orient == "Y"]
    expected = {compact_nhs_name(str(name)) for name in table["area_name"]}
    assert len(rows) == len(table)
    assert expected <= {row.removesuffix(" (peer)") for row in rows}
    assert problems(spec, drawn) == []


def test_the_selected_area_is_named_in_bold_even_near_the_foot(atlas: Atlas, monkeypatch):
    level, indicator = "sub_icb", "tt_gap_ratio_modelled"
    table = atlas.table(indicator, level, atlas.periods(indicator, level)[-1])
    meta = atlas.indicator(indicator)
    spec = page_spec(monkeypatch, ranked(table, meta, selected=HEREFORDSHIRE_AND_WORCESTERSHIRE))
    drawn = drawing(spec)
    assert "Herefordshire and Worcestershire - 18C" in drawn.texts
    assert re.search(r'font-weight="bold"[^>]*>Herefordshire and Worcestershire - 18C<', drawn.svg)
