from __future__ import annotations

import os
from pathlib import Path

from xstatic.pkg import leaflet as xstatic_leaflet

from gapmap.assets import LEAFLET_FILES, ensure_static_leaflet, leaflet_urls

SOURCE = Path(xstatic_leaflet.BASE_DIR)


def test_copies_leaflet_byte_for_byte(tmp_path: Path) -> None:
    ensure_static_leaflet(tmp_path)
    for name in ("leaflet.js", "leaflet.css", "images/layers.png", "images/marker-icon.png"):
        assert name in LEAFLET_FILES
        copied = tmp_path / "leaflet" / name
        assert copied.read_bytes() == (SOURCE / name).read_bytes(), name
    assert not list((tmp_path / "leaflet").rglob("*.tmp"))


def test_leaflet_css_finds_its_images_beside_it(tmp_path: Path) -> None:
    ensure_static_leaflet(tmp_path)
    css = (tmp_path / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    assert "url(images/layers.png)" in css
    assert (tmp_path / "leaflet" / "images" / "layers.png").is_file()


def test_idempotent_and_repairs_stale_files(tmp_path: Path) -> None:
    ensure_static_leaflet(tmp_path)
    js = tmp_path / "leaflet" / "leaflet.js"
    css = tmp_path / "leaflet" / "leaflet.css"
    old = 1_000_000_000
    os.utime(js, (old, old))
    css.write_text("/* stale */", encoding="utf-8")
    ensure_static_leaflet(tmp_path)
    assert js.stat().st_mtime == old  # unchanged file left alone
    assert css.read_bytes() == (SOURCE / "leaflet.css").read_bytes()  # stale one replaced


def test_recreates_deleted_files(tmp_path: Path) -> None:
    ensure_static_leaflet(tmp_path)
    (tmp_path / "leaflet" / "images" / "layers-2x.png").unlink()
    ensure_static_leaflet(tmp_path)
    assert (tmp_path / "leaflet" / "images" / "layers-2x.png").is_file()


def test_urls_are_local_absolute_paths() -> None:
    js, css = leaflet_urls()
    assert js == ["/app/static/leaflet/leaflet.js"]
    assert css == ["/app/static/leaflet/leaflet.css"]
    for url in js + css:
        assert "://" not in url


def test_urls_follow_a_base_url_path() -> None:
    js, css = leaflet_urls("/gap/")
    assert js == ["/gap/app/static/leaflet/leaflet.js"]
    assert css == ["/gap/app/static/leaflet/leaflet.css"]
    assert leaflet_urls("/") == leaflet_urls()


def test_every_url_names_a_copied_file(tmp_path: Path) -> None:
    ensure_static_leaflet(tmp_path)
    js, css = leaflet_urls()
    for url in js + css:
        relative = url.removeprefix("/app/static/")
        assert (tmp_path / relative).is_file(), url
