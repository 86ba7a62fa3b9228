"""A folium map as the parts the page's own map component draws (see ``mount.js``).

folium writes a map as a whole HTML document: Leaflet's files, page-wide styles, the map's
container and its script. Drawn in the app's page rather than in a frame of its own, only
the map's parts may go in: the styles that name the map or its controls (never folium's
``html, body`` and ``#map`` rules, which would restyle the whole app), the container, the
script and the Leaflet files the map lists (the app's own copies, see ``gapmap.assets``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import folium

#: The component's script, kept as a file of its own.
MOUNT_JS = (Path(__file__).with_name("mount.js")).read_text(encoding="utf-8")
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
#: folium's rules for a map that fills a page of its own: wrong inside the app's page.
_PAGE_WIDE = re.compile(r"^\s*(html\s*,\s*body|#map)\s*\{")


def mount_parts(fmap: folium.Map, *, height: int, clickable: bool = True) -> dict[str, Any]:
    """What the map component needs to draw ``fmap``, ``height`` pixels tall.

    With ``clickable``, a click on an area is sent back to Python.

    ``token`` changes whenever anything drawn changes, so the page redraws a map only then.
    """
    root = fmap.get_root()
    root.render()
    styles = [s for s in _STYLE.findall(root.header.render()) if not _PAGE_WIDE.match(s)]
    css: list[str] = []
    js: list[str] = []
    for element in _walk(fmap):
        css += [href for _, href in getattr(element, "default_css", [])]
        js += [src for _, src in getattr(element, "default_js", [])]
    parts: dict[str, Any] = {
        "styles": "".join(f"<style>{s}</style>" for s in styles),
        "html": root.html.render(),
        "script": root.script.render(),
        "name": fmap.get_name(),
        "css": list(dict.fromkeys(css)),
        "js": list(dict.fromkeys(js)),
        "height": height,
        "clickable": clickable,
    }
    digest = hashlib.sha256(repr(sorted(parts.items())).encode("utf-8")).hexdigest()
    return {**parts, "token": digest[:16]}


def _walk(element: Any):
    """The map and every element below it that lists files of its own."""
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)
