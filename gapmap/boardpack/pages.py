"""The board pack's other pages: title, what the data say, gap map, table, methods, sources.

Each page function takes the PDF, the :class:`~gapmap.boardpack.facts.Facts` of the
selection and, where it looks more up, the atlas; it only lays out what
:mod:`gapmap.boardpack.facts` and the content files say.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from fpdf import FPDF
from fpdf.outline import OutlineSection

from gapmap import findings, maps, prose
from gapmap.atlas import Atlas
from gapmap.boardpack.facts import (
    Facts,
    area_table,
    counts_sentence,
    england_sentence,
    key_figure,
    long_date,
    rank_sentence,
    ranked_table,
)
from gapmap.boardpack.layout import (
    BODY_TOP,
    BOTTOM,
    CONTENT_W,
    FONT,
    INK,
    MARGIN,
    MUTED,
    PAGE_H,
    PAGE_W,
    SCALE,
    Pack,
    flow,
    heading,
    image,
    printable,
    table,
    text_box,
)
from gapmap.content import read_content
from gapmap.freshness import data_as_of
from gapmap.sources import chart_source, publisher
from methods.disclosure import SOURCES

#: Methods sections printed for every pack, and those that belong to one indicator or level.
METHODS_ALWAYS = ("Confidence intervals", "Comparing an area with England")
METHODS_FOR_INDICATOR = {
    "tt_gap_ratio": "Talking Therapies against need: the gap ratios",
    "tt_gap_ratio_modelled": "Talking Therapies against need: the gap ratios",
    "secondary_reliance_ratio": "The secondary-care reliance ratio",
}
METHODS_FOR_LEVEL = {
    "ccg": "Clinical commissioning groups across mergers",
    "pcn": "Primary care networks",
}
BOUNDARIES_CREDIT = (
    "Boundaries: Office for National Statistics (ONS), Open Geography Portal, licensed under "
    "the Open Government Licence v3.0. Contains OS data © Crown copyright and database "
    "right 2024."
)
#: Width of the title page's left column, beside the contents.
TITLE_LEFT = 165.0


def _title_rows(facts: Facts, atlas: Atlas) -> list[tuple[str, str]]:
    meta, period = facts.meta, facts.selection.period
    fresh = data_as_of(atlas, facts.selection.indicator, facts.selection.level, facts.built)
    return [
        ("Geography", facts.level_label),
        ("Indicator", str(meta["name"])),
        ("Period", period),
        ("Data", f"{publisher(str(meta['sources']))}; period {period}"),
        ("Date of the data", fresh.pack_row if fresh else long_date(facts.built)),
        ("Pack generated", long_date(facts.generated)),
    ]


def title_page(pdf: Pack, facts: Facts, atlas: Atlas) -> None:
    """Area, period, date of the data, the key figure and, on the right, the contents."""
    left = TITLE_LEFT
    pdf.add_page()
    pdf.set_xy(MARGIN, 22)
    pdf.set_font(FONT, "B", 28)
    pdf.cell(left, 13, printable("Mind the Gap — board pack"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.set_text_color(*MUTED)
    pdf.cell(left, 7, "Need for mental health care against NHS provision, England")
    pdf.set_text_color(*INK)
    pdf.set_xy(MARGIN, 48)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(left, 9, printable(facts.where), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in _title_rows(facts, atlas):
        y = pdf.get_y()
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_xy(MARGIN, y)
        pdf.cell(38, 6, label)
        pdf.set_font(FONT, "", 10.5)
        pdf.set_xy(MARGIN + 38, y)
        pdf.multi_cell(left - 38, 6, printable(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(left, 7, "Key figure", new_x="LMARGIN", new_y="NEXT")
    text_box(pdf, key_figure(facts), MARGIN, left, 10.5)
    pdf.ln(2)
    about = prose.blocks(prose.section(read_content("board_pack"), "About this pack"))[1:]
    flow(pdf, about, x=MARGIN, width=left, ncols=1, size=9.5)
    pdf.set_xy(MARGIN + left + 12, 48)
    pdf.insert_toc_placeholder(_contents, pages=1)
    pdf.fresh_page = True


def _contents(pdf: FPDF, outline: list[OutlineSection]) -> None:
    x = MARGIN + 177
    pdf.set_xy(x, 48)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(PAGE_W - MARGIN - x, 7, "Contents", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 10.5)
    for section in outline:
        pdf.set_x(x)
        link = pdf.add_link(page=section.page_number)
        pdf.cell(PAGE_W - MARGIN - x - 12, 6.5, printable(section.name), link=link)
        pdf.cell(12, 6.5, str(section.page_number), align="R", new_x="LEFT", new_y="NEXT")
        pdf.set_x(x)


def findings_page(pdf: Pack, facts: Facts, atlas: Atlas) -> None:
    """What the data say about the selected area (no page for England: it has no case)."""
    found = findings.findings(atlas, facts.selection)
    if not found:
        return
    heading(pdf, findings.HEADING)
    intro = (
        f"What the atlas's figures show for {facts.where}: each with its 95% interval, its "
        "period and its comparison with England, and where the data do not support a claim."
    )
    text_box(pdf, [prose.Run(intro)], MARGIN, CONTENT_W, 10)
    pdf.ln(1)
    statements = prose.blocks(findings.to_markdown(found))
    reading = [
        b for b in prose.blocks(findings.explainer()) if not (b.kind == "heading" and b.level == 1)
    ]
    heading_block = prose.Block("heading", (prose.Run("How to read these statements"),), 2)
    flow(pdf, [*statements, heading_block, *reading], size=9)


def map_page(pdf: Pack, facts: Facts, atlas: Atlas) -> None:
    """The map coloured as the app colours it, with the area's figure, rank and England's counts."""
    meta, selection = facts.meta, facts.selection
    heading(pdf, "The gap map")
    png = maps.static_map_png(
        atlas.boundaries(facts.vintage),
        facts.table,
        meta,
        title=f"{meta['short_name']}: {facts.level_label}",
        source=chart_source(meta, selection.period),
        period=selection.period,
        selected=selection.area,
        colour_by=maps.colouring(meta),  # as the app colours it
        england_value=facts.england,
        scale=SCALE,
    )
    width, _ = image(pdf, png, MARGIN, BODY_TOP, 170, PAGE_H - BODY_TOP - BOTTOM - 2)
    x = MARGIN + width + 8
    column = PAGE_W - MARGIN - x
    pdf.set_xy(x, BODY_TOP)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(column, 7, "Selected area" if selection.area else "England")
    pdf.set_y(BODY_TOP + 8)
    if selection.area:
        text_box(pdf, key_figure(facts), x, column, 10)
        rank = rank_sentence(facts)
        if rank:
            text_box(pdf, [prose.Run(rank)], x, column, 10)
    else:
        text_box(pdf, [prose.Run(england_sentence(facts))], x, column, 10)
    pdf.ln(2)
    pdf.set_x(x)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(column, 7, "Across England", new_x="LEFT", new_y="NEXT")
    text_box(pdf, [prose.Run(counts_sentence(facts))], x, column, 10)
    pdf.ln(2)
    kind = "compared with England" if maps.colouring(meta) == "comparison" else "by value"
    reading = prose.blocks(prose.section(read_content("board_pack"), f"Reading the map: {kind}"))
    flow(pdf, reading, x=x, width=column, ncols=1, size=9.5, shift=1)


def table_page(pdf: Pack, facts: Facts, atlas: Atlas) -> None:
    """The area's every indicator beside England, or with no area every area ranked."""
    selection = facts.selection
    if selection.area:
        heading(pdf, "Figures for the area")
        intro = (
            f"Every indicator the atlas has for {facts.where}, at its latest period (the "
            f"selected indicator first, for {selection.period}), beside England. Hidden "
            "figures are blank, with the reason in the note."
        )
        frame = area_table(atlas, selection)
        widths = (62, 30, 22, 38, 22, 44, 55)
        note = None
    else:
        heading(pdf, "Areas ranked: the table")
        frame, note = ranked_table(facts)
        unit = str(facts.meta["unit"] or "")
        intro = (
            f"{facts.meta['name']}"
            + (f" ({unit})" if unit and unit != "ratio" else "")
            + f", {facts.level_label}, {selection.period}: every area ranked from the highest "
            "value, under England's own figure. Hidden figures are blank, with the reason "
            "in the note."
        )
        widths = (12, 70, 25, 22, 38, 44, 62)
    text = [prose.Run(intro)] + ([prose.Run(" " + note, "I")] if note else [])
    text_box(pdf, text, MARGIN, CONTENT_W, 10)
    pdf.ln(1)
    table(
        pdf,
        frame.astype(str).to_numpy().tolist(),
        list(frame.columns),
        widths=widths,
        size=8.5,
        bold_first=True,
    )


def methods_page(pdf: Pack, facts: Facts) -> None:
    """The indicator's own method and caveats, then the shared methods sections and caveats."""
    meta = facts.meta
    heading(pdf, "Methods and caveats")
    methods = read_content("methods")
    own = [
        prose.Block("heading", prose.inline(f"This indicator: {meta['short_name']}"), level=2),
        prose.Block("paragraph", (prose.Run("Method. ", "B"), prose.Run(str(meta["method"])))),
    ]
    if pd.notna(meta["caveats"]) and str(meta["caveats"]).strip():
        own.append(
            prose.Block("paragraph", (prose.Run("Caveats. ", "B"), prose.Run(str(meta["caveats"]))))
        )
    names = [
        METHODS_FOR_INDICATOR.get(facts.selection.indicator),
        METHODS_FOR_LEVEL.get(facts.selection.level),
        *METHODS_ALWAYS,
    ]
    parts = [prose.blocks(prose.section(methods, n)) for n in names if n]
    caveats = [  # one level down, under this page's own title
        replace(b, level=b.level + 1) if b.kind == "heading" else b
        for b in prose.blocks(read_content("caveats"))
    ]
    reading = prose.blocks(prose.section(read_content("board_pack"), "Reading the charts"))
    blocks = [*own, *reading, *(b for part in parts for b in part), *caveats]
    flow(pdf, blocks, size=9, shift=0)


def _pack_publishers(facts: Facts, atlas: Atlas) -> set[str]:
    """The publishers whose counts the pack's indicators show (numerator and denominator)."""
    keys = set()
    for indicator_id in _pack_indicators(facts, atlas):
        meta = atlas.indicator(indicator_id)
        keys |= {meta.get(k) for k in ("release", "denominator_release")}
    return {SOURCES[k].publisher for k in keys if isinstance(k, str) and k in SOURCES}


def _only_rows(block: prose.Block, publishers: set[str]) -> prose.Block:
    """A table of sources cut to the rows that name one of ``publishers``."""
    header, *rows = block.rows
    kept = [row for row in rows if any(name in row[0] for name in publishers)]
    return replace(block, rows=(header, *kept)) if kept else block


def suppression_page(pdf: Pack, facts: Facts | None = None, atlas: Atlas | None = None) -> None:
    """The suppression statement: what each of the pack's sources releases, what is shown.

    The table of sources is cut to the publishers of the pack's own figures (all of them
    for an atlas that does not record its indicators' releases); the rule follows in full.
    """
    heading(pdf, "Hidden and rounded numbers")
    blocks = prose.blocks(read_content("suppression"))
    blocks = [b for b in blocks if not (b.kind == "heading" and b.level == 1)]
    publishers = _pack_publishers(facts, atlas) if facts and atlas else set()
    if publishers:
        blocks = [_only_rows(b, publishers) if b.kind == "table" else b for b in blocks]
    flow(pdf, blocks, size=10)


def _pack_indicators(facts: Facts, atlas: Atlas) -> list[str]:
    """The indicators in the pack: the selected one, then the area's profile."""
    ids = [facts.selection.indicator]
    if facts.selection.area:
        profile = atlas.profile(facts.selection.area, facts.selection.level)
        ids += [i for i in profile["indicator_id"] if i not in ids]
    return ids


def _source_bullets(facts: Facts, atlas: Atlas) -> list[prose.Block]:
    """One bullet per indicator in the pack: its publishers (a board reads who, not files)."""
    bullets = []
    for indicator_id in _pack_indicators(facts, atlas):
        meta = atlas.indicator(indicator_id)
        runs = (
            prose.Run(str(meta["short_name"]), "B"),
            prose.Run(f": {publisher(str(meta['sources']))}."),
        )
        bullets.append(prose.Block("bullet", runs))
    return bullets


def sources_page(pdf: Pack, facts: Facts, atlas: Atlas) -> None:
    """Where the figures come from, licence attributions and how the pack may be reused."""
    heading(pdf, "Sources and attribution")
    blocks = [prose.Block("heading", (prose.Run("Where this pack's figures come from"),), 2)]
    blocks += _source_bullets(facts, atlas)
    blocks.append(prose.Block("paragraph", (prose.Run(BOUNDARIES_CREDIT),)))
    built = (
        f"The atlas was built on {long_date(facts.built)} from "
        f"{len(atlas.manifest.get('raw_files', {}))} published files; every row "
        "of each was either used or rejected with a reason. The files behind each "
        "figure, and the newest period of each, are listed in the app under Methods & "
        "data, Sources and licences."
    )
    blocks.append(prose.Block("paragraph", (prose.Run(built),)))
    sources = read_content("sources")
    for name in ("Attribution", "Reshaped copies"):
        blocks += prose.blocks(prose.section(sources, name))
    blocks += prose.blocks(prose.section(read_content("board_pack"), "Reusing this pack"))
    flow(pdf, blocks, size=9)
