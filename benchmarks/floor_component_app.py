"""The floor for ``map_speed.py``: a Streamlit page with one components-v2 element, no map.

The element draws nothing but a word and notes in the page when it mounted
(``window.mtgMounted``). No map drawn in a Streamlit element can appear sooner than this on
the same machine: it is Streamlit's own start-up, its connection and the code any element
of this kind waits for. Its ratio to the tutorial's page is the best ratio any map page of
this app could reach.

Run: ``streamlit run benchmarks/floor_component_app.py``.
"""

import streamlit as st

MOUNTED = """export default function (component) {
  if (!window.mtgMounted) window.mtgMounted = performance.now();
  component.parentElement.textContent = "mounted";
}"""

st.set_page_config(page_title="One empty element", layout="wide")
st.components.v2.component("mind_the_gap.floor", js=MOUNTED)(data={"drawn": False}, height=40)
