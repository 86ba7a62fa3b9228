"""The need basis control and the "what the data say" panel, through Streamlit's AppTest.

The modelled indicators are not in the committed atlas yet, so the switch is tested on a copy
with them added (tests/app/modelledkit.py); the committed atlas is tested for saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gapmap.atlas import ATLAS_ENV, Atlas
from gapmap.state import basis_choice
from gapmap.ui import VIEW_KEY
from tests.app.modelledkit import write_modelled_atlas, write_recorded_only_atlas

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]
NEED_PAGE = "app_pages/need_vs_provision.py"
MY_AREA = "app_pages/my_area.py"
BLACK_COUNTRY = {"level": "sub_icb", "area": "E38000259"}
SANDWELL = {"level": "ltla", "indicator": "imd_score", "area": "E08000028"}


@pytest.fixture(scope="module")
def modelled_dir(tmp_path_factory) -> Path:
    return write_modelled_atlas(tmp_path_factory.mktemp("modelled") / "atlas")


@pytest.fixture(scope="module")
def recorded_only_dir(tmp_path_factory) -> Path:
    return write_recorded_only_atlas(tmp_path_factory.mktemp("old") / "atlas")


def run(page: str, query: dict, monkeypatch, atlas_dir: Path | None = None) -> AppTest:
    if atlas_dir is not None:
        monkeypatch.setenv(ATLAS_ENV, str(atlas_dir))
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(str(ROOT / page))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def param(app: AppTest, key: str) -> str | None:
    value = app.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_an_atlas_without_modelled_need_says_so(monkeypatch, recorded_only_dir):
    assert not basis_choice(Atlas.load(recorded_only_dir))
    app = run(NEED_PAGE, BLACK_COUNTRY, monkeypatch, recorded_only_dir)
    assert not app.sidebar.segmented_control
    captions = " ".join(c.value for c in app.sidebar.caption)
    assert "Modelled need" in captions and "not in this atlas" in captions
    assert app.sidebar.selectbox[1].value == "tt_gap_ratio"
    assert param(app, "basis") is None


def test_switching_basis_changes_the_indicator_table_and_link(monkeypatch, modelled_dir):
    app = run(NEED_PAGE, BLACK_COUNTRY, monkeypatch, modelled_dir)
    control = app.sidebar.segmented_control[0]
    assert control.value == "modelled" and app.sidebar.selectbox[1].value == (
        "tt_gap_ratio_modelled"
    )
    assert param(app, "basis") is None and param(app, "indicator") == "tt_gap_ratio_modelled"
    before = app.dataframe[0].value.copy()
    control.set_value("recorded").run()
    assert not app.exception, [e.value for e in app.exception]
    assert param(app, "basis") == "recorded" and param(app, "indicator") == "tt_gap_ratio"
    assert app.sidebar.selectbox[1].value == "tt_gap_ratio"
    assert app.session_state[VIEW_KEY][1].selection.indicator == "tt_gap_ratio"
    after = app.dataframe[0].value
    assert set(after["Area"]) == set(before["Area"]) and not after.equals(before)
    assert "Talking Therapies vs modelled need" not in " ".join(m.value for m in app.markdown)
    app.sidebar.segmented_control[0].set_value("modelled").run()
    assert param(app, "basis") is None and param(app, "indicator") == "tt_gap_ratio_modelled"


def test_my_area_opens_with_what_the_data_say(monkeypatch, modelled_dir):
    app = run(MY_AREA, SANDWELL, monkeypatch, modelled_dir)
    assert "What the data say" in [h.value for h in app.subheader]
    text = " ".join(m.value for m in app.markdown)
    for topic in ("Deprivation", "Modelled need", "Recognition", "Secondary-care use"):
        assert f"**{topic}.**" in text, topic
    assert "general practice has not recorded" in text
    assert "There is no figure for Sandwell itself" in text


def test_my_area_without_modelled_need_says_what_it_lacks(monkeypatch, recorded_only_dir):
    app = run(MY_AREA, SANDWELL, monkeypatch, recorded_only_dir)
    text = " ".join(m.value for m in app.markdown)
    assert "**Deprivation.** Sandwell is among the 10% most deprived" in text
    assert "This atlas has no figures of modelled need" in text
