"""Your own area: any set of neighbourhoods and GP practices, with figures done properly."""

import streamlit as st

from gapmap import own_area_ui as own
from gapmap import ui
from gapmap.content import read_content

data = ui.atlas()

st.title("Your own area")
st.markdown(read_content("own_area_intro"))
members, name = own.current(data)
own.builder(data, members, name)
own.rejected_codes()
st.page_link(
    "app_pages/neighbourhoods.py",
    label="Pick neighbourhoods on the map",
    icon=":material/location_city:",
)
if members is None:
    st.info(
        "Give some codes above, or add neighbourhoods from the Neighbourhoods map.",
        icon=":material/edit_location_alt:",
    )
    st.stop()
own.profile(data, members, name)
if st.button("Start again", icon=":material/restart_alt:"):
    own.keep(None, name)
    st.rerun()
