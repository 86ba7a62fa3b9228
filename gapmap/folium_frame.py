"""A folium map in its Streamlit frame, rendered once per map, not once per rerun.

``streamlit_folium.st_folium`` renders the whole map to HTML and script four times over on
every call (about 0.3 s for a national map), although a map's content depends only on
what is drawn: the boundaries, the indicator and period, the selected area. Here the
arguments ``st_folium`` hands its frame are made once per map (:func:`frame_args`) and
kept across reruns and sessions (:func:`show`), and the frame is shown with them, so a
first visit or a rerun of a map already drawn pays nothing for it.

The arguments are those of the pinned streamlit-folium (see ``requirements.lock``) for a
plain ``folium.Map`` with no feature group or layer control;
``tests/app/test_folium_frame.py`` checks them against ``st_folium``'s own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

import folium
import streamlit as st
import streamlit_folium as stf


def frame_args(
    fmap: folium.Map, *, key: str, height: int, returned_objects: Iterable[str]
) -> dict[str, Any]:
    """The arguments ``st_folium`` passes its frame for ``fmap``, all but ``on_change``.

    As for ``st_folium(fmap, key=key, height=height, use_container_width=True,
    returned_objects=returned_objects)``.
    """
    fmap.get_root().render()
    fmap.render()
    html = stf._get_html(fmap)
    header = stf._get_header(fmap)
    script = stf._get_map_string(fmap)
    returned = list(returned_objects)
    (south, west), (north, east) = fmap.get_bounds()
    defaults = {
        "last_object_clicked_tooltip": None,
        "last_active_drawing": None,
        "bounds": {
            "_southWest": {"lat": south, "lng": west},
            "_northEast": {"lat": north, "lng": east},
        },
        "zoom": fmap.options.get("zoom"),
    }
    css_links: list[str] = []
    js_links: list[str] = []
    for element in _walk(fmap):
        css_links += [href for _, href in getattr(element, "default_css", [])]
        js_links += [src for _, src in getattr(element, "default_js", [])]
    return {
        "script": script,
        "header": header,
        "html": html,
        "id": stf.get_full_id(fmap),
        "key": stf.generate_js_hash(script, key, False),
        "height": height,
        "width": None,
        "returned_objects": returned,
        "default": {k: v for k, v in defaults.items() if k in returned},
        "zoom": None,
        "center": None,
        "feature_group": None,
        "return_on_hover": False,
        "layer_control": None,
        "pixelated": False,
        "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)),
        "wrap_longitude": False,
    }


def _walk(element: Any):
    """The map and every element below it, as ``st_folium`` walks them for their files."""
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


@st.cache_data(max_entries=64, show_spinner=False)
def _kept(cache_key: Hashable, _make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return _make()


def show(
    cache_key: Hashable,
    make_map: Callable[[], folium.Map],
    *,
    key: str,
    height: int,
    returned_objects: Iterable[str],
) -> Any:
    """Show the map ``make_map`` builds, made at most once per ``cache_key``; return its value.

    ``cache_key`` must name everything the map draws (atlas, boundaries, indicator,
    period, selected area, size). Returns what ``st_folium`` returns: the frame's last value.
    """
    returned = list(returned_objects)
    args = _kept(
        (cache_key, key, height, tuple(returned)),
        lambda: frame_args(make_map(), key=key, height=height, returned_objects=returned),
    )

    def changed() -> None:  # as st_folium: the frame's value also under the caller's key
        st.session_state[key] = st.session_state.get(args["key"], {})

    return stf._component_func(**args, on_change=changed)
