"""Physical health: SMI health checks and outcomes against deprivation."""

import streamlit as st

from gapmap import charts, peers, ui
from gapmap.views import (
    PHYSICAL_INDICATORS,
    area_label,
    chart_source,
    comparison_table,
    england_value,
)

data = ui.atlas()
selection = ui.current()

st.title("Physical health of people with mental illness")
st.markdown(
    "People with severe mental illness die on average 15 to 20 years earlier than others, "
    "mostly from preventable physical illness. Annual physical health checks are the first "
    "defence; these charts set them, and physical-health outcomes, against deprivation."
)
with st.expander("Map: click an area to select it", expanded=True):
    ui.map_view(data, selection, height=420)
ui.map_table(data, selection)

if selection.area:
    st.markdown(f"**{area_label(data, selection)}**")
    table = comparison_table(data, selection, PHYSICAL_INDICATORS)
    if not table.empty:
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(peers.caption(peers.group(data, selection)))

level = selection.level
st.subheader("Physical health checks against deprivation")
checks_periods = (
    data.periods("smi_health_checks_pct", level)
    if ("smi_health_checks_pct" in data.indicator_ids(level))
    else []
)
if not checks_periods:
    st.caption(
        "Physical health checks are published for NHS geographies (CCGs, sub-ICB "
        "locations, ICBs, regions); choose one of those in the sidebar."
    )
else:
    period = checks_periods[-1]
    vintage = data.vintage("smi_health_checks_pct", level, period)
    imd_period = data.period_on("imd_score", level, vintage)
    checks = data.table("smi_health_checks_pct", level, period)
    meta = data.indicator("smi_health_checks_pct")
    if imd_period:
        imd_meta = data.indicator("imd_score")
        imd = data.table("imd_score", level, imd_period)
        ui.chart_block(
            charts.scatter(imd, checks, imd_meta, meta, selected=selection.area),
            name=f"smi-checks-vs-imd-{level}",
            title="SMI physical health checks against deprivation",
            source=chart_source(meta, period),
            period=period,
            alt_text=charts.describe_scatter(imd, checks, imd_meta, meta),
        )
    ui.chart_block(
        charts.ranked(
            checks,
            meta,
            selected=selection.area,
            england_value=england_value(data, "smi_health_checks_pct", period),
        ),
        name=f"smi-checks-ranked-{level}",
        title=str(meta["name"]),
        source=chart_source(meta, period),
        period=period,
        alt_text=charts.describe_ranked(checks, meta, selected=selection.area),
    )

st.subheader("GP practices: life expectancy and smoking against deprivation")
if not ui.lacks(data, "practice_imd_score", "practice"):
    practice_imd = data.table("practice_imd_score", "practice", "IMD 2019")
    inside = set()
    if selection.area:
        inside = set(data.within(selection.area, level, "practice")["area_code"])
    for indicator_id in ("life_expectancy_female", "life_expectancy_male", "smoking_prevalence"):
        meta = data.indicator(indicator_id)
        period = data.periods(indicator_id, "practice")[-1]
        values = data.table(indicator_id, "practice", period)
        ui.chart_block(
            charts.scatter(
                practice_imd, values, data.indicator("practice_imd_score"), meta, highlight=inside
            ),
            name=f"practices-{indicator_id}",
            title=f"{meta['short_name']} by practice deprivation",
            source=chart_source(meta, period),
            period=period,
            alt_text=charts.describe_scatter(
                practice_imd, values, data.indicator("practice_imd_score"), meta
            ),
        )
    if selection.area and not inside:
        st.caption(
            "GP practices are linked to sub-ICB locations, ICBs and regions; pick one of "
            "those to highlight its practices."
        )

if "smi_excess_mortality_ratio" in data.indicator_ids("utla"):
    st.subheader("Excess deaths under 75 among adults with SMI (upper-tier authorities)")
    meta = data.indicator("smi_excess_mortality_ratio")
    period = data.periods("smi_excess_mortality_ratio", "utla")[-1]
    values = data.table("smi_excess_mortality_ratio", "utla", period)
    imd = data.table("imd_score", "utla", "IoD2025")
    ui.chart_block(
        charts.scatter(
            imd,
            values,
            data.indicator("imd_score"),
            meta,
            selected=selection.area if level == "utla" else None,
        ),
        name="smi-excess-mortality-vs-imd",
        title=str(meta["name"]),
        source=chart_source(meta, period),
        period=period,
        alt_text=charts.describe_scatter(imd, values, data.indicator("imd_score"), meta),
    )
