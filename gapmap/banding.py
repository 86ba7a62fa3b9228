"""How many areas each way of comparing an O/E ratio flags: Poisson limits against overdispersion.

The atlas compares ratios with England using overdispersion-adjusted limits (the SHMI method).
Its Poisson limits are kept in the 95% columns, so the Methods page can show what the plain
Poisson comparison would have said for the same areas: that is the evidence for the choice.
"""

from __future__ import annotations

import pandas as pd

from gapmap.atlas import Atlas
from gapmap.periods import ordered
from gapmap.wording import PLURALS

#: Comparison words that mean "outside the limits", whatever the polarity.
FLAGGED = frozenset({"better", "worse", "higher", "lower"})
COLUMNS = (
    "Indicator",
    "Areas",
    "Period",
    "Compared",
    "Flagged by Poisson limits",
    "Flagged with overdispersion allowed",
)


def poisson_flagged(table: pd.DataFrame, benchmark: float = 1.0) -> pd.Series:
    """True where the 95% Poisson interval excludes the benchmark (1 for an O/E ratio)."""
    lower = pd.to_numeric(table["lower_95"], errors="coerce")
    upper = pd.to_numeric(table["upper_95"], errors="coerce")
    return ((lower > benchmark) | (upper < benchmark)).fillna(False)


def _share(count: int, total: int) -> str:
    return f"{count} of {total} ({count / total:.0%})" if total else "none"


def banding_row(name: str, level: str, period: str, table: pd.DataFrame) -> dict[str, str]:
    """One indicator, level and period: how many areas each method flags at 95%."""
    compared = table.loc[
        table["comparison"].astype("string").fillna("not_compared") != "not_compared"
    ]
    total = len(compared)
    adjusted = int(compared["comparison"].isin(FLAGGED).sum())
    poisson = int(poisson_flagged(compared).sum())
    return dict(
        zip(
            COLUMNS,
            (
                name,
                PLURALS.get(level, level),
                period,
                str(total),
                _share(poisson, total),
                _share(adjusted, total),
            ),
            strict=True,
        )
    )


def banding_table(atlas: Atlas) -> pd.DataFrame:
    """Every ratio indicator at every sub-national level, latest period: flags both ways."""
    meta = atlas.indicators
    ratios = [i for i in meta.index if meta.at[i, "statistic"] == "ratio"]
    rows = []
    for indicator_id in ratios:
        for level in atlas.levels():
            if level == "england":
                continue
            periods = ordered(atlas.periods(indicator_id, level))
            if not periods:
                continue
            table = atlas.table(indicator_id, level, periods[-1])
            if table.empty or "comparison" not in table:
                continue
            name = str(meta.at[indicator_id, "short_name"])
            rows.append(banding_row(name, level, periods[-1], table))
    return pd.DataFrame(rows, columns=list(COLUMNS))
