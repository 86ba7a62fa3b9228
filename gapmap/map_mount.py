"""A folium map drawn in the app's own page, made once per map, not once per rerun.

The maps are built with folium and drawn by Leaflet, as before, but mounted by a
Streamlit components-v2 element in the page itself rather than by ``streamlit_folium``'s
frame: the frame had to load and start a bundle of its own before Leaflet could draw,
which was most of the time a first visit waited for its map (see README, Performance).
A map's parts (:func:`gapmap.maps.page_parts.mount_parts`) depend only on what it draws,
so they are made once per map and kept across reruns and sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

import folium
import streamlit as st

from gapmap.maps.page_parts import MOUNT_JS, mount_parts


@st.cache_resource(show_spinner=False)
def _component() -> Any:
    return st.components.v2.component("mind_the_gap.map", js=MOUNT_JS, isolate_styles=False)


@st.cache_data(max_entries=64, show_spinner=False)
def _kept(
    cache_key: Hashable, height: int, clickable: bool, _make: Callable[[], folium.Map]
) -> dict[str, Any]:
    return mount_parts(_make(), height=height, clickable=clickable)


def show(
    cache_key: Hashable,
    make_map: Callable[[], folium.Map],
    *,
    key: str,
    height: int,
    on_click: Callable[[Mapping[str, Any]], None] | None = None,
) -> None:
    """Draw the map ``make_map`` builds, made at most once per ``cache_key``.

    ``cache_key`` must name everything the map draws (atlas, boundaries, indicator, period,
    selected area). A click on an area calls ``on_click`` before the page reruns, with the
    area's properties and tooltip text (``last_active_drawing``,
    ``last_object_clicked_tooltip``: read them with :func:`gapmap.maps.clicked_area`), so
    what the click changes is in place for that very run. A map without ``on_click`` (a
    drill-down) sends nothing back, and a click on it does not rerun the page.
    """
    parts = _kept(cache_key, height, on_click is not None, make_map)

    def clicked() -> None:
        value = (st.session_state.get(key) or {}).get("clicked")
        if value and on_click is not None:
            on_click(value)

    callbacks = {"on_clicked_change": clicked} if on_click is not None else {}
    _component()(data=parts, key=key, height=height, **callbacks)
