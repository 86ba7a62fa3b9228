"""The board pack: one A4 landscape PDF of the current selection, for a board paper.

:func:`build` turns an :class:`~gapmap.atlas.Atlas` and a :class:`~gapmap.state.Selection`
into PDF bytes: a title page (area, period, date of the data, contents), the gap map, the
key charts each with its text alternative, a table of values with confidence intervals and
the England comparison, methods and caveats, the suppression statement and the sources with
their licence attributions.

Print is read in black and white, so nothing depends on colour alone: the map is shaded by
value (darker = worse, or higher), which survives greyscale, and every comparison with
England is also written in words. Hidden (suppressed) figures are blank with the reason,
never a number. The layout is deterministic: the same atlas, selection and ``generated``
date always give the same bytes (the PDF's creation date is that date, not the clock).

Text is set in Lato, an SIL Open Font License font shipped as a Python package, embedded
in the PDF, so the pack looks the same on every machine and can hold characters such as
"–", "’" and "©" that PDF core fonts cannot.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

import altair as alt
import pandas as pd
from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.outline import OutlineSection

from gapmap import charts, export, maps, narrative, prose
from gapmap.atlas import Atlas
from gapmap.content import read_content
from gapmap.periods import MONTH_NAMES
from gapmap.state import Selection
from gapmap.views import chart_source, publisher
from gapmap.wording import COMPARISON_WORDS, PLURALS

# ------------------------------------------------------------------------------ layout

#: A4 landscape, in millimetres.
PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 12.0
BOTTOM = 16.0
CONTENT_W = PAGE_W - 2 * MARGIN
#: Top of the content under a page heading.
BODY_TOP = 30.0
FONT = "Lato"
FONT_FILES = {
    "": "Lato-Regular.ttf",
    "B": "Lato-Bold.ttf",
    "I": "Lato-Italic.ttf",
    "BI": "Lato-BoldItalic.ttf",
}
INK = (26, 26, 26)
MUTED = (80, 80, 80)
RULE = (150, 150, 150)
SHADE = (235, 235, 235)
#: Tables and ranked charts longer than this show their top and bottom rows only.
TABLE_ROWS = 50
TABLE_KEEP = 20
CHART_ROWS = 40
CHART_KEEP = 10
#: Image resolution: vl-convert's scale (2 = about 190 dpi at the printed size).
SCALE = 2.0
#: Characters Lato lacks, spelt out rather than dropped.
SUBSTITUTES = {"→": "->", "←": "<-", "≠": "!=", "≈": "~", "✓": "yes", "✗": "no"}
#: Methods sections printed for every pack, and those that belong to one indicator or level.
METHODS_ALWAYS = ("Confidence intervals", "Comparing an area with England")
METHODS_FOR_INDICATOR = {
    "tt_gap_ratio": "The provision gap ratio",
    "secondary_reliance_ratio": "The secondary-care reliance ratio",
}
METHODS_FOR_LEVEL = {"ccg": "Clinical commissioning groups across mergers"}
#: Point shapes of the England comparisons, so print in greyscale keeps them apart.
COMPARISON_SHAPES = {
    "Better than England": "triangle-up",
    "Worse than England": "triangle-down",
    "Similar to England": "circle",
    "Higher than England": "square",
    "Lower than England": "diamond",
    "Not compared with England": "circle",
}
BOUNDARIES_CREDIT = (
    "Boundaries: Office for National Statistics (ONS), Open Geography Portal, licensed under "
    "the Open Government Licence v3.0. Contains OS data © Crown copyright and database "
    "right 2024."
)


# ------------------------------------------------------------------------------ facts


@dataclass(frozen=True)
class Facts:
    """Everything the pack says about the selection, worked out once."""

    selection: Selection
    meta: pd.Series
    level_label: str
    area_name: str | None
    table: pd.DataFrame
    england: float | None
    vintage: str
    built: date
    generated: date

    @property
    def where(self) -> str:
        """'Black Country (E38000259)' or 'England'."""
        if self.selection.area is None:
            return "England"
        return f"{self.area_name} ({self.selection.area})"

    @property
    def footer(self) -> str:
        """The selection, repeated at the foot of every page."""
        return " · ".join(
            [
                "Mind the Gap board pack",
                self.where,
                self.level_label,
                str(self.meta["short_name"]),
                self.selection.period,
            ]
        )


def facts(atlas: Atlas, selection: Selection, generated: date | None = None) -> Facts:
    """The facts of a selection; ``generated`` defaults to the atlas build date."""
    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    if vintage is None:
        raise ValueError(
            f"no values of {selection.indicator!r} for {selection.level!r} in "
            f"{selection.period!r}: choose a period the atlas has (state.resolve does)"
        )
    area = atlas.area(selection.area, vintage) if selection.area else None
    if selection.area and area is None:
        raise ValueError(f"area {selection.area!r} is not on the {vintage} map")
    england = atlas.england(selection.indicator, selection.period)
    england_value = None
    if england is not None and not england["suppressed"] and pd.notna(england["value"]):
        england_value = float(england["value"])
    built = built_date(atlas.manifest)
    return Facts(
        selection=selection,
        meta=atlas.indicator(selection.indicator),
        level_label=atlas.levels()[selection.level],
        area_name=None if area is None else str(area["area_name"]),
        table=atlas.table(selection.indicator, selection.level, selection.period),
        england=england_value,
        vintage=vintage,
        built=built,
        generated=generated or built,
    )


def built_date(manifest: dict) -> date:
    """The atlas build date from its manifest (``built_at``, ISO 8601)."""
    stamp = str(manifest.get("built_at", ""))
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise ValueError(
            f"manifest.json: built_at {stamp!r} is not an ISO date; rebuild the atlas"
        ) from exc


def long_date(day: date) -> str:
    """'23 November 2026', the same in every locale."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


# ------------------------------------------------------------------------------ tables


def _number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _shown(value: object, unit: str, decimals: int | None = None) -> str:
    """A number for a table cell: '13.7%', '2,124', '0.92'; '' when missing."""
    number = _number(value)
    if number is None:
        return ""
    return maps.format_value(number, "%" if unit == "%" else None, decimals)


def _interval(row: pd.Series, unit: str, decimals: int) -> str:
    lower, upper = _number(row.get("lower_95")), _number(row.get("upper_95"))
    if lower is None or upper is None:
        return ""
    return f"{_shown(lower, unit, decimals)} to {_shown(upper, unit, decimals)}"


def _label(meta: pd.Series) -> str:
    """An indicator's short name with the unit its numbers need ('... (per 100,000)')."""
    unit = str(meta["unit"] or "")
    name = str(meta["short_name"])
    return f"{name} ({unit})" if unit.startswith("per ") or unit == "years" else name


def _suppressed_note(note: object) -> str:
    text = "" if note is None or note is pd.NA else str(note).strip()
    if text.lower().startswith("suppressed"):
        return text
    return f"Suppressed: {text or export.SUPPRESSED_NOTE.split(': ', 1)[1]}"


def _value_cells(row: pd.Series, unit: str) -> tuple[str, str, str, str]:
    """(value, 95% interval, comparison in words, note), blank where suppressed."""
    note = row.get("note")
    if bool(row.get("suppressed")):
        return "", "", "", _suppressed_note(note)
    value = _number(row.get("value"))
    note_text = "" if note is None or note is pd.NA else str(note)
    if value is None:
        return "", "", "", note_text or "No value"
    decimals = maps.decimals_for(value)
    words = COMPARISON_WORDS.get(str(row.get("comparison")), COMPARISON_WORDS["not_compared"])
    return _shown(value, unit, decimals), _interval(row, unit, decimals), words, note_text


AREA_COLUMNS = (
    "Indicator",
    "Period",
    "Value",
    "95% confidence interval",
    "England",
    "Compared with England (95%)",
    "Note",
)


def area_table(atlas: Atlas, selection: Selection) -> pd.DataFrame:
    """Every indicator of the selected area, as printed: values, intervals, England.

    The selected indicator comes first, in the selected period; the others follow in
    catalogue order at their latest period. Cells are text; suppressed values are blank
    with the reason in the note, and the comparison is in words.
    """
    if not selection.area:
        raise ValueError("area_table needs a selected area")
    profile = atlas.profile(selection.area, selection.level).set_index("indicator_id")
    chosen = atlas.table(selection.indicator, selection.level, selection.period)
    chosen = chosen.loc[chosen["area_code"] == selection.area]
    order = [selection.indicator] + [
        i
        for i in atlas.indicator_ids(selection.level)
        if i != selection.indicator and i not in narrative.TREND_ONLY
    ]
    rows = []
    for indicator_id in order:
        if indicator_id == selection.indicator and not chosen.empty:
            row = chosen.iloc[0]
        elif indicator_id in profile.index:
            row = profile.loc[indicator_id]
        else:
            continue
        meta = atlas.indicator(indicator_id)
        unit = str(meta["unit"] or "")
        period = str(row["period"])
        england = atlas.england(indicator_id, period)
        england_value = (
            None if england is None or bool(england["suppressed"]) else _number(england["value"])
        )
        value, interval, words, note = _value_cells(row, unit)
        england_text = "" if england_value is None else _shown(england_value, unit)
        if england is not None and bool(england["suppressed"]):
            note = " ".join(p for p in (note, "England's figure is suppressed.") if p)
        rows.append(
            dict(
                zip(
                    AREA_COLUMNS,
                    (_label(meta), period, value, interval, england_text, words, note),
                    strict=True,
                )
            )
        )
    return pd.DataFrame(rows, columns=list(AREA_COLUMNS))


RANKED_COLUMNS = (
    "Rank",
    "Area",
    "Code",
    "Value",
    "95% confidence interval",
    "Compared with England (95%)",
    "Note",
)


def _ranked_order(table: pd.DataFrame) -> pd.DataFrame:
    """Areas with a value, highest first (ties by name), then those without, by name."""
    hidden = table["suppressed"].fillna(False).astype(bool) | table["value"].isna()
    valued = table.loc[~hidden].sort_values(["value", "area_name"], ascending=[False, True])
    valued = valued.assign(rank=range(1, len(valued) + 1))
    blank = table.loc[hidden].sort_values("area_name").assign(rank=pd.NA)
    return pd.concat([valued, blank]).reset_index(drop=True)


def ranked_table(facts: Facts) -> tuple[pd.DataFrame, str | None]:
    """The indicator's areas ranked, as printed, under England's own row.

    Longer than :data:`TABLE_ROWS`, only the top and bottom :data:`TABLE_KEEP` areas with a
    value are listed (and every area without one); the second item then says so.
    """
    unit = str(facts.meta["unit"] or "")
    ordered = _ranked_order(facts.table)
    valued = ordered.loc[ordered["rank"].notna()]
    blank = ordered.loc[ordered["rank"].isna()]
    note = None
    pieces = [valued]
    if len(ordered) > TABLE_ROWS and len(valued) > 2 * TABLE_KEEP:
        left_out = len(valued) - 2 * TABLE_KEEP
        pieces = [valued.head(TABLE_KEEP), None, valued.tail(TABLE_KEEP)]
        note = (
            f"The table lists the {TABLE_KEEP} highest and {TABLE_KEEP} lowest of "
            f"{len(valued)} areas with a value, and every area without one; the other "
            f"{left_out} are in the app and its CSV download."
        )
    england_row = ["", "England", "E92000001", _shown(facts.england, unit), "", "", ""]
    rows = [dict(zip(RANKED_COLUMNS, england_row, strict=True))]
    for piece in [*pieces, blank]:
        if piece is None:
            gap = ["", f"… {left_out} areas not shown …", "", "", "", "", ""]
            rows.append(dict(zip(RANKED_COLUMNS, gap, strict=True)))
            continue
        for _, row in piece.iterrows():
            value, interval, words, text = _value_cells(row, unit)
            rank = "" if pd.isna(row["rank"]) else str(int(row["rank"]))
            cells = [rank, str(row["area_name"]), str(row["area_code"]), value, interval]
            rows.append(dict(zip(RANKED_COLUMNS, [*cells, words, text], strict=True)))
    return pd.DataFrame(rows, columns=list(RANKED_COLUMNS)), note


def ranked_subset(
    table: pd.DataFrame, selected: str | None, keep: int = CHART_KEEP
) -> tuple[pd.DataFrame, str | None]:
    """Rows for a ranked chart that fits a page, each area name led by its rank.

    Up to :data:`CHART_ROWS` areas are all kept. Beyond that: the ``keep`` highest and
    lowest, and the selected area with two neighbours either side; the second item says
    which rows are shown.
    """
    ordered = _ranked_order(table)
    # Ranks are padded with spaces (invisible in right-aligned labels) so that areas with
    # equal values, which the chart orders by label, keep their rank order: " 9." < "10."
    width = len(str(len(ordered)))
    ranked = ordered.assign(
        area_name=[
            name if pd.isna(rank) else f"{int(rank):>{width}}. {name}"
            for rank, name in zip(ordered["rank"], ordered["area_name"], strict=True)
        ]
    )
    valued = ranked.loc[ranked["rank"].notna()]
    if len(ranked) <= CHART_ROWS:
        return ranked.drop(columns="rank"), None
    keep_rows = set(range(keep)) | set(range(len(valued) - keep, len(valued)))
    where = ""
    position = ranked.index[ranked["area_code"] == selected]
    if selected and len(position):
        at = int(position[0])
        if at < len(valued):
            keep_rows |= set(range(max(at - 2, 0), min(at + 3, len(valued))))
        else:
            keep_rows.add(at)
        where = ", and the selected area with its neighbours in the ranking"
    subset = ranked.loc[sorted(keep_rows)].drop(columns="rank")
    note = (
        f"The chart shows the {keep} highest and {keep} lowest of {len(valued)} areas with "
        f"a value{where}; the number before each name is its rank (1 = highest value). "
        "The sentence with the chart describes all areas."
    )
    return subset, note


# ------------------------------------------------------------------------------ text


@cache
def _font_path(style: str) -> str:
    return str(resources.files("font_lato") / "files" / FONT_FILES[style])


@cache
def _glyphs() -> frozenset[int]:
    with TTFont(_font_path("")) as font:
        return frozenset(font.getBestCmap())


def printable(text: object) -> str:
    """Text with every character the embedded font can draw (others spelt out or '?')."""
    out = []
    for char in str(text):
        if ord(char) in _glyphs() or char in "\n\t":
            out.append(char)
        elif char in SUBSTITUTES:
            out.append(SUBSTITUTES[char])
        elif char in "\u200b\u200c\u200d\ufeff":
            continue
        else:
            out.append("?")
    return "".join(out)


# ------------------------------------------------------------------------------- PDF


class _Pack(FPDF):
    """A4 landscape pages with the selection and the page number in the footer."""

    def __init__(self, footer: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = printable(footer)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        for style in FONT_FILES:
            self.add_font(FONT, style, _font_path(style))
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.fresh_page = False

    def footer(self) -> None:
        self.set_y(-12)
        self.line(MARGIN, self.get_y(), PAGE_W - MARGIN, self.get_y())
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.set_x(MARGIN)
        self.cell(CONTENT_W - 30, 6, self.footer_text, align="L")
        self.cell(30, 6, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)


def _heading(pdf: _Pack, text: str) -> None:
    """A new page with a section title (also a bookmark and a contents entry)."""
    if pdf.fresh_page:
        pdf.fresh_page = False  # the contents placeholder has already turned the page
    else:
        pdf.add_page()
    pdf.start_section(text)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font(FONT, "B", 18)
    pdf.cell(CONTENT_W, 10, printable(text), new_x="LMARGIN", new_y="NEXT")
    pdf.line(MARGIN, pdf.get_y() + 1, PAGE_W - MARGIN, pdf.get_y() + 1)
    pdf.set_y(BODY_TOP - 6)


def _write_runs(pdf: _Pack, paragraph, runs: Iterable[prose.Run], size: float) -> None:
    for run in runs:
        pdf.set_font(FONT, run.style, size)
        paragraph.write(printable(run.text), link=run.link)


def _prose(
    pdf: _Pack,
    items: Sequence[prose.Block],
    *,
    x: float = MARGIN,
    width: float = CONTENT_W,
    ncols: int = 2,
    size: float = 9.5,
    shift: int = 0,
) -> None:
    """Blocks set in columns from the current height (tables as lists, see below)."""
    flowing = [
        b for block in items for b in (table_as_list(block) if block.kind == "table" else [block])
    ]
    _columns(pdf, flowing, x, width, ncols, size, shift)


def table_as_list(block: prose.Block) -> list[prose.Block]:
    """A small prose table as one bullet per row: first cell in bold, then the others.

    A table cannot flow inside text columns; breaking out of them would reorder the text
    around it, so the few short tables in the prose are read as lists instead.
    """
    header, *rows = block.rows or ((),)
    out = []
    for row in rows:
        rest = "; ".join(
            f"{name.lower()}: {cell}" if name else cell
            for name, cell in zip(header[1:], row[1:], strict=False)
        )
        runs = (prose.Run(row[0], "B"), prose.Run(f" — {rest}" if rest else ""))
        out.append(prose.Block("bullet", tuple(r for r in runs if r.text)))
    return out


def _columns(pdf, items, x, width, ncols, size, shift) -> None:
    sizes = {1: size + 5, 2: size + 3, 3: size + 1.5}
    with pdf.text_columns(
        ncols=ncols,
        gutter=8,
        l_margin=x,
        r_margin=PAGE_W - x - width,
        line_height=1.3,
        balance=True,
    ) as cols:
        for block in items:
            pdf.set_font(FONT, "", size)  # a list marker takes the font current when it is made
            if block.kind == "heading":
                level = min(block.level + shift, 3)
                with cols.paragraph(top_margin=2.5, bottom_margin=1.2) as par:
                    _write_runs(pdf, par, _restyle(block.runs, "B"), sizes[level])
            elif block.kind in ("bullet", "number"):
                marker = "•" if block.kind == "bullet" else block.marker
                with cols.paragraph(
                    bottom_margin=1.2, indent=5, bullet_string=marker, bullet_r_margin=1.5
                ) as par:
                    _write_runs(pdf, par, block.runs, size)
            elif block.kind == "quote":
                with cols.paragraph(bottom_margin=1.5, indent=5) as par:
                    _write_runs(pdf, par, block.runs, size)
            else:
                with cols.paragraph(bottom_margin=1.8) as par:
                    _write_runs(pdf, par, block.runs, size)
    pdf.set_font(FONT, "", size)


def _restyle(runs: Iterable[prose.Run], style: str) -> list[prose.Run]:
    return [
        prose.Run(r.text, "".join(sorted(set(r.style + style), key="BI".index)), r.link)
        for r in runs
    ]


def _table(
    pdf: _Pack,
    rows: Sequence[Sequence[str]],
    headings: Sequence[str],
    *,
    width: float = CONTENT_W,
    widths: Sequence[float] | None = None,
    size: float = 9,
    bold_first: bool = False,
) -> None:
    pdf.set_font(FONT, "", size)
    heading_style = FontFace(emphasis="BOLD", fill_color=SHADE)
    with pdf.table(
        width=width,
        col_widths=tuple(widths) if widths else None,
        align="LEFT",
        headings_style=heading_style,
        line_height=size * 0.5,
        padding=1.2,
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=True,
        repeat_headings=1,
    ) as table:
        table.row([printable(h) for h in headings])
        for index, cells in enumerate(rows):
            style = FontFace(emphasis="BOLD") if bold_first and index == 0 else None
            table.row([printable(c) for c in cells], style=style)
    pdf.ln(3)


def _png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("chart renderer did not return a PNG")
    return struct.unpack(">II", png[16:24])


def _image(pdf: _Pack, png: bytes, x: float, y: float, w: float, h: float) -> tuple[float, float]:
    """The image as large as fits the box, top-left aligned; returns its printed size."""
    px_w, px_h = _png_size(png)
    scale = min(w / px_w, h / px_h)
    width, height = px_w * scale, px_h * scale
    pdf.image(io.BytesIO(png), x=x, y=y, w=width, h=height)
    return width, height


def _text_box(
    pdf: _Pack, runs: Sequence[prose.Run], x: float, width: float, size: float = 10
) -> None:
    _columns(pdf, [prose.Block("paragraph", tuple(runs))], x, width, 1, size, 0)


# ------------------------------------------------------------------------------ pages


def _title_page(pdf: _Pack, facts: Facts, atlas: Atlas) -> None:
    meta, selection = facts.meta, facts.selection
    pdf.add_page()
    left = 165.0
    pdf.set_xy(MARGIN, 22)
    pdf.set_font(FONT, "B", 28)
    pdf.cell(left, 13, printable("Mind the Gap — board pack"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.set_text_color(*MUTED)
    pdf.cell(left, 7, "Need for mental health care against NHS provision, England")
    pdf.set_text_color(*INK)
    pdf.set_xy(MARGIN, 48)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(left, 9, printable(facts.where), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    source = publisher(str(meta["sources"]))
    rows = [
        ("Geography", facts.level_label),
        ("Indicator", str(meta["name"])),
        ("Period", selection.period),
        ("Data", f"{source}; period {selection.period}"),
        ("Date of the data", f"Atlas built {long_date(facts.built)} from the files under Sources"),
        ("Pack generated", long_date(facts.generated)),
    ]
    for label, value in rows:
        y = pdf.get_y()
        pdf.set_font(FONT, "B", 10.5)
        pdf.set_xy(MARGIN, y)
        pdf.cell(38, 6, label)
        pdf.set_font(FONT, "", 10.5)
        pdf.set_xy(MARGIN + 38, y)
        pdf.multi_cell(left - 38, 6, printable(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(left, 7, "Key figure", new_x="LMARGIN", new_y="NEXT")
    _text_box(pdf, key_figure(atlas, facts), MARGIN, left, 10.5)
    pdf.ln(2)
    about = prose.blocks(prose.section(read_content("board_pack"), "About this pack"))[1:]
    _prose(pdf, about, x=MARGIN, width=left, ncols=1, size=9.5)
    pdf.set_xy(MARGIN + left + 12, 48)
    pdf.insert_toc_placeholder(_contents, pages=1)
    pdf.fresh_page = True


def _contents(pdf: FPDF, outline: list[OutlineSection]) -> None:
    x = MARGIN + 177
    pdf.set_xy(x, 48)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(PAGE_W - MARGIN - x, 7, "Contents", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 10.5)
    for section in outline:
        pdf.set_x(x)
        link = pdf.add_link(page=section.page_number)
        pdf.cell(PAGE_W - MARGIN - x - 12, 6.5, printable(section.name), link=link)
        pdf.cell(12, 6.5, str(section.page_number), align="R", new_x="LEFT", new_y="NEXT")
        pdf.set_x(x)


def key_figure(atlas: Atlas, facts: Facts) -> list[prose.Run]:
    """The headline sentence: the area's value in words, or England's and the range."""
    meta, selection = facts.meta, facts.selection
    if selection.area:
        row = facts.table.loc[facts.table["area_code"] == selection.area]
        if row.empty:
            return list(prose.inline(f"{facts.area_name} has no figure for this period."))
        record = row.iloc[0].copy()
        record["england_value"] = facts.england
        sentence = narrative.indicator_sentence(record, meta, str(facts.area_name))
        return list(prose.inline(sentence))
    text = charts.describe_ranked(facts.table, meta, england_value=facts.england)
    return [prose.Run(text)]


def _map_page(pdf: _Pack, facts: Facts, atlas: Atlas) -> None:
    meta, selection = facts.meta, facts.selection
    _heading(pdf, "The gap map")
    png = maps.static_map_png(
        atlas.boundaries(facts.vintage),
        facts.table,
        meta,
        title=f"{meta['short_name']}: {facts.level_label}",
        source=chart_source(meta, selection.period),
        period=selection.period,
        selected=selection.area,
        colour_by="value",
        england_value=facts.england,
        scale=SCALE,
    )
    width, _ = _image(pdf, png, MARGIN, BODY_TOP, 170, PAGE_H - BODY_TOP - BOTTOM - 2)
    x = MARGIN + width + 8
    column = PAGE_W - MARGIN - x
    pdf.set_xy(x, BODY_TOP)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(column, 7, "Selected area" if selection.area else "England")
    pdf.set_y(BODY_TOP + 8)
    if selection.area:
        _text_box(pdf, key_figure(atlas, facts), x, column, 10)
        rank = _rank_sentence(facts)
        if rank:
            _text_box(pdf, [prose.Run(rank)], x, column, 10)
    else:
        unit = str(meta["unit"] or "")
        value = "no published figure" if facts.england is None else _shown(facts.england, unit)
        england = f"England's value for {selection.period}: {value}. No area is selected."
        _text_box(pdf, [prose.Run(england)], x, column, 10)
    pdf.ln(2)
    pdf.set_x(x)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(column, 7, "Across England", new_x="LEFT", new_y="NEXT")
    _text_box(pdf, [prose.Run(_counts_sentence(facts))], x, column, 10)
    pdf.ln(2)
    reading = prose.blocks(prose.section(read_content("board_pack"), "Reading the map"))
    _prose(pdf, reading, x=x, width=column, ncols=1, size=9.5, shift=1)


def _rank_sentence(facts: Facts) -> str | None:
    ordered = _ranked_order(facts.table)
    valued = ordered.loc[ordered["rank"].notna()]
    row = valued.loc[valued["area_code"] == facts.selection.area]
    if row.empty:
        return None
    rank = int(row["rank"].iloc[0])
    return (
        f"{facts.area_name} ranks {narrative.ordinal(rank)} of {len(valued)} "
        f"{PLURALS.get(facts.selection.level, 'areas')} with a value (1 = highest value)."
    )


def _counts_sentence(facts: Facts) -> str:
    table = facts.table
    hidden = table["suppressed"].fillna(False).astype(bool) | table["value"].isna()
    shown = table.loc[~hidden, "comparison"].astype("object").fillna("not_compared")
    counts = shown.value_counts()
    parts = [
        f"{counts[key]} {COMPARISON_WORDS[key][0].lower() + COMPARISON_WORDS[key][1:]}"
        for key in ("better", "similar", "worse", "higher", "lower", "not_compared")
        if key in counts
    ]
    noun = PLURALS.get(facts.selection.level, "areas")
    text = f"Of {len(table)} {noun}: " + "; ".join(parts)
    if hidden.any():
        text += f"; {int(hidden.sum())} without a value (suppressed or missing)"
    england = "" if facts.england is None else _shown(facts.england, str(facts.meta["unit"]))
    return text + (f". England: {england}." if england else ".")


def _chart_page(
    pdf: _Pack, heading: str, chart: alt.TopLevelMixin, alt_text: str, note: str | None = None
) -> None:
    """A chart as large as the page allows, with its text alternative beside or below it."""
    _heading(pdf, heading)
    png = export.to_png(shaped(chart.to_dict()), scale=SCALE)
    px_w, px_h = _png_size(png)
    room = PAGE_H - BODY_TOP - BOTTOM - 2
    text = [prose.Run(alt_text)] + ([prose.Run("\n\n" + note, "I")] if note else [])
    if px_w / px_h >= 1.45:  # wide: full width, text underneath
        below = _text_height(pdf, text, CONTENT_W, 10) + 4
        _, height = _image(pdf, png, MARGIN, BODY_TOP, CONTENT_W, room - below)
        pdf.set_y(BODY_TOP + height + 4)
        _text_box(pdf, text, MARGIN, CONTENT_W, 10)
    else:  # tall: chart on the left, text in a column on the right
        width, _ = _image(pdf, png, MARGIN, BODY_TOP, 190, room)
        x = MARGIN + width + 8
        pdf.set_y(BODY_TOP)
        _text_box(pdf, text, x, PAGE_W - MARGIN - x, 10)


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


def _text_height(pdf: _Pack, runs: Sequence[prose.Run], width: float, size: float) -> float:
    """Height of runs set by :func:`_text_box` (measured in the regular face)."""
    pdf.set_font(FONT, "", size)
    line = size * 0.3528 * 1.3  # points to mm, times the columns' line height
    lines = pdf.multi_cell(
        width, line, printable(prose.plain(tuple(runs))), dry_run=True, output="LINES"
    )
    return len(lines) * line


def _charts(pdf: _Pack, facts: Facts, atlas: Atlas) -> None:
    meta, selection = facts.meta, facts.selection
    source = chart_source(meta, selection.period)
    subset, note = ranked_subset(facts.table, selection.area)
    ranked = charts.ranked(subset, meta, selected=selection.area, england_value=facts.england)
    _chart_page(
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
    if charts.has_funnel(meta) and _plottable(facts.table) >= 3:
        funnel = charts.funnel(
            facts.table, meta, selected=selection.area, england_value=facts.england
        )
        _chart_page(
            pdf,
            "Funnel plot",
            export.captioned(
                funnel,
                title=f"Funnel plot: {meta['short_name']}",
                subtitle=None,
                source=source,
                period=selection.period,
            ),
            charts.describe_funnel(
                facts.table, meta, selected=selection.area, england_value=facts.england
            ),
        )
    if not selection.area:
        return
    name = str(facts.area_name)
    trend = atlas.trend(selection.indicator, selection.area, selection.level)
    if trend["value"].notna().sum() >= 2:
        periods = f"{trend['period'].iloc[0]} to {trend['period'].iloc[-1]}"
        _chart_page(
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
    profile = atlas.profile(selection.area, selection.level)
    profile = profile.loc[~profile["indicator_id"].isin(narrative.TREND_ONLY)]
    if not profile.empty:
        areas = spine_areas(atlas, profile, selection.level)
        _chart_page(
            pdf,
            "Against England",
            export.captioned(
                charts.spine(profile, area_name=name, areas=areas),
                title=f"{name} compared with England",
                subtitle=None,
                source=_sources_of(atlas, profile["indicator_id"]),
                period="latest period of each indicator (shown in each row)",
            ),
            charts.describe_spine(profile, area_name=name, areas=areas),
        )


def spine_areas(atlas: Atlas, profile: pd.DataFrame, level: str) -> pd.DataFrame:
    """Every area's value of each profile indicator in its period, for the spine's bars.

    Suppressed values are left out, as everywhere.
    """
    parts = []
    for indicator_id, period in zip(profile["indicator_id"], profile["period"], strict=True):
        table = atlas.table(str(indicator_id), level, str(period))
        shown = table.loc[~table["suppressed"].fillna(False).astype(bool), ["value"]]
        parts.append(shown.assign(indicator_id=str(indicator_id)))
    if not parts:
        return pd.DataFrame({"indicator_id": [], "value": []})
    return pd.concat(parts, ignore_index=True)[["indicator_id", "value"]]


def _plottable(table: pd.DataFrame) -> int:
    """Areas a funnel plot can place: a shown value and a positive denominator."""
    hidden = table["suppressed"].fillna(False).astype(bool) | table["value"].isna()
    denominator = pd.to_numeric(table["denominator"], errors="coerce")
    return int((~hidden & (denominator > 0)).sum())


def _sources_of(atlas: Atlas, indicator_ids: Iterable[str]) -> str:
    names: list[str] = []
    for indicator_id in indicator_ids:
        for name in publisher(str(atlas.indicator(indicator_id)["sources"])).split(", "):
            if name not in names:
                names.append(name)
    return ", ".join(names)


def _table_page(pdf: _Pack, facts: Facts, atlas: Atlas) -> None:
    selection = facts.selection
    if selection.area:
        _heading(pdf, "Figures for the area")
        intro = (
            f"Every indicator the atlas has for {facts.where}, at its latest period (the "
            f"selected indicator first, for {selection.period}), beside England. Hidden "
            "figures are blank, with the reason in the note."
        )
        frame = area_table(atlas, selection)
        widths = (62, 30, 22, 38, 22, 44, 55)
        note = None
    else:
        _heading(pdf, "Areas ranked: the table")
        frame, note = ranked_table(facts)
        unit = str(facts.meta["unit"] or "")
        intro = (
            f"{facts.meta['name']}"
            + (f" ({unit})" if unit and unit != "ratio" else "")
            + f", {facts.level_label}, {selection.period}: every area ranked from the highest "
            "value, under England's own figure. Hidden figures are blank, with the reason "
            "in the note."
        )
        widths = (12, 70, 25, 22, 38, 44, 62)
    text = [prose.Run(intro)] + ([prose.Run(" " + note, "I")] if note else [])
    _text_box(pdf, text, MARGIN, CONTENT_W, 10)
    pdf.ln(1)
    _table(
        pdf,
        frame.astype(str).to_numpy().tolist(),
        list(frame.columns),
        widths=widths,
        size=8.5,
        bold_first=True,
    )


def _methods_page(pdf: _Pack, facts: Facts) -> None:
    meta = facts.meta
    _heading(pdf, "Methods and caveats")
    methods = read_content("methods")
    own = [
        prose.Block("heading", prose.inline(f"This indicator: {meta['short_name']}"), level=2),
        prose.Block("paragraph", (prose.Run("Method. ", "B"), prose.Run(str(meta["method"])))),
    ]
    if pd.notna(meta["caveats"]) and str(meta["caveats"]).strip():
        own.append(
            prose.Block("paragraph", (prose.Run("Caveats. ", "B"), prose.Run(str(meta["caveats"]))))
        )
    names = [
        METHODS_FOR_INDICATOR.get(facts.selection.indicator),
        METHODS_FOR_LEVEL.get(facts.selection.level),
        *METHODS_ALWAYS,
    ]
    parts = [prose.blocks(prose.section(methods, n)) for n in names if n]
    caveats = [  # one level down, under this page's own title
        replace(b, level=b.level + 1) if b.kind == "heading" else b
        for b in prose.blocks(read_content("caveats"))
    ]
    reading = prose.blocks(prose.section(read_content("board_pack"), "Reading the charts"))
    blocks = [*own, *reading, *(b for part in parts for b in part), *caveats]
    _prose(pdf, blocks, size=9, shift=0)


def _suppression_page(pdf: _Pack) -> None:
    _heading(pdf, "Hidden and rounded numbers")
    blocks = prose.blocks(read_content("suppression"))
    _prose(pdf, [b for b in blocks if not (b.kind == "heading" and b.level == 1)], size=10)


def _sources_page(pdf: _Pack, facts: Facts, atlas: Atlas) -> None:
    _heading(pdf, "Sources and attribution")
    ids = [facts.selection.indicator]
    if facts.selection.area:
        profile = atlas.profile(facts.selection.area, facts.selection.level)
        ids += [i for i in profile["indicator_id"] if i not in ids]
    blocks = [prose.Block("heading", (prose.Run("Where this pack's figures come from"),), 2)]
    for indicator_id in ids:
        meta = atlas.indicator(indicator_id)
        files = "; ".join(s.strip() for s in str(meta["sources"]).split(";") if s.strip())
        blocks.append(
            prose.Block(
                "bullet",
                (
                    prose.Run(str(meta["short_name"]), "B"),
                    prose.Run(f": {publisher(str(meta['sources']))}. Files: {files}"),
                ),
            )
        )
    blocks.append(prose.Block("paragraph", (prose.Run(BOUNDARIES_CREDIT),)))
    blocks.append(
        prose.Block(
            "paragraph",
            (
                prose.Run(
                    f"The atlas was built on {long_date(facts.built)} from "
                    f"{len(atlas.manifest.get('raw_files', {}))} published files; every row "
                    "of each was either used or rejected with a reason (see Methods & data "
                    "in the app)."
                ),
            ),
        )
    )
    sources = read_content("sources")
    for heading in ("Attribution", "Reshaped copies"):
        blocks += prose.blocks(prose.section(sources, heading))
    blocks += prose.blocks(prose.section(read_content("board_pack"), "Reusing this pack"))
    _prose(pdf, blocks, size=9)


# ------------------------------------------------------------------------------ build


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
    pdf = _Pack(info.footer)
    pdf.set_title(printable(f"Mind the Gap board pack: {info.where}, {info.meta['short_name']}"))
    pdf.set_subject(printable(f"{info.meta['name']}, {info.level_label}, {selection.period}"))
    pdf.set_author("Mind the Gap")
    pdf.set_creator("Mind the Gap")
    pdf.set_producer("Mind the Gap")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(datetime(*info.generated.timetuple()[:3], tzinfo=UTC))
    _title_page(pdf, info, atlas)
    _map_page(pdf, info, atlas)
    _charts(pdf, info, atlas)
    _table_page(pdf, info, atlas)
    _methods_page(pdf, info)
    _suppression_page(pdf)
    _sources_page(pdf, info, atlas)
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
