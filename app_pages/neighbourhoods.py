"""Neighbourhoods: all 33,755 LSOAs of England on one map, a profile of the one clicked."""

import streamlit as st

from gapmap import neighbourhood_ui as page
from gapmap import neighbourhoods as nb
from gapmap import ui
from gapmap.content import read_content
from gapmap.wording import escape_md, lower_first

data = ui.atlas()
selection = ui.current()

st.title("Neighbourhoods")
st.markdown(read_content("neighbourhoods"))
choices = nb.indicator_choices(data)
if not choices:
    st.info("This atlas holds no figures for neighbourhoods.", icon=":material/info:")
    st.stop()

indicator = nb.chosen_indicator(data, page.param(nb.INDICATOR_KEY))
picked = st.selectbox(
    "Neighbourhood indicator",
    choices,
    index=choices.index(indicator),
    format_func=lambda i: str(data.indicator(i)["short_name"]),
    help="What colours the map. Every indicator the atlas holds for neighbourhoods.",
)
page.set_param(nb.INDICATOR_KEY, None if picked == choices[0] else picked)
lsoa = page.selected_lsoa(data)
home = nb.home_area(data, selection, lsoa)
within = st.toggle(
    f"Show only the neighbourhoods in {home.name}" if home else "Show only the selected area",
    value=home is not None and page.param(nb.WITHIN_KEY) == "1",
    disabled=home is None,
    help="Select an area in the sidebar, search for one, or click a neighbourhood: the map "
    "can then show that area (or the neighbourhood's council) on its own.",
)
page.set_param(nb.WITHIN_KEY, "1" if within and home else None)
page.search(data)

drawn_area = home if within else None
framed = drawn_area or page.focus(data, nb.place(data, selection.level, selection.area), lsoa)
shaded = page.shading(data, str(data.root), picked)
drawn = nb.codes_in(data, drawn_area)
st.markdown(
    f"**{escape_md(nb.count_text(len(drawn), drawn_area))}**, coloured by "
    f"{escape_md(lower_first(shaded.name))} ({escape_md(shaded.period)})."
)
left, right = st.columns([3, 2])
with left:
    page.draw(data, picked, drawn_area, framed, lsoa)
with right:
    page.legend(shaded)
    found = nb.profile(data, lsoa)
    if found is None:
        st.info(
            "Click a neighbourhood on the map, or search for one, to see its profile here.",
            icon=":material/touch_app:",
        )
    else:
        page.profile(data, found)

with st.expander("The map as a table"):
    shown = nb.table(data, shaded, None if drawn_area is None else drawn)
    ui.table_download(nb.download(shaded, shown), name=f"neighbourhoods-{picked}-{shaded.period}")
    if len(shown) <= nb.TABLE_ROWS or st.toggle(
        f"Show all {len(shown):,} rows here",
        help="A long table is sent to the page only when asked for; the CSV holds it all.",
    ):
        st.dataframe(shown, hide_index=True, width="stretch", placeholder="")
