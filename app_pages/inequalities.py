"""Inequalities: indicators by deprivation decile, SII and RII, and deprivation inside an area."""

import streamlit as st

from gapmap import charts, drilldown, gradient, icb_deciles, map_mount, maps, ui
from gapmap.content import read_content, section_text
from gapmap.sources import chart_source
from gapmap.tables import neighbourhood_table, practice_table
from gapmap.view import latest_period
from gapmap.wording import escape_md

data = ui.atlas()
view = ui.view()
selection = view.selection

st.title("Inequalities by deprivation")
st.markdown(
    "GP practices grouped into ten national deciles by the deprivation of their patients' "
    "neighbourhoods (decile 1 = the most deprived tenth of England's population). The **slope "
    "index of inequality (SII)** is the gap between the most and least deprived ends of the "
    "gradient; the **relative index (RII)** is that gap relative to the average."
)

choices = gradient.choices(data)
edition = list_year = ""
if not ui.lacks(data, gradient.PRACTICE_IMD, "practice") and choices:
    indicator_id = st.selectbox(
        "GP practice indicator",
        choices,
        format_func=lambda i: str(data.indicator(i)["short_name"]),
    )
    quantiles = st.radio(
        "Groups", [10, 5], format_func={10: "Deciles", 5: "Quintiles"}.get, horizontal=True
    )
    meta = data.indicator(indicator_id)
    period = latest_period(data, indicator_id, "practice")
    edition, list_year = gradient.deprivation_for(data, period) or ("", "")
if edition and list_year:
    st.caption(
        f"GP practices' figures for {period}, grouped by their {edition} deprivation score "
        f"and weighted by their {list_year} list size."
    )
    word = gradient.quantile_word(quantiles)
    groups, result = ui.quantiles(indicator_id, period, quantiles)
    slope, intercept = gradient.fitted_line(result)
    ui.chart_block(
        charts.by_decile(groups, meta, slope=slope, intercept=intercept),
        name=f"inequality-{indicator_id}-{quantiles}",
        title=f"{meta['short_name']} by deprivation {word}",
        source=chart_source(meta, period),
        period=period,
        alt_text=charts.describe_by_decile(groups, meta, slope=slope),
        table=gradient.quantile_table(groups, meta, word),
    )
    st.markdown(gradient.sii_sentence(result, meta, word, edition))

st.subheader("Who gets help, by deprivation, inside one ICB")
icbs = icb_deciles.icb_choices(data)
years = icb_deciles.periods(data)
if not icbs or not years:
    st.caption("This atlas has no Talking Therapies figures by deprivation decile.")
else:
    st.markdown(read_content("icb_deciles"))
    home = icb_deciles.icb_for(data, selection.level, selection.area)
    codes = list(icbs)
    left, right = st.columns(2)
    icb = left.selectbox(
        "ICB",
        codes,
        index=codes.index(home) if home in icbs else 0,
        format_func=icbs.get,
        key=f"icb-deciles-{home}",
    )
    year = right.selectbox("Year", years[::-1], key="icb-deciles-year")
    access = st.radio(
        "Getting help counted as",
        icb_deciles.ACCESS,
        format_func=lambda i: str(data.indicator(i)["short_name"]),
        horizontal=True,
    )
    for shown_id in (access, icb_deciles.RECOVERY):
        shown = data.indicator(shown_id)
        frame = icb_deciles.paired(data, shown_id, icb, year)
        ui.chart_block(
            charts.icb_by_decile(frame, shown, icbs[icb], year),
            name=f"icb-deciles-{shown_id}-{icb}-{year}",
            title=f"{shown['short_name']} by deprivation decile: {icbs[icb]}",
            source=chart_source(shown, year),
            period=year,
            alt_text=escape_md(charts.describe_icb_by_decile(frame, shown, icbs[icb], year)),
            table=icb_deciles.download_table(frame, shown),
        )
    st.markdown(icb_deciles.finding(data, icb, year, access))

st.subheader("Deprivation inside the selected area")
with st.expander("Map: click an area to select it", expanded=True):
    ui.map_view(data, view, height=420)
ui.map_table(view)
if not selection.area:
    st.info(
        "Select an area to see its neighbourhoods (LSOAs) by deprivation decile and its "
        "GP practices.",
        icon=":material/touch_app:",
    )
else:
    st.markdown(f"**{escape_md(view.area_label)}**")
    with ui.degraded():
        drill = drilldown.layers(data, view)
        if drill is None and selection.level == "pcn":
            st.caption(section_text("caveats", "Inside a primary care network"))
            practices, _ = drilldown.practices_with_values(data, selection)
            meta = data.indicator(drilldown.PRACTICE_MEASURE)
            ui.table(practice_table(practices, meta), name=f"practices-{selection.area}")
        elif drill is None:
            st.caption(
                "Neighbourhoods are linked to sub-ICB locations, ICBs, regions and "
                "districts; pick one of those geographies to drill down."
            )
        else:
            map_mount.show(
                ("drill", id(data), str(data.root), selection, str(view.vintage)),
                lambda: maps.drilldown(
                    drill.outline, drill.shapes, drill.practices, meta=drill.practice_meta
                ),
                key=f"drill-{selection.area}",
                height=520,
            )
            st.caption(drill.summary())
            with st.expander("This map as tables"):
                ui.table(neighbourhood_table(drill.shapes), name=f"neighbourhoods-{selection.area}")
                ui.table(
                    practice_table(drill.practices, drill.practice_meta),
                    name=f"practices-{drill.practice_meta['id']}-{selection.area}",
                )
