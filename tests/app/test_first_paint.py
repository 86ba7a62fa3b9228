"""Held below the map only for a browser: a run without one draws the whole page at once."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st

    from gapmap import first_paint

    st.write("the map")
    st.write("table held" if first_paint.grid_waits() else "table drawn")
    first_paint.hold_below_map()
    st.write("the charts")


def test_without_a_browser_nothing_is_held():
    at = AppTest.from_function(_page).run()
    shown = [m.value for m in at.markdown]
    assert shown == ["the map", "table drawn", "the charts"]
    assert at.session_state["first-paint-done"]
