"""Physical health: SMI health checks and outcomes against deprivation."""

import streamlit as st

from gapmap import charts, first_paint, gradient, limits, peers, ui
from gapmap.comparison import PHYSICAL_INDICATORS, comparison_table, for_csv, shown
from gapmap.drilldown import practice_codes
from gapmap.sources import chart_source
from gapmap.view import latest_panel, on_same_map, panel

HEALTH_CHECKS = "smi_health_checks_pct"
EXCESS_MORTALITY = "smi_excess_mortality_ratio"
PRACTICE_OUTCOMES = ("life_expectancy_female", "life_expectancy_male", "smoking_prevalence")

#: What the page's map shows when the sidebar's indicator is not one of the page's own.
MAPPED = PHYSICAL_INDICATORS

data = ui.atlas()
view = ui.view()
selection = view.selection
level = selection.level

st.title("Physical health of people with mental illness")
st.markdown(
    "People with severe mental illness die on average 15 to 20 years earlier than others, "
    "mostly from preventable physical illness. Annual physical health checks are the first "
    "defence; these charts set them, and physical-health outcomes, against deprivation."
)
ui.page_map(data, view, MAPPED)
first_paint.hold_below_map()  # a first visit: the rest follows once the map has drawn

if selection.area:
    st.markdown(f"**{view.area_label}**")
    table = comparison_table(data, selection, PHYSICAL_INDICATORS)
    if not table.empty:
        ui.table(shown(table), csv=for_csv(table), name=f"physical-health-{selection.area}")
        st.caption(peers.caption(view.peers))

st.subheader("Physical health checks against deprivation")
checks = latest_panel(data, HEALTH_CHECKS, level)
if checks is None:
    st.caption(
        "Physical health checks are published for NHS geographies (CCGs, sub-ICB "
        "locations, ICBs, regions); choose one of those in the sidebar."
    )
else:
    imd = on_same_map(data, checks, "imd_score")
    if imd is not None:
        checks_fit = limits.fit(imd.table, checks.table)
        ui.chart_block(
            charts.scatter(
                imd.table,
                checks.table,
                imd.meta,
                checks.meta,
                fit=checks_fit,
                selected=selection.area,
            ),
            name=f"smi-checks-vs-imd-{level}",
            title="SMI physical health checks against deprivation",
            source=chart_source(checks.meta, checks.period),
            period=checks.period,
            alt_text=charts.describe_scatter(
                imd.table, checks.table, imd.meta, checks.meta, fit=checks_fit
            ),
        )
    ui.chart_block(
        charts.ranked(
            checks.table,
            checks.meta,
            selected=selection.area,
            england_value=checks.england_value,
        ),
        name=f"smi-checks-ranked-{level}",
        title=str(checks.meta["name"]),
        source=chart_source(checks.meta, checks.period),
        period=checks.period,
        alt_text=charts.describe_ranked(checks.table, checks.meta, selected=selection.area),
    )

st.subheader("GP practices: life expectancy and smoking against deprivation")
if not ui.lacks(data, "practice_imd_score", "practice"):
    inside = practice_codes(data, selection)
    for indicator_id in PRACTICE_OUTCOMES:
        outcome = latest_panel(data, indicator_id, "practice")
        paired = None if outcome is None else gradient.deprivation_for(data, outcome.period)
        if outcome is None or paired is None:
            continue
        practice_imd = panel(data, "practice_imd_score", "practice", paired[0])
        outcome_fit = limits.fit(practice_imd.table, outcome.table)
        ui.chart_block(
            charts.scatter(
                practice_imd.table,
                outcome.table,
                practice_imd.meta,
                outcome.meta,
                fit=outcome_fit,
                highlight=inside,
            ),
            name=f"practices-{indicator_id}",
            title=f"{outcome.meta['short_name']} by practice deprivation ({paired[0]})",
            source=chart_source(outcome.meta, outcome.period),
            period=outcome.period,
            alt_text=charts.describe_scatter(
                practice_imd.table, outcome.table, practice_imd.meta, outcome.meta, fit=outcome_fit
            ),
        )
    if selection.area and not inside:
        st.caption(
            "GP practices are linked to sub-ICB locations, ICBs and regions; pick one of "
            "those to highlight its practices."
        )

mortality = latest_panel(data, EXCESS_MORTALITY, "utla")
if mortality is not None:
    st.subheader("Excess deaths under 75 among adults with SMI (upper-tier authorities)")
    imd = panel(data, "imd_score", "utla", "IoD2025")
    mortality_fit = limits.fit(imd.table, mortality.table)
    ui.chart_block(
        charts.scatter(
            imd.table,
            mortality.table,
            imd.meta,
            mortality.meta,
            fit=mortality_fit,
            selected=selection.area if level == "utla" else None,
        ),
        name="smi-excess-mortality-vs-imd",
        title=str(mortality.meta["name"]),
        source=chart_source(mortality.meta, mortality.period),
        period=mortality.period,
        alt_text=charts.describe_scatter(
            imd.table, mortality.table, imd.meta, mortality.meta, fit=mortality_fit
        ),
    )
