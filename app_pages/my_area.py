"""My area: find a place and read what the figures say about it, in plain English."""

import streamlit as st

from gapmap import charts, narrative, ui
from gapmap.content import read_content
from gapmap.views import area_name, deprivation_text, escape_md, level_of_result

data = ui.atlas()
selection = ui.current()

st.title("My area")
query = st.text_input(
    "Find your area",
    placeholder="A place, an area code, a GP practice name or code, or a postcode district "
    "such as B70",
    help="For example: Sandwell, E08000028, a GP surgery's name, M88006, or B70.",
)
if query:
    results = data.search(query)
    if results.empty:
        st.warning(
            "Nothing matched. Try a shorter name, a council, or the first half of a postcode."
        )
    for row in results.itertuples():
        level, code, label = level_of_result(data, row)
        if st.button(label, key=f"pick-{row.level}-{row.area_code}-{row.vintage}"):
            ui.select_area(code, level)

with st.expander("Map: click an area to select it", expanded=True):
    ui.map_view(data, selection, height=420)

if not selection.area:
    st.info(
        "Search above, click an area on the map, or pick one in the sidebar.",
        icon=":material/search:",
    )
    st.stop()

name = area_name(data, selection)
st.header(escape_md(f"{name} ({selection.area})"))
profile = data.profile(selection.area, selection.level)
sentence = deprivation_text(data, selection)
if sentence:
    st.markdown(sentence)

st.subheader("Against England")
if profile.empty:
    st.caption("No indicators for this area.")
else:
    st.altair_chart(charts.spine(profile, area_name=name), width="stretch")
    st.caption(charts.describe_spine(profile, area_name=name))
    for paragraph in narrative.profile_paragraphs(profile, data.indicators, name):
        st.markdown(paragraph)

with st.expander("What does deprivation decile 1 mean?"):
    st.markdown(narrative.imd_decile_explainer())
with st.expander("Why are some figures hidden?"):
    st.markdown(read_content("suppression"))
