"""The board pack's chart pages: areas ranked, the funnel plot, the trend and the spine.

Each chart is drawn as large as its page allows, with its text alternative beside or below
it, and is reshaped for print so England comparisons read in greyscale (see :func:`shaped`).
"""

from __future__ import annotations

import altair as alt

from gapmap import charts, export, limits, narrative, prose
from gapmap.atlas import Atlas
from gapmap.boardpack.facts import Facts, ranked_subset, sources_of
from gapmap.boardpack.layout import (
    BODY_TOP,
    BOTTOM,
    CONTENT_W,
    MARGIN,
    PAGE_H,
    PAGE_W,
    SCALE,
    Pack,
    heading,
    image,
    png_size,
    text_box,
    text_height,
)
from gapmap.palette import COMPARISON_SHAPES
from gapmap.sources import chart_source
from gapmap.view import spine_areas


def shaped(spec: dict) -> dict:
    """The chart with its England-comparison dots also told apart by shape.

    Printed in greyscale, the comparison colours (blue, orange, purple) become near-equal
    greys, so every circle coloured by comparison becomes a filled point whose shape says
    the same thing: triangle up for better, down for worse, circle for similar, square for
    higher, diamond for lower. The legend shows shape and colour together.
    """
    if isinstance(spec, list):
        return [shaped(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {key: shaped(value) for key, value in spec.items()}
    mark = out.get("mark")
    colour = (out.get("encoding") or {}).get("color") or {}
    kind = mark.get("type") if isinstance(mark, dict) else mark
    if kind == "circle" and colour.get("field") == "compared":
        domain = list((colour.get("scale") or {}).get("domain") or [])
        props = dict(mark) if isinstance(mark, dict) else {}
        out["mark"] = {**props, "type": "point", "filled": True}
        out["encoding"] = {
            **out["encoding"],
            "shape": {
                "field": "compared",
                "type": "nominal",
                "title": colour.get("title"),
                "scale": {"domain": domain, "range": [COMPARISON_SHAPES[d] for d in domain]},
                "legend": colour.get("legend"),
            },
        }
    return out


def chart_page(
    pdf: Pack, title: str, chart: alt.TopLevelMixin, alt_text: str, note: str | None = None
) -> None:
    """A chart as large as the page allows, with its text alternative beside or below it."""
    heading(pdf, title)
    with alt.data_transformers.enable("default", max_rows=None):  # 1,270 PCNs, 5,000+ rows
        spec = chart.to_dict()
    png = export.to_png(shaped(spec), scale=SCALE)
    px_w, px_h = png_size(png)
    room = PAGE_H - BODY_TOP - BOTTOM - 2
    text = [prose.Run(alt_text)] + ([prose.Run("\n\n" + note, "I")] if note else [])
    if px_w / px_h >= 1.45:  # wide: full width, text underneath
        below = text_height(pdf, text, CONTENT_W, 10) + 4
        _, height = image(pdf, png, MARGIN, BODY_TOP, CONTENT_W, room - below)
        pdf.set_y(BODY_TOP + height + 4)
        text_box(pdf, text, MARGIN, CONTENT_W, 10)
    else:  # tall: chart on the left, text in a column on the right
        width, _ = image(pdf, png, MARGIN, BODY_TOP, 190, room)
        x = MARGIN + width + 8
        pdf.set_y(BODY_TOP)
        text_box(pdf, text, x, PAGE_W - MARGIN - x, 10)


def _ranked_page(pdf: Pack, facts: Facts, source: str) -> None:
    meta, selection = facts.meta, facts.selection
    subset, note = ranked_subset(facts.table, selection.area)
    ranked = charts.ranked(subset, meta, selected=selection.area, england_value=facts.england)
    chart_page(
        pdf,
        "Areas ranked",
        export.captioned(
            ranked, title=str(meta["name"]), subtitle=None, source=source, period=selection.period
        ),
        charts.describe_ranked(
            facts.table, meta, selected=selection.area, england_value=facts.england
        ),
        note,
    )


def _funnel_page(pdf: Pack, facts: Facts, source: str) -> None:
    meta, selection = facts.meta, facts.selection
    drawn = limits.funnel(facts.table, meta, england_value=facts.england)
    chart_page(
        pdf,
        "Funnel plot",
        export.captioned(
            charts.funnel(facts.table, meta, drawn, selected=selection.area),
            title=f"Funnel plot: {meta['short_name']}",
            subtitle=None,
            source=source,
            period=selection.period,
        ),
        charts.describe_funnel(facts.table, meta, drawn, selected=selection.area),
    )


def _trend_page(pdf: Pack, facts: Facts, atlas: Atlas, source: str) -> None:
    meta, selection, name = facts.meta, facts.selection, str(facts.area_name)
    trend = atlas.trend(selection.indicator, selection.area, selection.level)
    if trend["value"].notna().sum() < 2:
        return
    periods = f"{trend['period'].iloc[0]} to {trend['period'].iloc[-1]}"
    chart_page(
        pdf,
        "Trend",
        export.captioned(
            charts.trend(trend, meta, area_name=name),
            title=f"{meta['short_name']} in {name}",
            subtitle=None,
            source=source,
            period=periods,
        ),
        charts.describe_trend(trend, meta, area_name=name),
    )


def _spine_page(pdf: Pack, facts: Facts, atlas: Atlas) -> None:
    selection, name = facts.selection, str(facts.area_name)
    profile = atlas.profile(selection.area, selection.level)
    profile = profile.loc[~profile["indicator_id"].isin(narrative.TREND_ONLY)]
    if profile.empty:
        return
    areas = spine_areas(atlas, profile, selection.level)
    chart_page(
        pdf,
        "Against England",
        export.captioned(
            charts.spine(profile, area_name=name, areas=areas),
            title=f"{name} compared with England",
            subtitle=None,
            source=sources_of(atlas, profile["indicator_id"]),
            period="latest period of each indicator (shown in each row)",
        ),
        charts.describe_spine(profile, area_name=name, areas=areas),
    )


def chart_pages(pdf: Pack, facts: Facts, atlas: Atlas) -> None:
    """Every chart page that has something to show for the selection.

    The ranked chart always; the funnel plot when the indicator has one and at least three
    areas can be placed on it; for a selected area, its trend (two or more values) and its
    spine chart against England.
    """
    source = chart_source(facts.meta, facts.selection.period)
    _ranked_page(pdf, facts, source)
    if limits.funnel_drawable(facts.meta, facts.table):
        _funnel_page(pdf, facts, source)
    if not facts.selection.area:
        return
    _trend_page(pdf, facts, atlas, source)
    _spine_page(pdf, facts, atlas)
