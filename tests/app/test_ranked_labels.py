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


def test_a_level_of_a_thousand_areas_ranks_the_ends_and_the_selected_area(monkeypatch):
    """1,270 PCNs on one ranked chart was a column of unreadable names ~30,000 px tall: the
    Need page shows the top and bottom and the selected area's place, and says so."""
    from streamlit.testing.v1 import AppTest

    from gapmap.charts import RANKED_KEEP
    from tests.app.test_own_area import ROOT

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in {"level": "pcn", "area": "U11746"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    captions = " ".join(c.value for c in app.caption)
    assert f"The chart shows the {RANKED_KEEP} highest and {RANKED_KEEP} lowest" in captions
    assert "selected area with its neighbours" in captions
