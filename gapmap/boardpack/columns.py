"""Text columns that never leave a heading at the foot of a column.

fpdf2's columns break wherever a line no longer fits, so a heading could end one column
with its text at the top of the next (issue 13: "Statistics" alone at the foot of a page).
Here a paragraph marked ``keep_with_next`` moves to the next column when nothing of the
paragraph after it would fit below it.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf.text_region import LineWrapper, TextColumns

KEEP = "keep_with_next"


def _has_text(wrapper: LineWrapper) -> bool:
    return any(fragment.characters for fragment in wrapper.line.fragments)


def line_tops(lines: Sequence[object], top: float, bottom: float, page_top: float) -> list[float]:
    """Where each line that fits between ``top`` and ``bottom`` starts, before its margin.

    Mirrors how fpdf2 places lines in a column: a paragraph's top margin before its first
    line (not at the top of a page, not for a bullet), its bottom margin after its last.
    """
    tops: list[float] = []
    y = top
    for wrapper in lines:
        if not isinstance(wrapper, LineWrapper):  # an image: leave the column to fpdf2
            return tops
        start, paragraph, text = y, wrapper.paragraph, _has_text(wrapper)
        opens = text and wrapper.first_line and not paragraph.bullet
        if opens and paragraph.top_margin and y > page_top:
            y += paragraph.top_margin
        height = wrapper.line.height or 0
        if y + height > bottom:
            return tops
        tops.append(start)
        y += height
        margin = paragraph.bottom_margin
        if wrapper.last_line and margin and text and y + margin < bottom:
            y += margin
    return tops


def kept_bottom(lines: Sequence[object], top: float, bottom: float, page_top: float) -> float:
    """``bottom``, raised so that a kept paragraph ending the column moves to the next."""
    tops = line_tops(lines, top, bottom, page_top)
    fitted = len(tops)
    if fitted in (0, len(lines)):
        return bottom
    first = fitted
    while first > 0 and getattr(lines[first - 1].paragraph, KEEP, False):
        first -= 1
    if first in (0, fitted):  # nothing kept at the foot, or the column would be empty
        return bottom
    return tops[first]


class KeptColumns(TextColumns):
    """``TextColumns`` with headings kept with what follows them."""

    def _render_column_lines(self, text_lines, top: float, bottom: float) -> float:
        kept = kept_bottom(text_lines, top, bottom, self.pdf.t_margin)
        return super()._render_column_lines(text_lines, top, kept)
