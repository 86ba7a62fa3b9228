"""Methods & data: how the figures are made, where they come from, and the data itself."""

import streamlit as st

from gapmap import export, tables, ui
from gapmap.content import read_content
from gapmap.freshness import freshness_table
from gapmap.sources import raw_file_count, reconciliation

data = ui.atlas()

st.title("Methods & data")
tabs = st.tabs(
    [
        "Methods",
        "Sources and licences",
        "Caveats",
        "Trends",
        "Small numbers",
        "Glossary",
        "Reconciliation",
        "Downloads",
    ]
)
for tab, name in zip(
    tabs[:6], ["methods", "sources", "caveats", "trends", "suppression", "glossary"], strict=True
):
    with tab:
        st.markdown(read_content(name))

with tabs[0]:
    st.subheader("Ratios against England: Poisson limits and overdispersion")
    st.markdown(read_content("banding"))
    ui.table(ui.banding_table())

with tabs[1]:
    st.subheader("How fresh the data are")
    st.markdown(read_content("freshness"))
    names = data.indicators["short_name"].astype(str).to_dict()
    fresh = freshness_table(data.manifest, names)
    if fresh.empty:
        st.info("This atlas was built before freshness was recorded: rebuild it to list it.")
    else:
        ui.table(fresh, name="atlas-freshness")

with tabs[2]:
    st.subheader("Data quality: figures not compared")
    st.markdown(read_content("data_quality"))
    caught = tables.quality_table(data.quality_table, data.areas, data.indicators)
    st.markdown(tables.quality_summary(data.quality_table))
    if not caught.empty:
        ui.table(caught, name="atlas-data-quality")

with tabs[6]:
    st.markdown(
        "Every row of every source file is either used or rejected with a reason. The atlas "
        f"was built from {raw_file_count(data.manifest)} files."
    )
    ui.table(reconciliation(data.manifest))

with tabs[7]:
    st.markdown(
        "The whole atlas as CSV files (UTF-8, opens in Excel). Suppressed values are "
        "blank, with the reason in the note column."
    )
    for label, frame, name in (
        ("All values", data.values, "atlas-values"),
        ("Indicator definitions", data.indicators.reset_index(drop=True), "atlas-indicators"),
        ("Areas", data.areas, "atlas-areas"),
    ):
        st.download_button(
            label,
            data=lambda f=frame: export.table_csv(f),
            file_name=export.filename(name, ext="csv"),
            mime="text/csv",
            key=f"download-{name}",
            on_click="ignore",
        )
