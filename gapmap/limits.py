"""Funnel limits and fitted lines for an indicator's table: what the charts draw.

The statistics live in :mod:`methods`; this module answers the read side's question for one
table: which areas a funnel places, which value it is centred on (1 for a ratio, England's
value otherwise), on what scale, and which pairs of values a scatter's line is fitted to.
Pages and the board pack ask here once and hand the answer to the chart and its sentence,
so the two always describe the same limits.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from methods import overdispersion
from methods.fit import Fit, least_squares
from methods.funnel import COLUMNS, STATISTICS, funnel_limits

Meta = Mapping | pd.Series

#: Points on the smooth part of a funnel's curves (the areas' own denominators are added).
GRID_POINTS = 200


def _meta(meta: Meta, key: str, default: object) -> object:
    value = meta.get(key, default) if meta is not None else default
    return default if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _numbers(table: pd.DataFrame, name: str) -> np.ndarray:
    if name not in table.columns:
        return np.full(len(table), np.nan)
    return pd.to_numeric(table[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def has_funnel(meta: Meta) -> bool:
    """Whether the indicator's statistic has funnel limits (ratios, rates, proportions)."""
    return str(_meta(meta, "statistic", "")) in STATISTICS


#: Areas with counts a funnel needs before it is worth drawing.
MIN_FUNNEL_AREAS = 3


def funnel_drawable(meta: Meta, table: pd.DataFrame) -> bool:
    """Whether a funnel plot can be drawn: a statistic with limits and areas with counts.

    A published figure without its counts (district depression prevalence from Fingertips)
    has no size to place it by, so it gets no funnel, rather than an empty frame.
    """
    return has_funnel(meta) and int(funnel_rows(table).sum()) >= MIN_FUNNEL_AREAS


def unflagged(table: pd.DataFrame) -> np.ndarray:
    """Rows without a data-quality flag (all rows of a table without the ``quality`` column).

    A flagged row (an incomplete submission, an implausible zero) is still drawn, as not
    compared, but never helps set a benchmark: a funnel's centre or width, a peer value.
    """
    if "quality" not in table.columns:
        return np.ones(len(table), dtype=bool)
    return table["quality"].isna().to_numpy(dtype=bool)


def benchmark_rows(table: pd.DataFrame) -> np.ndarray:
    """Rows a funnel's limits are estimated from: placed on it, and not flagged."""
    return funnel_rows(table) & unflagged(table)


def funnel_rows(table: pd.DataFrame) -> np.ndarray:
    """Which rows a funnel plot places: a shown value and a positive denominator."""
    if "suppressed" in table.columns:
        suppressed = table["suppressed"].fillna(False).astype(bool).to_numpy()
    else:
        suppressed = np.zeros(len(table), dtype=bool)
    value, denominator = _numbers(table, "value"), _numbers(table, "denominator")
    return ~suppressed & np.isfinite(value) & (np.nan_to_num(denominator) > 0)


def funnel_baseline(meta: Meta, table: pd.DataFrame, england_value: float | None) -> float:
    """The value the funnel is centred on.

    1 for a ratio (observed equals expected); England's value for a rate or proportion, or
    the pooled value of the plotted areas when England has none.
    """
    if str(_meta(meta, "statistic", "")) == "ratio":
        return 1.0
    if england_value is not None and not pd.isna(england_value):
        return float(england_value)
    rows = benchmark_rows(table)
    numerator = _numbers(table, "numerator")[rows]
    denominator = _numbers(table, "denominator")[rows]
    return float(np.nansum(numerator) / denominator.sum() * _multiplier(meta))


def _multiplier(meta: Meta) -> float:
    return float(_meta(meta, "multiplier", 1) or 1)


def funnel(table: pd.DataFrame, meta: Meta, *, england_value: float | None = None) -> pd.DataFrame:
    """The 95% and 99.8% limits a funnel plot of ``table`` draws, centred as OHID centres them.

    Rows are a smooth grid spanning the plotted areas' denominators plus each area's own
    denominator, sorted, so the chart draws the curves and its sentence reads off whether each
    area lies inside them from the same frame. Empty when no area can be placed.

    Raises
    ------
    ValueError
        When the indicator's statistic has no funnel (see :func:`has_funnel`).
    """
    statistic = str(_meta(meta, "statistic", ""))
    if not has_funnel(meta):
        raise ValueError(f"no funnel for statistic {statistic!r}: use ratio, rate or proportion")
    denominators = _numbers(table, "denominator")[funnel_rows(table)]
    if denominators.size == 0:
        return pd.DataFrame({name: pd.Series(dtype="float64") for name in COLUMNS})
    grid = np.geomspace(
        max(float(denominators.min()) * 0.5, 1.0), float(denominators.max()) * 1.05, GRID_POINTS
    )
    if statistic == "ratio":
        return ratio_limits(table, np.union1d(grid, denominators))
    return funnel_limits(
        np.union1d(grid, denominators),
        statistic=statistic,
        baseline=funnel_baseline(meta, table, england_value),
        multiplier=_multiplier(meta),
    )


def ratio_limits(table: pd.DataFrame, expected: np.ndarray) -> pd.DataFrame:
    """Overdispersion-adjusted limits around 1 at each expected count, as the atlas compares.

    The atlas bands every O/E ratio against limits widened by the spread among areas (the SHMI
    method), so the funnel draws those limits, estimated from the same areas (leaving out any
    flagged for data quality), not Poisson limits that almost every area would fall outside.
    """
    rows = benchmark_rows(table)
    observed = pd.Series(_numbers(table, "numerator")[rows])
    tau2 = overdispersion.dispersion(
        observed, pd.Series(_numbers(table, "denominator")[rows]), method=overdispersion.ATLAS_TRIM
    ).tau2
    out = pd.DataFrame({"denominator": expected, "baseline": 1.0})
    for level in ("95", "998"):
        lower, upper = overdispersion.limits(expected, tau2, level)
        out[f"lower_{level}"], out[f"upper_{level}"] = np.asarray(lower), np.asarray(upper)
    return out[list(COLUMNS)]


def paired(x_table: pd.DataFrame, y_table: pd.DataFrame) -> pd.DataFrame:
    """Areas with a value in both tables: area_code, x and y, in ``x_table``'s order."""

    def side(table: pd.DataFrame, name: str) -> pd.DataFrame:
        codes = table["area_code"] if "area_code" in table.columns else [""] * len(table)
        return pd.DataFrame(
            {
                "area_code": pd.Series(codes, dtype="object").to_numpy(),
                name: _numbers(table, "value"),
            }
        )

    frame = side(x_table, "x").merge(side(y_table, "y"), on="area_code")
    return frame.loc[np.isfinite(frame["x"]) & np.isfinite(frame["y"])].reset_index(drop=True)


def fit(x_table: pd.DataFrame, y_table: pd.DataFrame) -> Fit:
    """The least-squares line of y on x over the areas both tables have a value for."""
    pairs = paired(x_table, y_table)
    return least_squares(pairs["x"], pairs["y"])
