"""Charts on the page keep the plot height they ask for, whatever their titles take."""

from __future__ import annotations

import re

import vl_convert as vlc

from gapmap import tt_months, ui
from gapmap.charts.monthly import monthly
from gapmap.state import Selection


def test_a_chart_with_three_subtitle_lines_keeps_its_plot_height(atlas, monkeypatch):
    shown = []
    monkeypatch.setattr(ui.st, "vega_lite_chart", lambda spec, **kw: shown.append(spec))
    selection = Selection("sub_icb", "tt_gap_ratio_modelled", "Jul 2022 - May 2023", "E38000259")
    series = tt_months.monthly_series(atlas, "tt_monthly_referrals", selection)
    ui.show_chart(monthly(series.table, series.meta, icb_name=series.icb_name))
    (spec,) = shown
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert len(spec["title"]["subtitle"]) == 3
    # Drawn 900 pixels wide, as in a page column: the plot itself is the chart's 320 pixels
    # tall, with the title, three subtitle lines and the axes added around it (under
    # Streamlit's default the whole drawing was 320 pixels and the plot a strip).
    svg = vlc.vegalite_to_svg({**spec, "width": 900})
    drawn = float(re.search(r'<svg[^>]*height="([\d.]+)"', svg).group(1))
    assert drawn >= 320 + 80
