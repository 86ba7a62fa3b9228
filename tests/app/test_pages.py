"""Every page through Streamlit's AppTest: loads, no exceptions, deep links restored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gapmap.ui import VIEW_KEY

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]

PAGES = [
    "app_pages/need_vs_provision.py",
    "app_pages/secondary_care.py",
    "app_pages/physical_health.py",
    "app_pages/inequalities.py",
    "app_pages/neighbourhoods.py",
    "app_pages/my_area.py",
    "app_pages/methods.py",
]
SANDWELL = {
    "level": "ltla",
    "indicator": "depression_prevalence",
    "period": "2022-23",
    "area": "E08000028",
}
BLACK_COUNTRY = {
    "level": "sub_icb",
    "indicator": "tt_gap_ratio",
    "period": "Jul 2022 - May 2023",
    "area": "E38000259",
}


def run(page: str | None = None, query: dict | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(str(ROOT / page))
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def sidebar_values(app: AppTest) -> list:
    return [box.value for box in app.sidebar.selectbox]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_on_the_default_view(page):
    app = run(page)
    assert app.title, page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_loads_with_an_area_selected(page):
    app = run(page, BLACK_COUNTRY)
    assert sidebar_values(app)[-1] == "E38000259"


def test_deep_link_selects_level_indicator_period_and_area():
    app = run(None, SANDWELL)
    assert sidebar_values(app) == ["ltla", "depression_prevalence", "2022-23", "E08000028"]
    assert all(i.value.startswith("Selected:") for i in app.info)  # nothing corrected
    assert app.query_params["area"] == ["E08000028"] or app.query_params["area"] == "E08000028"


def test_bad_link_falls_back_with_a_kind_message():
    app = run(None, {"level": "moon", "indicator": "<script>x</script>"})
    messages = " ".join(i.value for i in app.info)
    assert "moon" in messages and "<script>" not in messages
    assert sidebar_values(app)[0] == "sub_icb"


def test_changing_the_sidebar_updates_the_link():
    app = run(None, {})
    app.sidebar.selectbox[0].set_value("ltla").run()
    assert not app.exception
    level = app.query_params["level"]
    assert (level[0] if isinstance(level, list) else level) == "ltla"


def test_my_area_search_finds_sandwell_and_selects_it():
    app = run("app_pages/my_area.py")
    app.text_input[0].input("Sandwell").run()
    buttons = [b for b in app.button if "E08000028" in b.label]
    assert buttons, [b.label for b in app.button]
    buttons[0].click().run()
    assert not app.exception
    assert sidebar_values(app)[-1] == "E08000028"
    text = " ".join(m.value for m in app.markdown)
    assert "Sandwell" in text and "England" in text


def test_my_area_never_states_a_suppressed_value():
    app = run("app_pages/my_area.py", BLACK_COUNTRY)
    text = " ".join(m.value for m in app.markdown)
    assert "significantly" in text or "similar" in text


def test_the_view_is_resolved_once_and_kept_while_the_selection_stands():
    app = run("app_pages/need_vs_provision.py", BLACK_COUNTRY)
    first = app.session_state[VIEW_KEY][1]
    assert first.selection.area == "E38000259" and first.area_name.startswith("NHS Black")
    app.run()  # a rerun that changes nothing reads the same view
    assert app.session_state[VIEW_KEY][1] is first
    app.sidebar.selectbox[0].set_value("ltla").run()
    assert not app.exception
    assert app.session_state[VIEW_KEY][1].selection.level == "ltla"


def test_inequalities_shows_who_gets_help_by_deprivation_inside_black_country_icb():
    """Needs an atlas with the decile table (deciles.parquet), written by builds since."""
    app = run("app_pages/inequalities.py", BLACK_COUNTRY)
    assert "Who gets help, by deprivation, inside one ICB" in [s.value for s in app.subheader]
    boxes = {box.label: box.value for box in app.selectbox}
    assert boxes["ICB"] == "E54000062" and boxes["Year"] == "2024-25"  # the area's ICB
    titles = [json.loads(c.proto.spec)["title"]["text"] for c in app.get("vega_lite_chart")]
    for shown in ("finished treatment", "recovery"):
        title = f"Talking Therapies {shown} by deprivation decile: NHS Black Country ICB"
        assert title in titles
    captions = " ".join(c.value for c in app.caption)
    assert "45.3% in decile 1 (most deprived) and 58.5% in decile 10" in captions
    assert "In NHS Black Country ICB in 2024-25" in " ".join(m.value for m in app.markdown)
    downloads = [b.proto.label for b in app.get("download_button")]
    assert downloads.count("Data as CSV") >= 3  # the practice deciles and both ICB charts


def test_no_two_controls_on_a_page_share_a_label(fresh_caches):
    """A screen reader names a control by its label: two "Indicator" boxes cannot be told apart."""
    for page in (p for p in PAGES if p != "app_pages/methods.py"):
        app = run(page, {"level": "sub_icb", "area": "E38000259"})
        labels = [w.label for kind in (app.selectbox, app.radio, app.text_input) for w in kind]
        assert len(labels) == len(set(labels)), (page, labels)


SANDWELL_PCN = {
    "level": "pcn",
    "indicator": "depression_prevalence",
    "period": "2024-25",
    "area": "U11746",
}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_works_for_a_primary_care_network(page):
    app = run(page, SANDWELL_PCN)
    values = sidebar_values(app)
    assert values[0] == "pcn" and values[-1] == "U11746", values
    # The drawn shape is not the PCN's area: every page says so beside the geography.
    assert any("only where it is drawn" in box.value for box in app.sidebar.info)
