"""My area: find a place and read what the figures say about it, in plain English."""

import streamlit as st

from gapmap import charts, findings, first_paint, narrative, nhs_cover, search, tables, trends, ui
from gapmap.content import read_content
from gapmap.sources import chart_source
from gapmap.timeline import span
from gapmap.view import spine_areas
from gapmap.wording import escape_md

data = ui.atlas()
view = ui.view()
selection = view.selection

st.title("My area")
query = st.text_input(
    "Find your area",
    placeholder="A place, an area code, a GP practice name or code, or a postcode district "
    "such as B70",
    help="For example: Sandwell, West Bromwich, E08000028, a GP surgery's name, M88006, or B70.",
)
if query:
    found = search.choices(data, query)
    if not found:
        st.warning(
            "Nothing matched. Try a shorter name, a council, or the first half of a postcode."
        )
    for choice in found:
        if st.button(choice.label, key=choice.key):
            ui.select_area(choice.code, choice.level)

with st.expander("Map: click an area to select it", expanded=True):
    ui.map_view(data, view, height=420)
ui.map_table(view)
first_paint.hold_below_map()  # a first visit: the rest follows once the map has drawn

if not selection.area:
    st.info(
        "Search above, click an area on the map, or pick one in the sidebar.",
        icon=":material/search:",
    )
    st.stop()

name = str(view.area_name)
st.header(escape_md(f"{name} ({selection.area})"))
profile = data.profile(selection.area, selection.level)

st.subheader(findings.HEADING)
st.markdown(ui.what_the_data_say(selection.level, selection.area))
with st.expander("How to read what the data say"):
    st.markdown(findings.explainer())

area_trends = trends.area_trends(data, selection.area, selection.level, skip=narrative.TREND_ONLY)

st.subheader("Against England")
if profile.empty:
    st.caption("No indicators for this area.")
else:
    areas = spine_areas(data, profile, selection.level)
    ui.show_chart(charts.spine(profile, area_name=name, areas=areas))
    st.caption(charts.describe_spine(profile, area_name=name, areas=areas))
    for paragraph in narrative.profile_paragraphs(profile, data.indicators, name, area_trends):
        st.markdown(paragraph)
    with st.expander("How to read this profile"):
        st.markdown(narrative.profile_explainer())

nhs_paragraphs = nhs_cover.paragraphs(data, selection.area, selection.level)
if nhs_paragraphs:
    st.subheader("From the NHS area")
    for paragraph in nhs_paragraphs:
        st.markdown(paragraph)

if area_trends:
    st.subheader("Trends")
    choices = list(area_trends)
    trend_id = st.selectbox(
        "Measure",
        choices,
        index=choices.index(selection.indicator) if selection.indicator in choices else 0,
        format_func=lambda i: str(data.indicator(i)["short_name"]),
        key="my-area-trend",
    )
    series, result = area_trends[trend_id]
    trend_meta = data.indicator(trend_id)
    verdict = narrative.trend_verdict(result, trend_meta)
    st.markdown(narrative.recent_trend_sentence(result, trend_meta, name))
    ui.chart_block(
        charts.trend(series, trend_meta, area_name=name, verdict=verdict),
        name=f"trend-{trend_id}-{selection.level}-{selection.area}",
        title=f"{trend_meta['short_name']}: {name}",
        source=chart_source(trend_meta),
        period=span(series),
        alt_text=charts.describe_trend(series, trend_meta, area_name=name, verdict=verdict),
        table=trends.table(
            tables.rounded(series, trend_meta), result, str(trend_meta["statistic"])
        ),
    )
    with st.expander("How are trends tested?"):
        st.markdown(narrative.trend_explainer())

with st.expander("What does deprivation decile 1 mean?"):
    st.markdown(narrative.imd_decile_explainer())
with st.expander("Why are some figures hidden?"):
    st.markdown(read_content("suppression"))
