"""Search results as choices: what each one is called and what picking it selects.

:meth:`gapmap.atlas.Atlas.search` finds areas, practices and postcode districts; here each
hit becomes a labelled choice of a map level and area. A GP practice is not a map area, so
picking one selects the sub-ICB location it belongs to, and its label says so. A council or
NHS area found through a ward's name says which ward ("West Bromwich Central (ward) —
Sandwell ...").
"""

from __future__ import annotations

from dataclasses import dataclass

from gapmap.atlas import Atlas
from gapmap.wording import escape_md

#: The kind of each area, as a search result names it.
LEVEL_WORDS = {
    "region": "NHS region",
    "icb": "ICB",
    "sub_icb": "Sub-ICB location",
    "pcn": "Primary care network (PCN)",
    "ccg": "CCG (to 2022)",
    "ltla": "Local authority (district)",
    "utla": "Local authority (county or unitary)",
    "practice": "GP practice",
}


@dataclass(frozen=True)
class Choice:
    """One search result: the map level and area it selects, its label and a widget key."""

    level: str
    code: str
    label: str
    key: str


def level_of_result(atlas: Atlas, row) -> tuple[str, str, str]:
    """(map level, area code, Markdown-safe button label) for one row of a search.

    A GP practice is not a map area: choosing one selects the sub-ICB location it belongs
    to, and the label says so.
    """
    kind = LEVEL_WORDS.get(row.level, row.level)
    if row.level == "practice":
        parent = atlas.area(row.parent_sub_icb) if row.parent_sub_icb else None
        where = "" if parent is None else f" → {parent['area_name']}"
        label = f"{row.area_name} ({row.area_code}, {kind}){where}"
        return "sub_icb", row.parent_sub_icb, escape_md(label)
    label = f"{row.area_name} ({row.area_code}, {kind})"
    via = getattr(row, "via", None)
    if isinstance(via, str) and via:
        label = f"{via} — {label}"
    return row.level, row.area_code, escape_md(label)


def choices(atlas: Atlas, text: str) -> list[Choice]:
    """What a search for ``text`` offers, best matches first (empty when nothing matched)."""
    found = []
    for row in atlas.search(text).itertuples():
        level, code, label = level_of_result(atlas, row)
        found.append(Choice(level, code, label, f"pick-{row.level}-{row.area_code}-{row.vintage}"))
    return found
