"""Every chart the app draws, read as a person reads it (issue 13's guards).

Each page runs through Streamlit's AppTest for every level with an area on the Sandwell
chain selected (and with none), and the Need page for every indicator of every level; each
chart the page sends is drawn under Streamlit's chart theme and must have no title, legend
or label cut short, no axis without values or collapsed to one value, no mark drawn off
its plot, and the selected area named wherever the chart marks it (``lookkit.problems``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gapmap import ui
from gapmap.atlas import Atlas
from tests.app.lookkit import problems, title_of

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]
NEED = "app_pages/need_vs_provision.py"
OTHER_PAGES = (
    "app_pages/secondary_care.py",
    "app_pages/physical_health.py",
    "app_pages/inequalities.py",
    "app_pages/my_area.py",
)
#: The Sandwell chain: the area selected at each level.
SANDWELL_CHAIN = {
    "region": "E40000011",
    "icb": "E54000062",
    "sub_icb": "E38000259",
    "ccg": "E38000144",
    "ltla": "E08000028",
    "utla": "E08000028",
}


def page_specs(monkeypatch, page: str, query: dict[str, str]) -> list[dict]:
    """The chart specs one page sends for one address."""
    sent: list[dict] = []
    monkeypatch.setattr(ui.st, "vega_lite_chart", lambda spec, **kw: sent.append(spec))
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page != NEED:
        sent.clear()
        app.switch_page(str(ROOT / page))
        app.run()
    assert not app.exception, (page, query, [e.value for e in app.exception])
    return sent


def found_in(specs: list[dict], where: str, seen: set[str]) -> list[str]:
    """Problems of the specs not already read (the same chart recurs across runs)."""
    found = []
    for spec in specs:
        key = json.dumps(spec, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            found += [f"{where}: {problem}" for problem in problems(spec)]
    return found


@pytest.mark.parametrize("level", list(SANDWELL_CHAIN))
def test_need_page_charts_read_cleanly_for_every_indicator(
    atlas: Atlas, monkeypatch, level: str
) -> None:
    seen: set[str] = set()
    found: list[str] = []
    indicators = atlas.indicator_ids(level)
    for indicator in indicators:
        query = {"level": level, "indicator": indicator, "area": SANDWELL_CHAIN[level]}
        specs = page_specs(monkeypatch, NEED, query)
        assert specs, query
        found += found_in(specs, f"{level} {indicator}", seen)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("page", OTHER_PAGES)
def test_other_pages_charts_read_cleanly_at_every_level(monkeypatch, page: str) -> None:
    seen: set[str] = set()
    found: list[str] = []
    titles: set[str] = set()
    for level, area in SANDWELL_CHAIN.items():
        for query in ({"level": level}, {"level": level, "area": area}):
            specs = page_specs(monkeypatch, page, query)
            titles |= {title_of(spec) for spec in specs}
            found += found_in(specs, f"{Path(page).stem} {query}", seen)
    assert titles, page
    assert found == [], "\n".join(found)
