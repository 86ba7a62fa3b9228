"""Every map against a tutorial's: time to first drawn area, bytes per page load, memory.

Serves the app (``streamlit run dashboard.py``), the tutorial page kept beside this file
(``tutorial_folium_app.py``: 296 local authorities on folium, as a tutorial draws them) and
the floors (``floor_component_app.py``: one components-v2 element and no map, as soon as any
map in such an element could appear; ``floor_webgl_app.py``: one area drawn by the
Neighbourhoods page's WebGL engine, as soon as any map of that engine could), and in
headless Chromium with every request beyond
127.0.0.1 blocked measures, runs interleaved in one sitting:

- the time from navigation to the first drawn area (a Leaflet path with parts, as the
  browser tests count them, in the app's page or in the tutorial's streamlit-folium
  frame; on the Neighbourhoods page, the WebGL draw call that fills all England's
  neighbourhoods, checked afterwards by the canvas holding coloured pixels), median of
  ``--runs`` first visits (a fresh browser context each: nothing cached), and its ratio
  to the tutorial's (the floor's: when its element mounted); every page is polled in the
  page itself every 50 ms;
- the bytes a page load transfers: HTTP response bodies plus the websocket frames the
  server sends (where Streamlit puts the map itself);
- each server's resident memory (RSS, with its children) before and with ``--sessions``
  sessions of each page open at once: in all, divided by the sessions, and added per
  session (the atlas and libraries are loaded once and shared by every session).

Targets (issue 14): main page ≤ 0.7× the tutorial, Neighbourhoods ≤ 1.0×, ≤ 300 MB per
session. On a shared machine the figures move; the ratios, measured side by side, less so.

Usage: ``python benchmarks/map_speed.py [--runs 5] [--sessions 5] [--root DIR]``
(``--root``: serve another checkout's app, e.g. one with the Neighbourhoods page).
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from load_benchmark import rss_mb  # the same reading of /proc as the load benchmark

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHROMIUM = "/usr/bin/chromium"
#: The tutorial's map: streamlit-folium's frame, whose page names its Leaflet map ``map``.
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
WEBGL = "canvas.maplibregl-canvas"
#: Leaflet paths drawn with parts: in a frame, on ``window.map``; ...
COUNT = """() => { if (!window.map) return 0; let n = 0; window.map.eachLayer(l => {
  if (l.feature && l._parts && l._parts.length) n++; }); return n; }"""
#: ... in the app's page, on each map's host element (gapmap/maps/mount.js).
IN_PAGE = """() => [...document.querySelectorAll('.mtg-map')].some(host => {
  let n = 0; if (host.leafletMap) host.leafletMap.eachLayer(l => {
    if (l.feature && l._parts && l._parts.length) n++; }); return n > 0; })"""
#: The app is idle, with nothing held back for after the map (see gapmap.first_paint).
IDLE = (
    "() => document.querySelector('[data-testid=\"stApp\"]')"
    "?.dataset.testScriptState === 'notRunning'"
    "&& !document.body.innerText.includes('The charts below the map are on their way')"
)
#: Coloured pixels that make a WebGL canvas a drawn map, not an empty frame.
DRAWN_PIXELS = 20_000
#: Indices of a draw call that fills every neighbourhood: at least one triangle each.
ALL_AREAS_INDICES = 3 * 33_755
#: Indices of the fill of the WebGL floor's one area (``floor_webgl_app.py``: 64 corners).
ONE_AREA_INDICES = 3 * (64 - 2)
#: Notes in the page when WebGL is asked to draw that many triangles at once. The poll reads
#: the note when the page next has its thread, which is when the drawing can show (headless
#: Chromium draws WebGL in software: about 0.5 s for England's neighbourhoods, after the call).
GL_DRAW = """(least) => {
  for (const gl of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype]) {
    for (const name of ["drawElements", "drawArrays"]) {
      const draw = gl[name];
      gl[name] = function (...args) {
        if (args[name === "drawArrays" ? 2 : 1] >= least) window.mtgAreasDrawn = true;
        return draw.apply(this, args);
      };
    }
  }
}"""
TIMEOUT_MS = 120_000
#: The app's other pages whose map opens them (Inequalities draws its charts first).
OTHER_MAPS = (
    ("Secondary care", "secondary-care"),
    ("Physical health", "physical-health"),
    ("My area, Black Country", "my-area?level=sub_icb&area=E38000259"),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """``streamlit run SCRIPT`` on a free loopback port, from ``root`` (its config applies)."""

    def __init__(self, script: Path, root: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        command = [sys.executable, "-m", "streamlit", "run", str(script)]
        command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
        command += ["--server.port", str(self.port), "--server.fileWatcherType", "none"]
        command += ["--server.enableStaticServing", "true"]
        self.proc = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        self.close()
        raise SystemExit(f"{script.name} did not start within 90 s")

    def rss(self) -> float:
        return rss_mb(self.proc.pid)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Load:
    """One page load: seconds to the first drawn area, or bytes received (``None``: timed,
    not counted, since counting through the DevTools protocol slows the page it counts)."""

    seconds: float
    bytes: int | None = None


@dataclass
class Target:
    """A page to time: its URL and how to tell that its first area is drawn."""

    name: str
    url: str
    #: how the page draws its map: "page" (the app's areas), "frame" (streamlit-folium's
    #: frame, as the tutorial), "webgl" (a deck.gl canvas) or "mounted" (no map: the floor)
    draws: str = "page"
    #: a "webgl" page's map is drawn at its first draw call of this many indices or more
    least: int = 0
    loads: list[Load] = field(default_factory=list)
    #: bytes a whole page load receives (one counted load)
    counted: int = 0


def _guard(route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
        route.continue_()
    else:
        route.abort()


def _wait_frame(page) -> None:
    frame = page.wait_for_selector(MAP_FRAME, timeout=TIMEOUT_MS).content_frame()
    frame.wait_for_function(f"() => ({COUNT})() > 0", timeout=TIMEOUT_MS, polling=50)


def _wait_page(page) -> None:
    page.wait_for_function(IN_PAGE, timeout=TIMEOUT_MS, polling=50)


def _coloured(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(n for n, rgb in image.getcolors(1 << 24) if rgb != (255, 255, 255))


def _wait_webgl(page) -> None:
    page.wait_for_function("() => window.mtgAreasDrawn === true", timeout=TIMEOUT_MS, polling=50)


def _check_webgl(page) -> None:
    """That the canvas timed by :func:`_wait_webgl` now shows a map (coloured pixels)."""
    canvas = page.locator(WEBGL)
    canvas.wait_for(timeout=TIMEOUT_MS)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        box = canvas.bounding_box()
        if box and _coloured(page.screenshot(clip=box)) > DRAWN_PIXELS:
            return
        page.wait_for_timeout(100)
    raise TimeoutError("the WebGL map never drew")


def _wait_mounted(page) -> None:
    page.wait_for_function("() => window.mtgMounted !== undefined", timeout=TIMEOUT_MS, polling=50)


WAIT = {"page": _wait_page, "frame": _wait_frame, "webgl": _wait_webgl, "mounted": _wait_mounted}


def _count_bytes(page) -> list[int]:
    """Bytes the page receives, as Chromium counts them: every HTTP response as sent (its
    frames' too) and every websocket frame, where Streamlit sends the page's elements."""
    received = [0]
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")

    def add(n: float) -> None:
        received[0] += int(n)

    cdp.on("Network.loadingFinished", lambda e: add(e.get("encodedDataLength", 0)))
    cdp.on(
        "Network.webSocketFrameReceived",
        lambda e: add(
            len(e["response"]["payloadData"]) * (3 / 4 if e["response"]["opcode"] == 2 else 1)
        ),
    )
    return received


def _context(browser, least: int = ALL_AREAS_INDICES):
    """A fresh browser context: nothing cached, nothing beyond 127.0.0.1, and a WebGL draw
    call of at least ``least`` indices noted."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", _guard)
    context.add_init_script(f"({GL_DRAW})({least or ALL_AREAS_INDICES})")
    return context


def load_once(browser, target: Target, *, count: bool = False) -> Load:
    """A first visit in a fresh context: time to first drawn area, or with ``count`` the
    bytes of the whole load once idle (DevTools copies every websocket frame to this
    process as it arrives, which slowed the pages it counted by about 0.1 s: so a counted
    load is not timed)."""
    context = _context(browser, target.least)
    page = context.new_page()
    received = _count_bytes(page) if count else None
    start = time.perf_counter()
    page.goto(target.url, wait_until="commit")
    WAIT[target.draws](page)
    seconds = time.perf_counter() - start
    if target.draws == "webgl":
        _check_webgl(page)
    page.wait_for_timeout(300)
    page.wait_for_function(IDLE, timeout=TIMEOUT_MS)  # the whole page, charts and all
    page.wait_for_timeout(1500)  # late frames and assets of the same load
    context.close()
    return Load(seconds, received[0] if received else None)


def memory(browser, server: Served, target: Target, sessions: int) -> tuple[float, float]:
    """A server's RSS (MB) before, then with ``sessions`` sessions of ``target`` open at once."""
    before = server.rss()
    contexts = []
    for _ in range(sessions):
        context = _context(browser, target.least)
        page = context.new_page()
        page.goto(target.url, wait_until="commit")
        WAIT[target.draws](page)
        page.wait_for_function(IDLE, timeout=TIMEOUT_MS)
        contexts.append(context)
    time.sleep(2)
    after = server.rss()
    for context in contexts:
        context.close()
    return before, after


def neighbourhoods_page(browser, app: Served) -> bool:
    """Whether the served app has a Neighbourhoods page (its title appears on the page)."""
    context = browser.new_context()
    context.route("**/*", _guard)
    page = context.new_page()
    page.goto(f"{app.url}/neighbourhoods", wait_until="commit")
    try:
        page.wait_for_function(IDLE, timeout=TIMEOUT_MS)
        found = page.get_by_role("heading", name="Neighbourhoods", exact=True).count() > 0
    finally:
        context.close()
    return found


def report(targets: list[Target], base: Target) -> None:
    med = {t.name: statistics.median(x.seconds for x in t.loads) for t in targets}
    runs = {t.name: " ".join(f"{x.seconds:.2f}" for x in t.loads) for t in targets}
    wide = max(len(r) for r in runs.values()) + 2
    print(f"\n{'page':<26}{'median s':>9}{'runs s':>{wide}}{'× tutorial':>11}{'kB/load':>9}")
    for t in targets:
        ratio = med[t.name] / med[base.name]
        print(
            f"{t.name:<26}{med[t.name]:>9.2f}{runs[t.name]:>{wide}}{ratio:>10.2f}×"
            f"{t.counted / 1000:>9.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app to serve")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    root = args.root.resolve()
    app = Served(root / "dashboard.py", root)
    tutorial = Served(HERE / "tutorial_folium_app.py", ROOT)
    floor = Served(HERE / "floor_component_app.py", ROOT)
    webgl_floor = Served(HERE / "floor_webgl_app.py", ROOT)
    try:
        with sync_playwright() as play:
            browser = play.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            base = Target("tutorial (296 LAs)", tutorial.url, draws="frame")
            lowest = Target("floor: one empty element", floor.url, draws="mounted")
            one_area = Target("floor: WebGL, one area", webgl_floor.url, "webgl", ONE_AREA_INDICES)
            targets = [Target("Need vs provision", f"{app.url}/"), base, lowest, one_area]
            targets += [Target(name, f"{app.url}/{path}") for name, path in OTHER_MAPS]
            if neighbourhoods_page(browser, app):
                targets.append(Target("Neighbourhoods", f"{app.url}/neighbourhoods", draws="webgl"))
            else:
                print("no Neighbourhoods page on this app: skipped")
            for target in targets:  # warm each server's caches, as after any first visitor
                target.counted = load_once(browser, target, count=True).bytes or 0
            for run in range(args.runs):
                for target in targets:
                    target.loads.append(load_once(browser, target))
                print(
                    f"run {run + 1}: "
                    + ", ".join(f"{t.name} {t.loads[-1].seconds:.2f} s" for t in targets)
                )
            servers = {base.name: tutorial, lowest.name: floor, one_area.name: webgl_floor}
            rss = {
                t.name: memory(browser, servers.get(t.name, app), t, args.sessions) for t in targets
            }
            browser.close()
    finally:
        app.close()
        tutorial.close()
        floor.close()
        webgl_floor.close()
    report(targets, base)
    n = args.sessions
    print(f"\nserver RSS (MB), {n} sessions of each page open at once, page after page:")
    print(f"{'page':<26}{'before':>9}{'after':>9}{f'after / {n}':>11}{'added/session':>15}")
    for name, (b, a) in rss.items():
        print(f"{name:<26}{b:>9.0f}{a:>9.0f}{a / n:>11.0f}{(a - b) / n:>15.1f}")
    print("\ntargets: main page ≤ 0.7× tutorial, Neighbourhoods ≤ 1.0×, RSS ≤ 300 MB per session")


if __name__ == "__main__":
    main()
