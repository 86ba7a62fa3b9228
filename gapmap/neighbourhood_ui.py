"""Streamlit glue of the Neighbourhoods page: cached shapes and colours, the map, its link.

The decisions live in :mod:`gapmap.neighbourhoods` and the layers in
:mod:`gapmap.maps.deck`; this module caches them per server, draws the map with
``streamlit_lonboard`` and keeps the page's own choices in the address bar beside the
sidebar's (:data:`gapmap.state.PAGE_KEYS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st
import streamlit_lonboard  # before any layer is built: it spares lonboard's Jupyter messages

from gapmap import neighbourhoods as nb
from gapmap import own_area_ui as own
from gapmap import ui
from gapmap.atlas import Atlas
from gapmap.maps import deck
from gapmap.maps.leaflet import legend_html
from gapmap.state import shown
from gapmap.wording import escape_md

MAP_HEIGHT = nb.MAP_SIZE[1]
#: Session key of what the map frames: (the sidebar's area when it was set, the place).
FOCUS_KEY = "neighbourhoods-focus"
#: The legend as the other maps draw it, on the page rather than inside the map.
LEGEND_CSS = """<style>
.mtg-legend { font-family: inherit; font-size: 14px; line-height: 1.5; color: #1A1A1A; }
.mtg-legend .mtg-title { font-weight: 600; }
.mtg-legend .mtg-key { color: #4D4D4D; }
.mtg-legend .mtg-sw { display: inline-block; width: 14px; height: 11px; margin-right: 6px;
  vertical-align: -1px; border: 1px solid #8C8C8C; }
.mtg-legend .mtg-nd { border-style: dashed; }
</style>"""


@dataclass(frozen=True)
class Shapes:
    """Every neighbourhood's polygon (as GeoArrow and as shapes), code and bounds, in order."""

    geo: object
    codes: pd.Series
    bounds: pd.DataFrame
    geometry: np.ndarray


@st.cache_resource(show_spinner="Reading the shapes of 33,755 neighbourhoods…")
def shapes(_data: Atlas, root: str) -> Shapes:
    """The LSOA polygons, read once per server (``root`` keys the atlas they came from)."""
    frame = _data.lsoa_shapes(None).sort_values("area_code").reset_index(drop=True)
    bounds = frame.geometry.bounds.set_axis(frame["area_code"])
    return Shapes(deck.geoarrow(frame), frame["area_code"], bounds, frame.geometry.to_numpy())


@st.cache_resource(show_spinner=False, max_entries=16)
def shading(_data: Atlas, root: str, indicator: str) -> nb.Shading:
    """One indicator's colours and legend for every neighbourhood, made once per server."""
    return nb.shading(_data, indicator)


@st.cache_resource(show_spinner=False, max_entries=32)
def areas_layer(_data: Atlas, root: str, indicator: str, codes: tuple[str, ...] | None):
    """The filled, hoverable neighbourhoods (``codes``, or all), with their codes in order.

    One object per indicator and area, so it is not serialised again on every rerun.
    """
    drawn = shapes(_data, root)
    shaded = shading(_data, root, indicator)
    rows = np.arange(len(drawn.codes)) if codes is None else _rows(drawn, codes)
    chosen = drawn.codes.iloc[rows]
    names = _data.areas_at(nb.LEVEL).set_index("area_code")["area_name"]
    tooltip = {
        nb.NAME_COLUMN: [f"{names.get(c, '')} ({c})" for c in chosen],
        shaded.name: shaded.hover_text(chosen),
    }
    return deck.areas_layer(drawn.geo, rows, shaded.rgba(chosen), tooltip), list(chosen)


@st.cache_resource(show_spinner=False, max_entries=32)
def area_outline(_data: Atlas, root: str, level: str, code: str) -> list:
    """The outline of a council or NHS area: the edge of its neighbourhoods, merged."""
    drawn = shapes(_data, root)
    inside = drawn.codes.isin(set(nb.codes_in(_data, nb.place(_data, level, code))))
    if not inside.any():
        return []
    merged = shapely.union_all(drawn.geometry[inside.to_numpy()])
    shape = gpd.GeoDataFrame({"area_code": [code]}, geometry=[merged], crs=4326)
    return deck.outline_layers(deck.geoarrow(shape), np.arange(1), deck.AREA_PIXELS)


def _rows(drawn: Shapes, codes: tuple[str, ...]) -> np.ndarray:
    return np.flatnonzero(drawn.codes.isin(set(codes)).to_numpy())


def param(key: str) -> str | None:
    """One of the page's own keys in the link, or None."""
    value = st.query_params.get(key)
    return str(value) if value else None


def set_param(key: str, value: str | None) -> None:
    """Put one of the page's keys in the link (or take it out)."""
    if value:
        st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]


def selected_lsoa(data: Atlas) -> str | None:
    """The neighbourhood in the link, when it is one; a code that is not says so."""
    code = param(nb.LSOA_KEY)
    if code and data.area(code, level=nb.LEVEL) is None:
        st.info(
            f"The link named '{escape_md(shown(code, 12))}', which is not a "
            "neighbourhood in England; click one on the map or search for one.",
            icon="ℹ️",
        )
        set_param(nb.LSOA_KEY, None)
        return None
    return code


def focus(data: Atlas, area: nb.Place | None, lsoa: str | None) -> nb.Place | None:
    """What the map frames: the last place searched for, else what the link selected.

    Kept in the session so that clicking a neighbourhood never moves the map; a new area
    picked in the sidebar frames that area.
    """
    sidebar = ui.current().area
    kept = st.session_state.get(FOCUS_KEY)
    if kept is None or kept[0] != sidebar:
        first = nb.place(data, nb.LEVEL, lsoa) if lsoa and area is None else area
        kept = (sidebar, first)
        st.session_state[FOCUS_KEY] = kept
    return kept[1]


def frame(data: Atlas, place: nb.Place | None) -> dict[str, float]:
    """The view that fits ``place`` (all of England when None)."""
    drawn = shapes(data, str(data.root))
    box = drawn.bounds
    if place is not None:
        box = box.loc[box.index.isin(set(nb.codes_in(data, place)))]
    return nb.view_state(
        (box["minx"].min(), box["miny"].min(), box["maxx"].max(), box["maxy"].max())
    )


def legend(shaded: nb.Shading) -> None:
    """The map's legend beside it: the same classes, colours and words as every map."""
    classes = shaded.classes
    body = legend_html(classes.title, classes.legend, classes.key)
    box = f'<div class="mtg-legend" role="group" aria-label="Map legend">{body}</div>'
    st.html(LEGEND_CSS + box)


def draw(
    data: Atlas,
    indicator: str,
    drawn_area: nb.Place | None,
    framed: nb.Place | None,
    lsoa: str | None,
) -> None:
    """The map of every neighbourhood drawn; a click selects one and puts it in the link."""
    root = str(data.root)
    codes = None if drawn_area is None else tuple(nb.codes_in(data, drawn_area))
    layer, drawn_codes = areas_layer(data, root, indicator, codes)
    layers = [layer]
    everything = shapes(data, root)
    if framed is not None and framed.level != nb.LEVEL:
        layers += area_outline(data, root, framed.level, framed.code)
    if lsoa:
        layers += deck.outline_layers(everything.geo, _rows(everything, (lsoa,)))
    key = f"neighbourhoods-{'england' if framed is None else framed.code}-{codes is not None}"
    result = streamlit_lonboard.st_lonboard(
        layers=layers,
        view_state=frame(data, framed),
        basemap_style=deck.BLANK_STYLE,
        height=MAP_HEIGHT,
        tooltip=[nb.NAME_COLUMN, shading(data, root, indicator).name],
        key=key,
    )
    clicked = result.clicked or {}
    index = clicked.get("index")
    on_area = clicked.get("layer_id") == "layer-0" and isinstance(index, int)
    if on_area and 0 <= index < len(drawn_codes) and drawn_codes[index] != lsoa:
        set_param(nb.LSOA_KEY, drawn_codes[index])
        st.rerun()


def search(data: Atlas) -> None:
    """Find a neighbourhood, a council, an NHS area or a postcode district, and frame it."""
    query = st.text_input(
        "Find a neighbourhood or area",
        placeholder="A neighbourhood's name or code (Sandwell 001A, E01009891), a council, "
        "or a postcode district such as B70",
    )
    if not query:
        return
    found = nb.choices(data, query)
    if not found:
        st.warning("Nothing matched. Try a shorter name, a council, or a postcode district.")
    for choice in found:
        if st.button(choice.label, key=choice.key):
            _go(data, choice)


def _go(data: Atlas, choice) -> None:
    """Frame what a search found; a neighbourhood is also selected, an area made current."""
    sidebar = ui.current().area
    if choice.level == nb.LEVEL:
        st.session_state[FOCUS_KEY] = (sidebar, nb.place(data, nb.LEVEL, choice.code))
        set_param(nb.LSOA_KEY, choice.code)
        st.rerun()
    st.session_state[FOCUS_KEY] = (choice.code, nb.place(data, choice.level, choice.code))
    ui.select_area(choice.code, choice.level)


def profile(data: Atlas, found: nb.Profile) -> None:
    """One neighbourhood: the areas it lies in (with links to them) and its values."""
    st.subheader(escape_md(f"{found.name} ({found.code})"))
    for word, parent in found.parents:
        st.page_link(
            "app_pages/my_area.py",
            label=f"{parent.name} ({word})",
            query_params={"level": parent.level, "area": parent.code},
            icon=":material/arrow_forward:",
            width="stretch",
        )
    st.markdown("\n".join(f"- {line}" for line in found.lines()))
    own.add_or_remove_button(data, found.code, found.name)
