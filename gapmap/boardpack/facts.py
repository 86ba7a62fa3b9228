"""What the board pack says about a selection: facts, dates, tables of values and sentences.

Everything here is data in, data or text out; nothing knows about PDF. The pages
(:mod:`gapmap.boardpack.pages`) lay these out. Table cells are text as printed: suppressed
values are blank with the reason in the note, and comparisons with England are in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from gapmap import charts, export, narrative, prose
from gapmap.atlas import Atlas
from gapmap.limits import funnel_rows
from gapmap.periods import long_date as long_date  # re-exported for the pack
from gapmap.sources import publisher
from gapmap.state import Selection
from gapmap.wording import (
    COMPARISON_KEYS,
    COMPARISON_WORDS,
    PLURALS,
    NumberFormat,
    as_number,
    comparison_word,
    joined,
    lower_first,
    number_format,
    ordinal,
    quality_word,
    spread_note,
)

#: Tables and ranked charts longer than this show their top and bottom rows only.
TABLE_ROWS = 50
TABLE_KEEP = 20
CHART_ROWS = 40
CHART_KEEP = 10


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


# ------------------------------------------------------------------------------ numbers
#
# Numbers are read by the indicator's format from gapmap.wording, as on the map and in the
# app. In table cells only a percentage keeps its unit; the row's label names any other.


def _label(meta: pd.Series) -> str:
    """An indicator's short name with the unit its numbers need ('... (per 100,000)')."""
    unit = str(meta["unit"] or "")
    name = str(meta["short_name"])
    return f"{name} ({unit})" if unit.startswith("per ") or unit == "years" else name


def _note_text(note: object) -> str:
    """A note as text; a missing one (None, NA or NaN from a merge) is empty, never 'nan'."""
    return "" if note is None or pd.isna(note) else str(note).strip()


def _suppressed_note(note: object) -> str:
    text = _note_text(note)
    if text.lower().startswith("suppressed"):
        return text
    return f"Suppressed: {text or export.SUPPRESSED_NOTE.split(': ', 1)[1]}"


def _value_cells(row: pd.Series, fmt: NumberFormat, statistic: object) -> tuple[str, str, str, str]:
    """(value, 95% interval, comparison in words, note), blank where suppressed.

    The note says why a ratio (or its gap in people) is similar to England though its
    interval leaves England out (:func:`gapmap.wording.spread_note`).
    """
    note = row.get("note")
    if bool(row.get("suppressed")):
        return "", "", "", _suppressed_note(note)
    value = as_number(row.get("value"))
    note_text = _note_text(note)
    if value is None:
        return "", "", "", note_text or "No value"
    percent = fmt.unit == "%"
    words = comparison_word(row.get("comparison"), row.get("quality"))
    low, high = row.get("lower_95"), row.get("upper_95")
    interval = fmt.interval(low, high, unit=percent)
    spread = spread_note(statistic, row.get("comparison"), low, high, fmt.decimals)
    return fmt.text(value, unit=percent), interval, words, joined(note_text, spread)


def _hidden(table: pd.DataFrame) -> pd.Series:
    """Rows without a value to show: suppressed or missing."""
    return table["suppressed"].fillna(False).astype(bool) | table["value"].isna()


# ------------------------------------------------------------------------------ tables

AREA_COLUMNS = (
    "Indicator",
    "Period",
    "Value",
    "95% confidence interval",
    "England",
    "Compared with England (95%)",
    "Note",
)


def _area_row(atlas: Atlas, indicator_id: str, row: pd.Series) -> dict[str, str]:
    """One indicator's printed row: its value beside England's in the same period."""
    meta = atlas.indicator(indicator_id)
    fmt = number_format(meta)
    period = str(row["period"])
    england = atlas.england(indicator_id, period)
    england_value = (
        None if england is None or bool(england["suppressed"]) else as_number(england["value"])
    )
    value, interval, words, note = _value_cells(row, fmt, meta["statistic"])
    england_text = fmt.text(england_value, unit=fmt.unit == "%")
    if england is not None and bool(england["suppressed"]):
        note = " ".join(p for p in (note, "England's figure is suppressed.") if p)
    cells = (_label(meta), period, value, interval, england_text, words, note)
    return dict(zip(AREA_COLUMNS, cells, strict=True))


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
        rows.append(_area_row(atlas, indicator_id, row))
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
    hidden = _hidden(table)
    valued = table.loc[~hidden].sort_values(["value", "area_name"], ascending=[False, True])
    valued = valued.assign(rank=range(1, len(valued) + 1))
    blank = table.loc[hidden].sort_values("area_name").assign(rank=pd.NA)
    return pd.concat([valued, blank]).reset_index(drop=True)


def ranked_table(facts: Facts) -> tuple[pd.DataFrame, str | None]:
    """The indicator's areas ranked, as printed, under England's own row.

    Longer than :data:`TABLE_ROWS`, only the top and bottom :data:`TABLE_KEEP` areas with a
    value are listed (and every area without one); the second item then says so.
    """
    fmt = number_format(facts.meta)
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
    england_text = fmt.text(facts.england, unit=fmt.unit == "%")
    england_row = ["", "England", "E92000001", england_text, "", "", ""]
    rows = [dict(zip(RANKED_COLUMNS, england_row, strict=True))]
    for piece in [*pieces, blank]:
        if piece is None:
            gap = ["", f"… {left_out} areas not shown …", "", "", "", "", ""]
            rows.append(dict(zip(RANKED_COLUMNS, gap, strict=True)))
            continue
        for _, row in piece.iterrows():
            value, interval, words, text = _value_cells(row, fmt, facts.meta["statistic"])
            rank = "" if pd.isna(row["rank"]) else str(int(row["rank"]))
            cells = [rank, str(row["area_name"]), str(row["area_code"]), value, interval]
            rows.append(dict(zip(RANKED_COLUMNS, [*cells, words, text], strict=True)))
    return pd.DataFrame(rows, columns=list(RANKED_COLUMNS)), note


def ranked_subset(
    table: pd.DataFrame, selected: str | None, keep: int = CHART_KEEP, rows: int = CHART_ROWS
) -> tuple[pd.DataFrame, str | None]:
    """Rows for a ranked chart that fits a page, each area name led by its rank.

    Up to ``rows`` areas are all kept. Beyond that: the ``keep`` highest and lowest, and
    the selected area with two neighbours either side; the second item says which rows
    are shown.
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
    if len(ranked) <= rows:
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


def plottable(table: pd.DataFrame) -> int:
    """Areas a funnel plot can place: a shown value and a positive denominator."""
    return int(funnel_rows(table).sum())


def sources_of(atlas: Atlas, indicator_ids: Iterable[str]) -> str:
    """The publishers of some indicators, each named once, in order of first use."""
    names: list[str] = []
    for indicator_id in indicator_ids:
        for name in publisher(str(atlas.indicator(indicator_id)["sources"])).split(", "):
            if name not in names:
                names.append(name)
    return ", ".join(names)


# ------------------------------------------------------------------------------ sentences


def key_figure(facts: Facts) -> list[prose.Run]:
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


def rank_sentence(facts: Facts) -> str | None:
    """Where the selected area ranks among areas with a value; None when it has none."""
    ordered = _ranked_order(facts.table)
    valued = ordered.loc[ordered["rank"].notna()]
    row = valued.loc[valued["area_code"] == facts.selection.area]
    if row.empty:
        return None
    rank = int(row["rank"].iloc[0])
    return (
        f"{facts.area_name} ranks {ordinal(rank)} of {len(valued)} "
        f"{PLURALS.get(facts.selection.level, 'areas')} with a value (1 = highest value)."
    )


def counts_sentence(facts: Facts) -> str:
    """How many areas compare better, similar or worse with England, and how many are blank."""
    table = facts.table
    hidden = _hidden(table)
    flagged = table["quality"].map(quality_word) if "quality" in table.columns else None
    flagged = ~hidden & (flagged.notna() if flagged is not None else False)
    shown = table.loc[~hidden & ~flagged, "comparison"].astype("object").fillna("not_compared")
    counts = shown.value_counts()
    parts = [
        f"{counts[key]} {lower_first(COMPARISON_WORDS[key])}"
        for key in COMPARISON_KEYS
        if key in counts
    ]
    if flagged.any():
        parts.append(f"{int(flagged.sum())} not compared for data quality")
    noun = PLURALS.get(facts.selection.level, "areas")
    text = f"Of {len(table)} {noun}: " + "; ".join(parts)
    if hidden.any():
        text += f"; {int(hidden.sum())} without a value (suppressed or missing)"
    england = number_format(facts.meta).text(facts.england)
    return text + (f". England: {england}." if england else ".")


def england_sentence(facts: Facts) -> str:
    """England's value in the period, said when no area is selected."""
    value = number_format(facts.meta).text(facts.england, missing="no published figure")
    return f"England's value for {facts.selection.period}: {value}. No area is selected."
