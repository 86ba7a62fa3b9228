"""Which builder sections can run: a build left without a source skips what needs it.

A build run with ``--allow-missing`` goes on without a source whose file is absent. Each
builder section asks :meth:`Availability.has` for the tables it needs; when one is missing
the section is skipped, and the indicators and levels it would have made are recorded
against the missing table, so the manifest can say exactly what is unavailable and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class Availability:
    """The tables a build has, and what was skipped for want of the others."""

    def __init__(self, tables: Mapping[str, object]):
        self._present = set(tables)
        #: missing table -> indicator id -> levels that could not be built
        self.skipped: dict[str, dict[str, set[str]]] = {}

    def has(self, *tables: str, indicators: Iterable[str], levels: Iterable[str]) -> bool:
        """True when every one of ``tables`` is present; otherwise record what is lost."""
        missing = [t for t in tables if t not in self._present]
        levels = tuple(levels)
        for table in missing:
            lost = self.skipped.setdefault(table, {})
            for indicator in indicators:
                lost.setdefault(indicator, set()).update(levels)
        return not missing

    def unavailable(self, tables: Iterable[str]) -> dict[str, list[str]]:
        """Indicator id -> sorted levels lost because any of ``tables`` was missing."""
        out: dict[str, set[str]] = {}
        for table in tables:
            for indicator, levels in self.skipped.get(table, {}).items():
                out.setdefault(indicator, set()).update(levels)
        return {indicator: sorted(levels) for indicator, levels in sorted(out.items())}
