"""WCAG 2.2 AA on every page, checked by axe-core inside the real app in headless Chromium.

axe-core comes from the npm registry, pinned in tests/e2e/axe/package-lock.json; the
session installs it with ``npm ci`` when it is missing. axe is injected into the page and
into any frame a component makes, so one run covers both; the Leaflet maps are drawn in the
page itself.
Any serious or critical violation fails the test. Reports go to tests/output/axe/.

What axe cannot judge is checked here too: text Vega draws inside charts meets contrast;
every map has a name saying what it shows, and its figures in a table; every chart
has a text alternative.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from gapmap.first_paint import WAITING

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
AXE_DIR = HERE / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = HERE.parents[0] / "output" / "axe"
#: A map drawn in the page (gapmap/maps/mount.js): Leaflet's container carries its name.
MAP_REGION = ".mtg-map .leaflet-container[role=region]"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA (axe's best-practice rules are not requirements).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
HEADINGS = {
    "need": "Need against NHS Talking Therapies",
    "secondary-care": "Reliance on secondary mental-health care",
    "physical-health": "Physical health of people with mental illness",
    "inequalities": "Inequalities by deprivation",
    "neighbourhoods": "Neighbourhoods",
    "my-area": "My area",
    "methods": "Methods & data",
}
BLACK_COUNTRY = "?level=sub_icb&area=E38000259"
SANDWELL = "?level=ltla&area=E08000028"


def _open_tab(name: str) -> Callable:
    def action(page) -> None:
        page.get_by_role("tab", name=name).click()
        page.get_by_role("tabpanel", name=name).wait_for(timeout=10_000)

    return action


def _search(text: str) -> Callable:
    def action(page) -> None:
        box = page.get_by_role("textbox", name="Find your area")
        box.fill(text)
        box.press("Enter")
        settle(page)
        page.get_by_role("button", name=text).first.wait_for(timeout=30_000)

    return action


METHOD_TABS = ["Sources and licences", "Caveats", "Small numbers", "Glossary", "Reconciliation"]
#: (report name, page, query, optional action before the check).
STATES: list[tuple[str, str, str, Callable | None]] = [
    *[(path, path, "", None) for path in HEADINGS],
    ("need-black-country", "need", BLACK_COUNTRY, None),
    ("secondary-care-black-country", "secondary-care", BLACK_COUNTRY, None),
    ("physical-health-black-country", "physical-health", BLACK_COUNTRY, None),
    ("inequalities-sandwell", "inequalities", SANDWELL, None),
    ("my-area-sandwell", "my-area", SANDWELL, None),
    ("neighbourhoods-sandwell", "neighbourhoods", f"{SANDWELL}&lsoa=E01010085", None),
    ("my-area-search", "my-area", "", _search("Sandwell")),
    *[
        (f"methods-{tab.split()[0].lower()}", "methods", "", _open_tab(tab))
        for tab in [*METHOD_TABS, "Downloads"]
    ],
]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations', 'incomplete'],
    iframes: true,
    frameWaitTime: 20000,
  });
  return {violations: result.violations, incomplete: result.incomplete};
}"""

#: axe cannot see behind the text Vega draws in chart SVGs ("needs review"), so chart text
#: is checked here: its colour blended onto the white page, against WCAG AA (4.5:1, or
#: 3:1 for large text). Text Vega has hidden (opacity 0, overlapping labels) is skipped.
CHART_TEXT_CONTRAST = """() => {
  const channel = c => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) =>
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const low = [];
  const texts = document.querySelectorAll(
    '[data-testid="stVegaLiteChart"] svg text, .vega-embed svg text');
  for (const text of texts) {
    const words = text.textContent.trim();
    let alpha = 1;
    for (let el = text; el && el.tagName !== 'svg'; el = el.parentElement) {
      alpha *= Number(getComputedStyle(el).opacity);
    }
    const style = getComputedStyle(text);
    if (!words || alpha === 0 || style.visibility === 'hidden') continue;
    const parts = style.fill.match(/[\\d.]+/g);
    if (!parts) continue;
    alpha *= (parts[3] === undefined ? 1 : Number(parts[3])) * Number(style.fillOpacity);
    const rgb = parts.slice(0, 3).map(c => alpha * Number(c) + (1 - alpha) * 255);
    const ratio = 1.05 / (luminance(rgb) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      low.push(`${words.slice(0, 40)} (${style.fill}, ${ratio.toFixed(2)}:1)`);
    }
  }
  return low;
}"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js from the pinned npm package, installed with ``npm ci`` if it is missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(
                "axe-core is not installed and npm was not found: install Node.js and npm, "
                "then run `npm ci --prefix tests/e2e/axe`"
            )
        done = subprocess.run(
            [npm, "ci", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not AXE_JS.exists():
            pytest.fail(
                "`npm ci --prefix tests/e2e/axe` failed, so axe-core is missing:\n"
                + (done.stderr or done.stdout)[-2000:]
            )
    REPORTS.mkdir(parents=True, exist_ok=True)
    return AXE_JS.read_text(encoding="utf-8")


def settle(page) -> None:
    """Wait until Streamlit has finished running the script, and any part held back on a
    first visit (gapmap.first_paint) has been drawn."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "(waiting) => document.querySelector('[data-testid=\"stApp\"]')"
        "?.dataset.testScriptState === 'notRunning' && !document.body.innerText.includes(waiting)",
        arg=WAITING,
        timeout=60_000,
    )


def wait_for_maps(page) -> None:
    """Every map on the page has drawn its areas, so axe sees the finished legend."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.mtg-map')].every("
        "m => m.dataset.drawn && m.querySelector('.mtg-legend'))",
        timeout=30_000,
    )


def open_expanders(page) -> None:
    """Expand every collapsed expander, so the text inside is checked too."""
    closed = page.locator("details:not([open]) > summary")
    for _ in range(closed.count()):
        closed.first.click()
        page.wait_for_timeout(200)
    settle(page)


def show_everything(page) -> None:
    """Make the window as tall as the page, so nothing sits scrolled out of sight.

    Streamlit scrolls its main column inside the window, and axe leaves text it cannot see
    out of the contrast check; in one tall window every element is on screen.
    """
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent'].map(id => {
             const el = document.querySelector(`[data-testid="${id}"]`);
             return el ? el.scrollHeight : 0;
           }))"""
    )
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": min(max(height + 50, 1000), 16_000)})
    page.wait_for_timeout(500)
    settle(page)


def check(page, axe_source: str) -> dict:
    """axe in the page and in every frame, run once from the top so results are joined."""
    for frame in page.frames:
        if frame.is_detached() or frame.url in ("", "about:blank", "about:srcdoc"):
            continue
        frame.evaluate(axe_source)  # evaluate, not a <script> tag: no CSP or load races
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [" >> ".join(map(str, node["target"])) for node in v["nodes"][:4]]
        more = f" (+{len(v['nodes']) - 4} more)" if len(v["nodes"]) > 4 else ""
        lines.append(
            f"- {v['id']} [{v['impact']}] {v['help']}: {len(v['nodes'])} node(s){more}\n"
            + "\n".join(f"    {t}" for t in targets)
        )
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("name", "path", "query", "action"), STATES, ids=[state[0] for state in STATES]
)
def test_page_meets_wcag_aa(page, server, axe_source, name, path, query, action):
    url = f"{server}/{'' if path == 'need' else path}{query}"
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.get_by_role("heading", name=HEADINGS[path]).wait_for(timeout=60_000)
    settle(page)
    wait_for_maps(page)
    if action is not None:
        action(page)
        settle(page)
    open_expanders(page)
    show_everything(page)
    result = check(page, axe_source)
    violations = result["violations"]
    (REPORTS / f"{name}.json").write_text(
        json.dumps({"url": url, **result}, indent=2), encoding="utf-8"
    )
    page.screenshot(path=str(REPORTS / f"{name}.png"), full_page=True)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"{name}: serious or critical WCAG violations\n{describe(failing)}"
    low = page.evaluate(CHART_TEXT_CONTRAST)
    assert not low, f"{name}: chart text below WCAG AA contrast on white: {low[:8]}"
    maps = page.locator(".mtg-map")
    regions = page.locator(MAP_REGION)
    names = [regions.nth(i).get_attribute("aria-label") for i in range(regions.count())]
    assert len(names) == maps.count(), f"{name}: {maps.count()} maps, {len(names)} named"
    assert all(n and n.startswith("Map of ") for n in names), f"unnamed maps: {names}"
    tables = (  # every map has its figures in a table beside it or just below it
        page.get_by_text("The map as a table", exact=True).count()
        + page.get_by_text("This map as tables", exact=True).count()
        + page.get_by_role("heading", name="Table", exact=True).count()
    )
    assert tables >= len(names), f"{name}: {len(names)} maps but {tables} map tables"
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    described = [charts.nth(i).get_attribute("aria-label") for i in range(charts.count())]
    assert all(d and d.strip() for d in described), f"{name}: a chart without a text alternative"
