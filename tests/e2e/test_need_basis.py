"""Switching how need is measured, in the real app in headless Chromium: map, table and URL.

Also the "what the data say" panel on Sandwell's My area page. The app is served on the
committed atlas, which has both need bases. Screenshots go to tests/output/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from appserver import app_server
from test_browser import SHOTS, drawn_areas, map_host, no_exception, open_page, settle

from gapmap.atlas import Atlas
from gapmap.state import basis_choice

pytestmark = pytest.mark.e2e

LEGEND_TITLE = "(host) => host.querySelector('.mtg-title')?.textContent || ''"


@pytest.fixture(scope="module")
def basis_server(tmp_path_factory) -> Iterator[str]:
    """The app on an atlas with both need bases (the committed one once it is rebuilt)."""
    assert basis_choice(Atlas.load()), "the committed atlas should have both need bases"
    with app_server() as url:
        yield url


def legend_title(page) -> str:
    return map_host(page).evaluate(LEGEND_TITLE)


def table_picture(page) -> bytes:
    table = page.locator('[data-testid="stDataFrame"]').first
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the grid paints its cells after it is placed
    return table.screenshot()


def test_switching_need_basis_changes_the_map_table_and_url(page, basis_server):
    open_page(page, basis_server, "need", "?level=sub_icb&area=E38000259")
    no_exception(page)
    assert drawn_areas(page) == 106
    assert "basis=" not in page.url and "indicator=tt_gap_ratio_modelled" in page.url
    modelled_legend, modelled_table = legend_title(page), table_picture(page)
    assert "modelled" in modelled_legend.lower()
    page.screenshot(path=str(SHOTS / "need-basis-modelled.png"), full_page=True)

    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Need measured by").wait_for(timeout=30_000)
    sidebar.get_by_text("Recorded depression", exact=True).click()
    page.wait_for_function("() => location.search.includes('basis=recorded')", timeout=30_000)
    settle(page)
    no_exception(page)
    assert "indicator=tt_gap_ratio&" in page.url + "&"
    assert "area=E38000259" in page.url
    assert drawn_areas(page) == 106
    recorded_legend = legend_title(page)
    assert recorded_legend and recorded_legend != modelled_legend
    assert table_picture(page) != modelled_table
    page.screenshot(path=str(SHOTS / "need-basis-recorded.png"), full_page=True)

    sidebar.get_by_text("Modelled prevalence", exact=True).click()
    page.wait_for_function("() => !location.search.includes('basis=')", timeout=30_000)
    settle(page)
    assert "indicator=tt_gap_ratio_modelled" in page.url
    assert legend_title(page) == modelled_legend


def test_sandwell_my_area_shows_what_the_data_say(page, basis_server):
    open_page(page, basis_server, "my-area", "?level=ltla&area=E08000028")
    no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("What the data say", exact=True).wait_for(timeout=60_000)
    text = main.inner_text()
    for topic in (
        "Deprivation.",
        "Modelled need.",
        "Recognition.",
        "NHS Talking Therapies against",
    ):
        assert topic in text, topic
    assert "21.5%" in text and "NHS Black Country" in text
    page.screenshot(path=str(SHOTS / "my-area-sandwell-panel.png"), full_page=True)
