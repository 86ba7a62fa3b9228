"""The shared selection (level, indicator, period, area) and its shareable URL form.

Every view is a link: the selection is mirrored in the query string. A pasted link is
validated against the atlas; anything unknown or malformed falls back to a default, with a
kind message saying what was changed. Nothing from the URL is ever used as a file path or
put into HTML unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from gapmap.atlas import Atlas

DEFAULT_LEVEL = "sub_icb"
DEFAULT_INDICATOR = "tt_gap_ratio"
KEYS = ("level", "indicator", "period", "area")
_SAFE = re.compile(r"[^A-Za-z0-9 _\-()./]")


@dataclass(frozen=True)
class Selection:
    """What the user is looking at."""

    level: str
    indicator: str
    period: str
    area: str | None = None

    def to_query(self) -> dict[str, str]:
        """Query-string form (the area only when one is selected)."""
        query = {"level": self.level, "indicator": self.indicator, "period": self.period}
        if self.area:
            query["area"] = self.area
        return query


def shown(text: object, limit: int = 40) -> str:
    """A URL value made safe to quote back to the user (plain characters, truncated)."""
    cleaned = _SAFE.sub("", str(text))[:limit]
    return cleaned or "(unreadable)"


def _first(value: object) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)


def default_indicator(atlas: Atlas, level: str) -> str:
    """The gap ratio where the level has it, else the first indicator it has."""
    ids = atlas.indicator_ids(level)
    return DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids else ids[0]


def resolve(atlas: Atlas, query: Mapping[str, object]) -> tuple[Selection, list[str]]:
    """A valid selection from (possibly hostile) query parameters, and what was corrected."""
    messages: list[str] = []
    levels = atlas.levels()
    level = _first(query.get("level")) or DEFAULT_LEVEL
    if level not in levels:
        messages.append(
            f"The link asked for the geography '{shown(level)}', which the atlas does not "
            f"have; showing {levels[DEFAULT_LEVEL]} instead."
        )
        level = DEFAULT_LEVEL
    indicator = _first(query.get("indicator")) or default_indicator(atlas, level)
    if indicator not in atlas.indicator_ids(level):
        fallback = default_indicator(atlas, level)
        messages.append(
            f"The indicator '{shown(indicator)}' is not available for {levels[level]}; "
            f"showing {atlas.indicator(fallback)['short_name']} instead."
        )
        indicator = fallback
    periods = atlas.periods(indicator, level)
    period = _first(query.get("period")) or periods[-1]
    if period not in periods:
        messages.append(
            f"There is no period '{shown(period)}' for this indicator; showing the latest, "
            f"{periods[-1]}."
        )
        period = periods[-1]
    selection = Selection(level, indicator, period)
    area = _first(query.get("area"))
    if area:
        if area_in_view(atlas, selection, area):
            selection = replace(selection, area=area)
        else:
            messages.append(
                f"The area '{shown(area)}' is not on this map; pick an area on the map or "
                "search for one."
            )
    return selection, messages


def area_in_view(atlas: Atlas, selection: Selection, area: str) -> bool:
    """Whether ``area`` is one of the areas drawn for the selection's level and period."""
    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    return atlas.area(area, vintage) is not None if vintage else False


def with_level(atlas: Atlas, selection: Selection, level: str) -> Selection:
    """Change geography, keeping the indicator (and area) where that still makes sense."""
    indicator = selection.indicator
    if indicator not in atlas.indicator_ids(level):
        indicator = default_indicator(atlas, level)
    return with_indicator(atlas, Selection(level, indicator, "", selection.area), indicator)


def with_indicator(atlas: Atlas, selection: Selection, indicator: str) -> Selection:
    """Change indicator, keeping the period if it exists for it, else its latest period."""
    periods = atlas.periods(indicator, selection.level)
    period = selection.period if selection.period in periods else periods[-1]
    return with_period(atlas, replace(selection, indicator=indicator, period=period), period)


def with_period(atlas: Atlas, selection: Selection, period: str) -> Selection:
    """Change period; drop the area if it is not on that period's map."""
    chosen = replace(selection, period=period)
    if chosen.area and not area_in_view(atlas, chosen, chosen.area):
        chosen = replace(chosen, area=None)
    return chosen
