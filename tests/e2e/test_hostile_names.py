"""Hostile text in the atlas is shown as text, never run: maps, tooltips, tables, sidebar.

A copy of the atlas gets area and indicator names carrying script payloads (as a tampered or
badly sourced file might); the real app serves it and Chromium visits every page, hovers the
map and opens the tooltip. Any payload that ran would set ``window.__pwned`` or open a dialog.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from appserver import app_server
from test_browser import CENTRE_OF, PAGES, URLS, drawn_areas, map_host, settle

from gapmap.atlas import ATLAS_DIR, ATLAS_ENV

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"
PAYLOADS = {
    "E40000003": '<img src=x onerror="window.__pwned=1">London',
    "E40000011": "<script>window.__pwned=1</script>Midlands",
    "E40000014": '"onmouseover="window.__pwned=1" x="North West',
    "E40000013": "[East](javascript:window.__pwned=1) <b>of</b> England",
}
INDICATOR = "imd_score"
INDICATOR_NAME = '<svg onload="window.__pwned=1">IMD score'
PWNED = "() => window.__pwned === undefined && !document.querySelector('img[src=\"x\"]')"


def hostile_atlas(root: Path) -> Path:
    target = root / "atlas"
    shutil.copytree(ATLAS_DIR, target)
    areas = pd.read_parquet(target / "areas.parquet")
    areas["area_name"] = areas["area_code"].map(PAYLOADS).fillna(areas["area_name"])
    areas.to_parquet(target / "areas.parquet", index=False)
    indicators = pd.read_parquet(target / "indicators.parquet")
    mask = indicators["id"] == INDICATOR
    indicators.loc[mask, ["name", "short_name"]] = INDICATOR_NAME
    indicators.to_parquet(target / "indicators.parquet", index=False)
    for path in (target / "boundaries").glob("*.geojson"):
        layer = json.loads(path.read_text(encoding="utf-8"))
        for feature in layer["features"]:
            code = feature["properties"]["area_code"]
            feature["properties"]["area_name"] = PAYLOADS.get(
                code, feature["properties"]["area_name"]
            )
        path.write_text(json.dumps(layer), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    atlas = hostile_atlas(tmp_path_factory.mktemp("hostile"))
    with app_server(**{ATLAS_ENV: str(atlas)}) as url:
        yield url


def assert_untouched(page) -> None:
    assert page.evaluate(PWNED), "a payload ran in the page"
    for frame in page.frames:
        assert frame.evaluate(PWNED), f"a payload ran in frame {frame.url[:80]}"


@pytest.mark.parametrize("path", list(PAGES))
def test_payload_names_are_shown_as_text(page, hostile_server, path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    query = f"?level=region&indicator={INDICATOR}&area=E40000003"
    page.goto(f"{hostile_server}/{URLS.get(path, path)}{query}", wait_until="domcontentloaded")
    page.get_by_role("heading", name=PAGES[path]).wait_for(timeout=60_000)
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    if path != "methods":
        assert drawn_areas(page) == 7
        host = map_host(page)
        host.scroll_into_view_if_needed()
        box = host.bounding_box()
        for code in PAYLOADS:
            point = host.evaluate(CENTRE_OF, code)
            page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
            page.wait_for_timeout(300)
        tip = page.locator(".mtg-map .leaflet-tooltip").first  # the last hovered: East of England
        tip.wait_for(timeout=10_000)
        assert "<b>of</b>" in tip.inner_text(), "the markup is shown as text, not dropped"
    assert_untouched(page)
    assert not dialogs, dialogs
    page.screenshot(path=str(SHOTS / f"hostile-{path}.png"), full_page=True)


def test_payload_names_are_visible_literally(page, hostile_server):
    """Escaping must not swallow the text: the sidebar shows the name as typed."""
    page.goto(f"{hostile_server}/?level=region&indicator={INDICATOR}&area=E40000003")
    page.get_by_role("heading", name=PAGES["need"]).wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text("onerror=", exact=False).count() > 0
    assert_untouched(page)


@pytest.mark.parametrize(
    "query",
    [
        "?area=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
        "?level=%22onmouseover%3D%22window.__pwned%3D1",
        "?indicator=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E",
        "?period=..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_hostile_url_parameters_fall_back_kindly(page, server, query):
    page.goto(f"{server}/{query}", wait_until="domcontentloaded")
    page.get_by_role("heading", name=PAGES["need"]).wait_for(timeout=60_000)
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').count() >= 1  # the kind message
    assert_untouched(page)
