"""The site's Markdown prose as styled runs and blocks, for layouts that are not a browser.

Print layouts (the board pack) draw text themselves, so the small Markdown subset that
``content/*.md`` and :mod:`gapmap.narrative` use is read here: headings, paragraphs, bullet
and numbered lists, block quotes, pipe tables, ``**bold**``, ``*italic*``, links and
backslash escapes. HTML entities written by :func:`gapmap.wording.escape_md` are turned back
into the characters they stand for, because a PDF shows text, not markup. Nothing is ever
interpreted as markup by the PDF library itself: styles travel as data beside the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

#: Characters a backslash can escape in Markdown (CommonMark's ASCII punctuation).
ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBER = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?(.*)$")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style: "" (regular), "B", "I" or "BI"; maybe a link."""

    text: str
    style: str = ""
    link: str | None = None


@dataclass(frozen=True)
class Block:
    """One block of a document.

    ``kind`` is "heading" (with ``level`` 1-6), "paragraph", "bullet", "number" (with its
    ``marker``, e.g. "2."), "quote" or "table" (``rows`` of plain cell text, header first).
    """

    kind: str
    runs: tuple[Run, ...] = ()
    level: int = 0
    marker: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


def inline(text: str) -> tuple[Run, ...]:
    r"""Inline Markdown as runs: ``**bold**``, ``*italic*``, ``[text](url)``, ``\*`` escapes.

    A code span shows as written without its ticks, HTML entities are decoded, and a lone
    ``*`` between spaces stays a star. Adjacent runs of the same style are merged.
    """
    runs: list[Run] = []
    buffer: list[str] = []
    bold = italic = False

    def style() -> str:
        return ("B" if bold else "") + ("I" if italic else "")

    def flush(link: str | None = None) -> None:
        if buffer:
            _append(runs, Run(html.unescape("".join(buffer)), style(), link))
            buffer.clear()

    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in ESCAPABLE:
            buffer.append(text[i + 1])
            i += 2
        elif text.startswith("**", i) and _is_marker(text, i, 2):
            flush()
            bold = not bold
            i += 2
        elif char == "*" and _is_marker(text, i, 1):
            flush()
            italic = not italic
            i += 1
        elif char == "`" and (end := text.find("`", i + 1)) > i:
            buffer.append(text[i + 1 : end])  # a code span is shown as written
            i = end + 1
        elif char == "[" and (match := _LINK.match(text, i)):
            flush()
            buffer.extend(_unescape(match.group(1)))
            flush(link=match.group(2))
            i = match.end()
        else:
            buffer.append(char)
            i += 1
    flush()
    return tuple(runs)


def _is_marker(text: str, i: int, width: int) -> bool:
    """A star run opens or closes emphasis unless it stands alone between spaces."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    return not (before.isspace() and after.isspace())


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: m.group(1) if m.group(1) in ESCAPABLE else m.group(0), text)


def _append(runs: list[Run], run: Run) -> None:
    if runs and runs[-1].style == run.style and runs[-1].link == run.link:
        runs[-1] = Run(runs[-1].text + run.text, run.style, run.link)
    elif run.text:
        runs.append(run)


def plain(runs: tuple[Run, ...] | str) -> str:
    """The text of runs (or of inline Markdown) without any styling."""
    if isinstance(runs, str):
        runs = inline(runs)
    return "".join(run.text for run in runs)


def blocks(markdown: str) -> list[Block]:
    """A Markdown document as blocks, in order (see :class:`Block`).

    Lines of one paragraph, list item or quote are joined with spaces: a plain line
    continues the block above it, as in CommonMark.
    """
    out: list[Block] = []
    lines: list[str] = []
    kind, marker = "", ""
    table: list[tuple[str, ...]] = []

    def flush() -> None:
        nonlocal kind, marker
        if lines:
            out.append(Block(kind or "paragraph", inline(" ".join(lines)), marker=marker))
            lines.clear()
        if table:
            out.append(Block("table", rows=tuple(table)))
            table.clear()
        kind, marker = "", ""

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
        elif heading := _HEADING.match(line):
            flush()
            out.append(Block("heading", inline(heading.group(2)), level=len(heading.group(1))))
        elif line.lstrip().startswith("|"):
            if lines:
                flush()
            if not _RULE.match(line):
                table.append(tuple(plain(c.strip()) for c in _cells(line)))
        elif bullet := _BULLET.match(line):
            flush()
            kind, lines[:] = "bullet", [bullet.group(1)]
        elif number := _NUMBER.match(line):
            flush()
            kind, marker, lines[:] = "number", f"{number.group(1)}.", [number.group(2)]
        elif quote := _QUOTE.match(line):
            if kind != "quote":
                flush()
                kind = "quote"
            lines.append(quote.group(1))
        else:
            if table:
                flush()
            lines.append(line.strip())  # continues the paragraph, item or quote above
    flush()
    return out


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return re.split(r"(?<!\\)\|", inner)


def section(markdown: str, heading: str) -> str:
    """The part of a Markdown document under ``heading``, up to the next heading as high.

    The heading line itself is kept. An unknown heading raises ``KeyError`` naming it, so a
    renamed section in ``content/`` fails loudly rather than vanishing from print.
    """
    lines = markdown.splitlines()
    for start, line in enumerate(lines):
        match = _HEADING.match(line)
        if match and plain(match.group(2)) == heading:
            level = len(match.group(1))
            end = len(lines)
            for offset, later in enumerate(lines[start + 1 :], start + 1):
                other = _HEADING.match(later)
                if other and len(other.group(1)) <= level:
                    end = offset
                    break
            return "\n".join(lines[start:end]).strip() + "\n"
    raise KeyError(f"no section headed {heading!r}")
