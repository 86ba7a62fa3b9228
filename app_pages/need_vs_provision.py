"""Need vs provision: the gap map, ranked table, funnel plot and need-against-provision."""

import pandas as pd
import streamlit as st

from gapmap import charts, narrative, trends, ui
from gapmap import peers as peer_groups
from gapmap.views import (
    area_label,
    area_name,
    chart_source,
    display_table,
    england_value,
    source_line,
)

data = ui.atlas()
selection = ui.current()
meta = data.indicator(selection.indicator)
level_label = data.levels()[selection.level]

st.title("Need against low-intensity provision")
st.markdown(f"**{meta['name']}** — {level_label}, {selection.period}")
if pd.notna(meta["need_measure"]):
    st.caption(f"Need: {meta['need_measure']}. Activity: {meta['activity_measure']}.")

table = data.table(selection.indicator, selection.level, selection.period)
england = england_value(data, selection.indicator, selection.period)
shown = display_table(table, meta)

map_col, table_col = st.columns([3, 2], gap="medium")
with map_col:
    st.subheader("Map")
    ui.map_view(data, selection)
    st.caption("Click an area to select it on every page. " + source_line(meta, selection.period))
    ui.static_map_download(data, selection)
with table_col:
    st.subheader("Table")
    st.caption("The same figures as the map, for screen readers and for copying.")
    st.dataframe(shown, hide_index=True, height=520, width="stretch")
    ui.table_download(shown, name=f"{selection.indicator}-{selection.level}-{selection.period}")

if selection.area:
    st.info(area_label(data, selection), icon=":material/location_on:")

peer_group = peer_groups.group(data, selection)
st.subheader("Areas ranked, with 95% confidence intervals")
ui.chart_block(
    charts.ranked(
        table, meta, selected=selection.area, england_value=england, peers=peer_group.codes
    ),
    name=f"ranked-{selection.indicator}-{selection.level}",
    title=str(meta["name"]),
    source=chart_source(meta, selection.period),
    period=selection.period,
    alt_text=charts.describe_ranked(
        table, meta, selected=selection.area, england_value=england, peers=peer_group.codes
    ),
    table=shown,
)

# ---- Peers: the selected area beside its peer group and England ----
if selection.area:
    st.subheader("Selected area, its peers, and England")
    peer_table = peer_groups.summary_table(data, selection)
    st.dataframe(peer_table, hide_index=True, width="stretch")
    st.caption(peer_groups.caption(peer_group))
    ui.table_download(
        peer_table, name=f"peers-{selection.indicator}-{selection.level}-{selection.area}"
    )

if charts.has_funnel(meta):
    st.subheader("Funnel plot")
    st.caption(
        "Each point is an area; the funnels are the 95% and 99.8% limits of what chance "
        "alone would produce at that size. Points outside them differ from England."
    )
    ui.chart_block(
        charts.funnel(table, meta, selected=selection.area, england_value=england),
        name=f"funnel-{selection.indicator}-{selection.level}",
        title=f"Funnel plot: {meta['short_name']}",
        source=chart_source(meta, selection.period),
        period=selection.period,
        alt_text=charts.describe_funnel(table, meta, selected=selection.area),
    )

st.subheader("Need against provision")
vintage = data.vintage(selection.indicator, selection.level, selection.period)
need_id = "depression_prevalence" if selection.indicator != "depression_prevalence" else "imd_score"
need_period = data.period_on(need_id, selection.level, vintage)
if need_period is None:
    st.caption("No need measure shares this map's boundaries and period.")
else:
    need_meta = data.indicator(need_id)
    need_table = data.table(need_id, selection.level, need_period)
    ui.chart_block(
        charts.scatter(need_table, table, need_meta, meta, selected=selection.area),
        name=f"scatter-{need_id}-{selection.indicator}-{selection.level}",
        title=f"{need_meta['short_name']} ({need_period}) against {meta['short_name']}",
        source=chart_source(meta, selection.period),
        period=f"{need_period}; {selection.period}",
        alt_text=charts.describe_scatter(need_table, table, need_meta, meta),
    )

# ---- Trend: the selected area (England when none) over time, with its recent-trend test ----
trend_level = selection.level if selection.area else "england"
if len(data.periods(selection.indicator, trend_level)) >= 2:
    trend_series = trends.series(data, selection.indicator, selection.area, selection.level)
    if trend_series["period"].nunique() >= 2:
        trend_name = area_name(data, selection) if selection.area else "England"
        trend_result = trends.recent_trend(trend_series, meta)
        trend_verdict = narrative.trend_verdict(trend_result, meta)
        st.subheader("Trend")
        st.markdown(narrative.recent_trend_sentence(trend_result, meta, trend_name))
        ui.chart_block(
            charts.trend(trend_series, meta, area_name=trend_name, verdict=trend_verdict),
            name=f"trend-{selection.indicator}-{trend_level}-{selection.area or 'england'}",
            title=f"{meta['short_name']}: {trend_name}",
            source=chart_source(meta),
            period=f"{trend_series['period'].iloc[0]} to {trend_series['period'].iloc[-1]}",
            alt_text=charts.describe_trend(
                trend_series, meta, area_name=trend_name, verdict=trend_verdict
            ),
            table=trends.table(trend_series, trend_result),
        )
        with st.expander("How is the trend tested?"):
            st.markdown(narrative.trend_explainer())
