"""Series breaks on the read side: which series each period of a trend belongs to.

The pipeline records where an indicator's series changes what it measures
(``breaks.parquet``, from ``data_pipeline/indicators/series_breaks.toml``): the first period
of each new series at a level, what changed and a short label. An *apart* period is on
another basis on its own (an 11-month extract between whole years): the periods after it
continue the series before it. :func:`mark` writes on every row of a trend the series it
belongs to, so the trend test, the sentences and the chart compare only figures of one
series, and say what changed where they stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gapmap.periods import sort_key
from methods.atlas_tables import BREAK_COLUMNS

#: Columns of ``breaks.parquet``.
COLUMNS = BREAK_COLUMNS
#: Columns :func:`mark` adds to a trend: the period that began the row's series (missing for
#: the first series), what changed there, its short label, and whether the row stands apart.
START, CHANGE, LABEL, APART = "series_start", "series_change", "series_label", "series_apart"
#: Column :func:`mark_england` adds: the period that began England's series at that period.
ENGLAND_START = "england_series_start"


@dataclass(frozen=True)
class Break:
    """Where a series changed: the first period of the new series and what changed."""

    period: str
    change: str
    label: str
    apart: bool = False

    def reason(self) -> str:
        """Completes "... cannot be tested because ..." and similar sentences."""
        if self.apart:
            return f"the figure for {self.period} is on another basis: {self.change}"
        return f"the series changed in {self.period}: {self.change}"


def from_table(table: pd.DataFrame) -> list[Break]:
    """The breaks of one indicator at one level (rows of ``breaks.parquet``), oldest first."""
    rows = [
        Break(str(r.period), str(r.change), str(r.label), bool(r.apart))
        for r in table.itertuples(index=False)
    ]
    return sorted(rows, key=lambda b: sort_key(b.period))


def _belongs(period: str, main: list[Break], apart: dict[str, Break]) -> Break | None:
    """The break that began ``period``'s series (None: the first series)."""
    if period in apart:
        return apart[period]
    key, found = sort_key(period), None
    for brk in main:
        if sort_key(brk.period) <= key:
            found = brk
    return found


def mark(rows: pd.DataFrame, breaks: pd.DataFrame) -> pd.DataFrame:
    """One area's trend with the series each of its periods belongs to.

    ``breaks`` holds this indicator's breaks at the trend's level (``period``, ``change``,
    ``label``, ``apart``). Adds :data:`START`, :data:`CHANGE`, :data:`LABEL` and
    :data:`APART`; a trend without breaks comes back unchanged.
    """
    if breaks.empty or rows.empty:
        return rows
    listed = from_table(breaks)
    main = [b for b in listed if not b.apart]
    apart = {b.period: b for b in listed if b.apart}
    found = [_belongs(str(p), main, apart) for p in rows["period"]]
    return rows.assign(
        **{
            START: pd.array([b.period if b else None for b in found], dtype="string"),
            CHANGE: pd.array([b.change if b else None for b in found], dtype="string"),
            LABEL: pd.array([b.label if b else None for b in found], dtype="string"),
            APART: [bool(b and b.apart) for b in found],
        }
    )


def mark_england(rows: pd.DataFrame, breaks: pd.DataFrame) -> pd.DataFrame:
    """An area's trend with the series England's figure belongs to at each period.

    ``breaks`` holds the indicator's breaks at England level; adds :data:`ENGLAND_START`
    (empty text for England's first series) when there are any.
    """
    if breaks.empty or rows.empty:
        return rows
    england = mark(rows[["period"]], breaks)
    started = england[START].where(~england[APART], "apart " + england["period"].astype(str))
    return rows.assign(**{ENGLAND_START: started.fillna("").astype("string").to_numpy()})


def _ordered(rows: pd.DataFrame) -> pd.DataFrame:
    keys = rows["period"].map(lambda p: sort_key(str(p)))
    return rows.assign(_key=keys).sort_values("_key", kind="stable").drop(columns="_key")


def apart(rows: pd.DataFrame) -> pd.Series:
    """True for rows that stand apart from the series around them."""
    if APART not in rows.columns:
        return pd.Series(False, index=rows.index)
    return rows[APART].fillna(False).astype(bool)


def _break_of(row: pd.Series) -> Break | None:
    start = row.get(START)
    if start is None or pd.isna(start):
        return None
    return Break(str(start), str(row[CHANGE]), str(row[LABEL]), bool(row.get(APART, False)))


def latest(rows: pd.DataFrame) -> tuple[pd.DataFrame, Break | None]:
    """The rows of the latest series (apart rows left out), and the break that began it.

    The latest series is that of the newest period not standing apart; the break is None
    when that series is the first (or the trend has no breaks).
    """
    if START not in rows.columns or rows.empty:
        return rows, None
    main = _ordered(rows.loc[~apart(rows)])
    if main.empty:
        return main, None
    last = main.iloc[-1]
    brk = _break_of(last)
    same = main[START].isna() if brk is None else main[START] == brk.period
    return main.loc[same.fillna(False).astype(bool)], brk


def drawn(rows: pd.DataFrame) -> list[Break]:
    """Every break inside a trend, oldest first: where a chart draws a rule.

    A break is drawn when the trend has a period on each side of it (or it stands apart).
    """
    if START not in rows.columns or rows.empty:
        return []
    found = {}
    for _, row in _ordered(rows).iterrows():
        brk = _break_of(row)
        if brk is not None:
            found.setdefault(brk.period, brk)
    first = sort_key(str(_ordered(rows)["period"].iloc[0]))
    return [b for b in found.values() if b.apart or sort_key(b.period) > first]


def start_date(period: object) -> str | None:
    """The first day of a period as ISO text ('2019-20' -> '2019-04-01'); None if unknown."""
    year, month, _ = sort_key(str(period))
    return None if year == 9999 else f"{year:04d}-{month:02d}-01"
