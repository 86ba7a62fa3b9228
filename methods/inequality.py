"""The slope and relative indices of inequality, and limits for pooled deprivation quantiles.

The slope index follows Low & Low (2004), "Measuring the gap: quantifying and comparing local
health inequalities", J Public Health 26:388-395, as OHID's ``phe_sii`` implements it: a
least-squares line through the quantile values, weighted by each quantile's share of the
population, against the population-midpoint cumulative rank.

Direction, stated once for every caller: the rank runs from 0 at the MOST deprived end of the
population to 1 at the LEAST deprived end, and

    SII = fitted value at the most deprived end (rank 0) - fitted value at the least deprived
          end (rank 1),

so a positive SII means the indicator is higher where people are more deprived. (``phe_sii``
reports the slope, the opposite sign; its ``multiplier = -1`` gives this convention.)
RII = SII / the population-weighted mean of the quantile values (Low & Low's relative index,
the gap as a share of the average level). ``phe_sii``'s own RII, the ratio of the fitted ends,
is reported as ``ratio_extremes`` (most / least deprived, so ``phe_sii``'s is its inverse).

A quantile's limits come from its pooled counts through :mod:`methods.intervals` (Wilson for
proportions, Byar for rates), so the zero-count rule is the atlas's: a zero count has a lower
limit of 0 and the exact Poisson upper limit; no denominator, no limits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats as sps

from methods import intervals
from methods.intervals import LEVELS

#: Default seed of the simulation, so the same inputs always give the same limits.
SEED = 20040401
#: Repetitions of the simulation (OHID's default).
REPETITIONS = 100_000
DIRECTION = (
    "SII = value at the most deprived end minus value at the least deprived end "
    "(rank 0 = most deprived, 1 = least deprived); positive means higher where more deprived."
)
LIMIT_COLUMNS = tuple(f"{side}_{key}" for key in LEVELS for side in ("lower", "upper"))


def pooled_limits(
    numerator: pd.Series, denominator: pd.Series, statistic: str, multiplier: float
) -> pd.DataFrame:
    """Limits of each quantile's pooled value, by the atlas's own interval methods.

    ``statistic`` is ``"proportion"`` (Wilson) or ``"rate"`` (Byar's, exact below 10);
    returns ``lower_95`` ... ``upper_998`` as floats, NaN where there is no denominator.
    """
    if statistic == "proportion":
        limits = intervals.proportion(numerator, denominator, multiplier)
    elif statistic == "rate":
        limits = intervals.rate(numerator, denominator, multiplier)
    else:
        raise ValueError(f"statistic must be 'proportion' or 'rate', not {statistic!r}")
    return limits[list(LIMIT_COLUMNS)].astype("float64")


def midpoint_ranks(population: pd.Series) -> pd.DataFrame:
    """Cumulative population share of each group, in the order given (most deprived first).

    Returns ``rank_start``, ``rank_end`` and ``rank_midpoint``: the ridit ranks the line is
    fitted against.
    """
    total = population.sum()
    end = population.cumsum() / total
    start = end - population / total
    return pd.DataFrame(
        {"rank_start": start, "rank_end": end, "rank_midpoint": start + population / total / 2}
    )


def _design(rank: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Rows of (X'WX)^-1 X'W: the weighted least-squares coefficients are this times y.

    The estimator is linear in the quantile values, so one matrix serves the point estimate
    and every simulated draw.
    """
    x = np.column_stack([np.ones_like(rank), rank])
    xtw = x.T * share
    return np.linalg.solve(xtw @ x, xtw)


def _logit_scale(multiplier: float) -> tuple[Callable, Callable]:
    """To the log-odds of a proportion shown times ``multiplier``, and back."""

    def logit(v: np.ndarray) -> np.ndarray:
        p = v / multiplier
        return np.log(p / (1 - p))

    return logit, lambda t: multiplier / (1 + np.exp(-t))


def _transform(
    values: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    transform: str | None,
    multiplier: float,
) -> tuple[np.ndarray, np.ndarray, Callable]:
    """Values and standard errors on the scale the draws are made on, and the way back."""
    z = sps.norm.ppf(0.975)  # the limits given are 95% limits, as in phe_sii
    if transform is None:
        forward, back = (lambda v: v), (lambda v: v)
    elif transform == "log":
        forward, back = np.log, np.exp
    elif transform == "logit":
        forward, back = _logit_scale(multiplier)
    else:
        raise ValueError(f"transform must be None, 'log' or 'logit', not {transform!r}")
    return forward(values), (forward(upper) - forward(lower)) / (2 * z), back


def _simulated_limits(
    q: pd.DataFrame, coef: np.ndarray, share: np.ndarray, options: dict
) -> dict[str, float]:
    """OHID's simulation: redraw every quantile value, refit, take percentiles."""
    y = q["value"].astype("float64").to_numpy()
    lower = q["lower_95"].astype("float64").to_numpy()
    upper = q["upper_95"].astype("float64").to_numpy()
    if np.isnan(lower).any() or np.isnan(upper).any():
        raise ValueError("the simulation needs 95% limits for every quantile; use 'analytic'")
    centre, se, back = _transform(y, lower, upper, options["transform"], options["multiplier"])
    rng = np.random.default_rng(options["seed"])
    draws = back(rng.normal(centre, se, size=(options["repetitions"], len(y))))
    sii_draws = -(draws @ coef[1])
    rii_draws = sii_draws / (draws @ share)
    alpha = 1 - options["confidence"]
    cuts = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    sii_lower, sii_upper = (float(v) for v in np.percentile(sii_draws, cuts))
    rii_lower, rii_upper = (float(v) for v in np.percentile(rii_draws, cuts))
    return {
        "sii_lower": sii_lower,
        "sii_upper": sii_upper,
        "rii_lower": rii_lower,
        "rii_upper": rii_upper,
    }


def _analytic_limits(
    y: np.ndarray, rank: np.ndarray, share: np.ndarray, fit: dict, confidence: float
) -> dict[str, float]:
    """The weighted-regression standard error of the slope, on a t distribution."""
    fitted = fit["intercept"] + fit["slope"] * rank
    dof = len(y) - 2
    sigma2 = float(share @ (y - fitted) ** 2) / dof
    x = np.column_stack([np.ones_like(rank), rank])
    cov = sigma2 * np.linalg.inv((x.T * share) @ x)
    half = sps.t.ppf(1 - (1 - confidence) / 2, dof) * np.sqrt(cov[1, 1])
    sii = -fit["slope"]
    lower, upper = float(sii - half), float(sii + half)
    rii_lower, rii_upper = sorted([lower / fit["mean"], upper / fit["mean"]])
    return {"sii_lower": lower, "sii_upper": upper, "rii_lower": rii_lower, "rii_upper": rii_upper}


def _point(intercept: float, slope: float, mean: float) -> dict[str, float]:
    """The SII, RII and fitted ends of a line (rank 0 = most deprived)."""
    sii = -slope
    least = intercept + slope
    return {
        "sii": float(sii),
        "rii": float(sii / mean) if mean else np.nan,
        "value_most_deprived": float(intercept),
        "value_least_deprived": float(least),
        "ratio_extremes": float(intercept / least) if least else np.nan,
        "mean": mean,
    }


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
        Any frame with ``value``, ``population`` and ``rank_midpoint`` (and ``lower_95``/
        ``upper_95`` for the simulation), one row per quantile.
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
    if method not in ("simulation", "analytic"):
        raise ValueError(f"method must be 'simulation' or 'analytic', not {method!r}")
    q = quantiles.sort_values("rank_midpoint")
    y = q["value"].astype("float64").to_numpy()
    pop = q["population"].astype("float64").to_numpy()
    rank = q["rank_midpoint"].astype("float64").to_numpy()
    if len(y) < 3 or np.isnan(y).any() or np.isnan(pop).any() or (pop <= 0).any():
        raise ValueError("need at least 3 quantiles, each with a value and a population")
    share = pop / pop.sum()
    coef = _design(rank, share)
    intercept, slope = coef @ y
    fit = {"intercept": intercept, "slope": slope, "mean": float(share @ y)}
    simulated = method == "simulation"
    result = _point(intercept, slope, fit["mean"]) | {
        "n_quantiles": len(y),
        "confidence": confidence,
        "method": method,
        "repetitions": repetitions if simulated else None,
        "seed": seed if simulated else None,
        "multiplier": multiplier,
        "direction": DIRECTION,
    }
    if simulated:
        options = {
            "transform": transform,
            "multiplier": multiplier,
            "seed": seed,
            "repetitions": repetitions,
            "confidence": confidence,
        }
        return result | _simulated_limits(q, coef, share, options)
    return result | _analytic_limits(y, rank, share, fit, confidence)
