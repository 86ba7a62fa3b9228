"""Need vs provision shows Talking Therapies month by month for NHS Black Country ICB."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import run

pytestmark = pytest.mark.usefixtures("fresh_caches")

PAGE = "app_pages/need_vs_provision.py"
BLACK_COUNTRY = {"level": "icb", "area": "E54000062"}
HEADING = "Talking Therapies month by month"


def _sentences(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith("In March 2026")]


def test_black_country_icb_gets_its_line_beside_englands():
    app = run(PAGE, BLACK_COUNTRY)
    assert HEADING in [s.value for s in app.subheader]
    picker = next(box for box in app.selectbox if box.label == "Measure")
    assert picker.value == "tt_monthly_referrals" and len(picker.options) == 6
    (sentence,) = _sentences(app)
    assert sentence.startswith("In March 2026, 163,100 referrals were received in England, and ")
    assert "NHS Black Country Integrated Care Board" in sentence
    captions = [c.value for c in app.caption]
    assert any(c.startswith("**The ICB line is an approximation.**") for c in captions)
    assert any("NHS Black Country Integrated Care Board (approximate" in c for c in captions)


def test_the_measure_picker_redraws_the_chart():
    app = run(PAGE, BLACK_COUNTRY)
    picker = next(box for box in app.selectbox if box.label == "Measure")
    picker.select("tt_monthly_recovery").run()
    assert not app.exception
    (sentence,) = _sentences(app)
    assert "of referrals finishing a course at caseness moved to recovery in England" in sentence
