"""Peer groups through Streamlit's AppTest: the sidebar control, deep links, the tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fresh_caches")

ROOT = Path(__file__).resolve().parents[2]
NEED = "app_pages/need_vs_provision.py"
SECONDARY = "app_pages/secondary_care.py"
BLACK_COUNTRY = {
    "level": "sub_icb",
    "indicator": "tt_gap_ratio",
    "period": "Jul 2022 - May 2023",
    "area": "E38000259",
}
#: Birmingham and Solihull, North Central London.
CHOSEN = ("E38000258", "E38000240")
PEERS_TABLE = "Selected area, its peers, and England"


def run(page: str | None = None, query: dict | None = None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(str(ROOT / page))
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def query(app: AppTest) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in app.query_params.items()}


def peers_table(app: AppTest):
    headings = [s.value for s in app.subheader]
    assert PEERS_TABLE in headings, headings
    tables = [d.value for d in app.dataframe if "Role" in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def test_a_deep_link_with_a_chosen_list_restores_it_on_every_page():
    app = run(NEED, {**BLACK_COUNTRY, "peers": ",".join(CHOSEN)})
    assert app.sidebar.radio[0].value == "chosen"
    assert app.sidebar.multiselect[0].value == list(CHOSEN)
    assert query(app)["peers"] == ",".join(CHOSEN)
    table = peers_table(app)
    assert list(table["Code"][1:3]) == list(CHOSEN)
    assert table["Role"].iloc[3] == "Peer group (pooled counts of 2 areas)"
    assert table["Area"].iloc[-1] == "England"
    assert any("areas you chose" in c.value for c in app.caption)
    # the list survives a page switch, and the secondary-care table uses it
    app.switch_page(str(ROOT / SECONDARY))
    app.run()
    assert not app.exception
    assert app.sidebar.multiselect[0].value == list(CHOSEN)
    assert query(app)["peers"] == ",".join(CHOSEN)
    (comparison,) = [d.value for d in app.dataframe if "Compared with peers" in d.value.columns]
    assert set(comparison["Peer value is"]) == {"pooled counts of 2 areas"}


def test_similar_areas_are_the_default_and_marked_in_the_ranked_chart():
    app = run(NEED, BLACK_COUNTRY)
    assert app.sidebar.radio[0].value == "similar"
    assert not app.sidebar.multiselect
    assert "peers" not in query(app)
    table = peers_table(app)
    assert list(table["Role"][:2]) == ["Selected area", "Peer 1"]
    assert len(table) == 1 + 10 + 2  # the area, ten peers, the group, England
    assert any("10 peer areas marked '(peer)'" in c.value for c in app.caption)
    assert any(b.label == "Download table (CSV)" for b in app.get("download_button"))


def test_choosing_peers_in_the_sidebar_updates_the_link():
    app = run(NEED, BLACK_COUNTRY)
    app.sidebar.radio[0].set_value("chosen").run()
    assert query(app)["peers"] == "chosen"
    assert any("No areas chosen" in c.value for c in app.caption)
    app.sidebar.multiselect[0].select(CHOSEN[0]).run()
    app.sidebar.multiselect[0].select(CHOSEN[1]).run()
    assert not app.exception
    assert query(app)["peers"] == ",".join(CHOSEN)
    assert list(peers_table(app)["Code"][1:3]) == list(CHOSEN)
    app.sidebar.radio[0].set_value("similar").run()
    assert "peers" not in query(app)


def test_a_bad_peer_list_is_tidied_with_a_kind_message():
    app = run(None, {**BLACK_COUNTRY, "peers": f"{CHOSEN[0]},E08000028,<img src=x>"})
    messages = " ".join(i.value for i in app.info)
    assert "2 area codes not on this map" in messages and "<img" not in messages
    assert app.sidebar.multiselect[0].value == [CHOSEN[0]]
    assert query(app)["peers"] == CHOSEN[0]


def test_no_peer_control_without_a_selected_area():
    app = run(NEED, {k: v for k, v in BLACK_COUNTRY.items() if k != "area"})
    assert not app.sidebar.radio
    assert PEERS_TABLE not in [s.value for s in app.subheader]


def test_successive_sidebar_changes_are_all_kept():
    # each widget keeps one identity, so a second change is not lost to a fresh widget
    app = run()
    for level in ("ltla", "icb", "region"):
        app.sidebar.selectbox[0].set_value(level).run()
        assert query(app)["level"] == level
    app.sidebar.selectbox[-1].set_value("E40000011").run()
    app.sidebar.radio[0].set_value("chosen").run()
    for code in ("E40000003", "E40000005"):
        app.sidebar.multiselect[0].select(code).run()
    assert query(app)["peers"] == "E40000003,E40000005"
    app.sidebar.selectbox[0].set_value("icb").run()  # regions are not ICBs: the list empties
    assert query(app)["peers"] == "chosen" and "area" not in query(app)
    assert not app.exception
