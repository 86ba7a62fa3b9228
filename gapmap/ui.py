"""Streamlit glue shared by the pages: the cached atlas, the sidebar, downloads, the map.

This is the only module of :mod:`gapmap` that imports Streamlit. Pages call these helpers
and lay out what they return; every computation happens in the pure modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

import streamlit as st

from gapmap import (
    banding,
    boardpack,
    export,
    findings,
    first_paint,
    gradient,
    map_mount,
    maps,
    peers,
    state,
    tables,
)
from gapmap.atlas import Atlas, AtlasUnavailable
from gapmap.blocks import chart_block as chart_block
from gapmap.blocks import show_chart as show_chart
from gapmap.blocks import table as table
from gapmap.blocks import table_download as table_download
from gapmap.content import level_caveat
from gapmap.freshness import data_as_of
from gapmap.sources import publisher
from gapmap.state import Selection
from gapmap.view import View, page_view, resolve
from gapmap.wording import escape_md, lower_first

SESSION_KEY = "selection"
#: Session key of the view resolved for the current selection (with the atlas it came from).
VIEW_KEY = "resolved-view"
PAGE_VIEW_KEY = "page-map-view"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2024."
)


@st.cache_resource(show_spinner="Loading the atlas…")
def _load_atlas() -> Atlas:
    return Atlas.load()


def atlas() -> Atlas:
    """The atlas, loaded once per server; stops the page with a remedy if it is missing."""
    try:
        return _load_atlas()
    except AtlasUnavailable as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop ends the script


@contextmanager
def degraded() -> Iterator[None]:
    """Show a missing part of the atlas as its remedy, and let the rest of the page go on."""
    try:
        yield
    except AtlasUnavailable as exc:
        st.error(str(exc), icon=":material/error:")


def missing_sources_notice(data: Atlas) -> None:
    """Say, on every page, which sources the atlas was built without and what is lost."""
    for missing in data.missing_sources():
        lost = [
            str(data.indicator(i)["short_name"])
            for i in missing.get("indicators", {})
            if i in data.indicators.index
        ]
        st.warning(
            f"This atlas was built without **{escape_md(str(missing['step']))}** "
            f"({escape_md(str(missing['file']))} was missing), so these figures are "
            f"unavailable or incomplete: {escape_md(', '.join(lost) or 'none')}. "
            "To restore them, fetch the data and rebuild: `python -m data_pipeline fetch`, "
            "then `python -m data_pipeline build --raw DIR`.",
            icon=":material/warning:",
        )


def lacks(data: Atlas, indicator_id: str, level: str) -> bool:
    """True, with a message saying why, when the atlas has no values of an indicator there."""
    if indicator_id in data.indicator_ids(level):
        return False
    files = data.unavailable(indicator_id, level)
    name = (
        data.indicator(indicator_id)["short_name"]
        if indicator_id in data.indicators.index
        else indicator_id
    )
    reason = (
        f"the last build was made without {escape_md(', '.join(files))}"
        if files
        else "the atlas has no values for it"
    )
    st.info(f"{escape_md(str(name))} is unavailable here: {reason}.", icon=":material/info:")
    return True


def current() -> Selection:
    """The selection made by the sidebar on this run."""
    return st.session_state[SESSION_KEY]


def view() -> View:
    """The view of this run's selection, resolved once by the sidebar (:func:`sidebar`)."""
    return st.session_state[VIEW_KEY][1]


def _resolved(data: Atlas, selection: Selection) -> View:
    """The selection's view: the one kept from an earlier run of the same selection, else new.

    A rerun that changes nothing (a download, a page's own widget) reads the same view; any
    change of the selection, or a reloaded atlas, resolves it afresh.
    """
    return _kept(VIEW_KEY, data, selection, lambda: resolve(data, selection))


def _kept(name: str, data: Atlas, key: object, make):
    """What ``make`` returns, kept in the session until the atlas or ``key`` changes."""
    kept = st.session_state.get(name)  # (atlas, value, key): the value second, as it was
    if kept is None or kept[0] is not data or kept[2] != key:
        kept = (data, make(), key)
        st.session_state[name] = kept
    return kept[1]


def _query() -> dict[str, str]:
    query = st.query_params.to_dict()
    remembered = st.session_state.get(SESSION_KEY)
    if not query and remembered is not None:
        query = remembered.to_query()  # page switches clear the query string
    return query


def publish(selection: Selection) -> None:
    """Make ``selection`` current and mirror it in the URL (a page's own keys stay)."""
    st.session_state[SESSION_KEY] = selection
    query = st.query_params.to_dict()
    wanted = selection.to_query() | {k: v for k, v in query.items() if k in state.PAGE_KEYS}
    if query != wanted:
        st.query_params.from_dict(wanted)


#: Session keys of the sidebar's widgets. Each widget is keyed, shown the selection through
#: its key and reports a change through a callback, so its identity never depends on the
#: current state (otherwise every second change would be lost to a fresh widget).
WIDGET_KEYS = {
    "level": "sidebar-level",
    "indicator": "sidebar-indicator",
    "period": "sidebar-period",
    "area": "sidebar-area",
    "peer_mode": "sidebar-peer-mode",
    "peers": "sidebar-peers",
    "basis": "sidebar-basis",
}
#: The need basis control's choices, in the words the sidebar shows.
BASIS_CHOICES = {state.MODELLED: "Modelled prevalence", state.RECORDED: "Recorded depression"}
PEER_CHOICES = {
    state.SIMILAR: f"Similar areas (nearest {peers.K} by deprivation and population)",
    state.CHOSEN: "Areas I choose",
}


def _changed(data: Atlas, field: str) -> None:
    """A sidebar widget changed: apply it to the current selection and mirror it in the URL."""
    selection = st.session_state.get(SESSION_KEY) or state.resolve(data, _query())[0]
    value = st.session_state[WIDGET_KEYS[field]]
    if field == "level":
        selection = state.with_level(data, selection, value)
    elif field == "indicator":
        selection = state.with_indicator(data, selection, value)
    elif field == "period":
        selection = state.with_period(data, selection, value)
    elif field == "area":
        selection = replace(selection, area=value)
    elif field == "basis":
        selection = state.with_basis(data, selection, value)
    elif field == "peer_mode":
        selection = state.with_peers(selection, None if value == state.SIMILAR else ())
    else:
        selection = state.with_peers(selection, value)
    publish(selection)


def _show(key: str, value: object) -> None:
    """Put the selection's value into a widget (before it is drawn on this run)."""
    if st.session_state.get(key) != value:
        st.session_state[key] = value


#: Session key: what a pasted link had changed, and the selection it was changed to.
_LINK_MESSAGES = "link-messages"


def _link_messages(selection: state.Selection, messages: list[str]) -> list[str]:
    """The kind messages about a pasted link, kept while its corrected selection is on show.

    The corrected link replaces the pasted one in the address bar, so the next run (the
    first visit's second run, or any rerun) resolves cleanly; the messages stay until the
    user changes the selection.
    """
    if messages:
        st.session_state[_LINK_MESSAGES] = (selection, list(messages))
        return messages
    kept = st.session_state.get(_LINK_MESSAGES)
    if kept and kept[0] == selection:
        return kept[1]
    st.session_state.pop(_LINK_MESSAGES, None)
    return []


def sidebar(data: Atlas) -> View:
    """The shared controls: geography, indicator, period, area, peers — two-way with the URL.

    Returns the selection's view, resolved once for the run (pages read it with :func:`view`).
    """
    selection, messages = state.resolve(data, _query())
    for message in _link_messages(selection, messages):
        st.info(message, icon="ℹ️")
    bar = st.sidebar
    levels = data.levels()
    _show(WIDGET_KEYS["level"], selection.level)
    bar.selectbox(
        "Geography",
        list(levels),
        format_func=levels.get,
        help="The kind of area the map and tables show.",
        key=WIDGET_KEYS["level"],
        on_change=_changed,
        args=(data, "level"),
    )
    caveat = level_caveat(selection.level)
    if caveat:
        bar.info(caveat, icon=":material/info:")
    _show(WIDGET_KEYS["indicator"], selection.indicator)
    bar.selectbox(
        "Indicator",
        data.indicator_ids(selection.level),
        format_func=lambda i: str(data.indicator(i)["short_name"]),
        key=WIDGET_KEYS["indicator"],
        on_change=_changed,
        args=(data, "indicator"),
    )
    _basis_control(bar, data, selection)
    _show(WIDGET_KEYS["period"], selection.period)
    bar.selectbox(
        "Period",
        data.periods(selection.indicator, selection.level),
        key=WIDGET_KEYS["period"],
        on_change=_changed,
        args=(data, "period"),
    )
    _data_as_of(bar, data, selection)
    resolved = _resolved(data, selection)
    areas = data.areas_at(selection.level, resolved.vintage)
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    _show(WIDGET_KEYS["area"], selection.area if selection.area in names else None)
    bar.selectbox(
        "Area",
        [None, *areas["area_code"]],
        format_func=lambda c: "England (no area selected)" if c is None else names[c],
        help="Click an area on the map, or pick it here.",
        key=WIDGET_KEYS["area"],
        on_change=_changed,
        args=(data, "area"),
    )
    if selection.area:
        _peer_control(bar, data, selection, names)
    bar.caption("Every view is a link: copy the address bar to share exactly this view.")
    publish(selection)
    return resolved


def _data_as_of(bar, data: Atlas, selection: Selection) -> None:
    """'Data as of': the selected indicator's newest period at the level, and the build date.

    In the sidebar, so every page says how old its figures are in the same place.
    """
    try:
        built = boardpack.built_date(data.manifest)
    except ValueError:
        return  # a manifest without a build date: the pages still work
    shown = data_as_of(data, selection.indicator, selection.level, built)
    if shown is not None:
        bar.caption(escape_md(shown.line))


def _basis_control(bar, data: Atlas, selection: Selection) -> None:
    """'Need measured by': modelled prevalence or recorded depression, where the atlas has both.

    An atlas built without modelled need says so instead of offering a choice it cannot keep.
    """
    if not state.basis_choice(data):
        only = BASIS_CHOICES[state.RECORDED].lower()
        bar.caption(
            f"Need measured by: {only}. Modelled need (the estimated prevalence of common "
            "mental disorders) is not in this atlas."
        )
        return
    _show(WIDGET_KEYS["basis"], selection.basis)
    bar.segmented_control(
        "Need measured by",
        list(BASIS_CHOICES),
        format_func=BASIS_CHOICES.get,
        required=True,
        help="Modelled prevalence counts the adults with a common mental disorder, diagnosed "
        "or not; recorded depression counts only those general practice has recorded. The gap "
        "ratio and the need measure drawn against provision follow this choice.",
        key=WIDGET_KEYS["basis"],
        on_change=_changed,
        args=(data, "basis"),
    )


def _peer_control(bar, data: Atlas, selection: Selection, names: dict[str, str]) -> None:
    """'Compare with': the nearest neighbours, or areas the user picks at this level."""
    _show(WIDGET_KEYS["peer_mode"], state.SIMILAR if selection.peers is None else state.CHOSEN)
    mode = bar.radio(
        "Compare with",
        list(PEER_CHOICES),
        format_func=PEER_CHOICES.get,
        help="The peer group shown beside England in tables and charts (see Methods & data).",
        key=WIDGET_KEYS["peer_mode"],
        on_change=_changed,
        args=(data, "peer_mode"),
    )
    if mode != state.CHOSEN:
        return
    options = [c for c in names if c != selection.area]
    _show(WIDGET_KEYS["peers"], [c for c in selection.peers or () if c in options])
    bar.multiselect(
        "Areas to compare with",
        options,
        format_func=names.get,
        max_selections=state.MAX_PEERS,
        placeholder="Choose areas",
        help=f"Up to {state.MAX_PEERS} areas of the same kind.",
        key=WIDGET_KEYS["peers"],
        on_change=_changed,
        args=(data, "peers"),
    )


def select_area(code: str | None, level: str | None = None) -> None:
    """Select an area (from a map click or a search) and rerun the whole app."""
    selection = current()
    if level and level != selection.level:
        selection = state.with_level(atlas(), selection, level)
    publish(state.with_area(atlas(), selection, code) if code else replace(selection, area=None))
    st.rerun()


def map_view(data: Atlas, shown: View, *, height: int = 560) -> None:
    """The choropleth for the selection; a click selects the area everywhere.

    Made once per map drawn (:mod:`gapmap.map_mount`), so a rerun or a new session
    showing a map already drawn sends it without building or rendering it again.
    """
    selection, colour_by = shown.selection, maps.colouring(shown.meta)
    drawn = (id(data), str(data.root), str(shown.vintage), selection.level)
    drawn += (selection.indicator, selection.period, selection.area, colour_by)

    def clicked(returned) -> None:  # before the run the click starts: no second run
        code = maps.clicked_area(returned)
        if code and code != current().area:
            publish(state.with_area(atlas(), current(), code))

    with degraded():
        map_mount.show(
            drawn,
            lambda: maps.choropleth(
                data.boundaries(str(shown.vintage)),
                shown.table,
                shown.meta,
                colour_by=colour_by,
                selected=selection.area,
                england_value=shown.england_value,
            ),
            key=f"map-{shown.vintage}",
            height=height,
            on_click=clicked,
        )


def page_map(data: Atlas, shown: View, indicators: tuple[str, ...]) -> None:
    """A page's own map and table (:func:`gapmap.view.page_view`), resolved once a selection."""
    key, make = (shown.selection, indicators), lambda: page_view(data, shown, indicators)
    mapped = _kept(PAGE_VIEW_KEY, data, key, make)
    name = lower_first(str(mapped.meta["short_name"]))
    with st.expander(f"Map of {name}: click an area to select it", expanded=True):
        map_view(data, mapped, height=420)
    map_table(mapped)


def map_table(shown: View) -> None:
    """The map's figures as a table, for screen-reader and keyboard users and for copying."""
    selection = shown.selection
    with st.expander("The map as a table"):
        if first_paint.grid_waits():
            return
        table(
            shown.shown,
            csv=tables.for_download(shown.shown, shown.meta, selection.period),
            name=f"map-{selection.indicator}-{selection.level}-{selection.period}",
        )


def static_map_download(data: Atlas, shown: View) -> None:
    """A PNG of the current map for board papers (folium maps cannot export images)."""
    try:
        boundaries = data.boundaries(str(shown.vintage))
    except AtlasUnavailable:
        return  # the map above has already said what to run
    selection, meta = shown.selection, shown.meta

    def render() -> bytes:
        return maps.static_map_png(
            boundaries,
            shown.table,
            meta,
            title=f"{meta['name']}: {shown.level_label}",
            source=publisher(str(meta["sources"])),
            period=selection.period,
            selected=selection.area,
            colour_by=maps.colouring(meta),
            england_value=shown.england_value,
        )

    name = export.filename("map", selection.indicator, selection.level, selection.period, ext="png")
    st.download_button(
        "Map as PNG", render, file_name=name, mime="image/png", key="static-map", on_click="ignore"
    )


@st.cache_data(show_spinner=False, max_entries=64)
def quantiles(indicator_id: str, period: str, n: int):
    """Practices by deprivation quantile, with the SII/RII (simulated: worth keeping)."""
    return gradient.quantile_summary(atlas(), indicator_id, period, n)


@st.cache_data(show_spinner=False, max_entries=64)
def what_the_data_say(level: str, area: str) -> str:
    """An area's "what the data say" statements as Markdown (a dozen lookups: worth keeping)."""
    return findings.to_markdown(findings.area_findings(atlas(), area, level))


@st.cache_data(show_spinner=False)
def banding_table():
    """Poisson against overdispersion flags for every ratio (one pass over the atlas)."""
    return banding.banding_table(atlas())


def board_pack_button(data: Atlas, selection: Selection) -> None:
    """The sidebar's one-click board pack: a PDF of the current view, built on click."""
    st.sidebar.download_button(
        "Board pack (PDF)",
        data=lambda: boardpack.build(data, selection, generated=date.today()),
        file_name=boardpack.filename(selection),
        mime="application/pdf",
        key="board-pack",
        icon=":material/picture_as_pdf:",
        help="An A4 landscape PDF of this view for a board paper: map, key charts, a table "
        "with England, methods, caveats and sources. Takes a few seconds.",
        on_click="ignore",
        width="stretch",
    )
