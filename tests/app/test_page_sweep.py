"""Every chart, table and CSV the app shows, read as a person reads it (issue 13's guards).

Each page runs through Streamlit's AppTest for every level with an area on the Sandwell
chain selected (and with none), and the Need page for every indicator of every level.
Each chart the page sends is drawn under Streamlit's chart theme and must have no title,
legend or label cut short, no axis without values or collapsed to one value, no mark drawn
off its plot, and the selected area named wherever the chart marks it
(``lookkit.problems``). Each table and each CSV download must read as formatted text: no
"None", "nan" or "<NA>", no machine float ("3342.1256", "29700.0") (``lookkit.cell_problems``).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from gapmap import ui
from gapmap.atlas import Atlas
from tests.app.lookkit import cell_problems, problems, title_of

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]
NEED = "app_pages/need_vs_provision.py"
OTHER_PAGES = (
    "app_pages/secondary_care.py",
    "app_pages/physical_health.py",
    "app_pages/inequalities.py",
    "app_pages/my_area.py",
    "app_pages/neighbourhoods.py",  # no charts: its map, profile and tables
)
#: The Sandwell chain: the area selected at each level.
SANDWELL_CHAIN = {
    "region": "E40000011",
    "icb": "E54000062",
    "sub_icb": "E38000259",
    "pcn": "U11746",  # SWB Newcomen PCN, in Sandwell
    "ccg": "E38000144",
    "ltla": "E08000028",
    "utla": "E08000028",
}


@dataclass
class Shown:
    """What one page shows for one address: chart specs, tables and CSV downloads."""

    specs: list[dict] = field(default_factory=list)
    tables: list[tuple[pd.DataFrame, str | None]] = field(default_factory=list)
    csvs: dict[str, str] = field(default_factory=dict)


def page_shows(monkeypatch, page: str, query: dict[str, str]) -> Shown:
    """The charts, tables and CSVs one page shows for one address."""
    shown = Shown()

    def download(*args, data=None, file_name="", **kw):
        if str(file_name).endswith(".csv"):
            body = data() if callable(data) else data
            shown.csvs[str(file_name)] = body.decode() if isinstance(body, bytes) else str(body)

    def dataframe(frame, *args, placeholder=None, **kw):
        shown.tables.append((frame, placeholder))

    monkeypatch.setattr(ui.st, "vega_lite_chart", lambda spec, **kw: shown.specs.append(spec))
    monkeypatch.setattr(ui.st, "download_button", download)
    monkeypatch.setattr(DeltaGenerator, "download_button", download)
    monkeypatch.setattr(ui.st, "dataframe", dataframe)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page != NEED:
        shown.specs.clear()
        shown.csvs.clear()
        shown.tables.clear()
        app.switch_page(str(ROOT / page))
        app.run()
    assert not app.exception, (page, query, [e.value for e in app.exception])
    return shown


def found_in(shown: Shown, where: str, seen: set[str]) -> list[str]:
    """Problems of what is shown and not already read (the same chart recurs across runs)."""
    found = []
    items = [("chart", spec, problems) for spec in shown.specs]
    items += [
        ("table", table, partial(cell_problems, placeholder=empty)) for table, empty in shown.tables
    ]
    items += [
        (name, pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), cell_problems)
        for name, text in shown.csvs.items()
    ]
    for kind, item, check in items:
        body = item.to_json() if isinstance(item, pd.DataFrame) else json.dumps(item, default=str)
        key = kind + body
        if key not in seen:
            seen.add(key)
            found += [f"{where} {kind}: {problem}" for problem in check(item)]
    return found


@pytest.mark.parametrize("level", list(SANDWELL_CHAIN))
def test_need_page_reads_cleanly_for_every_indicator(atlas: Atlas, monkeypatch, level: str) -> None:
    seen: set[str] = set()
    found: list[str] = []
    indicators = atlas.indicator_ids(level)
    for indicator in indicators:
        query = {"level": level, "indicator": indicator, "area": SANDWELL_CHAIN[level]}
        shown = page_shows(monkeypatch, NEED, query)
        assert shown.specs and shown.tables and shown.csvs, query
        found += found_in(shown, f"{level} {indicator}", seen)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("page", OTHER_PAGES)
def test_other_pages_read_cleanly_at_every_level(monkeypatch, page: str) -> None:
    seen: set[str] = set()
    found: list[str] = []
    titles: set[str] = set()
    for level, area in SANDWELL_CHAIN.items():
        for query in ({"level": level}, {"level": level, "area": area}):
            shown = page_shows(monkeypatch, page, query)
            titles |= {title_of(spec) for spec in shown.specs}
            found += found_in(shown, f"{Path(page).stem} {query}", seen)
    assert titles or page.endswith("neighbourhoods.py"), page
    assert found == [], "\n".join(found)
