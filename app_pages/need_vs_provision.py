"""Need vs provision: the gap map, ranked table, funnel plot and need-against-provision."""

import pandas as pd
import streamlit as st

from gapmap import charts, first_paint, limits, narrative, tables, trends, tt_months, ui
from gapmap import peers as peer_groups
from gapmap.boardpack import ranked_subset
from gapmap.charts.monthly import describe_monthly, monthly
from gapmap.sources import chart_source, source_line
from gapmap.timeline import no_trend_reason, selected_trend
from gapmap.view import need_panel

data = ui.atlas()
view = ui.view()
selection, meta = view.selection, view.meta

st.title("Need against NHS Talking Therapies")
st.markdown(f"**{meta['name']}** — {view.level_label}, {selection.period}")
if pd.notna(meta["need_measure"]):
    st.caption(f"Need: {meta['need_measure']}. Activity: {meta['activity_measure']}.")

map_col, table_col = st.columns([3, 2], gap="medium")
with map_col:
    st.subheader("Map")
    ui.map_view(data, view)
    st.caption("Click an area to select it on every page. " + source_line(meta, selection.period))
    ui.static_map_download(data, view)
with table_col:
    st.subheader("Table")
    st.caption("The same figures as the map, for screen readers and for copying.")
    if not first_paint.grid_waits():
        ui.table(
            view.shown,
            csv=tables.for_download(view.shown, meta, selection.period),
            name=f"{selection.indicator}-{selection.level}-{selection.period}",
            height=520,
        )
first_paint.hold_below_map()  # a first visit: the charts follow once the map has drawn

if selection.area:
    st.info(view.area_label, icon=":material/location_on:")

st.subheader("Areas ranked, with 95% confidence intervals")
ranked_rows, ranked_note = view.table, None
if len(view.table) > charts.RANKED_ROWS:  # 1,270 PCNs: a chart nobody could read
    ranked_rows, ranked_note = ranked_subset(
        view.table, selection.area, keep=charts.RANKED_KEEP, rows=charts.RANKED_ROWS
    )
ui.chart_block(
    charts.ranked(
        ranked_rows,
        meta,
        selected=selection.area,
        england_value=view.england_value,
        peers=view.peers.codes,
    ),
    name=f"ranked-{selection.indicator}-{selection.level}",
    title=str(meta["name"]),
    source=chart_source(meta, selection.period),
    period=selection.period,
    alt_text=charts.describe_ranked(
        view.table,
        meta,
        selected=selection.area,
        england_value=view.england_value,
        peers=view.peers.codes,
    ),
    table=view.shown,
)
if ranked_note:
    st.caption(ranked_note)

# ---- Peers: the selected area beside its peer group and England ----
if selection.area:
    st.subheader("Selected area, its peers, and England")
    peer_table = peer_groups.summary_table(data, selection)
    ui.table(peer_table, name=f"peers-{selection.indicator}-{selection.level}-{selection.area}")
    st.caption(peer_groups.caption(view.peers))

if charts.has_funnel(meta) and not limits.funnel_drawable(meta, view.table):
    st.subheader("Funnel plot")
    st.caption(
        f"No funnel plot: {meta['short_name']} is published for {view.level_label.lower()} "
        "as values without their counts, and a funnel places each area by its size."
    )
elif charts.has_funnel(meta):
    st.subheader("Funnel plot")
    st.caption(
        "Each point is an area; the funnels are the 95% and 99.8% limits of what chance "
        "alone would produce at that size. Points outside them differ from England."
    )
    funnel_limits = limits.funnel(view.table, meta, england_value=view.england_value)
    ui.chart_block(
        charts.funnel(view.table, meta, funnel_limits, selected=selection.area),
        name=f"funnel-{selection.indicator}-{selection.level}",
        title=f"Funnel plot: {meta['short_name']}",
        source=chart_source(meta, selection.period),
        period=selection.period,
        alt_text=charts.describe_funnel(view.table, meta, funnel_limits, selected=selection.area),
    )

st.subheader("Need against provision")
need = need_panel(data, view)
if need is None:
    st.caption("No need measure shares this map's boundaries and period.")
else:
    need_fit = limits.fit(need.table, view.table)
    ui.chart_block(
        charts.scatter(
            need.table, view.table, need.meta, meta, fit=need_fit, selected=selection.area
        ),
        name=f"scatter-{need.indicator_id}-{selection.indicator}-{selection.level}",
        title=f"{need.meta['short_name']} ({need.period}) against {meta['short_name']}",
        source=chart_source(meta, selection.period),
        period=f"{need.period}; {selection.period}",
        alt_text=charts.describe_scatter(need.table, view.table, need.meta, meta, fit=need_fit),
    )

# ---- Trend: the selected area (England when none) over time, with its recent-trend test ----
trend = selected_trend(data, view)
if trend is not None:
    verdict = narrative.trend_verdict(trend.result, meta)
    st.subheader("Trend")
    st.markdown(narrative.recent_trend_sentence(trend.result, meta, trend.subject))
    ui.chart_block(
        charts.trend(trend.series, meta, area_name=trend.subject, verdict=verdict),
        name=trend.key,
        title=f"{meta['short_name']}: {trend.subject}",
        source=chart_source(meta),
        period=trend.span,
        alt_text=charts.describe_trend(
            trend.series, meta, area_name=trend.subject, verdict=verdict
        ),
        table=trends.table(
            tables.rounded(trend.series, meta), trend.result, str(meta["statistic"])
        ),
    )
    with st.expander("How is the trend tested?"):
        st.markdown(narrative.trend_explainer())
elif reason := no_trend_reason(data, view):
    st.subheader("Trend")
    st.caption(reason)

# ---- Talking Therapies month by month: England, and the ICB of the selected area ----
monthly_ids = tt_months.measures(data)
if monthly_ids:
    st.subheader("Talking Therapies month by month")
    chosen = st.selectbox(
        "Measure",
        monthly_ids,
        format_func=lambda i: str(data.indicator(i)["short_name"]),
        key="tt-monthly-measure",
    )
    months = tt_months.monthly_series(data, chosen, selection)
    st.markdown(tt_months.latest_sentence(months))
    ui.chart_block(
        monthly(months.table, months.meta, icb_name=months.icb_name, breaks=months.breaks),
        name=f"tt-monthly-{chosen}-{months.icb_code or 'england'}",
        title=f"{months.meta['short_name']}: {months.icb_name or 'England'}",
        source=chart_source(months.meta),
        period=months.span,
        alt_text=describe_monthly(
            months.table, months.meta, icb_name=months.icb_name, breaks=months.breaks
        ),
        table=months.table,
    )
    st.caption(tt_months.chart_note(months))
