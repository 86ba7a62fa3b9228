"""Map pages: HTML bytes, server build time, rerun time and browser time to first drawn area.

For each map level it prints, side by side with a baseline built the naive way (folium's
own GeoJson over the unsimplified published boundaries):

- the map HTML the browser receives (target ≤ 0.6 MB for national maps);
- the server time to build the page's map and table (cold, then a rerun after changing
  indicator; target ≤ 0.3 s);
- in headless Chromium against a real server on 127.0.0.1, the time from navigation to the
  first drawn area (target ≤ 2 s).

Usage: ``python benchmarks/page_benchmark.py [--raw DIR] [--no-browser]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from map_speed import IN_PAGE  # noqa: E402  (how a drawn area is told, in one place)

from gapmap import maps  # noqa: E402
from gapmap.atlas import Atlas  # noqa: E402

LEVELS = {
    "region": ("boundaries/NHS_England_Regions_January_2024_EN_BSC.geojson", "NHSER24CD"),
    "icb": ("boundaries/Integrated_Care_Boards_April_2023_EN_BSC.geojson", "ICB23CD"),
    "sub_icb": ("boundaries/NHS_SubICB_April_2023_EN_BSC.geojson", "SICBL23CD"),
    "ccg": ("boundaries/ccg_apr2020_en_buc.geojson", "ccg20cd"),
    "utla": (
        "boundaries/Counties_and_Unitary_Authorities_December_2023_Boundaries_UK_BSC.geojson",
        "CTYUA23CD",
    ),
    "ltla": (
        "boundaries/Local_Authority_Districts_May_2024_Boundaries__UK_BSC.geojson",
        "LAD24CD",
    ),
}


def selection(atlas: Atlas, level: str) -> tuple[str, str]:
    indicator = "tt_gap_ratio" if "tt_gap_ratio" in atlas.indicator_ids(level) else "imd_score"
    return indicator, atlas.periods(indicator, level)[-1]


def build_map(atlas: Atlas, level: str, indicator: str, period: str):
    vintage = atlas.vintage(indicator, level, period)
    table = atlas.table(indicator, level, period)
    meta = atlas.indicator(indicator)
    england = atlas.england(indicator, period)
    return maps.choropleth(
        atlas.boundaries(vintage),
        table,
        meta,
        england_value=None if england is None else england["value"],
    )


def cold_build(level: str, indicator: str, period: str):
    """A first page view: the atlas read from disk, then the map built."""
    return build_map(Atlas.load(), level, indicator, period)


def timed(func, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def baseline_bytes(raw: Path, level: str) -> tuple[int, float] | None:
    """A naive map: folium.GeoJson over the published (unsimplified) boundaries."""
    import folium

    path, _code = LEVELS[level]
    if not (raw / path).is_file():
        return None
    start = time.perf_counter()
    fmap = folium.Map(location=[53, -1.5], zoom_start=6)
    folium.GeoJson(str(raw / path)).add_to(fmap)
    html = fmap.get_root().render()
    return len(html.encode()), time.perf_counter() - start


def _loopback_only(route) -> None:
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def browser_times(levels: list[str]) -> dict[tuple[str, str], float]:
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    port = "8599"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            port,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    times = {}
    try:
        time.sleep(4)
        with sync_playwright() as play:
            chrome = play.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            # warm the server's caches once, as after any first visitor
            warm = chrome.new_page()
            warm.goto(f"http://127.0.0.1:{port}/")
            warm.wait_for_function(IN_PAGE, timeout=60_000)
            warm.close()
            returning = chrome.new_context()  # keeps the browser cache between levels
            for level in levels:
                for label, context in (("new", chrome.new_context()), ("returning", returning)):
                    tab = context.new_page()
                    tab.route("**/*", _loopback_only)
                    start = time.perf_counter()
                    tab.goto(f"http://127.0.0.1:{port}/?level={level}")
                    tab.wait_for_function(IN_PAGE, timeout=60_000, polling=50)
                    times[(level, label)] = time.perf_counter() - start
                    tab.close()
            chrome.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--raw", default=os.environ.get("MTG_RAW_DIR", str(ROOT.parent / "shared/data/raw"))
    )
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    atlas = Atlas.load()
    browser = {} if args.no_browser else browser_times(list(LEVELS))
    header = (
        f"{'level':<9}{'map kB':>8}{'base kB':>9}{'ratio':>7}{'build s':>9}{'base s':>8}"
        f"{'rerun s':>9}{'first visit s':>15}{'returning s':>13}"
    )
    print(header)
    for level in LEVELS:
        indicator, period = selection(atlas, level)
        size = maps.map_html_bytes(build_map(atlas, level, indicator, period))
        cold = timed(partial(cold_build, level, indicator, period), repeat=3)
        other = "imd_score" if indicator != "imd_score" else "depression_prevalence"
        other = other if other in atlas.indicator_ids(level) else indicator
        other_period = atlas.period_on(other, level, atlas.vintage(indicator, level, period))
        rerun = timed(partial(build_map, atlas, level, other, other_period or period))
        base = baseline_bytes(Path(args.raw), level)
        base_kb = f"{base[0] / 1000:>9.0f}" if base else f"{'-':>9}"
        ratio = f"{base[0] / size:>6.1f}x" if base else f"{'-':>7}"
        base_s = f"{base[1]:>8.2f}" if base else f"{'-':>8}"
        first = browser.get((level, "new"))
        again = browser.get((level, "returning"))
        shown = f"{first:>15.2f}{again:>13.2f}" if first else f"{'-':>15}{'-':>13}"
        print(
            f"{level:<9}{size / 1000:>8.0f}{base_kb}{ratio}{cold:>9.2f}{base_s}{rerun:>9.3f}{shown}"
        )
    print("\ntargets: map ≤ 600 kB, rerun ≤ 0.3 s server time, first drawn area ≤ 2 s")


if __name__ == "__main__":
    main()
