"""Row accounting: every source row is used, or rejected with a reason.

Each reader returns a :class:`Reconciliation` per file it reads; the build refuses to
write an atlas whose counts do not add up, and the counts go into ``manifest.json``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from data_pipeline.errors import ReconciliationError


@dataclass
class Reconciliation:
    """Rows read from one file, and what became of each of them."""

    source: str
    file: str
    rows_in: int = 0
    rows_used: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        """Rows rejected, all reasons together."""
        return sum(self.rejected.values())

    def reject(self, reason: str, count: int = 1) -> None:
        """Count ``count`` rows as rejected for ``reason`` (zero counts are ignored)."""
        if count:
            self.rejected[reason] += int(count)

    def reject_mask(self, frame: pd.DataFrame, mask: pd.Series, reason: str) -> pd.DataFrame:
        """Reject the rows of ``frame`` where ``mask`` is true; return the others."""
        mask = mask.fillna(False).astype(bool)
        self.reject(reason, int(mask.sum()))
        return frame.loc[~mask]

    def check(self) -> None:
        """Raise unless rows in = rows used + rows rejected."""
        if self.rows_in != self.rows_used + self.rows_rejected:
            raise ReconciliationError(
                f"{self.file}: {self.rows_in} rows in, but {self.rows_used} used + "
                f"{self.rows_rejected} rejected = {self.rows_used + self.rows_rejected}"
            )

    def as_dict(self) -> dict:
        """The record written to manifest.json."""
        return {
            "source": self.source,
            "file": self.file,
            "rows_in": self.rows_in,
            "rows_used": self.rows_used,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "notes": list(self.notes),
        }


class Ledger:
    """Lets indicator builders reject rows that readers passed on, without losing count.

    A reader cannot know, say, that a district code was abolished before the 2024 boundaries;
    the builder that joins to those boundaries can. It calls :meth:`drop`, which moves the rows
    from "used" to "rejected" in the reconciliation of the file the table came from.
    """

    def __init__(self, reconciliations: list[Reconciliation], table_files: dict[str, str]):
        self._by_file = {r.file: r for r in reconciliations}
        self._table_files = table_files

    def drop(self, table: str, count: int, reason: str) -> None:
        """Count ``count`` rows of ``table`` as rejected for ``reason``."""
        if not count:
            return
        try:
            recon = self._by_file[self._table_files[table]]
        except KeyError as exc:
            raise KeyError(f"no reconciliation known for table {table!r}") from exc
        if count > recon.rows_used:
            raise ValueError(f"{recon.file}: cannot drop {count} rows, only {recon.rows_used} used")
        recon.rows_used -= int(count)
        recon.reject(reason, count)
