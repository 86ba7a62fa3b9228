"""Mind the Gap: need for mental-health care against NHS Talking Therapies, England."""

from pathlib import Path

import streamlit as st

from gapmap import own_area_ui, ui
from gapmap.assets import ensure_static_leaflet

st.set_page_config(
    page_title="Mind the Gap",
    # A local image: a Material icon here makes the browser fetch it from a font CDN.
    page_icon=str(Path(__file__).parent / "gapmap" / "favicon.png"),
    layout="wide",
    menu_items={"About": "Mind the Gap — open data on mental-health need and provision."},
)
ensure_static_leaflet(Path(__file__).parent / "static")

PAGES = [
    st.Page(
        "app_pages/need_vs_provision.py",
        title="Need vs provision",
        icon=":material/map:",
        url_path="need",
        default=True,
    ),
    st.Page(
        "app_pages/secondary_care.py",
        title="Secondary care",
        icon=":material/local_hospital:",
        url_path="secondary-care",
    ),
    st.Page(
        "app_pages/physical_health.py",
        title="Physical health",
        icon=":material/monitor_heart:",
        url_path="physical-health",
    ),
    st.Page(
        "app_pages/inequalities.py",
        title="Inequalities",
        icon=":material/stacked_bar_chart:",
        url_path="inequalities",
    ),
    st.Page(
        "app_pages/neighbourhoods.py",
        title="Neighbourhoods",
        icon=":material/location_city:",
        url_path="neighbourhoods",
    ),
    st.Page(
        "app_pages/my_area.py", title="My area", icon=":material/home_pin:", url_path="my-area"
    ),
    st.Page(
        "app_pages/own_area.py",
        title="Your own area",
        icon=":material/edit_location_alt:",
        url_path="own-area",
    ),
    st.Page(
        "app_pages/methods.py",
        title="Methods & data",
        icon=":material/menu_book:",
        url_path="methods",
    ),
]

navigation = st.navigation(PAGES)
data = ui.atlas()
view = ui.sidebar(data)  # the selection, resolved once for this run's page
own_area_ui.sidebar_link(data)
ui.missing_sources_notice(data)
ui.board_pack_button(data, view.selection)
navigation.run()
