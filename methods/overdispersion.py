"""Overdispersion-adjusted limits for indirectly standardised ratios (the SHMI method).

Poisson limits assume an area's O/E differs from 1 only by chance. With expected counts in the
thousands they become so narrow that nearly every area falls outside them, although most of the
spread is real, unexplained variation between areas. Spiegelhalter (2005), "Handling
over-dispersion of performance indicators", widens the limits by a between-area variance
``tau2`` (an additive random-effects model), estimated robustly from z-scores after the most
extreme areas are set aside, so that a few genuine outliers do not inflate it.

The functions follow the NHS-R package FunnelPlotR (``data_type = "SR"``, ``sr_method =
"SHMI"``): ``transformed_zscore``, ``truncation``/``winsorisation``, ``phi_func``, ``tau_func``
(``R/od_adjustment.R``) and ``calculate_limits`` (``R/calculate_limits.R``). On the log scale,
Y = log(O/E) with standard error s = 1/sqrt(E) and target 0, so z = sqrt(E) log(O/E). For the
SHMI FunnelPlotR *truncates* z (drops the top and bottom 10% by rank, as NHS England's SHMI
does) rather than winsorising; both are offered, truncation by default. The one difference:
FunnelPlotR rounds expected counts to 2 decimals first (``SHMI_rounding``); round before calling
if a published SHMI is to be reproduced digit for digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from methods.benchmark import _directions
from methods.funnel import TAILS

TrimMethod = Literal["truncate", "winsorise"]


#: How the atlas trims z-scores before estimating overdispersion: winsorising, as Spiegelhalter
#: (2005) describes; truncation (FunnelPlotR's SHMI option) under-estimates tau2 by about half
#: in simulation. The pipeline's comparisons and the app's funnel limits both use it.
ATLAS_TRIM = "winsorise"


@dataclass(frozen=True)
class Dispersion:
    """How much more O/E varies between areas than Poisson chance allows.

    Attributes
    ----------
    phi
        Dispersion ratio: the mean squared trimmed z-score (1 when the data are Poisson).
    tau2
        Between-area variance on the log scale added to 1/E in the limits (0: none found).
    n
        Number of z-scores phi was estimated from (after truncation).
    z
        Unadjusted z-score per area, sqrt(E) log(O/E); missing where O or E is missing or E <= 0.
    z_trimmed
        The z-scores phi used: winsorised, or missing where truncation set the area aside.
    """

    phi: float
    tau2: float
    n: int
    z: pd.Series
    z_trimmed: pd.Series


def _as_float(values: pd.Series | np.ndarray | list[float]) -> pd.Series:
    """A float64 Series (missing as NaN), keeping the index of a Series."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return series.astype("Float64").astype("float64")


def z_scores(observed: pd.Series, expected: pd.Series) -> pd.Series:
    """Unadjusted z-scores sqrt(E) log(O/E) (FunnelPlotR ``transformed_zscore``, SHMI).

    Missing where O or E is missing or E <= 0; minus infinity for an area with no events.
    """
    obs, exp = _as_float(observed), _as_float(expected)
    exp = exp.where(exp > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.sqrt(exp) * np.log(obs / exp)
    return z.where(obs.notna() & exp.notna() & (obs >= 0))


def _truncate(z: np.ndarray, trim: float) -> np.ndarray:
    """FunnelPlotR ``truncation``: drop (NaN) the z-scores in the outer ``trim`` by rank."""
    k = 1.0 / trim
    rank = stats.rankdata(z, method="average")
    part = np.floor(rank * k / (len(z) + 1))
    return np.where((part > 0) & (part < k - 1), z, np.nan)


def _winsorise(z: np.ndarray, trim: float) -> np.ndarray:
    """FunnelPlotR ``winsorisation``: clip at R's type-7 quantiles (numpy's 'linear')."""
    low, high = np.quantile(z, [trim, 1.0 - trim])
    return np.clip(z, low, high)


def _tau2(n: int, phi: float, weights: np.ndarray) -> float:
    """FunnelPlotR ``tau_func``: the DerSimonian-Laird moment estimate, floored at 0.

    ``weights`` are 1/s^2 = E of the areas phi was estimated from. Fewer than two areas
    (no spread between areas to estimate) give 0.
    """
    if n < 2 or n * phi < n - 1:
        return 0.0
    spread = weights.sum() - (weights**2).sum() / weights.sum()
    return max(0.0, (n * phi - (n - 1)) / spread)


def dispersion(
    observed: pd.Series,
    expected: pd.Series,
    trim: float = 0.1,
    method: TrimMethod = "truncate",
) -> Dispersion:
    """Estimate the overdispersion of O/E ratios: phi and the between-area variance tau2.

    Parameters
    ----------
    observed, expected
        Observed and expected counts per area; areas with either missing or E <= 0 are left out.
    trim
        Share set aside (or clipped) at each end before phi is estimated (0.1: 10%).
    method
        ``"truncate"`` (SHMI and FunnelPlotR's SHMI method) or ``"winsorise"``.

    Returns
    -------
    Dispersion
        phi, tau2, the number of z-scores used and the z-scores before and after trimming.
    """
    z = z_scores(observed, expected)
    known = z.notna().to_numpy()
    values = z.to_numpy()[known]
    if method == "truncate":
        kept = _truncate(values, trim)
    elif method == "winsorise":
        kept = _winsorise(values, trim)
    else:
        raise ValueError(f"unknown trimming {method!r}: use 'truncate' or 'winsorise'")
    trimmed = pd.Series(np.nan, index=z.index)
    trimmed[known] = kept
    used = ~np.isnan(kept)
    n = int(used.sum())
    phi = float(np.mean(kept[used] ** 2)) if n else float("nan")
    weights = _as_float(expected).to_numpy()[known][used]
    return Dispersion(phi=phi, tau2=_tau2(n, phi, weights), n=n, z=z, z_trimmed=trimmed)


def _quantile(level: str) -> float:
    """The standard normal quantile of a two-sided level keyed as in ``methods.intervals``."""
    try:
        return float(special.ndtri(1.0 - TAILS[level]))
    except KeyError:
        raise ValueError(f"unknown level {level!r}: use one of {sorted(TAILS)}") from None


def limits(
    expected: pd.Series | np.ndarray | list[float], tau2: float, level: str
) -> tuple[pd.Series, pd.Series]:
    """Overdispersion-adjusted limits for O/E at expected count E: exp(±z sqrt(1/E + tau2)).

    FunnelPlotR ``calculate_limits`` (SR, SHMI, adjusted), centred on 1. With ``tau2 = 0`` these
    are the unadjusted limits of the same log-scale model. ``level`` is ``"95"`` or ``"998"``;
    missing or non-positive E gives missing limits.
    """
    z = _quantile(level)
    exp = _as_float(expected)
    exp = exp.where(exp > 0)
    half_width = z * np.sqrt(1.0 / exp + float(tau2))
    return np.exp(-half_width), np.exp(half_width)


def band(
    observed: pd.Series,
    expected: pd.Series,
    *,
    level: str = "95",
    tau2: float | None = None,
    polarity: str = "neutral",
    trim: float = 0.1,
) -> pd.Series:
    """Whether each area's O/E lies above, within or below the overdispersion-adjusted limits.

    Parameters
    ----------
    observed, expected
        Observed and expected counts per area (Series on the same index).
    level
        ``"95"`` or ``"998"``.
    tau2
        Between-area variance; estimated from these areas (:func:`dispersion`) when omitted.
    polarity
        As in ``methods.benchmark``: ``neutral`` words the bands higher/lower, ``high_is_bad``
        and ``high_is_good`` worse/better.
    trim
        Share truncated at each end when tau2 is estimated here.

    Returns
    -------
    pandas.Series
        ``higher``/``similar``/``lower`` (or the polarity's words), ``not_compared`` where O or
        E is missing or E <= 0. A ratio on a limit is within it, as in FunnelPlotR.
    """
    up, down = _directions(polarity)
    obs, exp = _as_float(observed), _as_float(expected)
    if tau2 is None:
        tau2 = dispersion(obs, exp, trim=trim).tau2
    lower, upper = limits(exp, tau2, level)
    ratio = obs / exp.where(exp > 0)
    known = (ratio.notna() & lower.notna()).to_numpy()
    result = np.select(
        [~known, (ratio > upper).to_numpy(), (ratio < lower).to_numpy()],
        ["not_compared", up, down],
        default="similar",
    )
    return pd.Series(result, index=obs.index, dtype="string")
