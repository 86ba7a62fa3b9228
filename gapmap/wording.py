"""Every word and number the app shows, in one place.

Map tooltips, tables, captions, sentences, the board pack and CSV headers all take their
comparison words, plurals and escaping from here, so the same value reads the same everywhere.
"""

from __future__ import annotations

COMPARISON_WORDS = {
    "better": "Better than England",
    "similar": "Similar to England",
    "worse": "Worse than England",
    "higher": "Higher than England",
    "lower": "Lower than England",
    "not_compared": "Not compared",
}

PLURALS = {
    "region": "NHS regions",
    "icb": "integrated care boards",
    "sub_icb": "sub-ICB locations",
    "ccg": "CCGs",
    "ltla": "local authority districts",
    "utla": "upper-tier local authorities",
}

_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]<>()#+-.!|~"})


def escape_md(text: str) -> str:
    """Text from data made inert in Markdown (no emphasis, links or HTML)."""
    return str(text).translate(_MARKDOWN_SPECIAL)
