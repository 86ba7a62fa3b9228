"""The real app in headless Chromium: every page draws, clicks select, downloads work.

Every request that would leave 127.0.0.1 is aborted and recorded; the maps must still draw.
Screenshots go to tests/output/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gapmap.first_paint import TABLE_WAITING, WAITING

SHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"

pytestmark = pytest.mark.e2e

#: A map drawn in the page (gapmap/maps/mount.js): its ``leafletMap`` is the Leaflet map.
MAP = ".mtg-map[data-drawn]"
COUNT_AREAS = """(host) => {
  const codes = new Set();
  const map = host.leafletMap;
  if (!map) return -1;
  map.eachLayer(l => {
    if (l.feature && l.feature.properties && l.feature.properties.area_code
        && l._parts && l._parts.length) codes.add(l.feature.properties.area_code);
  });
  return codes.size;
}"""
CENTRE_OF = """(host, code) => {
  let point = null;
  const map = host.leafletMap;
  map.eachLayer(l => {
    if (!point && l.feature && l.feature.properties.area_code === code && l.getCenter) {
      point = map.latLngToContainerPoint(l.getCenter());
    }
  });
  return point && {x: point.x, y: point.y};
}"""
PAGES = {
    "need": "Need against NHS Talking Therapies",
    "secondary-care": "Reliance on secondary mental-health care",
    "physical-health": "Physical health of people with mental illness",
    "inequalities": "Inequalities by deprivation",
    "my-area": "My area",
    "methods": "Methods & data",
}


URLS = {"need": ""}  # the default page lives at the root


def open_page(page, server: str, path: str, query: str = "") -> None:
    page.goto(f"{server}/{URLS.get(path, path)}{query}", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.get_by_role("heading", name=PAGES[path]).wait_for(timeout=60_000)
    settle(page)


def settle(page) -> None:
    """Wait until Streamlit has finished running the script, and any part held back on a
    first visit (gapmap.first_paint) has been drawn."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "(waiting) => document.querySelector('[data-testid=\"stApp\"]')"
        "?.dataset.testScriptState === 'notRunning' && !document.body.innerText.includes(waiting)",
        arg=WAITING,
        timeout=60_000,
    )


def map_host(page, nth: int = 0):
    """The page's ``nth`` map once Leaflet has drawn it (a redraw replaces the element)."""
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[MAP, nth], timeout=60_000
    )
    return page.query_selector_all(MAP)[nth]


def drawn_areas(page) -> int:
    host = map_host(page)
    page.wait_for_function(f"(host) => ({COUNT_AREAS})(host) > 0", arg=host, timeout=30_000)
    return host.evaluate(COUNT_AREAS)


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_offline_with_its_map(page, server, path):
    open_page(page, server, path, "?level=sub_icb&area=E38000259")
    no_exception(page)
    if path != "methods":
        assert drawn_areas(page) == 106
    page.screenshot(path=str(SHOTS / f"{path}.png"), full_page=True)
    # No request of any kind leaves 127.0.0.1: scripts, fonts, icons, tiles.
    outside = [u for u in page.blocked if not u.startswith("http://127.0.0.1")]
    assert not outside, outside


@pytest.mark.parametrize(
    "path", ["need", "secondary-care", "physical-health", "inequalities", "my-area"]
)
def test_clicking_an_area_selects_it(page, server, path):
    open_page(page, server, path, "?level=region&indicator=imd_score")
    assert drawn_areas(page) == 7
    for _attempt in range(3):  # a click while the map is still fitting its bounds can miss
        host = map_host(page)  # redraws replace it
        host.scroll_into_view_if_needed()
        point = host.evaluate(CENTRE_OF, "E40000003")  # London
        box = host.bounding_box()
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        try:
            page.wait_for_function(
                "() => location.search.includes('area=E40000003')", timeout=10_000
            )
            break
        except Exception:  # noqa: BLE001 - retried, then asserted below
            page.wait_for_timeout(1_000)
    assert "area=E40000003" in page.url
    settle(page)
    no_exception(page)
    page.get_by_text("London (E40000003)").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / f"{path}-clicked.png"))


def test_downloads_give_png_and_csv(page, server):
    open_page(page, server, "need", "?level=sub_icb&area=E38000259")
    with page.expect_download(timeout=60_000) as png:
        page.get_by_role("button", name="Chart as PNG", exact=True).first.click()
    data = Path(png.value.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    settle(page)
    with page.expect_download(timeout=60_000) as csv:
        page.get_by_role("button", name="Download table (CSV)").first.click()
    text = Path(csv.value.path()).read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and b"Black Country" in text
    settle(page)
    button = page.get_by_role("button", name="Map as PNG", exact=True)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=90_000) as static_map:
        button.click()
    image = Path(static_map.value.path()).read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 20_000


def test_lsoa_drill_down_inside_the_selected_area(page, server):
    open_page(page, server, "inequalities", "?level=ltla&indicator=imd_score&area=E08000028")
    drill = map_host(page, 1)
    count = drill.evaluate("""(host) => { const lsoas = new Set(); host.leafletMap.eachLayer(l => {
        const code = l.feature && l.feature.properties && l.feature.properties.area_code;
        if (code && code.startsWith("E01") && l._parts && l._parts.length) lsoas.add(code);
        }); return lsoas.size; }""")
    assert count == 190
    page.screenshot(path=str(SHOTS / "inequalities-sandwell.png"), full_page=True)


CONTROLS = """(host) => {
  const box = el => { const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const map = host.querySelector('.leaflet-container');
  const under = [];
  const legend = box(host.querySelector('.mtg-legend'));
  const zoom = box(host.querySelector('.leaflet-control-zoom'));
  host.leafletMap.eachLayer(l => {
    if (!(l.feature && l.feature.properties.area_code && l.getCenter && l._parts
          && l._parts.length)) return;
    const p = host.leafletMap.latLngToContainerPoint(l.getCenter());
    const r = map.getBoundingClientRect();
    p.x += r.left; p.y += r.top;
    for (const [name, b] of [['legend', legend], ['zoom', zoom]]) {
      if (p.x >= b.left && p.x <= b.right && p.y >= b.top && p.y <= b.bottom)
        under.push(name + ' covers ' + l.feature.properties.area_code);
    }
  });
  return {under, map: box(map), credit: box(host.querySelector(
    '.leaflet-control-attribution'))};
}"""


def test_map_controls_cover_no_area_and_the_credit_fits(page, server):
    """Issue 13 item 7: the legend covered the North East; the credit wrapped off the map."""
    open_page(page, server, "need", "?level=ltla&indicator=imd_score")
    assert drawn_areas(page) == 296
    host = map_host(page)
    page.wait_for_timeout(1_500)  # the map has fitted its bounds
    seen = host.evaluate(CONTROLS)
    page.screenshot(path=str(SHOTS / "map-controls.png"))
    assert seen["under"] == [], seen["under"]
    credit, whole = seen["credit"], seen["map"]
    assert credit["left"] >= whole["left"] and credit["right"] <= whole["right"], seen
    assert credit["top"] >= whole["top"] and credit["bottom"] <= whole["bottom"], seen


def test_a_tooltip_stays_inside_the_map(page, server):
    """Issue 13 item 7: a tooltip for an area near the right opened off the left edge."""
    open_page(page, server, "need", "?level=sub_icb")
    assert drawn_areas(page) == 106
    host = map_host(page)
    host.scroll_into_view_if_needed()
    page.wait_for_timeout(1_500)  # the map has fitted its bounds
    box = host.bounding_box()
    for code in ("E38000239", "E38000062", "E38000241"):  # Norfolk, Gloucestershire, N Yorks
        point = host.evaluate(CENTRE_OF, code)
        for step in range(3):  # a hover lands once the pointer moves over the shape
            page.mouse.move(box["x"] + point["x"] + step, box["y"] + point["y"] + step)
        tip = page.wait_for_selector(".mtg-tip", state="visible", timeout=10_000)
        rect = tip.bounding_box()
        assert (
            rect["x"] >= box["x"] - 1 and rect["x"] + rect["width"] <= box["x"] + box["width"] + 1
        )
        page.mouse.move(box["x"] + 5, box["y"] + box["height"] - 5)


#: Each page whose map comes first on a first visit, and a heading from what follows it.
BELOW_THE_MAP = {
    "": "Areas ranked, with 95% confidence intervals",
    "secondary-care": "People in contact with secondary mental-health services, month by month",
    "physical-health": "Physical health checks against deprivation",
    "my-area": "Against England",
}


@pytest.mark.parametrize("path", list(BELOW_THE_MAP))
def test_a_first_visit_draws_the_map_then_what_lies_below_it(page, server, path):
    area = "&area=E38000259" if path == "my-area" else ""  # NHS Black Country
    page.goto(f"{server}/{path}?level=sub_icb{area}", wait_until="commit")
    assert drawn_areas(page) == 106
    page.get_by_role("heading", name=BELOW_THE_MAP[path]).wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_text(WAITING).count() == 0
    if path:  # the map's table, in its expander
        page.get_by_text("The map as a table").click()
    # The caption stays until the grid's code, fetched on first use, has drawn the table.
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
    assert page.get_by_text(TABLE_WAITING).count() == 0
    no_exception(page)
