"""Leaflet served by the app itself, so maps work where CDNs are blocked (as on NHS networks).

The Leaflet files come from the ``xstatic-leaflet`` package and are copied into the app's
``static/`` folder, which Streamlit serves at ``/app/static/`` when
``server.enableStaticServing`` is true. Maps then reference only those local URLs.
"""

from __future__ import annotations

from pathlib import Path

from xstatic.pkg import leaflet as xstatic_leaflet

#: Files copied from the xstatic package, relative to its BASE_DIR.
LEAFLET_FILES: tuple[str, ...] = (
    "leaflet.js",
    "leaflet.js.map",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)
LEAFLET_VERSION: str = xstatic_leaflet.VERSION
#: Where Streamlit serves ``<app root>/static/`` when static serving is on.
STATIC_ROUTE = "/app/static"


def leaflet_source_dir() -> Path:
    """The installed xstatic-leaflet data folder."""
    return Path(xstatic_leaflet.BASE_DIR)


def ensure_static_leaflet(static_dir: Path) -> None:
    """Copy Leaflet's JS, CSS and images into ``static_dir/leaflet/`` where missing or stale.

    Idempotent and cheap on every app start: a file is rewritten only when its bytes differ
    from the packaged ones, so a read-only deployment that was populated at build time is
    never touched.
    """
    source = leaflet_source_dir()
    target = Path(static_dir) / "leaflet"
    for name in LEAFLET_FILES:
        data = (source / name).read_bytes()
        dest = target / name
        if dest.is_file() and dest.read_bytes() == data:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(dest)


def leaflet_urls(base_url_path: str = "") -> tuple[list[str], list[str]]:
    """Absolute URL paths of the local Leaflet JS and CSS, as (js, css).

    Parameters
    ----------
    base_url_path
        Streamlit's ``server.baseUrlPath`` when the app is served below a prefix.
    """
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    root = f"{prefix}{STATIC_ROUTE}/leaflet"
    return [f"{root}/leaflet.js"], [f"{root}/leaflet.css"]
