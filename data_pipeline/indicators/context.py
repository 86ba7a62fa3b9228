"""What every indicator builder needs, in one object instead of four arguments threaded by hand.

The tables read, the ledger that counts rows a builder rejects, the record of rows used,
the record of sections skipped for want of a source, the 2023 NHS geography (sub-ICB
hierarchy and the recoding of older sub-ICB codes), and the CCG level adapter. Counts that
two families pair (a ratio's observed and its need) are worked out once per build
(:meth:`BuildContext.once`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.levels.ccg import CcgContext
from data_pipeline.reconcile import Ledger, Usage


@dataclass
class BuildContext:
    """The state an indicator builder reads and records into."""

    tables: dict[str, pd.DataFrame]
    ledger: Ledger
    usage: Usage
    avail: Availability
    hierarchy: pd.DataFrame | None = None
    recode: dict[str, str] = field(default_factory=dict)
    _made: dict[str, Any] = field(default_factory=dict, repr=False)

    def has(self, *tables: str, indicators: Iterable[str], levels: Iterable[str]) -> bool:
        """True when every one of ``tables`` is present; otherwise the loss is recorded."""
        return self.avail.has(*tables, indicators=indicators, levels=levels)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """``make()`` the first time ``key`` is asked for; the same result after that.

        Families share intermediate counts this way (the talking-therapies gap ratio uses
        the QOF depression registers): each is computed, and its rows marked used, once.
        """
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    @cached_property
    def sub_icb_ods(self) -> dict[str, str]:
        """Sub-ICB ODS code -> its 2023 ONS code."""
        hierarchy = self.hierarchy
        return dict(zip(hierarchy["sub_icb_ods"], hierarchy["sub_icb_code"], strict=True))

    @cached_property
    def ccg(self) -> CcgContext:
        """The CCG level adapter: registers, successors and populations of each vintage."""
        return CcgContext(self.tables)
