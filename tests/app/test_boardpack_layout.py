"""The board pack's print toolkit: prose read for print, glyphs the font lacks, images.

The prose helpers (:mod:`gapmap.prose`) are tested here because the pack is what sets them.
"""

from __future__ import annotations

import struct
import zlib

import pytest

from gapmap import prose
from gapmap.boardpack.layout import (
    CONTENT_W,
    MARGIN,
    Pack,
    image,
    png_size,
    printable,
    table_as_list,
    text_box,
    text_height,
)


def test_inline_styles_links_escapes_and_entities():
    runs = prose.inline(r"Hi **bold *both*** and *it* \*not\* [OGL](https://x.org/l) &amp; `a*b`")
    assert [(r.text, r.style) for r in runs[:4]] == [
        ("Hi ", ""),
        ("bold ", "B"),
        ("both", "BI"),
        (" and ", ""),
    ]
    assert prose.plain(runs) == "Hi bold both and it *not* OGL & a*b"
    assert [r.link for r in runs if r.link] == ["https://x.org/l"]
    assert prose.plain("5 * 3 = 15") == "5 * 3 = 15"


def test_blocks_read_headings_lists_quotes_and_tables():
    text = (
        "# Title\n\nA para\nwrapped.\n\n- one\n  more\n- two\n\n1. first\n2. second\n\n"
        "> quoted\n> line\n\n| A | B |\n|---|---|\n| 1 | **2** |\n"
    )
    kinds = [(b.kind, b.level, b.marker, prose.plain(b.runs)) for b in prose.blocks(text)[:7]]
    assert kinds == [
        ("heading", 1, "", "Title"),
        ("paragraph", 0, "", "A para wrapped."),
        ("bullet", 0, "", "one more"),
        ("bullet", 0, "", "two"),
        ("number", 0, "1.", "first"),
        ("number", 0, "2.", "second"),
        ("quote", 0, "", "quoted line"),
    ]
    assert prose.blocks(text)[-1].rows == (("A", "B"), ("1", "2"))


def test_section_stops_at_the_next_heading_as_high_and_names_a_missing_one():
    text = "# T\n## One\na\n### Sub\nb\n## Two\nc\n"
    assert prose.section(text, "One") == "## One\na\n### Sub\nb\n"
    with pytest.raises(KeyError, match="Nowhere"):
        prose.section(text, "Nowhere")


def test_prose_tables_read_as_lists_in_print():
    block = prose.blocks("| Years | Shown on |\n|---|---|\n| 2021-22 | the 106 CCGs |\n")[0]
    [item] = table_as_list(block)
    assert item.kind == "bullet" and item.runs[0].style == "B"
    assert prose.plain(item.runs) == "2021-22 — shown on: the 106 CCGs"


def test_printable_keeps_typography_and_spells_out_missing_glyphs():
    assert printable("A – B’s © 2024") == "A – B’s © 2024"
    assert printable("Practice → sub-ICB") == "Practice -> sub-ICB"
    assert printable("\u4e2d") == "?"


def tiny_png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size, written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_images_keep_their_shape_inside_the_box_and_refuse_what_is_not_png():
    png = tiny_png(40, 10)
    assert png_size(png) == (40, 10)
    pdf = Pack("footer")
    pdf.add_page()
    assert image(pdf, png, MARGIN, 30, 100, 100) == (100, 25)
    assert image(pdf, png, MARGIN, 30, 400, 20) == (80, 20)
    with pytest.raises(ValueError, match="PNG"):
        png_size(b"GIF89a" + bytes(30))


def test_text_height_measures_what_the_text_box_sets():
    pdf = Pack("footer")
    pdf.add_page()
    runs = [prose.Run("A sentence long enough to wrap more than once " * 6)]
    narrow, wide = text_height(pdf, runs, 60, 10), text_height(pdf, runs, CONTENT_W, 10)
    assert narrow > wide > 0
    top = pdf.get_y()
    text_box(pdf, runs, MARGIN, 60, 10)
    assert pdf.get_y() - top == pytest.approx(narrow, abs=3)
