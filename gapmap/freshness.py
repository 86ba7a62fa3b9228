"""How fresh the figures are: the 'data as of' line and the Methods page's freshness table.

A figure acted on months after its period ended must say so where it is read. Every page
states the newest period of the selected indicator at the selected level and when the atlas
was built; the Methods page lists, for each source the build read, the newest period the
atlas holds and what ``python -m data_pipeline fetch`` would bring (the manifest's
``freshness``, written by the build).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from gapmap.atlas import Atlas
from gapmap.periods import long_date, newest
from gapmap.wording import PLURALS, lower_first

#: Columns of the freshness table, as the Methods page shows them and its CSV holds them.
TABLE_COLUMNS = (
    "Source",
    "Publisher",
    "Indicators made from it",
    "Newest period in the atlas",
    "What the fetch command would bring",
    "Raw files",
)


@dataclass(frozen=True)
class DataAsOf:
    """The newest period of one indicator at one level, and when the atlas was built."""

    name: str
    newest: str
    level: str
    built: date

    @property
    def line(self) -> str:
        """The line under every page's controls: indicator, newest period, level, build date."""
        return (
            f"Data as of: {self.name} {self.newest} ({self.level}); "
            f"atlas built {long_date(self.built)}"
        )

    @property
    def pack_row(self) -> str:
        """The board pack's 'Date of the data': the newest period, then the build date."""
        return (
            f"The newest period of {self.name} for {self.level} in the atlas is {self.newest}. "
            f"Atlas built {long_date(self.built)} from the files under Sources"
        )


def data_as_of(atlas: Atlas, indicator_id: str, level: str, built: date) -> DataAsOf | None:
    """What the 'data as of' line says for an indicator at a level (None: no values there)."""
    if indicator_id not in atlas.indicators.index:
        return None
    latest = newest(atlas.periods(indicator_id, level))
    if latest is None:
        return None
    return DataAsOf(
        name=str(atlas.indicator(indicator_id)["short_name"]),
        newest=latest,
        level=PLURALS.get(level) or lower_first(atlas.levels().get(level, level)),
        built=built,
    )


def freshness_table(manifest: dict, names: Mapping[str, str]) -> pd.DataFrame:
    """The manifest's freshness record as a table, indicators by their short names.

    An atlas built before the record existed gives an empty table with the same columns.
    """
    rows = [
        {
            "Source": str(entry["dataset"]),
            "Publisher": str(entry["publisher"]),
            "Indicators made from it": ", ".join(
                names.get(i, i) for i in entry.get("indicators", [])
            ),
            "Newest period in the atlas": str(entry["latest_words"]),
            "What the fetch command would bring": str(entry["fetch"]),
            "Raw files": "; ".join(entry.get("files", [])),
        }
        for entry in manifest.get("freshness", [])
    ]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
