"""Inequality by deprivation: values by national deprivation quantile, and the SII and RII.

Areas (GP practices by the deprivation of their registered population, LSOAs by their IMD
score...) are put into national deprivation quantiles, quantile 1 holding the MOST deprived
(the ONS and Fingertips convention). Each quantile's value is pooled from counts where there
are counts, so a quantile's figure is the figure of the people in it, not an average of areas.

The slope and relative indices of inequality follow Low & Low (2004), "Measuring the gap:
quantifying and comparing local health inequalities", J Public Health 26:388-395, as OHID's
``phe_sii`` implements it: a least-squares line through the quantile values, weighted by each
quantile's share of the population, against the population-midpoint cumulative rank.

Direction, stated once for every caller: the rank runs from 0 at the MOST deprived end of the
population to 1 at the LEAST deprived end, and

    SII = fitted value at the most deprived end (rank 0) - fitted value at the least deprived
          end (rank 1),

so a positive SII means the indicator is higher where people are more deprived. (``phe_sii``
reports the slope, the opposite sign; its ``multiplier = -1`` gives this convention.)
RII = SII / the population-weighted mean of the quantile values (Low & Low's relative index,
the gap as a share of the average level).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PHStatsMethods import (
    byars_lower,
    byars_upper,
    exact_upper,
    ph_quantile,
    wilson_lower,
    wilson_upper,
)
from scipy import stats as sps

#: Confidence levels of the quantile limits, as in the atlas (suffix -> level).
LEVELS = {"95": 0.95, "998": 0.998}
#: Default seed of the simulation, so the same inputs always give the same limits.
SEED = 20040401
#: Repetitions of the simulation (OHID's default).
REPETITIONS = 100_000
DIRECTION = (
    "SII = value at the most deprived end minus value at the least deprived end "
    "(rank 0 = most deprived, 1 = least deprived); positive means higher where more deprived."
)


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


def _pooled_limits(
    numerator: pd.Series, denominator: pd.Series, statistic: str, multiplier: float
) -> pd.DataFrame:
    """Wilson (proportion) or Byar (rate) limits from pooled counts, by PHStatsMethods."""
    rows = []
    for num, den in zip(numerator, denominator, strict=True):
        row = {}
        for key, conf in LEVELS.items():
            if den <= 0:
                lo = hi = np.nan
            elif statistic == "proportion":
                lo, hi = wilson_lower(num, den, conf), wilson_upper(num, den, conf)
            elif statistic == "rate":
                lo = 0.0 if num == 0 else byars_lower(num, conf)
                hi = exact_upper(0, conf) if num == 0 else byars_upper(num, conf)
                lo, hi = lo / den, hi / den
            else:
                raise ValueError(f"statistic must be 'proportion' or 'rate', not {statistic!r}")
            row[f"lower_{key}"] = lo * multiplier
            row[f"upper_{key}"] = hi * multiplier
        rows.append(row)
    return pd.DataFrame(rows, index=numerator.index, dtype="float64")


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
    data = frame.copy()
    keep = pd.Series(True, index=data.index)
    if "suppressed" in data.columns:
        keep &= ~data["suppressed"].fillna(False).astype(bool)
    keep &= pd.to_numeric(data[value_col], errors="coerce").notna()
    keep &= pd.to_numeric(data[deprivation_col], errors="coerce").notna()
    if weight_col is not None:
        weight = pd.to_numeric(data[weight_col], errors="coerce")
        keep &= weight.notna() & (weight > 0)
    excluded = int((~keep).sum())
    data = data.loc[keep].copy()
    data["_q"] = assign_quantiles(
        data, deprivation_col, weight_col, n, high_is_deprived=high_is_deprived
    )
    data["_w"] = 1.0 if weight_col is None else data[weight_col].astype("float64")
    data["_v"] = data[value_col].astype("float64")
    data["_d"] = data[deprivation_col].astype("float64")
    has_counts = {numerator_col, denominator_col} <= set(data.columns) and bool(
        data[numerator_col].notna().all() and data[denominator_col].notna().all()
    )
    if has_counts:
        data["_num"] = data[numerator_col].astype("float64")
        data["_den"] = data[denominator_col].astype("float64")
    if weight_col is None and has_counts:
        data["_w"] = data["_den"]  # equal numbers of areas, but people weight the line
    grouped = data.groupby("_q", sort=True)
    out = pd.DataFrame(
        {
            "n_areas": grouped.size(),
            "population": grouped["_w"].sum(),
            "deprivation_min": grouped["_d"].min(),
            "deprivation_max": grouped["_d"].max(),
        }
    )
    if has_counts:
        out["numerator"] = grouped["_num"].sum()
        out["denominator"] = grouped["_den"].sum()
        out["value"] = out["numerator"] / out["denominator"] * multiplier
        limits = _pooled_limits(out["numerator"], out["denominator"], statistic, multiplier)
        out = out.join(limits)
    else:
        weighted = (data["_v"] * data["_w"]).groupby(data["_q"]).sum()
        out["numerator"] = np.nan
        out["denominator"] = np.nan
        out["value"] = weighted / out["population"]
        for key in LEVELS:
            out[f"lower_{key}"] = np.nan
            out[f"upper_{key}"] = np.nan
    total = out["population"].sum()
    out["rank_end"] = out["population"].cumsum() / total
    out["rank_start"] = out["rank_end"] - out["population"] / total
    out["rank_midpoint"] = out["rank_start"] + out["population"] / total / 2
    out = out.rename_axis("quantile").reset_index()
    out["quantile"] = out["quantile"].astype("int64")
    columns = [
        "quantile",
        "n_areas",
        "population",
        "numerator",
        "denominator",
        "value",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "deprivation_min",
        "deprivation_max",
        "rank_start",
        "rank_end",
        "rank_midpoint",
    ]
    out = out[columns]
    out.attrs["excluded"] = excluded
    out.attrs["weighted"] = weight_col is not None
    return out


# ---------------------------------------------------------------------------- SII and RII


def _design(rank: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Rows of (X'WX)^-1 X'W: the weighted least-squares coefficients are this times y.

    The estimator is linear in the quantile values, so one matrix serves the point estimate
    and every simulated draw.
    """
    x = np.column_stack([np.ones_like(rank), rank])
    xtw = x.T * share
    return np.linalg.solve(xtw @ x, xtw)


def _transform(values, lower, upper, transform: str | None, multiplier: float):
    """Values and standard errors on the scale the draws are made on, and the way back."""
    z = sps.norm.ppf(0.975)  # the limits given are 95% limits, as in phe_sii
    if transform is None:
        return values, (upper - lower) / (2 * z), lambda v: v
    if transform == "log":
        return (
            np.log(values),
            (np.log(upper) - np.log(lower)) / (2 * z),
            np.exp,
        )
    if transform == "logit":

        def logit(v):
            p = v / multiplier
            return np.log(p / (1 - p))

        return (
            logit(values),
            (logit(upper) - logit(lower)) / (2 * z),
            lambda t: multiplier / (1 + np.exp(-t)),
        )
    raise ValueError(f"transform must be None, 'log' or 'logit', not {transform!r}")


def sii_rii(
    quantiles: pd.DataFrame,
    *,
    multiplier: float,
    confidence: float = 0.95,
    method: str = "simulation",
    transform: str | None = None,
    repetitions: int = REPETITIONS,
    seed: int = SEED,
) -> dict:
    """Slope and Relative Index of Inequality of quantile values, with confidence limits.

    Parameters
    ----------
    quantiles
        Output of :func:`by_quantile` (or any frame with ``value``, ``population`` and
        ``rank_midpoint``; ``lower_95``/``upper_95`` for the simulation).
    multiplier
        The scale of the values (100 for percentages, 100000 for rates per 100,000, 1 for
        scores); used to move proportions onto the 0-1 scale for ``transform="logit"`` and
        reported with the result so the SII can be labelled in the indicator's units.
    method
        ``"simulation"`` (OHID's method, as ``phe_sii``): each quantile value is redrawn
        ``repetitions`` times from a normal distribution with the standard error implied by
        its 95% limits (on the log or logit scale with ``transform``), the line is refitted to
        every draw, and the limits are percentiles of the simulated SII and RII. Deterministic:
        a fixed ``seed``. ``"analytic"``: the weighted-regression standard error of the slope
        from the residuals, with a t distribution on (quantiles - 2) degrees of freedom; for
        values without limits (scores). Its RII limits divide the SII limits by the mean.

    Returns
    -------
    dict
        ``sii``, ``sii_lower``, ``sii_upper``, ``rii``, ``rii_lower``, ``rii_upper``,
        ``value_most_deprived`` and ``value_least_deprived`` (the fitted line at rank 0 and
        rank 1), ``ratio_extremes`` (their ratio, most / least deprived), ``mean``,
        ``n_quantiles``, ``confidence``, ``method``, ``repetitions``, ``seed``,
        ``multiplier`` and ``direction`` (the sign convention in words).
    """
    q = quantiles.sort_values("rank_midpoint")
    y = q["value"].astype("float64").to_numpy()
    pop = q["population"].astype("float64").to_numpy()
    rank = q["rank_midpoint"].astype("float64").to_numpy()
    if len(y) < 3 or np.isnan(y).any() or np.isnan(pop).any() or (pop <= 0).any():
        raise ValueError("need at least 3 quantiles, each with a value and a population")
    share = pop / pop.sum()
    coef = _design(rank, share)
    intercept, slope = coef @ y
    mean = float(share @ y)
    sii = -slope
    alpha = 1 - confidence
    result = {
        "sii": float(sii),
        "rii": float(sii / mean) if mean else np.nan,
        "value_most_deprived": float(intercept),
        "value_least_deprived": float(intercept + slope),
        "ratio_extremes": float(intercept / (intercept + slope)) if intercept + slope else np.nan,
        "mean": mean,
        "n_quantiles": len(y),
        "confidence": confidence,
        "method": method,
        "repetitions": repetitions if method == "simulation" else None,
        "seed": seed if method == "simulation" else None,
        "multiplier": multiplier,
        "direction": DIRECTION,
    }
    if method == "simulation":
        lower = q["lower_95"].astype("float64").to_numpy()
        upper = q["upper_95"].astype("float64").to_numpy()
        if np.isnan(lower).any() or np.isnan(upper).any():
            raise ValueError("the simulation needs 95% limits for every quantile; use 'analytic'")
        centre, se, back = _transform(y, lower, upper, transform, multiplier)
        rng = np.random.default_rng(seed)
        draws = back(rng.normal(centre, se, size=(repetitions, len(y))))
        sii_draws = -(draws @ coef[1])
        rii_draws = sii_draws / (draws @ share)
        lo, hi = 100 * alpha / 2, 100 * (1 - alpha / 2)
        result["sii_lower"], result["sii_upper"] = (
            float(v) for v in np.percentile(sii_draws, [lo, hi])
        )
        result["rii_lower"], result["rii_upper"] = (
            float(v) for v in np.percentile(rii_draws, [lo, hi])
        )
    elif method == "analytic":
        fitted = intercept + slope * rank
        dof = len(y) - 2
        sigma2 = float(share @ (y - fitted) ** 2) / dof
        x = np.column_stack([np.ones_like(rank), rank])
        cov = sigma2 * np.linalg.inv((x.T * share) @ x)
        half = sps.t.ppf(1 - alpha / 2, dof) * np.sqrt(cov[1, 1])
        result["sii_lower"], result["sii_upper"] = float(sii - half), float(sii + half)
        bounds = sorted([result["sii_lower"] / mean, result["sii_upper"] / mean])
        result["rii_lower"], result["rii_upper"] = bounds
    else:
        raise ValueError(f"method must be 'simulation' or 'analytic', not {method!r}")
    return result
