"""A tour of standard views: serve the app offline, screenshot each view, save the board pack.

Run ``python benchmarks/tour.py [--out docs/tour]`` after any change a person would see, then
look at every PNG (and the board-pack pages, rendered with ``pdftoppm -r 60 -png``). Outside
requests are blocked, as on an NHS network that blocks CDNs.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWS = {
    "need-england": "",
    "need-black-country": "?level=sub_icb&area=E38000259",
    "need-recorded-basis": "?level=sub_icb&area=E38000259&basis=recorded",
    "need-icb": "?level=icb&area=E54000062",
    "my-area-sandwell": "my-area?level=ltla&area=E08000028",
    "my-area-black-country": "my-area?level=sub_icb&area=E38000259",
    "my-area-england": "my-area",
    "secondary-care-black-country": "secondary-care?level=sub_icb&area=E38000259",
    "physical-health-black-country": "physical-health?level=sub_icb&area=E38000259",
    "inequalities-sandwell": "inequalities?level=ltla&area=E08000028",
    "methods": "methods",
}


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
    page.wait_for_selector("[data-testid=stApp]", timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=90_000
    )
    page.wait_for_timeout(6000)


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
                page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print(f"{name}: {out / (name + '.png')}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    """Parse arguments and run the tour."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "tour")
    parser.add_argument("--only", nargs="*", help="names of views to take (default: all)")
    parser.add_argument("--height", type=int, default=2000, help="window height in pixels")
    args = parser.parse_args()
    views = {k: v for k, v in VIEWS.items() if not args.only or k in args.only}
    tour(args.out, views, args.height)


if __name__ == "__main__":
    main()
