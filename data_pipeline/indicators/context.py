"""What every indicator builder needs, in one object instead of four arguments threaded by hand.

The tables read, the ledger that counts rows a builder rejects, the record of rows used,
the record of sections skipped for want of a source, and the 2023 NHS geography (sub-ICB
hierarchy and the recoding of older sub-ICB codes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from data_pipeline.indicators.availability import Availability
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

    def has(self, *tables: str, indicators: Iterable[str], levels: Iterable[str]) -> bool:
        """True when every one of ``tables`` is present; otherwise the loss is recorded."""
        return self.avail.has(*tables, indicators=indicators, levels=levels)

    @cached_property
    def sub_icb_ods(self) -> dict[str, str]:
        """Sub-ICB ODS code -> its 2023 ONS code."""
        hierarchy = self.hierarchy
        return dict(zip(hierarchy["sub_icb_ods"], hierarchy["sub_icb_code"], strict=True))
