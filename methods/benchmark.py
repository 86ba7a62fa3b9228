"""Comparison with a benchmark (England, or a peer group), by the Fingertips rule.

An area differs from the benchmark when its confidence interval excludes the benchmark value;
the words follow the indicator's polarity. :func:`compare` labels a column of areas,
:func:`compare_one` a single area; both apply the same rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Labels for (interval above the benchmark, interval below it), by polarity.
DIRECTIONS = {
    "high_is_bad": ("worse", "better"),
    "high_is_good": ("better", "worse"),
    "neutral": ("higher", "lower"),
}


def _directions(polarity: str) -> tuple[str, str]:
    """The labels for an interval above and below the benchmark; unknown polarity refused."""
    try:
        return DIRECTIONS[polarity]
    except KeyError:
        raise ValueError(f"unknown polarity {polarity!r}") from None


def compare(
    lower: pd.Series, upper: pd.Series, benchmark: float | pd.Series, polarity: str
) -> pd.Series:
    """Fingertips benchmarking: the interval against the England value, honouring polarity.

    ``polarity`` is ``high_is_bad``, ``high_is_good`` or ``neutral``. Neutral indicators are
    labelled ``higher``/``lower`` rather than better/worse; no interval gives ``not_compared``.
    """
    up, down = _directions(polarity)
    higher = lower > benchmark
    lower_ = upper < benchmark
    known = lower.notna() & upper.notna() & pd.notna(benchmark)
    result = np.select(
        [~known, higher.fillna(False), lower_.fillna(False)],
        ["not_compared", up, down],
        default="similar",
    )
    return pd.Series(result, index=lower.index, dtype="string")


def compare_one(lower: object, upper: object, benchmark: object, polarity: str) -> str:
    """:func:`compare` for one area: its interval against one benchmark value.

    Missing limits or a missing benchmark give ``not_compared``.
    """
    frame = pd.DataFrame({"lower": [lower], "upper": [upper]}, dtype="Float64")
    value = np.nan if benchmark is None or pd.isna(benchmark) else float(benchmark)
    return str(compare(frame["lower"], frame["upper"], value, polarity).iloc[0])
