"""A page's building blocks: a chart with its downloads, a table with its CSV.

Every chart and table on every page goes through here, so each is drawn the same way: a
chart in the page's style with PNG, SVG and CSV downloads, a table with blanks left blank
(Streamlit writes "None" in an empty cell unless told otherwise) and a CSV that says what
it holds.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from gapmap import charts, export, tables


def show_chart(chart: alt.TopLevelMixin) -> None:
    """Draw a chart in the page's style, from a spec checked once (by the tests), not per rerun.

    ``st.altair_chart`` re-validates the whole Vega-Lite spec against its JSON schema on every
    rerun, which was the largest single cost of a page; the charts are built by tested code.
    """
    with alt.data_transformers.enable("default", max_rows=None):  # practice charts: 6,000+
        spec = charts.for_screen(chart).to_dict(validate=False)
    st.vega_lite_chart(spec, width="stretch")


def chart_block(
    chart: alt.Chart,
    *,
    name: str,
    title: str,
    source: str,
    period: str,
    alt_text: str,
    table: pd.DataFrame | None = None,
) -> None:
    """A chart with its text alternative and PNG / SVG / CSV downloads."""
    show_chart(chart)
    st.caption(alt_text)

    def framed() -> alt.TopLevelMixin:  # built only when a download is asked for
        return export.captioned(chart, title=title, subtitle=None, source=source, period=period)

    downloads = [
        ("Chart as PNG", lambda: export.to_png(framed()), "png", "image/png"),
        ("Chart as SVG", lambda: export.to_svg(framed()), "svg", "image/svg+xml"),
    ]
    if table is not None:
        downloads.append(("Data as CSV", lambda: export.table_csv(table), "csv", "text/csv"))
    for column, (label, render, ext, mime) in zip(st.columns(3), downloads, strict=False):
        column.download_button(
            label,
            data=render,
            file_name=export.filename(name, ext=ext),
            mime=mime,
            key=f"{ext}-{name}",
            width="stretch",
            on_click="ignore",
        )


def table(
    frame: pd.DataFrame,
    *,
    name: str | None = None,
    csv: pd.DataFrame | None = None,
    height: int | str = "auto",
) -> None:
    """A table for people, blanks left blank (the Note column says why), with its CSV.

    ``csv`` is the download when it differs from what is shown (say, with the indicator and
    period on every row); ``name`` (the file name) adds the download.
    """
    formats = {
        column: st.column_config.NumberColumn(format=f"%.{places}f")
        for column, places in tables.decimal_places(frame).items()
    }
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=height,
        placeholder="",
        column_config=formats or None,
    )
    if name:
        table_download(frame if csv is None else csv, name=name)


def table_download(frame: pd.DataFrame, *, name: str, label: str = "Download table (CSV)"):
    """A CSV download of a table, as Excel expects it."""
    st.download_button(
        label,
        data=lambda: export.table_csv(frame),
        file_name=export.filename(name, ext="csv"),
        mime="text/csv",
        key=f"table-{name}",
        on_click="ignore",
    )
