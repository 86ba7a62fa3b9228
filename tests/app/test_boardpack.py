"""The board pack built whole: pages, text, suppression, determinism, a rendered look, its button.

The parts have their own tests: test_boardpack_facts (tables and sentences),
test_boardpack_layout (the print toolkit) and test_boardpack_chart_pages (charts for print).

PDFs are opened with pypdf; pages are rendered to PNG with poppler's pdftoppm into
tests/output/boardpack/ so a person can look at them.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from gapmap import boardpack
from gapmap.atlas import Atlas
from gapmap.boardpack.facts import area_table, built_date, long_date
from gapmap.state import Selection

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "output" / "boardpack"
GAP = "Jul 2022 - May 2023"
BLACK_COUNTRY = Selection("sub_icb", "tt_gap_ratio", GAP, "E38000259")
SANDWELL = Selection("ltla", "depression_prevalence", "2022-23", "E08000028")
ENGLAND = Selection("sub_icb", "tt_gap_ratio", GAP, None)
#: A4 landscape in PDF points.
A4_LANDSCAPE = (842, 595)


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load()


@pytest.fixture(scope="module")
def black_country(atlas) -> bytes:
    return boardpack.build(atlas, BLACK_COUNTRY)


@pytest.fixture(scope="module")
def sandwell(atlas) -> bytes:
    return boardpack.build(atlas, SANDWELL)


@pytest.fixture(scope="module")
def england(atlas) -> bytes:
    return boardpack.build(atlas, ENGLAND)


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def page_titled(pdf: bytes, title: str) -> str:
    for text in pages(pdf):
        if text.lstrip().startswith(title):
            return flat(text)
    raise AssertionError(f"no page titled {title!r}")


def pdftoppm() -> str:
    path = shutil.which("pdftoppm")
    if path is None:
        pytest.fail(
            "pdftoppm not found: install poppler-utils (apt-get install poppler-utils), as "
            ".ci/run does"
        )
    return path


def render(pdf: bytes, page: int, name: str, *, gray: bool = False) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    source = OUT / f"{name}.pdf"
    source.write_bytes(pdf)
    args = [pdftoppm(), "-r", "100", "-png", "-singlefile", "-f", str(page), "-l", str(page)]
    subprocess.run(
        [*args, *(["-gray"] if gray else []), str(source), str(OUT / name)],
        check=True,
        timeout=120,
    )
    return OUT / f"{name}.png"


def test_bad_selections_are_refused_with_what_to_do(atlas):
    with pytest.raises(ValueError, match="period"):
        boardpack.build(atlas, replace(BLACK_COUNTRY, period="1999"))
    with pytest.raises(ValueError, match="not on the"):
        boardpack.build(atlas, replace(BLACK_COUNTRY, area="E08000028"))


# ------------------------------------------------------------------------------- packs


def test_black_country_pack_pages_size_and_title(atlas, black_country):
    reader = PdfReader(io.BytesIO(black_country))
    assert 8 <= len(reader.pages) <= 14
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            A4_LANDSCAPE
        )
    title = flat(reader.pages[0].extract_text())
    built = long_date(built_date(atlas.manifest))
    for expected in (
        "Mind the Gap — board pack",
        "NHS Black Country ICB - D2P2L (E38000259)",
        "Sub-ICB location",
        GAP,
        f"Atlas built {built}",
        "Contents",
    ):
        assert expected in title, expected
    names = [item.title for item in reader.outline]
    assert names[:5] == [
        "What the data say",
        "The gap map",
        "Areas ranked",
        "Funnel plot",
        "Against England",
    ]
    assert {"Figures for the area", "Methods and caveats", "Sources and attribution"} <= set(names)
    assert reader.metadata.title.startswith("Mind the Gap board pack: NHS Black Country")


def test_every_page_has_the_selection_and_its_number_in_the_footer(black_country):
    texts = pages(black_country)
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {len(texts)}" in text
        assert "NHS Black Country ICB - D2P2L (E38000259)" in flat(text)
        assert "Talking Therapies vs recorded need" in flat(text)


def test_pack_has_the_table_with_england_methods_suppression_and_attribution(black_country):
    table = page_titled(black_country, "Figures for the area")
    assert "Indicator Period Value 95% confidence interval England" in table
    assert (
        "Talking Therapies vs recorded need Jul 2022 - May 2023 1.02 1.00 to 1.04 1.00 Similar to"
        in table
    )
    assert "Talking Therapies access (per 100,000) Jul 2022 - May 2023 2,124.4" in table
    assert "2,096.0 to 2,153.0 2,222.2 Worse than England" in table
    methods = page_titled(black_country, "Methods and caveats")
    assert "This indicator: Talking Therapies vs recorded need" in methods
    assert "Indirect standardisation" in methods
    suppression = page_titled(black_country, "Hidden and rounded numbers")
    assert "Small counts are hidden" in suppression and "1 to 7" in suppression
    sources = page_titled(black_country, "Sources and attribution")
    assert "Open Government Licence v3.0" in sources
    assert "Contains OS data © Crown copyright and database right" in sources
    assert "NHS England" in sources and "NHSBSA" in sources and "OHID" in sources


def test_charts_carry_their_text_alternatives(black_country):
    ranked = page_titled(black_country, "Areas ranked")
    assert "Ranked chart of Talking Therapies vs recorded need for 106 areas" in ranked
    assert "NHS Black Country ICB - D2P2L is 32nd of 105 at 1.02 (similar to England)" in ranked
    assert "1 without a value (suppressed or missing) listed last" in ranked
    assert "10 highest and 10 lowest" in ranked
    funnel = page_titled(black_country, "Funnel plot")
    assert "Funnel plot of Talking Therapies vs recorded need" in funnel
    spine = page_titled(black_country, "Against England")
    assert "Spine chart of 17 indicators for NHS Black Country ICB - D2P2L" in spine


def test_sandwell_pack_has_a_trend_and_no_empty_funnel(sandwell):
    texts = [flat(t) for t in pages(sandwell)]
    assert "Sandwell (E08000028)" in texts[0] and "2022-23" in texts[0]
    assert "Local authority (district)" in texts[0]
    trend = page_titled(sandwell, "Trend")
    assert "Sandwell" in trend and "2014-15" in trend
    # district figures are published without denominators, so no funnel can be drawn
    assert not any(t.startswith("Funnel plot") for t in texts)
    assert "Depression prevalence" in page_titled(sandwell, "Figures for the area")


def test_england_pack_ranks_every_area_under_england(england):
    texts = [flat(t) for t in pages(england)]
    assert texts[0].startswith("Mind the Gap — board pack")
    assert "England Geography Sub-ICB location" in texts[0]
    table = page_titled(england, "Areas ranked: the table")
    assert "England E92000001 1.00" in table
    assert "20 highest and 20 lowest of 105 areas with a value" in table
    assert not any(t.startswith("Figures for the area") for t in texts)


def test_same_inputs_give_identical_bytes(atlas, black_country):
    assert boardpack.build(atlas, BLACK_COUNTRY) == black_country
    later = boardpack.build(atlas, BLACK_COUNTRY, generated=date(2027, 1, 5))
    assert later != black_country
    assert "Pack generated 5 January 2027" in flat(pages(later)[0])


def test_a_suppressed_value_is_blank_with_its_reason_never_a_number(atlas):
    """Even if a hidden row still held a number, the pack must print none of it."""
    values = atlas.values.copy()
    hidden = (
        (values["indicator_id"] == "mhsds_detentions_rate")
        & (values["level"] == "sub_icb")
        & values["suppressed"]
    )
    assert hidden.sum() >= 1
    values.loc[hidden, ["value", "lower_95", "upper_95"]] = [987.654, 913.21, 1042.77]
    leaky = Atlas(atlas.areas, values, atlas.indicators, atlas.manifest, atlas.root)
    code = str(values.loc[hidden, "area_code"].iloc[0])
    selection = Selection("sub_icb", "mhsds_detentions_rate", "Aug - Nov 2022", code)
    row = area_table(leaky, selection).iloc[0]
    assert (row["Value"], row["95% confidence interval"], row["Compared with England (95%)"]) == (
        "",
        "",
        "",
    )
    assert row["Note"].startswith("Suppressed")
    text = flat(" ".join(pages(boardpack.build(leaky, selection))))
    for leaked in ("988", "987", "913", "1,043", "1,042"):
        assert leaked not in text, leaked
    assert "Suppressed by the publisher" in text
    assert "is hidden" in text  # the key figure says so in words


# ---------------------------------------------------------------------------- rendered


def test_title_and_map_pages_render_to_png(black_country):
    title = render(black_country, 1, "black-country-p1")
    colour = render(black_country, 2, "black-country-map")
    grey = render(black_country, 2, "black-country-map-grey", gray=True)
    for path in (title, colour, grey):
        with Image.open(path) as image:
            width, height = image.size
            assert abs(width / height - 297 / 210) < 0.01
            inked = sum(image.convert("L").histogram()[:200]) / (width * height)
            assert inked > 0.02, f"{path.name} is almost blank"
    with Image.open(grey) as image:
        levels = image.convert("L").crop((60, 120, 620, 760)).getcolors(256 * 256) or []
    # five value classes, edges and the outline survive greyscale as distinct tones
    assert sum(1 for count, _ in levels if count > 500) >= 6


# ------------------------------------------------------------------------------ button


def test_the_sidebar_offers_the_board_pack_on_every_view():
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in BLACK_COUNTRY.to_query().items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    buttons = [b for b in app.sidebar.get("download_button") if b.proto.label.startswith("Board")]
    assert [b.proto.label for b in buttons] == ["Board pack (PDF)"]
    app.switch_page(str(ROOT / "app_pages" / "my_area.py"))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(b.proto.label == "Board pack (PDF)" for b in app.sidebar.get("download_button"))


def test_download_name_is_safe_and_says_what_it_is():
    assert boardpack.filename(BLACK_COUNTRY) == (
        "board-pack_tt-gap-ratio_sub-icb_e38000259_jul-2022-may-2023.pdf"
    )
    assert boardpack.filename(ENGLAND).startswith("board-pack_tt-gap-ratio_sub-icb_england")


def test_a_primary_care_network_pack_says_its_shape_is_only_drawn(atlas):
    pdf = boardpack.build(atlas, Selection("pcn", "depression_prevalence", "2024-25", "U11746"))
    text = flat(" ".join(pages(pdf)))
    assert "Swb Newcomen PCN" in text
    assert "only where it is drawn" in text  # the caveats
    assert "count its registered patients" in text
    assert "nearest GP practice" in text  # the methods section of the level
