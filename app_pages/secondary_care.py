"""Secondary care: reliance on specialist mental-health services, against England and peers."""

import streamlit as st

from gapmap import charts, peers, ui
from gapmap.views import (
    SECONDARY_INDICATORS,
    area_label,
    chart_source,
    comparison_table,
    monthly_trend_code,
)

data = ui.atlas()
selection = ui.current()

st.title("Reliance on secondary mental-health care")
st.markdown(
    "Where low-intensity help is thin, people can end up relying on specialist services. "
    "These indicators show contact with secondary care, inpatients and detentions, and the "
    "**secondary-care reliance ratio**: people in contact with secondary care relative to "
    "the area's Talking Therapies activity, against England's ratio (1 = England's balance)."
)

with st.expander("Map: click an area to select it", expanded=True):
    ui.map_view(data, selection, height=420)
ui.map_table(data, selection)

if not selection.area:
    st.info(
        "Select an area on the map (Need vs provision) or in the sidebar to compare it "
        "with England and with similar areas.",
        icon=":material/touch_app:",
    )
else:
    st.markdown(f"**{area_label(data, selection)}**")
    table = comparison_table(data, selection, SECONDARY_INDICATORS)
    if table.empty:
        st.caption("No secondary-care indicators for this geography.")
    else:
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(peers.caption(peers.group(data, selection)))
        ui.table_download(table, name=f"secondary-care-{selection.area}")

st.subheader("People in contact with secondary mental-health services, month by month")
code = monthly_trend_code(data, selection)
meta = data.indicator("mhsds_in_contact_monthly")
if code is None:
    st.caption(
        "Monthly trends are published for CCGs (April 2016 – June 2022) and for sub-ICB "
        "locations with the same codes; select one of those to see its line beside England's."
    )
    trend = data.trend("mhsds_in_contact_monthly", "E92000001", "england")
    name = "England"
else:
    trend = data.trend("mhsds_in_contact_monthly", code, "ccg")
    area = data.area(code, "ccg-2021")
    name = code if area is None else str(area["area_name"])
ui.chart_block(
    charts.trend(trend, meta, area_name=name),
    name=f"mhsds-monthly-{code or 'england'}",
    title=f"People in contact with secondary MH services per 100,000: {name}",
    source=chart_source(meta, "Apr 2016 – Nov 2022"),
    period="April 2016 – November 2022",
    alt_text=charts.describe_trend(trend, meta, area_name=name),
    table=trend,
)
