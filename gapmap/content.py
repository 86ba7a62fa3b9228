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
