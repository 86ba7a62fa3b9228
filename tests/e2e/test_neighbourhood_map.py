"""The Neighbourhoods page in headless Chromium, with every outside request blocked.

All 33,755 LSOAs are drawn by deck.gl (WebGL) rather than Leaflet, so the map is checked by
its pixels: the canvas holds the legend's colours. A click selects a neighbourhood and the
link keeps it; the table alternative is the atlas's own figures.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from test_browser import settle

from gapmap.atlas import Atlas
from gapmap.neighbourhoods import indicator_choices, shading
from gapmap.wording import number_format

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"
MAP = "canvas.maplibregl-canvas"
SANDWELL = "?level=ltla&area=E08000028"
#: Enough coloured pixels to be a map of many areas, not a stray outline.
DRAWN_PIXELS = 20_000


def open_page(page, server: str, query: str = "") -> None:
    page.goto(f"{server}/neighbourhoods{query}", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.get_by_role("heading", name="Neighbourhoods", exact=True).wait_for(timeout=60_000)
    settle(page)


def map_pixels(page) -> Image.Image:
    """What the map shows on screen (the basemap canvas with deck.gl's layer over it)."""
    canvas = page.locator(MAP)
    canvas.wait_for(timeout=60_000)
    canvas.scroll_into_view_if_needed()
    return Image.open(io.BytesIO(page.screenshot(clip=canvas.bounding_box()))).convert("RGB")


def coloured(image: Image.Image) -> int:
    return sum(n for n, rgb in image.getcolors(1 << 24) if rgb != (255, 255, 255))


def wait_drawn(page) -> Image.Image:
    """The map once its areas are drawn (polled: drawing takes seconds on a busy machine)."""
    for _ in range(120):
        image = map_pixels(page)
        if coloured(image) > DRAWN_PIXELS:
            return image
        page.wait_for_timeout(500)
    return image


def hex_rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return tuple(int(text[i : i + 2], 16) for i in (0, 2, 4))


def outside(page) -> list[str]:
    return [u for u in page.blocked if not u.startswith("http://127.0.0.1")]


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0


def test_every_neighbourhood_is_drawn_offline_in_the_legend_colours(page, server):
    open_page(page, server)
    no_exception(page)
    page.get_by_text("33,755 neighbourhoods drawn in England").wait_for(timeout=30_000)
    image = wait_drawn(page)
    image.save(SHOTS / "neighbourhoods.png")
    assert coloured(image) > DRAWN_PIXELS
    # The map opens on the first indicator the atlas holds for neighbourhoods; each class
    # of its legend is painted somewhere on the map, in the legend's own colour.
    atlas = Atlas.load()
    shaded = shading(atlas, indicator_choices(atlas)[0])
    counts = {rgb: n for n, rgb in image.getcolors(1 << 24)}
    classes = [hex_rgb(c) for label, c in shaded.classes.legend if not label.startswith("No")]
    painted = [rgb for rgb in classes if counts.get(rgb, 0) > 50]
    assert painted == classes, f"legend colours missing from the map: {set(classes) - set(painted)}"
    page.get_by_text(shaded.classes.legend[0][0], exact=True).wait_for(timeout=10_000)
    # No request of any kind leaves 127.0.0.1: no tiles, no CDN scripts or workers.
    assert not outside(page), outside(page)


def test_hover_names_and_click_selects_a_neighbourhood_kept_in_the_link(page, server):
    open_page(page, server, SANDWELL)
    wait_drawn(page)
    box = page.locator(MAP).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.get_by_text("Neighbourhood: ").first.wait_for(timeout=30_000)
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('lsoa=E01')", timeout=30_000)
    settle(page)
    code = page.url.split("lsoa=")[1][:9]
    name = str(Atlas.load().area(code, level="lsoa")["area_name"])
    page.get_by_role("heading", name=f"{name} ({code})").wait_for(timeout=30_000)
    page.get_by_role("link", name="(local authority)").wait_for(timeout=10_000)
    page.screenshot(path=str(SHOTS / "neighbourhoods-clicked.png"))
    # The link alone brings the same neighbourhood back, in a fresh page.
    page.goto(page.url, wait_until="domcontentloaded")
    page.get_by_role("heading", name=f"{name} ({code})").wait_for(timeout=60_000)
    assert f"lsoa={code}" in page.url
    no_exception(page)
    assert not outside(page), outside(page)


def test_the_table_alternative_holds_the_atlas_figures(page, server, tmp_path):
    open_page(page, server, f"{SANDWELL}&lsoa_within=1&lsoa_indicator=imd_score")
    page.get_by_text("190 neighbourhoods drawn in Sandwell").wait_for(timeout=30_000)
    wait_drawn(page)
    page.get_by_text("The map as a table", exact=True).click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download table (CSV)").click()
    path = tmp_path / "neighbourhoods.csv"
    download.value.save_as(path)
    table = pd.read_csv(path, encoding="utf-8-sig", dtype={"LSOA code": str})
    atlas = Atlas.load()
    expected = atlas.table("imd_score", "lsoa", "IoD2025")
    inside = set(atlas.within("E08000028", "ltla", "lsoa")["area_code"])
    expected = expected.loc[expected["area_code"].isin(inside)]
    fmt = number_format(atlas.indicator("imd_score"))
    want = dict(zip(expected["area_code"], expected["value"].map(fmt.rounded), strict=True))
    got = dict(zip(table["LSOA code"], table["Value (score)"], strict=True))
    assert len(table) == 190 and got == want
    assert set(table["Local authority"]) == {"Sandwell"}
    assert set(table["Indicator"]) == {str(atlas.indicator("imd_score")["name"])}
    cells = {cell for row in csv.reader(io.StringIO(path.read_text("utf-8-sig"))) for cell in row}
    assert not cells & {"None", "nan", "NaN", "<NA>"}
    assert not outside(page), outside(page)


def test_search_by_neighbourhood_or_postcode_district_moves_the_map_there(page, server):
    open_page(page, server)
    box = page.get_by_role("textbox", name="Find a neighbourhood or area")
    box.fill("Sandwell 001A")
    box.press("Enter")
    settle(page)
    page.get_by_role("button", name="Sandwell 001A (E01010085, neighbourhood)").click()
    page.wait_for_function("() => location.search.includes('lsoa=E01010085')", timeout=30_000)
    page.get_by_role("heading", name="Sandwell 001A (E01010085)").wait_for(timeout=30_000)
    box = page.get_by_role("textbox", name="Find a neighbourhood or area")
    box.fill("B70")
    box.press("Enter")
    settle(page)
    page.get_by_role("button", name="Sandwell (E08000028, Local authority (district))").click()
    page.wait_for_function("() => location.search.includes('area=E08000028')", timeout=30_000)
    settle(page)
    page.get_by_text("Show only the neighbourhoods in Sandwell").wait_for(timeout=30_000)
    assert "lsoa=E01010085" in page.url  # the neighbourhood stays selected
    assert coloured(wait_drawn(page)) > DRAWN_PIXELS
    no_exception(page)
    assert not outside(page), outside(page)
