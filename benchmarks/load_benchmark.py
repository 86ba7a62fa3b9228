"""Many people at once: concurrent browser sessions against one app server on 127.0.0.1.

Each session opens the app, then several times changes the indicator (sidebar) and the area
(a click on the map), waiting each time until the map has drawn again. The script prints, for
one session alone (the baseline) and for N concurrent sessions side by side:

- errors: exceptions shown by the app, page errors and timed-out steps (target 0);
- p50 / p95 time from an action (or the first navigation) to the first drawn area;
- the server's peak resident memory.

Bounded: ``--sessions`` (default 20, arriving ``--ramp`` 1 s apart), ``--steps`` per session
(default 3) and a per-step time limit (``--step-timeout``, 90 s). Only 127.0.0.1 is reachable
from the browser. The browsers share the machine with the server, so on a small machine the
figures include their rendering time as well as the server's.

Usage: ``python benchmarks/load_benchmark.py [--sessions 20] [--steps 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The page's first map once Leaflet has drawn it (gapmap/maps/mount.js).
MAP = ".mtg-map[data-drawn]"
COUNT = """(host) => { const map = host.leafletMap; if (!map) return 0; let n = 0;
  map.eachLayer(l => { if (l.feature && l._parts && l._parts.length) n++; }); return n; }"""
CENTRES = """(host) => { const out = []; const map = host.leafletMap; map.eachLayer(l => {
  if (l.feature && l.feature.properties.area_code && l.getCenter) {
    const p = map.latLngToContainerPoint(l.getCenter());
    out.push([l.feature.properties.area_code, p.x, p.y]); } }); return out; }"""
IDLE = (
    "() => document.querySelector('[data-testid=\"stApp\"]')"
    "?.dataset.testScriptState === 'notRunning'"
)


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc (Linux)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """`streamlit run dashboard.py` with a thread sampling its memory."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("the app server did not start")

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.proc.pid))
            time.sleep(0.2)

    def reset_peak(self) -> None:
        self.peak = rss_mb(self.proc.pid)

    def close(self) -> None:
        self._stop.set()
        self.proc.terminate()
        self.proc.wait(timeout=15)


async def drawn(page, timeout_ms: float) -> None:
    """Wait until the app is idle and its map has drawn at least one area."""
    await page.wait_for_function(IDLE, timeout=timeout_ms)
    host = await page.wait_for_selector(MAP, timeout=timeout_ms)
    await page.wait_for_function(f"(host) => ({COUNT})(host) > 0", arg=host, timeout=timeout_ms)


async def session(
    browser, url: str, n: int, steps: int, timeout_s: float, ramp: float = 0.0
) -> Result:
    """One person: open the app, then alternate indicator changes and map clicks."""
    result = Result()
    await asyncio.sleep(n * ramp)  # people arrive a moment apart, then all stay on
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})

    async def guard(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", guard)
    page = await context.new_page()
    page.on("pageerror", lambda exc: result.errors.append(f"page error: {exc}"))
    limit = timeout_s * 1000

    async def step(label: str, action, changes: str | None = None) -> None:
        before = page.url
        start = time.perf_counter()
        try:
            await action()
            if changes:  # the app mirrors every change in the address bar
                await page.wait_for_function(
                    "([key, old]) => new URL(location.href).searchParams.get(key) !== "
                    "new URL(old).searchParams.get(key)",
                    arg=[changes, before],
                    timeout=limit,
                )
            await page.wait_for_timeout(200)  # let the rerun start
            await drawn(page, limit)
            result.times.append(time.perf_counter() - start)
            if await page.locator('[data-testid="stException"]').count():
                result.errors.append(f"session {n}: exception shown after {label}")
        except Exception as exc:  # noqa: BLE001 - counted, reported
            result.errors.append(f"session {n}: {label}: {type(exc).__name__}")

    await step("open", lambda: page.goto(f"{url}/?level=sub_icb", wait_until="commit"))
    for i in range(steps):

        async def change_indicator(i: int = i) -> None:
            box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').nth(1)
            current = await box.inner_text()
            await box.click()
            options = page.get_by_role("option")
            await options.first.wait_for(timeout=limit)
            names = await options.all_inner_texts()
            others = [k for k, name in enumerate(names) if name.strip() not in current]
            await options.nth(others[(n * 5 + i * 3) % len(others)]).click()

        async def click_area(i: int = i) -> None:
            host = await page.wait_for_selector(MAP, timeout=limit)  # a redraw replaces it
            await page.wait_for_function(f"(host) => ({COUNT})(host) > 0", arg=host, timeout=limit)
            centres = await host.evaluate(CENTRES)
            box = await host.bounding_box()
            before = page.url
            for attempt in range(3):  # an odd-shaped area's centre can fall in its neighbour
                _code, x, y = centres[(n * 7 + i * 13 + attempt * 5) % len(centres)]
                await page.mouse.click(box["x"] + x, box["y"] + y)
                try:
                    await page.wait_for_function(
                        "(old) => location.href !== old", arg=before, timeout=15_000
                    )
                    return
                except Exception:  # noqa: BLE001 - a miss: click another area, as a person would
                    continue

        await step(f"indicator {i + 1}", change_indicator, changes="indicator")
        await step(f"area {i + 1}", click_area, changes="area")
    await context.close()
    return result


async def run(url: str, sessions: int, steps: int, timeout_s: float, ramp: float = 0.0) -> Result:
    from playwright.async_api import async_playwright

    async with async_playwright() as play:
        browser = await play.chromium.launch(
            executable_path=os.environ.get("MTG_CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        results = await asyncio.gather(
            *(session(browser, url, n, steps, timeout_s, ramp) for n in range(sessions))
        )
        await browser.close()
    merged = Result()
    for one in results:
        merged.times += one.times
        merged.errors += one.errors
    return merged


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--step-timeout", type=float, default=90.0)
    parser.add_argument("--ramp", type=float, default=1.0, help="seconds between arrivals")
    args = parser.parse_args()
    server = Server()
    rows = []
    try:
        asyncio.run(run(server.url, 1, 1, args.step_timeout))  # warm the caches once
        for label, count in (("baseline (1 session)", 1), (f"{args.sessions} sessions", None)):
            server.reset_peak()
            cpu = cpu_seconds(server.proc.pid)
            start = time.perf_counter()
            sessions = count or args.sessions
            result = asyncio.run(
                run(server.url, sessions, args.steps, args.step_timeout, args.ramp)
            )
            wall = time.perf_counter() - start
            busy = cpu_seconds(server.proc.pid) - cpu
            rows.append((label, sessions, result, wall, server.peak, busy))
    finally:
        server.close()
    print(
        f"{'run':<22}{'steps':>7}{'errors':>8}{'p50 s':>8}{'p95 s':>8}{'wall s':>9}"
        f"{'RSS MB':>9}{'server CPU s':>14}"
    )
    for label, _sessions, result, wall, peak, busy in rows:
        print(
            f"{label:<22}{len(result.times):>7}{len(result.errors):>8}"
            f"{pct(result.times, 50):>8.2f}{pct(result.times, 95):>8.2f}{wall:>9.1f}{peak:>9.0f}"
            f"{busy:>14.1f}"
        )
    print(f"machine: {os.cpu_count()} cores shared by the server and every browser session")
    base, load = rows[0][2], rows[1][2]
    print(
        f"\nslow-down under load: p50 ×{pct(load.times, 50) / pct(base.times, 50):.1f}, "
        f"p95 ×{pct(load.times, 95) / pct(base.times, 95):.1f}; target: 0 errors"
    )
    for error in (base.errors + load.errors)[:20]:
        print("  ", error)


if __name__ == "__main__":
    main()
