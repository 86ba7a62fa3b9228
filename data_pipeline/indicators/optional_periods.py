"""Catalogue text for periods made only when an optional source is in the raw directory.

An optional input (monthly English Prescribing Data) adds a period to an indicator. Its
method, caveats and sources belong in the indicator's description only when the period is
there, so they live in ``optional_periods.toml`` and are added to the catalogue entry by
:func:`amend` for the periods a build made; a build without the source describes the
indicator exactly as ``catalogue.toml`` does.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path

from data_pipeline.indicators import Indicator

OPTIONAL_FILE = Path(__file__).with_name("optional_periods.toml")


def load(path: Path = OPTIONAL_FILE) -> dict[str, dict]:
    """Entries by the table of the optional source; a bad entry fails loudly with its key."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)
    for table, entry in entries.items():
        missing = {"indicator", "sources", "method", "caveats"} - set(entry)
        if missing:
            raise ValueError(f"{path.name} entry {table}: missing {sorted(missing)}")
    return entries


def amend(
    catalogue: dict[str, Indicator],
    built: Mapping[str, str],
    entries: dict[str, dict] | None = None,
) -> dict[str, Indicator]:
    """The catalogue with the text of each optional period in ``built`` (table -> label)."""
    entries = load() if entries is None else entries
    out = dict(catalogue)
    for table, label in built.items():
        entry = entries[table]
        indicator = out[entry["indicator"]]
        out[indicator.id] = dataclasses.replace(
            indicator,
            method=f"{indicator.method} {entry['method'].format(period=label)}",
            caveats=f"{indicator.caveats} {entry['caveats'].format(period=label)}",
            sources=(*indicator.sources, *entry["sources"]),
        )
    return out
