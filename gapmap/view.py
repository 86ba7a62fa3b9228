"""The selection resolved once per run: what every page reads and lays out.

From the URL selection (:class:`gapmap.state.Selection`), :func:`resolve` looks up once the
boundary vintage, the indicator's metadata and table, England's row, the selected area and
its peer group. The questions pages ask besides (which need measure pairs with this
indicator, which period of another indicator shares this map, which period is the latest)
are named functions here, so they are answered without Streamlit and pages only lay out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from gapmap import narrative, tables
from gapmap import peers as peer_groups
from gapmap.atlas import Atlas
from gapmap.state import MODELLED, Selection, gap_indicator
from gapmap.wording import PLURALS

#: The need measure a provision indicator is drawn against where the catalogue does not name
#: one (an atlas built before ``need_indicator``); a need measure is drawn against deprivation.
NEED_MEASURE = "depression_prevalence"
DEPRIVATION = "imd_score"
#: The need measures: drawn against deprivation, not against need.
NEED_MEASURES = frozenset({NEED_MEASURE, "cmd_prevalence_modelled"})


@dataclass(frozen=True)
class Panel:
    """One indicator on one map: its metadata, period, boundary vintage, table and England."""

    indicator_id: str
    level: str
    period: str
    vintage: str | None
    meta: pd.Series
    table: pd.DataFrame
    england: pd.Series | None

    @property
    def england_value(self) -> float | None:
        """England's value, or None where there is none (so no England line is drawn)."""
        row = self.england
        return None if row is None or pd.isna(row["value"]) else float(row["value"])

    def row(self, area_code: str | None) -> pd.Series | None:
        """One area's row of the table, or None when it has none."""
        rows = self.table.loc[self.table["area_code"] == area_code] if area_code else None
        return None if rows is None or rows.empty else rows.iloc[0]


def panel(
    atlas: Atlas, indicator_id: str, level: str, period: str, vintage: str | None = None
) -> Panel:
    """An indicator's values for every area of a level in one period, with England's row.

    ``vintage`` picks the boundaries where a period joins to several (the IoD2019 CCG
    scores); by default the period's own (:meth:`Atlas.vintage`).
    """
    vintage = vintage or atlas.vintage(indicator_id, level, period)
    return Panel(
        indicator_id=indicator_id,
        level=level,
        period=period,
        vintage=vintage,
        meta=atlas.indicator(indicator_id),
        table=atlas.table(indicator_id, level, period, vintage),
        england=atlas.england(indicator_id, period),
    )


def latest_period(atlas: Atlas, indicator_id: str, level: str) -> str | None:
    """The latest period of an indicator at a level; None where the atlas has none there."""
    if indicator_id not in atlas.indicator_ids(level):
        return None
    periods = atlas.periods(indicator_id, level)
    return periods[-1] if periods else None


def latest_panel(atlas: Atlas, indicator_id: str, level: str) -> Panel | None:
    """An indicator's latest period at a level (None where the atlas has none there)."""
    period = latest_period(atlas, indicator_id, level)
    return None if period is None else panel(atlas, indicator_id, level, period)


def on_same_map(atlas: Atlas, base: Panel, indicator_id: str) -> Panel | None:
    """Another indicator's latest period whose values join to the same boundaries as ``base``.

    Pairs two indicators in one chart (need against provision, checks against deprivation)
    without mixing boundary vintages; None where no period of it shares them.
    """
    period = atlas.period_on(indicator_id, base.level, base.vintage)
    if period is None:
        return None
    return panel(atlas, indicator_id, base.level, period, base.vintage)


def need_measure(indicator_id: str) -> str:
    """The measure of need an indicator is drawn against: depression, or for it deprivation.

    The pairing for an atlas whose catalogue names no ``need_indicator``; see
    :func:`paired_need`.
    """
    return DEPRIVATION if indicator_id == NEED_MEASURE else NEED_MEASURE


def _named_need(atlas: Atlas, indicator_id: str | None) -> str | None:
    """The catalogue's ``need_indicator`` of an indicator, where it names one the atlas has."""
    frame = atlas.indicators
    if indicator_id not in frame.index or "need_indicator" not in frame.columns:
        return None
    named = frame.loc[indicator_id, "need_indicator"]
    return str(named) if pd.notna(named) and str(named) in frame.index else None


def paired_need(atlas: Atlas, indicator_id: str, basis: str = MODELLED) -> str:
    """The measure of need an indicator is drawn against, on the selection's need basis.

    A need measure is drawn against deprivation. Any other indicator is drawn against the
    need its own catalogue entry names, else the need of the basis's gap indicator (modelled
    prevalence, or recorded depression), else the fixed pairing of :func:`need_measure`.
    """
    if indicator_id in NEED_MEASURES:
        return DEPRIVATION
    named = _named_need(atlas, indicator_id) or _named_need(atlas, gap_indicator(atlas, basis))
    return named or need_measure(indicator_id)


@dataclass(frozen=True)
class View:
    """Everything a page shows about the selection, looked up once per run."""

    selection: Selection
    #: The selected indicator on the selected map and period.
    panel: Panel
    #: The map level's label ("Sub-ICB location").
    level_label: str
    #: The selected area's name on this map (its code if unknown); None with no area.
    area_name: str | None
    #: The areas the selected area is compared with on this map.
    peers: peer_groups.PeerGroup
    #: The panel's table as people read it (:func:`gapmap.tables.display_table`).
    shown: pd.DataFrame

    @property
    def meta(self) -> pd.Series:
        """The selected indicator's metadata."""
        return self.panel.meta

    @property
    def table(self) -> pd.DataFrame:
        """The selected indicator's values on the selected map."""
        return self.panel.table

    @property
    def vintage(self) -> str | None:
        """The boundary vintage the selected period's values join to."""
        return self.panel.vintage

    @property
    def england_value(self) -> float | None:
        """England's value of the selected indicator and period."""
        return self.panel.england_value

    @property
    def area_row(self) -> pd.Series | None:
        """The selected area's row of the table (None with no area, or no value for it)."""
        return self.panel.row(self.selection.area)

    @property
    def area_label(self) -> str:
        """'Selected: <name> (<code>)', or that no area is selected."""
        if not self.selection.area:
            return "No area selected."
        return f"Selected: {self.area_name} ({self.selection.area})"

    @property
    def subject(self) -> str:
        """Who the figures are about: the selected area's name, else England."""
        return self.area_name or "England"


def area_name(atlas: Atlas, selection: Selection, vintage: str | None) -> str | None:
    """The selected area's name on the map of ``vintage`` (its code if unknown)."""
    if not selection.area:
        return None
    area = atlas.area(selection.area, vintage)
    return str(selection.area) if area is None else str(area["area_name"])


def resolve(atlas: Atlas, selection: Selection) -> View:
    """Look up, once, everything the pages show about a (valid) selection."""
    chosen = panel(atlas, selection.indicator, selection.level, selection.period)
    return View(
        selection=selection,
        panel=chosen,
        level_label=atlas.levels().get(selection.level, selection.level),
        area_name=area_name(atlas, selection, chosen.vintage),
        peers=peer_groups.group(atlas, selection, chosen.vintage),
        shown=tables.display_table(chosen.table, chosen.meta),
    )


def need_panel(atlas: Atlas, view: View) -> Panel | None:
    """The need measure drawn against the selected indicator, on the same boundaries."""
    selection = view.selection
    return on_same_map(atlas, view.panel, paired_need(atlas, selection.indicator, selection.basis))


def deprivation_text(atlas: Atlas, view: View) -> str | None:
    """Where the selected area stands on deprivation among areas of its kind, in words."""
    scores = on_same_map(atlas, view.panel, DEPRIVATION)
    row = None if scores is None else scores.row(view.selection.area)
    if row is None or pd.isna(row["value"]):
        return None
    rank, total = narrative.deprivation_rank(scores.table, str(view.selection.area))
    return narrative.deprivation_sentence(
        float(row["value"]),
        rank,
        total,
        PLURALS[view.selection.level],
        str(row["area_name"]),
    )


def page_view(atlas: Atlas, view: View, indicators: tuple[str, ...]) -> View:
    """The view a page maps: the sidebar's when its indicator is one of the page's own.

    Otherwise the first of ``indicators`` the level has, at its latest period, for the same
    area and peers, so the Secondary care page never maps Talking Therapies because the
    sidebar was left there. Where the level has none of them, the sidebar's view.
    """
    selection = view.selection
    if selection.indicator in indicators:
        return view
    for indicator_id in indicators:
        period = latest_period(atlas, indicator_id, selection.level)
        if period is not None:
            return resolve(atlas, replace(selection, indicator=indicator_id, period=period))
    return view


def spine_areas(atlas: Atlas, profile: pd.DataFrame, level: str) -> pd.DataFrame:
    """Every area's value of each profile indicator in its period, for the spine's bars.

    Suppressed values are left out, as everywhere.
    """
    parts = []
    for indicator_id, period in zip(profile["indicator_id"], profile["period"], strict=True):
        table = atlas.table(str(indicator_id), level, str(period))
        shown = table.loc[~table["suppressed"].fillna(False).astype(bool), ["value"]]
        parts.append(shown.assign(indicator_id=str(indicator_id)))
    if not parts:
        return pd.DataFrame({"indicator_id": [], "value": []})
    return pd.concat(parts, ignore_index=True)[["indicator_id", "value"]]
