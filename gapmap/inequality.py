"""Inequality by deprivation on the read side: atlas areas into deprivation quantiles.

Areas (GP practices by the deprivation of their registered population, LSOAs by their IMD
score...) are put into national deprivation quantiles, quantile 1 holding the MOST deprived
(the ONS and Fingertips convention). Each quantile's value is pooled from counts where there
are counts, so a quantile's figure is the figure of the people in it, not an average of areas.

The statistics (the quantiles' confidence limits, the population-midpoint ranks, and the slope
and relative indices of inequality with their sign convention) are :mod:`methods.inequality`'s;
``sii_rii`` and ``DIRECTION`` are re-exported here for the pages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PHStatsMethods import ph_quantile

from methods.inequality import (
    DIRECTION,
    LIMIT_COLUMNS,
    midpoint_ranks,
    pooled_limits,
    sii_rii,
)

__all__ = [
    "DIRECTION",
    "assign_quantiles",
    "by_quantile",
    "sii_rii",
]


# ------------------------------------------------------------------------------ quantiles


def assign_quantiles(
    frame: pd.DataFrame,
    deprivation_col: str,
    weight_col: str | None = None,
    n: int = 10,
    *,
    high_is_deprived: bool = True,
    code_col: str = "area_code",
) -> pd.Series:
    """Quantile 1..n of each row, 1 = most deprived.

    With ``weight_col`` the cut points split the total weight (population, list size) into
    ``n`` near-equal parts: areas are sorted from most to least deprived (ties broken by code,
    so the result is deterministic) and each goes to the quantile in which the midpoint of
    its own population falls. Without weights, OHID's ``ph_quantile`` (equal numbers of
    areas) is used. Rows with no deprivation value get NA.
    """
    if n < 2:
        raise ValueError("n must be at least 2")
    out = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    score = pd.to_numeric(frame[deprivation_col], errors="coerce").astype("float64")
    usable = score.notna()
    if weight_col is not None:
        weight = pd.to_numeric(frame[weight_col], errors="coerce").astype("float64")
        usable &= weight.notna() & (weight > 0)
    if usable.sum() < n:
        raise ValueError(f"{int(usable.sum())} areas cannot fill {n} quantiles")
    if weight_col is None:
        part = pd.DataFrame({"score": score[usable]})
        assigned = ph_quantile(part, "score", nquantiles=n, invert=high_is_deprived)
        out[usable] = assigned["quantile"].astype("int64")
        return out
    codes = frame[code_col].astype(str) if code_col in frame.columns else frame.index.astype(str)
    part = pd.DataFrame(
        {"key": -score if high_is_deprived else score, "code": codes, "w": weight}
    ).loc[usable]
    part = part.sort_values(["key", "code"], kind="mergesort")
    midpoint = part["w"].cumsum() - part["w"] / 2
    quantile = np.floor(midpoint / part["w"].sum() * n).astype("int64") + 1
    out[part.index] = quantile.clip(1, n)
    return out


#: Columns of :func:`by_quantile`, most deprived quantile first.
QUANTILE_COLUMNS = (
    "quantile",
    "n_areas",
    "population",
    "numerator",
    "denominator",
    "value",
    *LIMIT_COLUMNS,
    "deprivation_min",
    "deprivation_max",
    "rank_start",
    "rank_end",
    "rank_midpoint",
)


def _usable(
    data: pd.DataFrame, value_col: str, deprivation_col: str, weight_col: str | None
) -> pd.Series:
    """Rows that can go into a quantile: shown, valued, ranked and (if weighted) weighted."""
    keep = pd.Series(True, index=data.index)
    if "suppressed" in data.columns:
        keep &= ~data["suppressed"].fillna(False).astype(bool)
    keep &= pd.to_numeric(data[value_col], errors="coerce").notna()
    keep &= pd.to_numeric(data[deprivation_col], errors="coerce").notna()
    if weight_col is not None:
        weight = pd.to_numeric(data[weight_col], errors="coerce")
        keep &= weight.notna() & (weight > 0)
    return keep


def _working(
    data: pd.DataFrame, columns: dict[str, str | None], n: int, high_is_deprived: bool
) -> tuple[pd.DataFrame, bool]:
    """The rows with their quantile, weight, value, deprivation and (if all have them) counts."""
    value_col, deprivation_col = columns["value"], columns["deprivation"]
    weight_col = columns["weight"]
    numerator_col, denominator_col = columns["numerator"], columns["denominator"]
    data = data.assign(
        _q=assign_quantiles(
            data, deprivation_col, weight_col, n, high_is_deprived=high_is_deprived
        ),
        _w=1.0 if weight_col is None else data[weight_col].astype("float64"),
        _v=data[value_col].astype("float64"),
        _d=data[deprivation_col].astype("float64"),
    )
    has_counts = {numerator_col, denominator_col} <= set(data.columns) and bool(
        data[numerator_col].notna().all() and data[denominator_col].notna().all()
    )
    if has_counts:
        data["_num"] = data[numerator_col].astype("float64")
        data["_den"] = data[denominator_col].astype("float64")
        if weight_col is None:
            data["_w"] = data["_den"]  # equal numbers of areas, but people weight the line
    return data, has_counts


def _values(
    data: pd.DataFrame, out: pd.DataFrame, has_counts: bool, statistic: str, multiplier: float
) -> pd.DataFrame:
    """Each quantile's value: pooled counts with limits, else the weighted mean of values."""
    grouped = data.groupby("_q", sort=True)
    if has_counts:
        out["numerator"] = grouped["_num"].sum()
        out["denominator"] = grouped["_den"].sum()
        out["value"] = out["numerator"] / out["denominator"] * multiplier
        return out.join(pooled_limits(out["numerator"], out["denominator"], statistic, multiplier))
    weighted = (data["_v"] * data["_w"]).groupby(data["_q"]).sum()
    out["numerator"] = np.nan
    out["denominator"] = np.nan
    out["value"] = weighted / out["population"]
    for column in LIMIT_COLUMNS:
        out[column] = np.nan
    return out


def by_quantile(
    frame: pd.DataFrame,
    value_col: str,
    deprivation_col: str,
    weight_col: str | None,
    n: int = 10,
    *,
    numerator_col: str = "numerator",
    denominator_col: str = "denominator",
    statistic: str = "proportion",
    multiplier: float = 100.0,
    high_is_deprived: bool = True,
) -> pd.DataFrame:
    """An indicator by national deprivation quantile (1 = most deprived).

    Parameters
    ----------
    frame
        One row per area: the indicator value, the area's deprivation (score, where higher
        is more deprived, unless ``high_is_deprived=False`` for ranks) and its population.
        Suppressed rows (column ``suppressed``) and rows without a value are left out; how
        many is in ``result.attrs["excluded"]``.
    weight_col
        Population or list size, so each quantile holds about the same number of people
        (as Fingertips does for population-weighted deprivation deciles). ``None`` puts the
        same number of areas in each (OHID's ``ph_quantile``).
    statistic, multiplier
        How pooled counts become a value: ``"proportion"`` (Wilson limits) or ``"rate"``
        (Byar's limits), times ``multiplier`` (100 for a percentage).

    Returns
    -------
    DataFrame
        One row per quantile, most deprived first: ``quantile``, ``n_areas``,
        ``population`` (sum of the weights; unweighted, the sum of denominators, or the
        number of areas when there are no counts), ``numerator``,
        ``denominator``, ``value`` (sum numerator / sum denominator x multiplier when every
        area has counts, else the weighted mean of the values), ``lower_95`` ... ``upper_998``
        (NA for means), ``deprivation_min``/``deprivation_max``, ``rank_start``/``rank_end``
        (cumulative population share, 0 = most deprived) and ``rank_midpoint``.
    """
    keep = _usable(frame, value_col, deprivation_col, weight_col)
    columns = {
        "value": value_col,
        "deprivation": deprivation_col,
        "weight": weight_col,
        "numerator": numerator_col,
        "denominator": denominator_col,
    }
    data, has_counts = _working(frame.loc[keep], columns, n, high_is_deprived)
    grouped = data.groupby("_q", sort=True)
    out = pd.DataFrame(
        {
            "n_areas": grouped.size(),
            "population": grouped["_w"].sum(),
            "deprivation_min": grouped["_d"].min(),
            "deprivation_max": grouped["_d"].max(),
        }
    )
    out = _values(data, out, has_counts, statistic, multiplier)
    out = out.join(midpoint_ranks(out["population"]))
    out = out.rename_axis("quantile").reset_index()
    out["quantile"] = out["quantile"].astype("int64")
    out = out[list(QUANTILE_COLUMNS)]
    out.attrs["excluded"] = int((~keep).sum())
    out.attrs["weighted"] = weight_col is not None
    return out
