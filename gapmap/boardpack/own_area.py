"""The board pack of a user's own area: what its figures say, every figure, its parts.

The same print toolkit (:mod:`~gapmap.boardpack.layout`) and the same words as the page
(:mod:`gapmap.custom_area_tables`, :func:`gapmap.narrative.profile_paragraphs`), so the
pack says what the screen says. Deterministic: the same area, atlas and date give the same
bytes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd

from gapmap import custom_area as area_data
from gapmap import custom_area_tables as area_tables
from gapmap import export, narrative, prose
from gapmap.atlas import Atlas
from gapmap.boardpack.facts import built_date, long_date
from gapmap.boardpack.layout import (
    CONTENT_W,
    MARGIN,
    Pack,
    flow,
    heading,
    printable,
    table,
    text_box,
)
from gapmap.boardpack.pages import METHODS_ALWAYS, suppression_page
from gapmap.content import read_content
from gapmap.sources import publisher

#: Column widths (mm) of the figures and the parts tables.
FIGURE_WIDTHS = (42, 30, 24, 40, 22, 30, 26, 59)
#: The same with a column for the comparison with the area's district.
FIGURE_WIDTHS_COUNCIL = (40, 28, 18, 28, 18, 28, 30, 26, 57)
PART_WIDTHS = (30, 70, 30, 50, 97)


def build(
    atlas: Atlas,
    area: area_data.Members,
    name: str,
    *,
    earlier: dict[str, area_data.Members] | None = None,
    generated: date | None = None,
) -> bytes:
    """The board pack of the user's area as PDF bytes (A4 landscape)."""
    name = area_data.clean_name(name)
    when = generated or built_date(atlas.manifest)
    figures = area_data.figures(atlas, area, earlier)
    pdf = Pack(f"Mind the Gap · {name} (your own area) · generated {long_date(when)}")
    pdf.set_title(printable(f"Mind the Gap board pack: {name}"))
    pdf.set_author("Mind the Gap")
    pdf.set_creator("Mind the Gap")
    pdf.set_producer("Mind the Gap")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(datetime(*when.timetuple()[:3], tzinfo=UTC))
    _title(pdf, area, name, figures, when)
    _what_they_say(pdf, atlas, figures, name)
    _figures(pdf, atlas, figures, name)
    _parts(pdf, atlas, area, name)
    _methods(pdf)
    suppression_page(pdf)
    _sources(pdf, atlas, figures)
    return bytes(pdf.output())


def filename(name: str) -> str:
    """The download name: board-pack_own-area_<name>.pdf."""
    return export.filename("board-pack", "own-area", area_data.clean_name(name), ext="pdf")


def _title(
    pdf: Pack, area: area_data.Members, name: str, figures: pd.DataFrame, when: date
) -> None:
    pdf.add_page()
    pdf.set_xy(MARGIN, 22)
    heading_text = "Mind the Gap — board pack"
    text_box(pdf, [prose.Run(heading_text, "B")], MARGIN, CONTENT_W, 24)
    text_box(pdf, [prose.Run(name, "B")], MARGIN, CONTENT_W, 18)
    periods = sorted(set(area_tables.latest(figures)["period"].astype(str)))
    rows = [
        ("Your own area", area_data.summary(area)),
        ("Figures for", "; ".join(periods)),
        ("Pack generated", long_date(when)),
        ("Link code", area.link()),
    ]
    pdf.ln(2)
    for label, value in rows:
        text_box(pdf, [prose.Run(f"{label}: ", "B"), prose.Run(value)], MARGIN, CONTENT_W, 10.5)
    pdf.ln(2)
    flow(pdf, prose.blocks(read_content("own_area_intro")), ncols=1, size=9.5)


def _what_they_say(pdf: Pack, atlas: Atlas, figures: pd.DataFrame, name: str) -> None:
    heading(pdf, "What the figures say")
    rows = area_tables.profile(atlas, figures)
    paragraphs = narrative.profile_paragraphs(rows, atlas.indicators, name)
    flow(pdf, prose.blocks("\n\n".join(paragraphs)), size=10)


def _figures(pdf: Pack, atlas: Atlas, figures: pd.DataFrame, name: str) -> None:
    heading(pdf, "Every figure")
    intro = (
        f"Every indicator {name}'s parts have, at its newest period, beside England. "
        "Hidden figures are blank, with the reason in the note."
    )
    text_box(pdf, [prose.Run(intro)], MARGIN, CONTENT_W, 10)
    frame = area_tables.shown(atlas, figures)
    widths = FIGURE_WIDTHS if len(frame.columns) == len(FIGURE_WIDTHS) else FIGURE_WIDTHS_COUNCIL
    table(pdf, frame.to_numpy().tolist(), list(frame.columns), widths=widths, size=8)


def _parts(pdf: Pack, atlas: Atlas, area: area_data.Members, name: str) -> None:
    heading(pdf, f"The parts of {name}")
    frame = area_data.parts_table(atlas, area).fillna("")
    table(pdf, frame.astype(str).to_numpy().tolist(), list(frame.columns), widths=PART_WIDTHS)


def _methods(pdf: Pack) -> None:
    heading(pdf, "How the figures are made")
    methods = read_content("methods")
    blocks = prose.blocks(read_content("own_area"))
    for section in METHODS_ALWAYS:
        blocks += prose.blocks(prose.section(methods, section))
    blocks += [
        replace(b, level=b.level + 1) if b.kind == "heading" else b
        for b in prose.blocks(read_content("caveats"))
    ]
    flow(pdf, blocks, size=9)


def _sources(pdf: Pack, atlas: Atlas, figures: pd.DataFrame) -> None:
    heading(pdf, "Sources and attribution")
    blocks = [prose.Block("heading", (prose.Run("Where this pack's figures come from"),), 2)]
    for indicator_id in dict.fromkeys(figures["indicator_id"].astype(str)):
        meta = atlas.indicator(indicator_id)
        blocks.append(
            prose.Block(
                "bullet",
                (
                    prose.Run(str(meta["short_name"]), "B"),
                    prose.Run(f": {publisher(str(meta['sources']))}."),
                ),
            )
        )
    sources = read_content("sources")
    for section in ("Attribution", "Reshaped copies"):
        blocks += prose.blocks(prose.section(sources, section))
    blocks += prose.blocks(prose.section(read_content("board_pack"), "Reusing this pack"))
    flow(pdf, blocks, size=9)
