"""Series breaks as data: where an indicator's series changes what it measures.

``series_breaks.toml`` lists, per indicator (and level where it matters), the first period
of each new series and what changed in plain words. :func:`load` reads and checks the file
on its own; :func:`table` checks it against the values a build made (every indicator and
period must exist at each level named) and gives the atlas table ``breaks.parquet``, one
row per indicator, level and period. The read side (:mod:`gapmap.trends`) keeps trend tests,
sentences and charts from crossing a break.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from methods.atlas_tables import BREAK_COLUMNS
from methods.periods import sort_key

BREAKS_FILE = Path(__file__).with_name("series_breaks.toml")
#: Columns of ``breaks.parquet``.
COLUMNS = BREAK_COLUMNS
#: Longest label drawn beside a break on a chart.
MAX_LABEL = 32
_KEYS = {"indicator", "period", "change", "label", "levels", "apart"}
_REQUIRED = ("indicator", "period", "change", "label")
_REMEDY = f"correct the entry in data_pipeline/indicators/{BREAKS_FILE.name}"


class BreaksError(ValueError):
    """An entry of the breaks file is malformed or names what the atlas does not have."""

    def __init__(self, path: Path, number: int, problem: str, remedy: str = _REMEDY):
        self.problem = problem
        super().__init__(f"{path.name}, break {number}: {problem}. What to do: {remedy}")


@dataclass(frozen=True)
class SeriesBreak:
    """One break: the indicator, the first period of the new series and what changed."""

    indicator: str
    period: str
    change: str
    label: str
    #: Levels whose series change there; empty means every level holding the period.
    levels: tuple[str, ...] = ()
    #: Only this period is on another basis; the periods after it continue the series.
    apart: bool = False


def _entry(raw: object, path: Path, number: int) -> SeriesBreak:
    """One ``[[break]]`` table, checked for its keys, types and lengths."""
    if not isinstance(raw, dict):
        raise BreaksError(path, number, "is not a table of keys")
    unknown = set(raw) - _KEYS
    if unknown:
        raise BreaksError(path, number, f"has unknown keys {sorted(unknown)}")
    for key in _REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise BreaksError(path, number, f"needs '{key}' as non-empty text")
    levels = raw.get("levels", [])
    if not isinstance(levels, list) or not all(isinstance(x, str) and x for x in levels):
        raise BreaksError(path, number, "'levels' must be a list of level names")
    if not isinstance(raw.get("apart", False), bool):
        raise BreaksError(path, number, "'apart' must be true or false")
    if len(raw["label"]) > MAX_LABEL:
        raise BreaksError(path, number, f"'label' is longer than {MAX_LABEL} characters")
    return SeriesBreak(
        indicator=raw["indicator"],
        period=raw["period"],
        change=" ".join(raw["change"].split()),
        label=raw["label"],
        levels=tuple(levels),
        apart=raw.get("apart", False),
    )


def load(path: Path = BREAKS_FILE) -> list[SeriesBreak]:
    """The breaks file's entries, each checked on its own (not yet against an atlas)."""
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    unknown = set(document) - {"break"}
    if unknown:
        raise BreaksError(path, 0, f"has tables other than [[break]]: {sorted(unknown)}")
    entries = [_entry(raw, path, n) for n, raw in enumerate(document.get("break", []), 1)]
    seen: set[tuple[str, str, str]] = set()
    for number, entry in enumerate(entries, 1):
        for level in entry.levels or ("",):
            key = (entry.indicator, level, entry.period)
            if key in seen:
                raise BreaksError(path, number, f"repeats {key}")
            seen.add(key)
    return entries


def _periods(values: pd.DataFrame) -> dict[tuple[str, str], set[str]]:
    """(indicator, level) -> the periods the values hold."""
    pairs = values[["indicator_id", "level", "period"]].drop_duplicates().astype(str)
    out: dict[tuple[str, str], set[str]] = {}
    for indicator, level, period in pairs.itertuples(index=False):
        out.setdefault((indicator, level), set()).add(period)
    return out


def _rows(
    entry: SeriesBreak, held: dict, path: Path, number: int, lost: frozenset[str]
) -> list[tuple]:
    """The atlas rows of one entry, after checking its indicator, levels and period.

    ``lost`` holds the levels of the indicator a missing source cost (``--allow-missing``):
    there a break whose period is absent is left out, not an error.
    """
    levels_of = {lvl for ind, lvl in held if ind == entry.indicator}
    if not levels_of and lost:
        return []
    if not levels_of:
        raise BreaksError(path, number, f"indicator '{entry.indicator}' has no values")
    levels = entry.levels or tuple(
        sorted(lvl for lvl in levels_of if entry.period in held[(entry.indicator, lvl)])
    )
    levels = tuple(
        lvl
        for lvl in levels
        if lvl not in lost or entry.period in held.get((entry.indicator, lvl), ())
    )
    if not levels and lost:
        return []
    if not levels:
        raise BreaksError(
            path, number, f"no level of '{entry.indicator}' has the period '{entry.period}'"
        )
    for level in levels:
        periods = held.get((entry.indicator, level), set())
        if entry.period not in periods:
            raise BreaksError(
                path,
                number,
                f"'{entry.indicator}' has no period '{entry.period}' at level '{level}' "
                f"(it has {sorted(periods, key=sort_key) or 'none there'})",
            )
    return [
        (entry.indicator, level, entry.period, entry.change, entry.label, entry.apart)
        for level in levels
    ]


def table(
    values: pd.DataFrame,
    breaks: list[SeriesBreak] | None = None,
    path: Path = BREAKS_FILE,
    lost: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """``breaks.parquet``: every break checked against ``values``, one row per level.

    Raises :class:`BreaksError` naming the entry when an indicator, level or period it
    names is not in the values, unless a missing source cost that level (``lost``:
    indicator -> levels, as the manifest records it for a build with ``--allow-missing``).
    """
    breaks = load(path) if breaks is None else breaks
    held = _periods(values)
    gone = {key: frozenset(levels) for key, levels in (lost or {}).items()}
    rows = [
        row
        for n, entry in enumerate(breaks, 1)
        for row in _rows(entry, held, path, n, gone.get(entry.indicator, frozenset()))
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in COLUMNS[:-1]:
        frame[column] = frame[column].astype("string")
    frame["apart"] = frame["apart"].astype(bool)
    return frame.sort_values(["indicator_id", "level", "period"], ignore_index=True)
