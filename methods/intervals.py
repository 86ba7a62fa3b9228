"""Confidence intervals, by OHID's methods as implemented in PHStatsMethods.

Wilson score limits for proportions, Byar's limits (exact Poisson below 10) for rates and
indirectly standardised ratios, at 95% and 99.8%. The functions are vectorised over pandas
Series and keep missing values missing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from PHStatsMethods import byars_lower, byars_upper, exact_upper, wilson_lower, wilson_upper

LEVELS = {"95": 0.95, "998": 0.998}


def _elementwise(func: Callable[..., float], *columns: pd.Series) -> pd.Series:
    """Apply a scalar PHStatsMethods function row by row, NA in -> NA out."""
    frame = pd.concat([c.astype("Float64").rename(i) for i, c in enumerate(columns)], axis=1)
    out = [
        np.nan if any(pd.isna(v) for v in row) else float(func(*row))
        for row in frame.itertuples(index=False, name=None)
    ]
    return pd.Series(out, index=columns[0].index, dtype="Float64")


def poisson_lower(count: float, confidence: float) -> float:
    """Byar's lower limit for a Poisson count (exact below 10); zero for a zero count."""
    return 0.0 if count == 0 else byars_lower(count, confidence)


def poisson_upper(count: float, confidence: float) -> float:
    """Byar's upper limit for a Poisson count; the exact limit for zero, which Byar refuses."""
    return exact_upper(0, confidence) if count == 0 else byars_upper(count, confidence)


def proportion(numerator: pd.Series, denominator: pd.Series, multiplier: int = 100) -> pd.DataFrame:
    """Proportion with Wilson 95% and 99.8% limits (``multiplier=100`` gives percentages)."""
    den = denominator.astype("Float64").where(denominator > 0)
    out = pd.DataFrame({"value": numerator / den * multiplier})
    for key, conf in LEVELS.items():
        out[f"lower_{key}"] = (
            _elementwise(lambda n, d, c=conf: wilson_lower(n, d, c), numerator, den) * multiplier
        )
        out[f"upper_{key}"] = (
            _elementwise(lambda n, d, c=conf: wilson_upper(n, d, c), numerator, den) * multiplier
        )
    return out


def rate(numerator: pd.Series, denominator: pd.Series, multiplier: int = 100_000) -> pd.DataFrame:
    """Crude rate per ``multiplier`` with Byar's limits (exact Poisson for counts under 10)."""
    den = denominator.astype("Float64").where(denominator > 0)
    out = pd.DataFrame({"value": numerator / den * multiplier})
    for key, conf in LEVELS.items():
        lo = _elementwise(lambda n, c=conf: poisson_lower(n, c), numerator)
        hi = _elementwise(lambda n, c=conf: poisson_upper(n, c), numerator)
        out[f"lower_{key}"] = lo / den * multiplier
        out[f"upper_{key}"] = hi / den * multiplier
    return out


def ratio(observed: pd.Series, expected: pd.Series) -> pd.DataFrame:
    """Indirectly standardised ratio O/E with Byar's limits on O, as an SMR."""
    exp = expected.astype("Float64").where(expected > 0)
    out = pd.DataFrame({"value": observed / exp})
    for key, conf in LEVELS.items():
        out[f"lower_{key}"] = _elementwise(lambda n, c=conf: poisson_lower(n, c), observed) / exp
        out[f"upper_{key}"] = _elementwise(lambda n, c=conf: poisson_upper(n, c), observed) / exp
    return out
