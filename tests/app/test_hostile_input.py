"""URL parameters are data, never file paths: a hostile link opens no file it names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = {
    "level": "../../../../etc/passwd",
    "indicator": "../geodata/atlas/values",
    "period": "/etc/shadow",
    "area": "..%2F..%2Fsecret.txt",
    "peers": "../../etc/group,E08000028",
}
MARKERS = ("passwd", "/etc/shadow", "/etc/group", "secret.txt")
_opened: list[str] = []
_recording = False


def _audit(event: str, args: tuple) -> None:
    if _recording and event == "open" and args and isinstance(args[0], str | bytes | Path):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; this one records only inside the test


@pytest.mark.parametrize(
    "page",
    [
        None,
        "app_pages/secondary_care.py",
        "app_pages/physical_health.py",
        "app_pages/inequalities.py",
        "app_pages/my_area.py",
        "app_pages/methods.py",
    ],
)
def test_a_hostile_link_opens_no_file_it_names(page):
    global _recording
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in HOSTILE.items():
        app.query_params[key] = value
    _opened.clear()
    _recording = True
    try:
        app.run()
        told = " ".join(m.value for m in app.info)
        if page:
            app.switch_page(str(ROOT / page))
            app.run()
    finally:
        _recording = False
    assert not app.exception, [e.value for e in app.exception]
    assert _opened, "the audit hook saw the app open its own files"
    named = [path for path in _opened if any(marker in path for marker in MARKERS)]
    assert not named, named
    assert "which the atlas does not have" in told, told  # said kindly, as text


def test_the_kind_message_stays_until_the_user_changes_the_selection():
    """The corrected link replaces the pasted one, so the next run resolves cleanly; the
    message about what was changed must not vanish with it (a browser's first visit runs
    the page twice), only when the user chooses something else."""
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.query_params["indicator"] = "<img src=x onerror=alert(1)>"
    app.run()
    first = [m.value for m in app.info]
    assert any("is not available" in m for m in first), first
    app.run()
    assert [m.value for m in app.info] == first
    app.selectbox(key="sidebar-level").set_value("icb").run()
    assert not any("is not available" in m.value for m in app.info)
