"""A small print toolkit on fpdf2: A4 landscape pages, headings, prose in columns, tables, images.

It knows nothing of the atlas: the pages (:mod:`gapmap.boardpack.pages`) hand it text, rows
and PNG bytes. Text is set in Lato, an SIL Open Font License font shipped as a Python
package, embedded in the PDF, so the pack looks the same on every machine and can hold
characters such as "–", "’" and "©" that PDF core fonts cannot. Nothing here reads the
clock or the machine, so the same calls always give the same bytes.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.text_region import Paragraph

from gapmap import prose
from gapmap.boardpack.columns import KEEP, KeptColumns

#: A4 landscape, in millimetres.
PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 12.0
BOTTOM = 16.0
CONTENT_W = PAGE_W - 2 * MARGIN
#: Top of the content under a page heading.
BODY_TOP = 30.0
FONT = "Lato"
FONT_FILES = {
    "": "Lato-Regular.ttf",
    "B": "Lato-Bold.ttf",
    "I": "Lato-Italic.ttf",
    "BI": "Lato-BoldItalic.ttf",
}
INK = (26, 26, 26)
MUTED = (80, 80, 80)
RULE = (150, 150, 150)
SHADE = (235, 235, 235)
#: Image resolution: vl-convert's scale (2 = about 190 dpi at the printed size).
SCALE = 2.0
#: Characters Lato lacks, spelt out rather than dropped.
SUBSTITUTES = {"→": "->", "←": "<-", "≠": "!=", "≈": "~", "✓": "yes", "✗": "no"}
#: Heading sizes above the body text, by heading level.
HEADING_STEPS = {1: 5.0, 2: 3.0, 3: 1.5}


# ------------------------------------------------------------------------------ text


@cache
def _font_path(style: str) -> str:
    return str(resources.files("font_lato") / "files" / FONT_FILES[style])


@cache
def _glyphs() -> frozenset[int]:
    with TTFont(_font_path("")) as font:
        return frozenset(font.getBestCmap())


def printable(text: object) -> str:
    """Text with every character the embedded font can draw (others spelt out or '?')."""
    out = []
    for char in str(text):
        if ord(char) in _glyphs() or char in "\n\t":
            out.append(char)
        elif char in SUBSTITUTES:
            out.append(SUBSTITUTES[char])
        elif char in "\u200b\u200c\u200d\ufeff":
            continue
        else:
            out.append("?")
    return "".join(out)


# ------------------------------------------------------------------------------- pages


class Pack(FPDF):
    """A4 landscape pages with the selection and the page number in the footer."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = printable(footer)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        for style in FONT_FILES:
            self.add_font(FONT, style, _font_path(style))
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.fresh_page = False

    def footer(self) -> None:
        """The footer line, the selection on the left and 'Page n of N' on the right."""
        self.set_y(-12)
        self.line(MARGIN, self.get_y(), PAGE_W - MARGIN, self.get_y())
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.set_x(MARGIN)
        self.cell(CONTENT_W - 30, 6, self.footer_text, align="L")
        self.cell(30, 6, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)


def heading(pdf: Pack, text: str) -> None:
    """A new page with a section title (also a bookmark and a contents entry)."""
    if pdf.fresh_page:
        pdf.fresh_page = False  # the contents placeholder has already turned the page
    else:
        pdf.add_page()
    pdf.start_section(text)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font(FONT, "B", 18)
    pdf.cell(CONTENT_W, 10, printable(text), new_x="LMARGIN", new_y="NEXT")
    pdf.line(MARGIN, pdf.get_y() + 1, PAGE_W - MARGIN, pdf.get_y() + 1)
    pdf.set_y(BODY_TOP - 6)


# ------------------------------------------------------------------------------ prose


def _write_runs(pdf: Pack, paragraph: Paragraph, runs: Iterable[prose.Run], size: float) -> None:
    for run in runs:
        pdf.set_font(FONT, run.style, size)
        paragraph.write(printable(run.text), link=run.link)


def flow(
    pdf: Pack,
    items: Sequence[prose.Block],
    *,
    x: float = MARGIN,
    width: float = CONTENT_W,
    ncols: int = 2,
    size: float = 9.5,
    shift: int = 0,
) -> None:
    """Blocks set in balanced columns from the current height (tables read as lists).

    ``shift`` moves every heading that many levels down, for prose placed under a page's
    own title.
    """
    flowing = [
        b for block in items for b in (table_as_list(block) if block.kind == "table" else [block])
    ]
    _columns(pdf, flowing, x, width, ncols, size, shift)


def table_as_list(block: prose.Block) -> list[prose.Block]:
    """A small prose table as one bullet per row: first cell in bold, then the others.

    A table cannot flow inside text columns; breaking out of them would reorder the text
    around it, so the few short tables in the prose are read as lists instead.
    """
    header, *rows = block.rows or ((),)
    out = []
    for row in rows:
        rest = "; ".join(
            f"{name.lower()}: {cell}" if name else cell
            for name, cell in zip(header[1:], row[1:], strict=False)
        )
        runs = (prose.Run(row[0], "B"), prose.Run(f" — {rest}" if rest else ""))
        out.append(prose.Block("bullet", tuple(r for r in runs if r.text)))
    return out


def _columns(
    pdf: Pack,
    items: Sequence[prose.Block],
    x: float,
    width: float,
    ncols: int,
    size: float,
    shift: int,
) -> None:
    with KeptColumns(
        pdf,
        ncols=ncols,
        gutter=8,
        l_margin=x,
        r_margin=PAGE_W - x - width,
        line_height=1.3,
        balance=True,
        text_align="LEFT",
        wrapmode="WORD",  # as pdf.text_columns sets it: a bare region wraps by character
    ) as cols:
        for block in items:
            pdf.set_font(FONT, "", size)  # a list marker takes the font current when it is made
            if block.kind == "heading":
                level = min(block.level + shift, 3)
                with cols.paragraph(top_margin=2.5, bottom_margin=1.2) as par:
                    setattr(par, KEEP, True)
                    _write_runs(pdf, par, _restyle(block.runs, "B"), size + HEADING_STEPS[level])
            elif block.kind in ("bullet", "number"):
                marker = "•" if block.kind == "bullet" else block.marker
                with cols.paragraph(
                    bottom_margin=1.2, indent=5, bullet_string=marker, bullet_r_margin=1.5
                ) as par:
                    _write_runs(pdf, par, block.runs, size)
            elif block.kind == "quote":
                with cols.paragraph(bottom_margin=1.5, indent=5) as par:
                    _write_runs(pdf, par, block.runs, size)
            else:
                with cols.paragraph(bottom_margin=1.8) as par:
                    _write_runs(pdf, par, block.runs, size)
    pdf.set_font(FONT, "", size)


def _restyle(runs: Iterable[prose.Run], style: str) -> list[prose.Run]:
    return [
        prose.Run(r.text, "".join(sorted(set(r.style + style), key="BI".index)), r.link)
        for r in runs
    ]


def text_box(
    pdf: Pack, runs: Sequence[prose.Run], x: float, width: float, size: float = 10
) -> None:
    """One paragraph of runs in a single column at ``x``, from the current height."""
    _columns(pdf, [prose.Block("paragraph", tuple(runs))], x, width, 1, size, 0)


def text_height(pdf: Pack, runs: Sequence[prose.Run], width: float, size: float) -> float:
    """Height of runs set by :func:`text_box` (measured in the regular face)."""
    pdf.set_font(FONT, "", size)
    line = size * 0.3528 * 1.3  # points to mm, times the columns' line height
    lines = pdf.multi_cell(
        width, line, printable(prose.plain(tuple(runs))), dry_run=True, output="LINES"
    )
    return len(lines) * line


# ------------------------------------------------------------------------------ tables


def table(
    pdf: Pack,
    rows: Sequence[Sequence[str]],
    headings: Sequence[str],
    *,
    width: float = CONTENT_W,
    widths: Sequence[float] | None = None,
    size: float = 9,
    bold_first: bool = False,
) -> None:
    """A table with ruled rows and shaded headings that repeat on every page it runs onto."""
    pdf.set_font(FONT, "", size)
    heading_style = FontFace(emphasis="BOLD", fill_color=SHADE)
    with pdf.table(
        width=width,
        col_widths=tuple(widths) if widths else None,
        align="LEFT",
        headings_style=heading_style,
        line_height=size * 0.5,
        padding=1.2,
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=True,
        repeat_headings=1,
    ) as printed:
        printed.row([printable(h) for h in headings])
        for index, cells in enumerate(rows):
            style = FontFace(emphasis="BOLD") if bold_first and index == 0 else None
            printed.row([printable(c) for c in cells], style=style)
    pdf.ln(3)


# ------------------------------------------------------------------------------ images


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("chart renderer did not return a PNG")
    return struct.unpack(">II", png[16:24])


def image(pdf: Pack, png: bytes, x: float, y: float, w: float, h: float) -> tuple[float, float]:
    """The image as large as fits the box, top-left aligned; returns its printed size."""
    px_w, px_h = png_size(png)
    scale = min(w / px_w, h / px_h)
    width, height = px_w * scale, px_h * scale
    pdf.image(io.BytesIO(png), x=x, y=y, w=width, h=height)
    return width, height
