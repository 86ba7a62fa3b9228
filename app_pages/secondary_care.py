"""Secondary care: reliance on specialist mental-health services, against England and peers."""

import streamlit as st

from gapmap import charts, first_paint, peers, tables, ui
from gapmap.comparison import SECONDARY_INDICATORS, comparison_table, for_csv, shown
from gapmap.sources import chart_source
from gapmap.timeline import MONTHLY_INDICATOR, monthly_trend
from gapmap.wording import escape_md

#: What the page's map shows when the sidebar's indicator is not one of the page's own.
MAPPED = (
    "secondary_reliance_ratio",
    "mhsds_in_contact_rate",
    "mhsds_admissions_rate",
    "mhsds_detentions_rate",
)

data = ui.atlas()
view = ui.view()
selection = view.selection

st.title("Reliance on secondary mental-health care")
st.markdown(
    "Where NHS Talking Therapies are thin, people can end up relying on specialist services. "
    "These indicators show contact with secondary care, inpatients and detentions, and the "
    "**secondary-care reliance ratio**: people in contact with secondary care against the "
    "number expected from the area's register of people with severe mental illness, at "
    "England's rate (1 = England's balance)."
)

ui.page_map(data, view, MAPPED)
first_paint.hold_below_map()  # a first visit: the rest follows once the map has drawn

if not selection.area:
    st.info(
        "Select an area on the map (Need vs provision) or in the sidebar to compare it "
        "with England and with similar areas.",
        icon=":material/touch_app:",
    )
else:
    st.markdown(f"**{view.area_label}**")
    table = comparison_table(data, selection, SECONDARY_INDICATORS)
    if table.empty:
        st.caption("No secondary-care indicators for this geography.")
    else:
        ui.table(shown(table), csv=for_csv(table), name=f"secondary-care-{selection.area}")
        st.caption(peers.caption(view.peers))

st.subheader("People in contact with secondary mental-health services, month by month")
monthly = monthly_trend(data, selection)
meta = data.indicator(MONTHLY_INDICATOR)
if monthly.code is None:
    st.caption(
        "Monthly trends are published for the CCGs of 2021 (April 2016 – June 2022); select "
        "one of those, or a sub-ICB location, which shows the CCG it replaced."
    )
elif monthly.note:
    st.caption(escape_md(monthly.note))
ui.chart_block(
    charts.trend(monthly.series, meta, area_name=monthly.subject),
    name=f"mhsds-monthly-{monthly.code or 'england'}",
    title=f"People in contact with secondary MH services per 100,000: {monthly.subject}",
    source=chart_source(meta),
    period=monthly.months,
    alt_text=charts.describe_trend(monthly.series, meta, area_name=monthly.subject),
    table=tables.rounded(monthly.series, meta),
)
