"""Funnel plot control limits, as OHID draws them (PHStatsMethods' ``calculate_funnel_limits``).

Exact Poisson limits for ratios (O/E around 1) and rates, Wilson-score limits with the
sigma adjustment for proportions, at 95% and 99.8%. The limits are returned at whatever
denominators the caller asks for, so a chart can draw a smooth curve and a sentence can say
which areas lie outside it from the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from PHStatsMethods.utils_funnel import sigma_adjustment
from scipy import special

#: Two-sided tail probabilities of the funnel limits (95% and 99.8%), as in PHStatsMethods.
TAILS = {"95": 0.025, "998": 0.001}
#: The statistics a funnel can be drawn for.
STATISTICS = ("ratio", "rate", "proportion")
COLUMNS = ["denominator", "baseline", "lower_95", "upper_95", "lower_998", "upper_998"]


def _poisson_bounds(mu: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed counts at the lower and upper exact Poisson limits for expected counts ``mu``.

    The inversion PHStatsMethods makes (its ``poisson_funnel``), in closed form: with the
    count O taken as continuous, P(X <= O | mu) = Q(O + 1, mu) and P(X >= O | mu) = P(O, mu),
    the regularised incomplete gamma functions. ``scipy.special.gdtrib`` solves P(a, mu) = p
    for the shape a, so the curve is smooth and takes milliseconds where the sum takes seconds.
    """
    mu = np.asarray(mu, dtype="float64")
    lower = np.clip(special.gdtrib(1.0, 1.0 - tail, mu) - 1.0, 0.0, None)
    upper = special.gdtrib(1.0, tail, mu)
    return lower, upper


def funnel_limits(
    denominators: Sequence[float] | np.ndarray,
    *,
    statistic: str,
    baseline: float = 1.0,
    multiplier: float = 1.0,
) -> pd.DataFrame:
    """95% and 99.8% funnel control limits at each denominator, as OHID draws them.

    Parameters
    ----------
    denominators
        Expected counts E for a ratio, populations for a rate or proportion.
    statistic
        ``"ratio"`` (O/E, limits around ``baseline``, normally 1), ``"rate"`` (exact Poisson
        around a rate per ``multiplier``) or ``"proportion"`` (Wilson score around a value
        per ``multiplier``, e.g. a percentage with 100).
    baseline
        The value the funnel is centred on: 1 for O/E, England's rate or proportion otherwise.
    multiplier
        The scale the values are expressed on (1, 100, 100000...).

    Returns
    -------
    pandas.DataFrame
        denominator, baseline, lower_95, upper_95, lower_998, upper_998; the same numbers as
        PHStatsMethods' ``calculate_funnel_limits`` gives at the points it tabulates.
    """
    den = np.asarray(denominators, dtype="float64")
    out = pd.DataFrame({"denominator": den, "baseline": float(baseline)})
    if statistic in ("ratio", "rate"):
        mu = den * float(baseline) / float(multiplier)
        for level, tail in TAILS.items():
            lower, upper = _poisson_bounds(mu, tail)
            out[f"lower_{level}"] = lower / mu * baseline
            out[f"upper_{level}"] = upper / mu * baseline
    elif statistic == "proportion":
        share = float(baseline) / float(multiplier)
        for level, tail in TAILS.items():
            for side, name in (("low", "lower"), ("high", "upper")):
                out[f"{name}_{level}"] = [
                    sigma_adjustment(1 - tail, n, share, side, multiplier) for n in den
                ]
            out[f"lower_{level}"] = out[f"lower_{level}"].clip(lower=0)
            out[f"upper_{level}"] = out[f"upper_{level}"].clip(upper=multiplier)
    else:
        raise ValueError(f"no funnel for statistic {statistic!r}: use ratio, rate or proportion")
    return out[COLUMNS]
