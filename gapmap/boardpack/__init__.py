"""The board pack: one A4 landscape PDF of the current selection, for a board paper.

:func:`build` turns an :class:`~gapmap.atlas.Atlas` and a :class:`~gapmap.state.Selection`
into PDF bytes: a title page (area, period, date of the data, contents), for a selected area
what the data say about it (:mod:`gapmap.findings`), the gap map, the
key charts each with its text alternative, a table of values with confidence intervals and
the England comparison, methods and caveats, the suppression statement and the sources with
their licence attributions.

Three jobs, three kinds of module: :mod:`~gapmap.boardpack.facts` works out what the pack
says (pure data and sentences), :mod:`~gapmap.boardpack.layout` is the print toolkit (fonts,
headings, prose in columns, tables, images; it knows nothing of the atlas), and
:mod:`~gapmap.boardpack.pages` and :mod:`~gapmap.boardpack.chart_pages` lay the facts out.

Print is read in black and white, so nothing depends on colour alone: the map is shaded by
value (darker = worse, or higher), which survives greyscale, and every comparison with
England is also written in words. Hidden (suppressed) figures are blank with the reason,
never a number. The layout is deterministic: the same atlas, selection and ``generated``
date always give the same bytes (the PDF's creation date is that date, not the clock).

The function :func:`facts` shadows the module of the same name on this package: import the
module's other names with ``from gapmap.boardpack.facts import ...``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from gapmap import export
from gapmap.atlas import Atlas
from gapmap.boardpack.chart_pages import COMPARISON_SHAPES, chart_pages, shaped
from gapmap.boardpack.facts import (
    AREA_COLUMNS,
    CHART_KEEP,
    CHART_ROWS,
    RANKED_COLUMNS,
    TABLE_KEEP,
    TABLE_ROWS,
    Facts,
    area_table,
    built_date,
    facts,
    key_figure,
    long_date,
    ranked_subset,
    ranked_table,
)
from gapmap.boardpack.layout import SCALE, Pack, printable, table_as_list
from gapmap.boardpack.pages import (
    findings_page,
    map_page,
    methods_page,
    sources_page,
    suppression_page,
    table_page,
    title_page,
)
from gapmap.state import Selection

__all__ = [
    "AREA_COLUMNS",
    "CHART_KEEP",
    "CHART_ROWS",
    "COMPARISON_SHAPES",
    "RANKED_COLUMNS",
    "SCALE",
    "TABLE_KEEP",
    "TABLE_ROWS",
    "Facts",
    "area_table",
    "build",
    "built_date",
    "facts",
    "filename",
    "key_figure",
    "long_date",
    "printable",
    "ranked_subset",
    "ranked_table",
    "shaped",
    "table_as_list",
]


def build(atlas: Atlas, selection: Selection, *, generated: date | None = None) -> bytes:
    """The board pack of ``selection`` as PDF bytes (A4 landscape).

    Parameters
    ----------
    atlas
        The loaded atlas.
    selection
        A valid selection (as :func:`gapmap.state.resolve` returns); with no area the pack
        is about England and all areas of the level.
    generated
        The date printed as "Pack generated"; the atlas build date when None. It is also
        the PDF's creation date, so equal inputs give byte-identical files.

    Raises
    ------
    ValueError
        When the selection's indicator has no values at that level and period, or the area
        is not on that period's map.
    """
    info = facts(atlas, selection, generated)
    pdf = Pack(info.footer)
    pdf.set_title(printable(f"Mind the Gap board pack: {info.where}, {info.meta['short_name']}"))
    pdf.set_subject(printable(f"{info.meta['name']}, {info.level_label}, {selection.period}"))
    pdf.set_author("Mind the Gap")
    pdf.set_creator("Mind the Gap")
    pdf.set_producer("Mind the Gap")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(datetime(*info.generated.timetuple()[:3], tzinfo=UTC))
    title_page(pdf, info, atlas)
    findings_page(pdf, info, atlas)
    map_page(pdf, info, atlas)
    chart_pages(pdf, info, atlas)
    table_page(pdf, info, atlas)
    methods_page(pdf, info)
    suppression_page(pdf, info, atlas)
    sources_page(pdf, info, atlas)
    return bytes(pdf.output())


def filename(selection: Selection) -> str:
    """The download name: board-pack_<indicator>_<level>_<area or england>_<period>.pdf."""
    return export.filename(
        "board-pack",
        selection.indicator,
        selection.level,
        selection.area or "england",
        selection.period,
        ext="pdf",
    )
