"""User-facing prose lives in content/*.md; this reads it by name (never by user input)."""

from __future__ import annotations

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
PAGES = frozenset(
    {
        "methods",
        "sources",
        "caveats",
        "suppression",
        "glossary",
        "imd_deciles",
        "board_pack",
        "trends",
        "area_profile",
        "what_the_data_say",
        "banding",
        "tt_monthly",
        "icb_deciles",
        "freshness",
        "data_quality",
        "neighbourhoods",
        "own_area",
        "own_area_intro",
    }
)


def read_content(name: str) -> str:
    """The markdown of one content page; only names in :data:`PAGES` are allowed."""
    if name not in PAGES:
        raise ValueError(f"no content page {name!r}")
    return (CONTENT_DIR / f"{name}.md").read_text(encoding="utf-8")


#: Levels with a caveat every page shows beside the geography control: the heading of its
#: section in caveats.md, whose first point is shown.
LEVEL_CAVEATS = {"pcn": "Primary care networks (PCNs)"}


def level_caveat(level: str) -> str | None:
    """The first point of a level's section of caveats.md (None for levels without one).

    PCN shapes are drawn, not official: users must read that wherever the level is shown.
    """
    heading = LEVEL_CAVEATS.get(level)
    if heading is None:
        return None
    _, _, rest = read_content("caveats").partition(f"## {heading}\n")
    if not rest:
        raise KeyError(f"caveats.md has no section headed {heading!r}")
    points = rest.split("\n## ", 1)[0].strip().split("\n- ")
    return " ".join(points[0].removeprefix("- ").split())


def section_text(name: str, heading: str) -> str:
    """The text under ``heading`` (any level) of a content page, without the heading line."""
    lines = read_content(name).splitlines()
    titles = [n for n, line in enumerate(lines) if line.lstrip("#").strip() == heading]
    if not titles or not lines[titles[0]].startswith("#"):
        raise KeyError(f"{name}.md has no section headed {heading!r}")
    start = titles[0] + 1
    end = next((n for n in range(start, len(lines)) if lines[n].startswith("#")), len(lines))
    return "\n".join(lines[start:end]).strip()
