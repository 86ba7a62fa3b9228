"""Modelled prevalence for small areas: synthetic estimation benchmarked to published totals.

OHID publishes modelled prevalence only for large areas (e.g. common mental disorder for
upper-tier local authorities). To spread it over their neighbourhoods, an area-level model is
fitted: weighted least squares of logit(published prevalence) on each large area's
population-weighted mean covariates (:func:`fit`). The model is applied to every small area
(:func:`predict`), the *synthetic* estimate, and each large area's small areas are then shifted
by one constant on the logit scale so that their population-weighted mean equals the published
figure exactly (:func:`benchmark`). Totals therefore always agree with what OHID publishes; the
model only decides how a total is shared out.

:func:`leave_one_out` and :func:`cv_summary` say how well the covariates predict a large area
they were not fitted to. :func:`simulate` and :func:`interval` carry the uncertainty of the
coefficients through the benchmarking. They do **not** include the uncertainty of the published
estimates themselves (OHID publishes them without intervals), nor a small area's own departure
from the model beyond what its covariates say (the residual variance is kept on the model but
not added): they show how uncertain the *sharing out* is, not the totals.

Everything here is pure: covariates are taken as given columns, nothing is read or written.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, special

from methods.intervals import LEVELS

#: Largest gap left between a benchmarked group mean and its target.
TOLERANCE = 1e-12
MAX_ITERATIONS = 200


@dataclass(frozen=True)
class Model:
    """An area-level model of logit(prevalence) on covariates.

    Attributes
    ----------
    columns
        The covariate names, in the order of ``coef[1:]`` (``coef[0]`` is the intercept).
    coef
        Weighted least-squares coefficients.
    cov
        Their covariance matrix, ``sigma2 * inv(X' W X)``.
    sigma2
        Residual variance on the logit scale (for weights of 1).
    n_groups
        Number of areas the model was fitted to.
    """

    columns: tuple[Hashable, ...]
    coef: np.ndarray
    cov: np.ndarray
    sigma2: float
    n_groups: int

    @property
    def coefficients(self) -> pd.Series:
        """The coefficients named, intercept first, for reports."""
        return pd.Series(self.coef, index=["intercept", *self.columns])


def _design(covariates: pd.DataFrame, columns: tuple[Hashable, ...]) -> np.ndarray:
    """The design matrix: a column of ones, then the covariates as float64 (NaN if missing)."""
    values = covariates[list(columns)].astype("Float64").astype("float64").to_numpy()
    return np.column_stack([np.ones(len(values)), values])


def _weights(index: pd.Index, weights: pd.Series | None) -> np.ndarray:
    """Weights aligned to ``index``; all ones when none are given."""
    if weights is None:
        return np.ones(len(index))
    return weights.reindex(index).astype("Float64").astype("float64").to_numpy()


def fit(
    group_covariates: pd.DataFrame,
    group_prevalence: pd.Series,
    weights: pd.Series | None = None,
) -> Model:
    """Weighted least squares of logit(prevalence) on the groups' mean covariates.

    Parameters
    ----------
    group_covariates
        One row per group (large area), one column per covariate: the population-weighted mean
        of the small areas' covariates. Every column is used.
    group_prevalence
        The published prevalence per group, a proportion in (0, 1), on the same index.
    weights
        Weight per group (e.g. population); equal when omitted.

    Returns
    -------
    Model
        Coefficients, their covariance and the residual variance. Groups with a missing
        covariate, prevalence or weight are left out.
    """
    columns = tuple(group_covariates.columns)
    x = _design(group_covariates, columns)
    prevalence = group_prevalence.reindex(group_covariates.index).astype("Float64")
    y = special.logit(prevalence.astype("float64").to_numpy())
    w = _weights(group_covariates.index, weights)
    keep = np.isfinite(x).all(axis=1) & np.isfinite(y) & np.isfinite(w) & (w > 0)
    x, y, w = x[keep], y[keep], w[keep]
    n, p = x.shape
    if n <= p:
        raise ValueError(f"{n} groups cannot fit {p} coefficients")
    root = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * root[:, None], y * root, rcond=None)
    resid = y - x @ coef
    sigma2 = float(np.sum(w * resid**2) / (n - p))
    cov = sigma2 * np.linalg.inv(x.T @ (x * w[:, None]))
    return Model(columns=columns, coef=coef, cov=cov, sigma2=sigma2, n_groups=n)


def predict(model: Model, lsoa_covariates: pd.DataFrame) -> pd.Series:
    """The synthetic estimate: expit of the model's linear predictor for every small area.

    Missing where a covariate is missing.
    """
    linear = _design(lsoa_covariates, model.columns) @ model.coef
    return pd.Series(special.expit(linear), index=lsoa_covariates.index, name="prevalence")


def _indicator(
    codes: np.ndarray, weights: np.ndarray, n_groups: int
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Sparse (groups x rows) matrix whose product with values gives weighted group means.

    Rows with a negative code or no weight belong to no group and are never read, so a missing
    value there cannot spread into a mean. Also returns each group's total weight.
    """
    member = (codes >= 0) & (weights > 0)
    totals = np.bincount(codes[member], weights=weights[member], minlength=n_groups)
    share = weights[member] / totals[codes[member]]
    entries = (share, (codes[member], np.flatnonzero(member)))
    return sparse.csr_matrix(entries, shape=(n_groups, len(codes))), totals


def _shift_logits(
    logits: np.ndarray, codes: np.ndarray, means: sparse.csr_matrix, targets: np.ndarray
) -> np.ndarray:
    """Per-group logit shifts (groups x draws) that make each weighted mean equal its target.

    The weighted mean of expit(logit + c) rises monotonically in c, so each group's equation
    has one root, between logit(target) - max(logit) and logit(target) - min(logit). Newton
    steps are taken inside that bracket and replaced by bisection when they would leave it,
    for every group and every draw at once (a vectorised safeguarded Newton method, where
    ``scipy.optimize.brentq`` would solve one group and one draw at a time).
    """
    goal = special.logit(targets)[:, None]
    lower = goal - logits.max(axis=0)
    upper = goal - logits.min(axis=0)
    shift = goal - means @ logits
    for _ in range(MAX_ITERATIONS):
        p = special.expit(logits + shift[codes])
        gap = means @ p - targets[:, None]
        if np.abs(gap).max() < TOLERANCE:
            break
        lower = np.where(gap < 0, shift, lower)
        upper = np.where(gap > 0, shift, upper)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = shift - gap / (means @ (p * (1 - p)))
        shift = np.where((step > lower) & (step < upper), step, (lower + upper) / 2)
    return shift


@dataclass(frozen=True)
class _Plan:
    """Which small areas are shifted, in which group, towards which target."""

    rows: np.ndarray
    codes: np.ndarray
    means: sparse.csr_matrix
    targets: np.ndarray


def _plan(
    index: pd.Index,
    valid: np.ndarray,
    population: pd.Series | None,
    group: pd.Series,
    target: pd.Series,
) -> _Plan:
    """The benchmarking plan: valid small areas in a group with a target and some population."""
    weight = np.nan_to_num(_weights(index, population), nan=0.0)
    goal = target.astype("Float64").dropna()
    goal = goal[(goal > 0) & (goal < 1)]
    codes = goal.index.get_indexer(group.reindex(index)).astype(np.int64)
    codes = np.where(valid & (weight > 0), codes, -1)
    totals = np.bincount(codes[codes >= 0], minlength=len(goal))
    kept = totals > 0
    renumber = np.cumsum(kept) - 1
    member = codes >= 0
    codes[member] = np.where(kept[codes[member]], renumber[codes[member]], -1)
    rows = np.flatnonzero(codes >= 0)
    means, _ = _indicator(codes[rows], weight[rows], int(kept.sum()))
    targets = goal.to_numpy(dtype="float64")[kept]
    return _Plan(rows=rows, codes=codes[rows], means=means, targets=targets)


def _benchmarked(logits: np.ndarray, plan: _Plan) -> np.ndarray:
    """The inverse logit of ``logits`` (areas x draws), planned areas shifted by group."""
    out = logits.copy()
    if len(plan.rows):
        sub = logits[plan.rows]
        out[plan.rows] = sub + _shift_logits(sub, plan.codes, plan.means, plan.targets)[plan.codes]
    return special.expit(out)


def benchmark(
    pred: pd.Series, population: pd.Series | None, group: pd.Series, target: pd.Series
) -> pd.Series:
    """Shift each group's small areas so their population-weighted mean equals its target.

    Parameters
    ----------
    pred
        Synthetic prevalence per small area (proportions), e.g. from :func:`predict`.
    population
        Population per small area (equal weights when omitted).
    group
        The group (large area) of each small area, on the same index.
    target
        Published prevalence per group. Groups without one (or without population) and small
        areas without a prediction stay as they are.

    Returns
    -------
    pandas.Series
        Benchmarked prevalence: one constant added to the logit of every small area of a group,
        which keeps their order and the model's relative differences.
    """
    values = pred.astype("Float64").astype("float64").to_numpy()
    valid = (values > 0) & (values < 1)
    plan = _plan(pred.index, valid, population, group, target)
    with np.errstate(divide="ignore"):
        logits = special.logit(values)[:, None]
    return pd.Series(_benchmarked(logits, plan)[:, 0], index=pred.index, name=pred.name)


def _group_means(
    values: np.ndarray, index: pd.Index, population: pd.Series | None, keys: pd.Series
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Population-weighted means of ``values`` (rows x columns) by key, and the populations.

    Rows with a missing value, key or population are left out; a key with no population left
    has missing means.
    """
    weight = np.nan_to_num(_weights(index, population), nan=0.0)
    category = pd.Categorical(keys.reindex(index))
    codes = category.codes.astype(np.int64)
    codes = np.where(np.isfinite(values).all(axis=1), codes, -1)
    matrix, totals = _indicator(codes, weight, len(category.categories))
    means = np.asarray(matrix @ values, dtype="float64")
    means[totals == 0] = np.nan
    return pd.Index(category.categories, name=keys.name), means, totals


def aggregate(values: pd.Series, population: pd.Series | None, keys: pd.Series) -> pd.DataFrame:
    """Population-weighted prevalence and modelled counts for any grouping of small areas.

    Returns a frame indexed by key with ``population`` (of the areas with a value),
    ``prevalence`` (their population-weighted mean) and ``count`` (prevalence x population,
    the modelled number of people). Counts of a finer grouping add up to a coarser one.
    """
    column = values.astype("Float64").astype("float64").to_numpy()[:, None]
    labels, means, totals = _group_means(column, values.index, population, keys)
    frame = pd.DataFrame({"population": totals, "prevalence": means[:, 0]}, index=labels)
    frame["count"] = frame["prevalence"] * frame["population"]
    return frame


def leave_one_out(
    group_covariates: pd.DataFrame,
    group_prevalence: pd.Series,
    weights: pd.Series | None = None,
) -> pd.DataFrame:
    """Predict each group from a model fitted to all the others (leave-one-out validation).

    Returns a frame indexed by group with ``observed``, ``predicted`` and ``error`` (predicted
    minus observed), as proportions, for every group with a published prevalence.
    """
    observed = group_prevalence.reindex(group_covariates.index).astype("Float64")
    rows = []
    for position, name in enumerate(group_covariates.index):
        if pd.isna(observed.iloc[position]):
            continue
        others = np.arange(len(group_covariates)) != position
        model = fit(group_covariates[others], group_prevalence, weights)
        predicted = predict(model, group_covariates.iloc[[position]]).iloc[0]
        rows.append((name, float(observed.iloc[position]), float(predicted)))
    frame = pd.DataFrame(rows, columns=["group", "observed", "predicted"]).set_index("group")
    frame["error"] = frame["predicted"] - frame["observed"]
    return frame


def cv_summary(loo: pd.DataFrame) -> pd.Series:
    """RMSE and MAE in percentage points and the mean absolute percentage error of a LOO run."""
    error = loo["error"].to_numpy(dtype="float64")
    observed = loo["observed"].to_numpy(dtype="float64")
    return pd.Series(
        {
            "rmse_pp": float(np.sqrt(np.mean(error**2)) * 100),
            "mae_pp": float(np.mean(np.abs(error)) * 100),
            "mape_percent": float(np.mean(np.abs(error) / observed) * 100),
            "n_groups": float(len(error)),
        }
    )


def simulate(
    model: Model,
    lsoa_covariates: pd.DataFrame,
    population: pd.Series | None,
    group: pd.Series,
    target: pd.Series,
    draws: int = 500,
    seed: int = 0,
    chunk: int = 100,
) -> np.ndarray:
    """Benchmarked prevalence under coefficients drawn from their sampling distribution.

    Each draw takes coefficients from a normal distribution with the model's estimates and
    covariance, predicts every small area and benchmarks the draw to the targets, so every
    draw agrees with the published totals and differs only in how they are shared out.

    Returns
    -------
    numpy.ndarray
        float32, small areas (in the order of ``lsoa_covariates``) x draws; rows with a missing
        covariate are missing. Draws are computed ``chunk`` at a time to bound memory.
    """
    x = _design(lsoa_covariates, model.columns)
    valid = np.isfinite(x).all(axis=1)
    plan = _plan(lsoa_covariates.index, valid, population, group, target)
    coef = np.random.default_rng(seed).multivariate_normal(model.coef, model.cov, size=draws)
    out = np.full((len(x), draws), np.nan, dtype=np.float32)
    for start in range(0, draws, chunk):
        logits = x @ coef[start : start + chunk].T
        out[:, start : start + chunk] = _benchmarked(logits, plan)
    return out


def interval(
    draws: np.ndarray,
    population: pd.Series | None,
    keys: pd.Series,
    level: str = "95",
) -> pd.DataFrame:
    """Limits for the population-weighted prevalence of any grouping, from :func:`simulate`.

    ``keys`` gives each small area's group in the row order of ``draws`` (for limits per small
    area, pass the small areas' own codes). Returns a frame indexed by key with
    ``lower_<level>``, ``median`` and ``upper_<level>``: the spread of the benchmarked
    estimate over coefficient draws, which excludes the uncertainty of the published totals.
    """
    labels, means, _ = _group_means(draws, keys.index, population, keys)
    tail = (1.0 - LEVELS[level]) / 2
    low, mid, high = np.quantile(means, [tail, 0.5, 1.0 - tail], axis=1)
    return pd.DataFrame(
        {f"lower_{level}": low, "median": mid, f"upper_{level}": high}, index=labels
    )
