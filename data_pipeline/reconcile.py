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

    def _account(self, table: str, file: str | None) -> Reconciliation:
        try:
            return self._by_file[file or self._table_files[table]]
        except KeyError as exc:
            raise KeyError(f"no reconciliation known for table {table!r}") from exc

    def note(self, table: str, text: str, file: str | None = None) -> None:
        """Add ``text`` to the notes of the file ``table`` came from (written to the manifest)."""
        self._account(table, file).notes.append(text)

    def drop(self, table: str, count: int, reason: str, file: str | None = None) -> None:
        """Count ``count`` rows of ``table`` as rejected for ``reason``.

        ``file`` names the source file for tables built from several files.
        """
        if not count:
            return
        recon = self._account(table, file)
        if count > recon.rows_used:
            raise ValueError(f"{recon.file}: cannot drop {count} rows, only {recon.rows_used} used")
        recon.rows_used -= int(count)
        recon.reject(reason, count)


class Usage:
    """Which rows of which tables the indicator builders actually used.

    Readers keep rows that are valid; builders use some of them. Whatever no builder used is
    counted as rejected at the end (:meth:`settle`), with a reason that names what the rows
    were (e.g. "not used by any indicator: MHS29, ccg"), so nothing is lost silently.
    """

    def __init__(self, tables: dict[str, pd.DataFrame], tracked: dict[str, list[str]]):
        self._tables = tables
        self._describe = tracked
        self._used: dict[str, set] = {name: set() for name in tracked}

    def mark(self, table: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Record ``frame``'s rows of ``table`` as used; return the frame unchanged."""
        if table in self._used:
            self._used[table].update(frame.index)
        return frame

    def settle(self, ledger: Ledger) -> None:
        """Count every unused row of each tracked table as rejected, by description."""
        for table, columns in self._describe.items():
            frame = self._tables[table]
            unused = frame.loc[~frame.index.isin(list(self._used[table]))]
            if unused.empty:
                continue
            labels = unused[columns].astype("string").fillna("-").agg(", ".join, axis=1)
            for label, count in labels.value_counts().sort_index().items():
                ledger.drop(table, int(count), f"not used by any indicator: {label}")
