"""A tour of standard views: serve the app offline, screenshot each view, draw the board packs.

Run ``python benchmarks/tour.py [--out docs/tour]`` after any change a person would see, then
look at every PNG. Each page is taken for England, NHS Black Country (sub-ICB D2P2L) and
Sandwell council; the board packs of Black Country and Sandwell are drawn four pages to a
sheet (``pdftoppm -r 60``). Outside requests are blocked, as on an NHS network that blocks
CDNs. Screenshots are trimmed of the empty page below the content and kept small (half
size, 128 colours) so ``docs/tour/`` stays light in the repository.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from PIL import Image, ImageOps
from playwright.sync_api import sync_playwright

from methods.custom_area import decode, encode

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
BLACK_COUNTRY = "level=sub_icb&area=E38000259"
SANDWELL = "level=ltla&area=E08000028"
#: Your own area in the tour: Abbey ward (Sandwell) and the practices of Swb Newcomen PCN.
OWN_AREA = {
    "own": encode(
        [f"E010099{n}" for n in range(21, 29)],
        ["M87013", "M88003", "M88030", "M88600", "M88612", "M88643"],
    ),
    "own_name": "Abbey ward and Swb Newcomen PCN",
}
PAGES = ("need", "secondary-care", "physical-health", "inequalities", "my-area")
VIEWS = {
    f"{page}-{where}": f"{'' if page == 'need' else page}{query}"  # need is the root page
    for page in PAGES
    for where, query in (
        ("england", ""),
        ("black-country", f"?{BLACK_COUNTRY}"),
        ("sandwell", f"?{SANDWELL}"),
    )
} | {
    "need-recorded-basis": f"?{BLACK_COUNTRY}&basis=recorded",
    "methods": "methods",
    "neighbourhoods-england": "neighbourhoods",
    "neighbourhoods-sandwell": f"neighbourhoods?{SANDWELL}",
    "need-pcn": "?level=pcn&area=U11746",
    "my-area-pcn": "my-area?level=pcn&area=U11746",
    "own-area": f"own-area?{urlencode(OWN_AREA)}",
}
#: The board packs drawn: (file stem, level, indicator, period, area).
PACKS = (
    (
        "boardpack-black-country",
        "sub_icb",
        "tt_gap_ratio_modelled",
        "Jul 2022 - May 2023",
        "E38000259",
    ),
    ("boardpack-sandwell", "ltla", "depression_prevalence", "2024-25", "E08000028"),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py")]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start within 90 s")


def _block_outside(route) -> None:
    host = route.request.url.split("/")[2].split(":")[0]
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def _settle(page) -> None:
    """Wait until Streamlit has finished running the page, then for the maps to draw."""
    page.wait_for_selector("[data-testid=stApp]", timeout=60_000)
    page.wait_for_timeout(1000)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.dataset.testScriptState === 'notRunning'",
        timeout=180_000,
    )
    page.wait_for_timeout(5000)


def tour(out: Path, views: dict[str, str], height: int = 2000) -> None:
    """Screenshot each view into ``out``, ``height`` pixels tall.

    Streamlit scrolls inside its own container, so a full-page shot holds one window: a
    taller window shows what lies below the fold.
    """
    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = _serve(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": height})
            page.route("**/*", _block_outside)
            for name, path in views.items():
                page.goto(f"http://127.0.0.1:{port}/{path}")
                _settle(page)
                shot = out / f"{name}.png"
                page.screenshot(path=str(shot), full_page=True)
                _lighten(shot)
                print(f"{name}: {shot}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _lighten(shot: Path, scale: float = 0.5) -> None:
    """Trim the blank page below the content, halve the size, keep 128 colours."""
    image = Image.open(shot).convert("RGB")
    main = image.crop((image.width // 4, 0, image.width, image.height))  # right of the sidebar
    content = ImageOps.invert(main).getbbox()  # the box of everything that is not white
    if content:
        image = image.crop((0, 0, image.width, min(image.height, content[3] + 24)))
    image = image.resize((int(image.width * scale), int(image.height * scale)), Image.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(shot, optimize=True)


def board_packs(out: Path) -> None:
    """Each standard board pack, and your own area's, as PNG sheets of four pages."""
    from gapmap import custom_area
    from gapmap.atlas import Atlas
    from gapmap.boardpack import build
    from gapmap.boardpack import own_area as own_pack
    from gapmap.state import Selection

    atlas = Atlas.load()
    for stem, *selection in PACKS:
        _sheets(out, stem, build(atlas, Selection(*selection), generated=date.today()))
    lsoas, practices = decode(OWN_AREA["own"])
    area = custom_area.Members(lsoas, practices)
    pdf = own_pack.build(atlas, area, OWN_AREA["own_name"], generated=date.today())
    _sheets(out, "boardpack-own-area", pdf)


def _sheets(out: Path, stem: str, pdf_bytes: bytes) -> None:
    """A PDF as PNG sheets of four pages each (``pdftoppm -r 60``)."""
    pdf = out / f"{stem}.pdf"
    pdf.write_bytes(pdf_bytes)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), f"{tmp}/p"], check=True)
        pages = [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("p-*.png"))]
    pdf.unlink()
    width, height = pages[0].size
    for sheet_no, first in enumerate(range(0, len(pages), 4), start=1):
        sheet = Image.new("RGB", (width * 2, height * 2), "white")
        for i, page in enumerate(pages[first : first + 4]):
            sheet.paste(page, ((i % 2) * width, (i // 2) * height))
        target = out / f"{stem}-{sheet_no}.png"
        sheet.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        print(f"{stem} pages {first + 1}-{first + 4}: {target}")


def main() -> None:
    """Parse arguments and run the tour."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "tour")
    parser.add_argument(
        "--only", nargs="*", help="names of views to take, or 'boardpack' (default: all)"
    )
    parser.add_argument("--height", type=int, default=6000, help="window height in pixels")
    args = parser.parse_args()
    views = {k: v for k, v in VIEWS.items() if not args.only or k in args.only}
    if views:
        tour(args.out, views, args.height)
    if not args.only or "boardpack" in args.only:
        board_packs(args.out)


if __name__ == "__main__":
    main()
