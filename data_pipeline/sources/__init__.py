"""One module per public dataset: read its raw file(s), validate, return tidy frames.

Every reader has the signature ``read(raw: RawDir) -> SourceResult``. It reads only the
columns and rows it needs (DuckDB for the large files), and accounts for every row of every
file in a :class:`~data_pipeline.reconcile.Reconciliation`: used, or rejected with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data_pipeline.reconcile import Reconciliation


@dataclass
class SourceResult:
    """What a reader hands to the build: named tidy tables and the row accounting."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    reconciliations: list[Reconciliation] = field(default_factory=list)
    #: table name -> the file it came from; filled in when a result reads a single file,
    #: so indicator builders can count the rows they reject against the right file.
    table_files: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.table_files and len(self.reconciliations) == 1:
            only = self.reconciliations[0].file
            self.table_files = dict.fromkeys(self.tables, only)

    def reconciliation(self, file: str) -> Reconciliation:
        """The row accounting of one file the reader read (``KeyError`` if it read none)."""
        for recon in self.reconciliations:
            if recon.file == file:
                return recon
        raise KeyError(f"{file} was not read: {[r.file for r in self.reconciliations]}")

    def merge(self, other: SourceResult) -> SourceResult:
        """Combine two results (tables must not clash)."""
        clash = set(self.tables) & set(other.tables)
        if clash:
            raise ValueError(f"tables produced twice: {sorted(clash)}")
        return SourceResult(
            {**self.tables, **other.tables},
            self.reconciliations + other.reconciliations,
            {**self.table_files, **other.table_files},
        )
