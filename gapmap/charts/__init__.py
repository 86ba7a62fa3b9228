"""Altair charts of the atlas: ranked areas, funnel, scatter, trend, spine and deprivation.

One module per chart family; every function is pure (frames and indicator metadata in, an
Altair chart out) so pages only lay charts out and exports can redraw them. Charts compute
no statistics: funnel limits and fitted lines come from :mod:`gapmap.limits`. Each chart
carries a title, axis titles with units and a Vega-Lite ``description``; the matching
``describe_*`` function returns the same one sentence for a caption, because a chart is not
accessible without a text alternative. Colours come from :mod:`gapmap.palette` so the map,
the charts and the legends agree.
"""

from gapmap.charts.common import (
    HEIGHT,
    HIGHLIGHT,
    INK,
    MUTED,
    PEER_BAND,
    PEER_SUFFIX,
    ROW_STEP,
    SCREEN_TEXT,
    SERIES,
    for_screen,
)
from gapmap.charts.decile import by_decile, describe_by_decile
from gapmap.charts.funnel import describe_funnel, funnel
from gapmap.charts.icb_decile import describe_icb_by_decile, icb_by_decile
from gapmap.charts.ranked import RANKED_KEEP, RANKED_ROWS, describe_ranked, ranked
from gapmap.charts.scatter import describe_scatter, scatter
from gapmap.charts.spine import describe_spine, spine, spine_frame
from gapmap.charts.trend import describe_trend, trend
from gapmap.limits import has_funnel

__all__ = [
    "HEIGHT",
    "HIGHLIGHT",
    "INK",
    "MUTED",
    "PEER_BAND",
    "PEER_SUFFIX",
    "RANKED_KEEP",
    "RANKED_ROWS",
    "ROW_STEP",
    "SCREEN_TEXT",
    "SERIES",
    "by_decile",
    "describe_by_decile",
    "describe_funnel",
    "describe_icb_by_decile",
    "describe_ranked",
    "describe_scatter",
    "describe_spine",
    "describe_trend",
    "for_screen",
    "funnel",
    "has_funnel",
    "icb_by_decile",
    "ranked",
    "scatter",
    "spine",
    "spine_frame",
    "trend",
]
