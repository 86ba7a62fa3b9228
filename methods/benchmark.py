"""Comparison with a benchmark (England), by the Fingertips rule.

An area differs from the benchmark when its confidence interval excludes the benchmark value;
the words follow the indicator's polarity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def compare(
    lower: pd.Series, upper: pd.Series, benchmark: float | pd.Series, polarity: str
) -> pd.Series:
    """Fingertips benchmarking: the interval against the England value, honouring polarity.

    ``polarity`` is ``high_is_bad``, ``high_is_good`` or ``neutral``. Neutral indicators are
    labelled ``higher``/``lower`` rather than better/worse; no interval gives ``not_compared``.
    """
    higher = lower > benchmark
    lower_ = upper < benchmark
    if polarity == "high_is_bad":
        up, down = "worse", "better"
    elif polarity == "high_is_good":
        up, down = "better", "worse"
    elif polarity == "neutral":
        up, down = "higher", "lower"
    else:
        raise ValueError(f"unknown polarity {polarity!r}")
    known = lower.notna() & upper.notna() & pd.notna(benchmark)
    result = np.select(
        [~known, higher.fillna(False), lower_.fillna(False)],
        ["not_compared", up, down],
        default="similar",
    )
    return pd.Series(result, index=lower.index, dtype="string")
