"""Freshness in view: 'Data as of' on every page, the Methods table, the board pack's title.

The Methods table reads the manifest's ``freshness`` record, which a build writes; an atlas
built before the record existed has no table to show.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from gapmap import boardpack
from gapmap.boardpack import built_date, long_date
from gapmap.freshness import TABLE_COLUMNS, data_as_of, freshness_table
from gapmap.state import Selection
from tests.app.test_pages import PAGES, run

pytestmark = pytest.mark.usefixtures("fresh_caches")

GAP = "Jul 2022 - May 2023"
BLACK_COUNTRY = {"level": "sub_icb", "indicator": "tt_access_rate", "period": GAP}


def data_as_of_lines(app: AppTest) -> list[str]:
    return [c.value for c in app.sidebar.caption if c.value.startswith("Data as of:")]


def test_data_as_of_names_the_newest_period_and_the_build_date(atlas):
    built = built_date(atlas.manifest)
    shown = data_as_of(atlas, "tt_access_rate", "sub_icb", built)
    assert shown is not None
    assert shown.line == (
        f"Data as of: Talking Therapies access {GAP} (sub-ICB locations); "
        f"atlas built {long_date(built)}"
    )


def test_data_as_of_is_the_newest_period_not_the_last_in_text_order(atlas):
    """Depression prevalence for districts runs to 2024-25; as text, '2014-15' ... sort
    anyhow, so the newest must come from the period order."""
    shown = data_as_of(atlas, "depression_prevalence", "ltla", date(2026, 1, 1))
    assert shown is not None and shown.newest == atlas.periods("depression_prevalence", "ltla")[-1]
    assert shown.newest == "2024-25"


def test_no_line_for_an_indicator_the_level_lacks(atlas):
    assert data_as_of(atlas, "tt_access_rate", "practice", date(2026, 1, 1)) is None
    assert data_as_of(atlas, "no_such_indicator", "sub_icb", date(2026, 1, 1)) is None


def test_an_atlas_without_a_freshness_record_gives_an_empty_table():
    table = freshness_table({}, {})
    assert table.empty and list(table.columns) == list(TABLE_COLUMNS)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_how_old_its_data_are(page):
    app = run(page, BLACK_COUNTRY)
    lines = data_as_of_lines(app)
    assert len(lines) == 1, lines
    assert f"Talking Therapies access {GAP} (sub-ICB locations)" in lines[0]
    assert "atlas built " in lines[0]


def test_the_methods_page_lists_each_source_with_its_newest_period():
    app = run("app_pages/methods.py")
    tables = [t.value for t in app.dataframe if "Newest period in the atlas" in t.value.columns]
    assert len(tables) == 1, "no freshness table on the Methods page (rebuild the atlas)"
    table = tables[0].set_index("Source")
    therapies = table.loc[table.index.str.contains("Talking Therapies")]
    qof = table.loc[table.index.str.contains("QOF|Quality and Outcomes Framework")]
    assert len(therapies) >= 2 and len(qof) >= 2
    newest = therapies["Newest period in the atlas"]
    assert newest.str.contains(f"sub-ICB: {GAP}").any()  # the monthly sub-ICB extract
    assert newest.str.contains("2024-25").any()  # the annual report's ICB years
    assert qof["Indicators made from it"].str.contains("Depression prevalence").any()
    assert table["What the fetch command would bring"].str.len().gt(0).all()
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Download table (CSV)" in labels


def test_the_board_pack_title_page_states_the_newest_period(atlas):
    pdf = boardpack.build(atlas, Selection("sub_icb", "tt_access_rate", GAP, "E38000259"))
    title = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "The newest period of Talking Therapies access for sub-ICB locations" in title
    assert f"Atlas built {long_date(built_date(atlas.manifest))}" in title
