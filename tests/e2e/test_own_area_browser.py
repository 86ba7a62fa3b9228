"""Your own area, built in the browser: three neighbourhoods clicked on the map, the area's
profile opened, its board pack downloaded, with every outside request blocked."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_neighbourhood_map import MAP, SHOTS, no_exception, open_page, outside, wait_drawn

from gapmap import custom_area as area_data
from gapmap.atlas import Atlas

pytestmark = pytest.mark.e2e

SANDWELL_ONLY = "?level=ltla&area=E08000028&lsoa_within=1"
#: Where on the map to click, as fractions of its width and height (Sandwell fills it).
SPOTS = ((0.5, 0.5), (0.42, 0.42), (0.58, 0.6), (0.36, 0.58), (0.64, 0.38))


def _own_link(url: str) -> str | None:
    from urllib.parse import parse_qs, urlparse

    values = parse_qs(urlparse(url).query).get("own")
    return values[0] if values else None


def test_three_clicked_neighbourhoods_make_an_area_with_a_profile_and_a_board_pack(
    page, server, tmp_path
):
    from test_browser import settle

    atlas = Atlas.load()
    open_page(page, server, SANDWELL_ONLY)
    wait_drawn(page)
    added: list[str] = []
    for fx, fy in SPOTS:
        if len(added) == 3:
            break
        box = page.locator(MAP).bounding_box()
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_function("() => location.search.includes('lsoa=E01')", timeout=30_000)
        settle(page)
        code = page.url.split("lsoa=")[1][:9]
        if code in added:
            continue
        before = _own_link(page.url) or ""
        page.get_by_role("button", name="to your own area").click()
        page.wait_for_function(
            "(old) => (new URLSearchParams(location.search).get('own') || '') !== old",
            arg=before,
            timeout=30_000,
        )
        settle(page)
        added.append(code)
    assert len(added) == 3, added
    members = area_data.from_link(atlas, _own_link(page.url))
    assert set(members.lsoas) == set(added)
    page.get_by_role("link", name="Open Your area").click()
    page.get_by_role("heading", name="Your own area", exact=True).wait_for(timeout=60_000)
    settle(page)
    page.get_by_text("3 neighbourhoods.", exact=True).wait_for(timeout=30_000)
    page.get_by_role("heading", name="What the figures say").wait_for(timeout=30_000)
    no_exception(page)
    page.screenshot(path=str(SHOTS / "own-area.png"), full_page=True)
    with page.expect_download(timeout=120_000) as pack:
        page.get_by_role("button", name="Board pack for this area (PDF)").click()
    pdf = Path(pack.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert not outside(page), outside(page)
