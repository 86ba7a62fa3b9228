"""The shared selection (level, indicator, period, area, peers, need basis) and its URL form.

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
#: The indicator a view opens on: the first of these the level has (else its first indicator).
PREFERRED_INDICATORS = ("tt_gap_ratio_modelled", "tt_gap_ratio")
#: The preferred default where the atlas has it (kept as a name other code can read).
DEFAULT_INDICATOR = PREFERRED_INDICATORS[0]
KEYS = ("level", "indicator", "period", "area", "peers", "basis")
#: Keys a page keeps in the link beside the shared selection: the Neighbourhoods page's
#: neighbourhood, its indicator, and whether its map shows only the selected area; the
#: user's own area (its packed codes and its name), which follows them from page to page.
NEIGHBOURHOOD_KEYS = ("lsoa", "lsoa_indicator", "lsoa_within")
OWN_AREA_KEYS = ("own", "own_name")
PAGE_KEYS = (*NEIGHBOURHOOD_KEYS, *OWN_AREA_KEYS)
#: How need is measured: modelled prevalence of common mental disorders (the default, left
#: out of the URL) or the recorded depression register. Each basis has its own gap indicator.
MODELLED = "modelled"
RECORDED = "recorded"
BASES = (MODELLED, RECORDED)
GAP_INDICATORS = {MODELLED: "tt_gap_ratio_modelled", RECORDED: "tt_gap_ratio"}
#: ``peers=`` values: the pipeline's nearest neighbours (the default, left out of the URL),
#: or the user's own list while it is still empty; otherwise a comma-separated list of codes.
SIMILAR = "similar"
CHOSEN = "chosen"
#: Most areas a chosen peer group may hold.
MAX_PEERS = 20
#: Most comma-separated items read from a link (anything longer is not a real list).
_MAX_ITEMS = 100
_SAFE = re.compile(r"[^A-Za-z0-9 _\-()./]")


@dataclass(frozen=True)
class Selection:
    """What the user is looking at."""

    level: str
    indicator: str
    period: str
    area: str | None = None
    #: The comparison group: None for similar areas (the nearest neighbours), else the codes
    #: the user chose (possibly none yet).
    peers: tuple[str, ...] | None = None
    #: How need is measured (:data:`BASES`); the gap indicator and need measure follow it.
    basis: str = MODELLED

    def to_query(self) -> dict[str, str]:
        """Query-string form: the area when one is selected; peers and basis unless default."""
        query = {"level": self.level, "indicator": self.indicator, "period": self.period}
        if self.area:
            query["area"] = self.area
        if self.peers is not None:
            query["peers"] = ",".join(self.peers) or CHOSEN
        if self.basis != MODELLED:
            query["basis"] = self.basis
        return query


def shown(text: object, limit: int = 40) -> str:
    """A URL value made safe to quote back to the user (plain characters, truncated)."""
    cleaned = _SAFE.sub("", str(text))[:limit]
    return cleaned or "(unreadable)"


def _first(value: object) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)


def has_basis(atlas: Atlas, basis: str) -> bool:
    """Whether the atlas has the gap indicator of a need basis (at any level)."""
    return GAP_INDICATORS.get(basis) in atlas.indicators.index


def basis_choice(atlas: Atlas) -> bool:
    """Whether the user can choose the basis: the atlas has the gap indicator of each."""
    return all(has_basis(atlas, basis) for basis in BASES)


def basis_of(indicator: str) -> str | None:
    """The need basis a gap indicator is measured on; None for any other indicator."""
    return next((b for b, gap in GAP_INDICATORS.items() if gap == indicator), None)


def gap_indicator(atlas: Atlas, basis: str) -> str | None:
    """The gap indicator of ``basis``, else of the other basis; None if the atlas has neither.

    An atlas built before modelled need existed still opens on the recorded-need ratio.
    """
    for chosen in (basis, *BASES):
        if has_basis(atlas, chosen):
            return GAP_INDICATORS[chosen]
    return None


def default_indicator(atlas: Atlas, level: str, basis: str = MODELLED) -> str:
    """The basis's gap ratio where the level has it, else the first preferred, else the first."""
    ids = atlas.indicator_ids(level)
    preferred = (GAP_INDICATORS.get(basis, ""), *PREFERRED_INDICATORS)
    return next((i for i in preferred if i in ids), ids[0])


def _basis(query: Mapping[str, object], messages: list[str]) -> str:
    """The link's need basis (the default when absent or unknown, saying so when unknown)."""
    basis = _first(query.get("basis")) or MODELLED
    if basis not in BASES:
        messages.append(
            f"The link asked for need measured by '{shown(basis)}', which is not a measure "
            "of need here; showing need measured by modelled prevalence where the atlas "
            "has it."
        )
        basis = MODELLED
    return basis


def _agreeing(atlas: Atlas, selection: Selection) -> Selection:
    """The basis made to agree with a gap indicator, where the atlas offers the choice.

    A link to one gap ratio keeps showing it (indicator ids are stable in links), so the
    basis follows the indicator, never the other way round.
    """
    basis = basis_of(selection.indicator)
    if basis is None or not basis_choice(atlas):
        return selection
    return replace(selection, basis=basis)


def resolve(atlas: Atlas, query: Mapping[str, object]) -> tuple[Selection, list[str]]:
    """A valid selection from (possibly hostile) query parameters, and what was corrected."""
    messages: list[str] = []
    basis = _basis(query, messages)
    levels = atlas.levels()
    level = _first(query.get("level")) or DEFAULT_LEVEL
    if level not in levels:
        messages.append(
            f"The link asked for the geography '{shown(level)}', which the atlas does not "
            f"have; showing {levels[DEFAULT_LEVEL]} instead."
        )
        level = DEFAULT_LEVEL
    indicator = _first(query.get("indicator")) or default_indicator(atlas, level, basis)
    if indicator not in atlas.indicator_ids(level):
        fallback = default_indicator(atlas, level, basis)
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
    selection = _agreeing(atlas, Selection(level, indicator, period, basis=basis))
    area = _first(query.get("area"))
    if area:
        if area_in_view(atlas, selection, area):
            selection = replace(selection, area=area)
        else:
            messages.append(
                f"The area '{shown(area)}' is not on this map; pick an area on the map or "
                "search for one."
            )
    peers = _first(query.get("peers"))
    if peers and peers != SIMILAR:
        selection = replace(selection, peers=_chosen_peers(atlas, selection, peers, messages))
    return selection, messages


def map_codes(atlas: Atlas, selection: Selection) -> set[str]:
    """Codes of the areas drawn for the selection's level and period."""
    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    return set(atlas.areas_at(selection.level, vintage)["area_code"]) if vintage else set()


def _chosen_peers(
    atlas: Atlas, selection: Selection, text: str, messages: list[str]
) -> tuple[str, ...]:
    """A link's own peer list, kept to areas on this map, at most :data:`MAX_PEERS`."""
    if text == CHOSEN:
        return ()
    items = [i.strip() for i in text.split(",", _MAX_ITEMS)[:_MAX_ITEMS] if i.strip()]
    on_map = map_codes(atlas, selection)
    kept = [c for c in dict.fromkeys(i.upper() for i in items) if c in on_map]
    unknown = [i for i in dict.fromkeys(items) if i.upper() not in on_map]
    if unknown:
        examples = ", ".join(f"'{shown(u, 12)}'" for u in unknown[:3])
        messages.append(
            f"The link's comparison list named {len(unknown)} area code"
            f"{'' if len(unknown) == 1 else 's'} not on this map ({examples}"
            f"{', …' if len(unknown) > 3 else ''}); "
            f"{'it was' if len(unknown) == 1 else 'they were'} left out."
        )
    if len(kept) > MAX_PEERS:
        messages.append(
            f"A comparison group holds at most {MAX_PEERS} areas; the first {MAX_PEERS} of "
            f"the link's {len(kept)} are kept."
        )
    return tuple(kept[:MAX_PEERS])


def area_in_view(atlas: Atlas, selection: Selection, area: str) -> bool:
    """Whether ``area`` is one of the areas drawn for the selection's level and period."""
    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    return atlas.area(area, vintage) is not None if vintage else False


def with_level(atlas: Atlas, selection: Selection, level: str) -> Selection:
    """Change geography, keeping the indicator (and area) where that still makes sense."""
    indicator = selection.indicator
    if indicator not in atlas.indicator_ids(level):
        indicator = default_indicator(atlas, level, selection.basis)
    moved = Selection(level, indicator, "", selection.area, selection.peers, selection.basis)
    return with_indicator(atlas, moved, indicator)


def with_indicator(atlas: Atlas, selection: Selection, indicator: str) -> Selection:
    """Change indicator, keeping the period if it exists for it, else its latest period."""
    periods = atlas.periods(indicator, selection.level)
    period = selection.period if selection.period in periods else periods[-1]
    chosen = _agreeing(atlas, replace(selection, indicator=indicator, period=period))
    return with_period(atlas, chosen, period)


def with_basis(atlas: Atlas, selection: Selection, basis: str) -> Selection:
    """Measure need another way: a gap indicator on screen becomes the other basis's.

    Any other indicator stays; the basis still decides the need measure it is drawn
    against (:func:`gapmap.view.paired_need`).
    """
    if basis not in BASES:
        raise ValueError(f"unknown need basis {basis!r}")
    chosen = replace(selection, basis=basis)
    gap = GAP_INDICATORS[basis]
    if basis_of(selection.indicator) and gap in atlas.indicator_ids(selection.level):
        return with_indicator(atlas, chosen, gap)
    return chosen


def with_period(atlas: Atlas, selection: Selection, period: str) -> Selection:
    """Change period; drop the area, and chosen peers, that are not on that period's map."""
    chosen = replace(selection, period=period)
    if chosen.area and not area_in_view(atlas, chosen, chosen.area):
        chosen = replace(chosen, area=None)
    if chosen.peers:
        on_map = map_codes(atlas, chosen)
        chosen = replace(chosen, peers=tuple(c for c in chosen.peers if c in on_map))
    return chosen


def with_area(atlas: Atlas, selection: Selection, area: str) -> Selection:
    """Select ``area``, moving to the latest period whose map has it where this one does not.

    A search for "Sandwell" offers Sandwell and West Birmingham CCG, drawn only on the CCG
    maps of 2019 and 2020: picking it shows the latest of those periods, not a message that
    the area is not on the map. Where no period of the indicator has it, the level's other
    indicators are tried; failing those the selection is left as it was, area and all.
    """
    if area_in_view(atlas, selection, area):
        return replace(selection, area=area)
    candidates = [selection.indicator] + [
        i for i in atlas.indicator_ids(selection.level) if i != selection.indicator
    ]
    for indicator in candidates:
        for period in reversed(atlas.periods(indicator, selection.level)):
            moved = _agreeing(atlas, replace(selection, indicator=indicator, period=period))
            if area_in_view(atlas, moved, area):
                return with_period(atlas, replace(moved, area=area), period)
    return selection


def with_peers(selection: Selection, peers: tuple[str, ...] | list[str] | None) -> Selection:
    """Compare with similar areas (None) or with the given codes (at most :data:`MAX_PEERS`)."""
    if peers is None:
        return replace(selection, peers=None)
    return replace(selection, peers=tuple(dict.fromkeys(peers))[:MAX_PEERS])
