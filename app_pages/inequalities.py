"""Inequalities: indicators by deprivation decile, SII and RII, and deprivation inside an area."""

import streamlit as st
from streamlit_folium import st_folium

from gapmap import charts, maps, ui
from gapmap.views import (
    PRACTICE_INDICATORS,
    area_label,
    chart_source,
    drilldown_layers,
    neighbourhood_table,
    practice_table,
    sii_sentence,
)
from gapmap.wording import escape_md

data = ui.atlas()
selection = ui.current()

st.title("Inequalities by deprivation")
st.markdown(
    "GP practices grouped into ten national deciles by the deprivation of their patients' "
    "neighbourhoods (decile 1 = the most deprived tenth of England's population). The **slope "
    "index of inequality (SII)** is the gap between the most and least deprived ends of the "
    "gradient; the **relative index (RII)** is that gap relative to the average."
)

choices = [i for i in PRACTICE_INDICATORS if i in data.indicator_ids("practice")]
if not ui.lacks(data, "practice_imd_score", "practice") and choices:
    indicator_id = st.selectbox(
        "Indicator", choices, format_func=lambda i: str(data.indicator(i)["short_name"])
    )
    quantiles = st.radio(
        "Groups", [10, 5], format_func={10: "Deciles", 5: "Quintiles"}.get, horizontal=True
    )
    meta = data.indicator(indicator_id)
    period = data.periods(indicator_id, "practice")[-1]
    word = "decile" if quantiles == 10 else "quintile"
    groups, result = ui.quantiles(indicator_id, period, quantiles)
    slope = result["value_least_deprived"] - result["value_most_deprived"]
    ui.chart_block(
        charts.by_decile(groups, meta, slope=slope, intercept=result["value_most_deprived"]),
        name=f"inequality-{indicator_id}-{quantiles}",
        title=f"{meta['short_name']} by deprivation {'decile' if quantiles == 10 else 'quintile'}",
        source=chart_source(meta, period),
        period=period,
        alt_text=charts.describe_by_decile(groups, meta, slope=slope),
        table=groups,
    )
    st.markdown(sii_sentence(result, meta, word))

st.subheader("Deprivation inside the selected area")
with st.expander("Map: click an area to select it", expanded=True):
    ui.map_view(data, selection, height=420)
ui.map_table(data, selection)
if not selection.area:
    st.info(
        "Select an area to see its neighbourhoods (LSOAs) by deprivation decile and its "
        "GP practices.",
        icon=":material/touch_app:",
    )
else:
    st.markdown(f"**{escape_md(area_label(data, selection))}**")
    lsoas = data.within(selection.area, selection.level, "lsoa")
    if lsoas.empty:
        st.caption(
            "Neighbourhoods are linked to sub-ICB locations, ICBs, regions and "
            "districts; pick one of those geographies to drill down."
        )
    else:
        with ui.degraded():
            shapes, practices, outline = drilldown_layers(data, selection)
            fmap = maps.drilldown(
                outline, shapes, practices, meta=data.indicator("depression_prevalence")
            )
            st_folium(
                fmap,
                height=520,
                use_container_width=True,
                key=f"drill-{selection.area}",
                returned_objects=[],
            )
            counts = shapes["imd_decile"].value_counts().sort_index()
            st.caption(
                f"{len(shapes)} neighbourhoods, {int(counts.get(1, 0))} of them in England's "
                f"most deprived tenth (decile 1); {len(practices)} GP practices."
            )
            with st.expander("This map as tables"):
                st.dataframe(neighbourhood_table(shapes), hide_index=True, width="stretch")
                st.dataframe(
                    practice_table(practices, data.indicator("depression_prevalence")),
                    hide_index=True,
                    width="stretch",
                )
