"""Issue 13 item 10: no heading is left at the foot of a board-pack column."""

from __future__ import annotations

from types import SimpleNamespace

from fpdf.text_region import LineWrapper

from gapmap.boardpack.columns import KEEP, kept_bottom, line_tops


def para(kind: str) -> SimpleNamespace:
    return SimpleNamespace(
        bullet=None,
        top_margin=2.5 if kind == "heading" else 0,
        bottom_margin=1.2,
        **{KEEP: kind == "heading"},
    )


def lines(*kinds: str, height: float = 5.0) -> list[LineWrapper]:
    """One single-line paragraph of each kind."""
    text = SimpleNamespace(height=height, fragments=[SimpleNamespace(characters=["x"])])
    return [LineWrapper(text, para(kind), True, True) for kind in kinds]


def test_a_heading_that_would_end_the_column_moves_to_the_next():
    column = lines("text", "text", "heading", "text")
    # 0-5, margin, 6.2-11.2, margin, heading from 12.4 (+2.5) to 19.9; the text after it
    # would need 21.1 to 26.1: with the foot at 24, the heading would end the column.
    assert len(line_tops(column, 0, 24, page_top=-1)) == 3
    assert kept_bottom(column, 0, 24, page_top=-1) == line_tops(column, 0, 24, -1)[2]


def test_a_heading_with_its_text_below_it_stays():
    column = lines("text", "heading", "text", "text")
    assert kept_bottom(column, 0, 24, page_top=-1) == 24


def test_a_column_of_nothing_but_a_heading_is_left_alone():
    column = lines("heading", "text")
    assert kept_bottom(column, 0, 8, page_top=-1) == 8
