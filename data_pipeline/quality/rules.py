"""The data-quality rules: each a named, pure function with its threshold stated as a constant.

A rule never changes a figure. It says which area-periods are artefacts of how the data were
collected rather than findings (a provider that sent part of its records; a collection that
recorded nothing), and gives its evidence: the figure, the area's own usual level, and the
share one is of the other. What is done with a caught row (kept, marked, not compared, left
out of benchmarks) is decided elsewhere (:mod:`data_pipeline.quality.mark`).

The thresholds were chosen from the real files; ``content/data_quality.md`` shows the
distributions they were read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import pandas as pd

INCOMPLETE_SUBMISSION = "incomplete_submission"
IMPLAUSIBLE_ZERO = "implausible_zero"

#: A month is an incomplete submission when its count is below this share of its reference.
#: People in contact with services is a caseload that moves by a few per cent a month (nine
#: in ten month-on-median ratios lie between 0.92 and 1.10); of the tenths from 0.1 to 0.9,
#: 0.5 to 0.6 holds the fewest months, the trough between collapses and ordinary dips
#: (see content/data_quality.md).
SUBMISSION_SHARE = 0.5
#: The reference is the median of the area's latest accepted months, at most this many ...
REFERENCE_MONTHS = 6
#: ... published within this many calendar months before the month judged ...
LOOKBACK_MONTHS = 12
#: ... and at least this many of them: with fewer, the month is not judged.
MIN_REFERENCE_MONTHS = 3
#: A reference smaller than this is not judged: a count of a few dozen can halve by chance.
MIN_REFERENCE_COUNT = 100
#: A fall that lasts longer than this many published months in a row is a lasting change of
#: level (a service leaving the dataset, a new way of counting), not a partial submission:
#: its months are accepted as the area's new level. In the MHSDS file every fall that
#: recovered lasted at most 3 months; those that never recovered ran past 9.
MAX_RUN_MONTHS = 6

#: A percentage below this is near zero (fewer than one person in a hundred).
NEAR_ZERO_PERCENT = 1.0
#: ... and implausible when the median of the area's other periods is at least this.
FAR_HIGHER_PERCENT = 5.0
#: The area needs at least this many other periods (not themselves near zero) to be judged.
MIN_OTHER_PERIODS = 2


@dataclass(frozen=True)
class Rule:
    """A rule as the atlas describes it to users: name, threshold and why."""

    id: str
    label: str
    threshold: str
    why: str


RULES: dict[str, Rule] = {
    INCOMPLETE_SUBMISSION: Rule(
        INCOMPLETE_SUBMISSION,
        "incomplete submission",
        f"a monthly count below {SUBMISSION_SHARE:.0%} of the median of the area's own latest "
        f"{REFERENCE_MONTHS} accepted months (published in the {LOOKBACK_MONTHS} months "
        f"before, at least {MIN_REFERENCE_MONTHS} of them, median at least "
        f"{MIN_REFERENCE_COUNT})",
        "a caseload does not halve in a month: a count that does is a provider that sent part "
        "of its records",
    ),
    IMPLAUSIBLE_ZERO: Rule(
        IMPLAUSIBLE_ZERO,
        "implausible zero",
        f"a percentage below {NEAR_ZERO_PERCENT:g}% where the median of the area's other "
        f"periods is at least {FAR_HIGHER_PERCENT:g}% (at least {MIN_OTHER_PERIODS} of them)",
        "nearly nobody checked, in an area that usually checks many, is a recording gap",
    ),
}


def _month_number(month: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(month)
    return stamps.dt.year * 12 + stamps.dt.month


def _judge_series(months: list[int], counts: list[float]) -> list[list]:
    """[reference, months in it, share, caught] for one area's months in order."""
    accepted: list[tuple[int, float]] = []
    run: list[int] = []  # positions of the current run of caught months
    out: list[list] = []
    for month, count in zip(months, counts, strict=True):
        window = [c for m, c in accepted if month - LOOKBACK_MONTHS <= m < month]
        window = window[-REFERENCE_MONTHS:]
        reference = median(window) if len(window) >= MIN_REFERENCE_MONTHS else None
        judged = reference is not None and reference >= MIN_REFERENCE_COUNT
        known = count == count  # NaN (suppressed) is neither judged nor accepted
        share = count / reference if (judged and known) else None
        caught = share is not None and share < SUBMISSION_SHARE
        out.append([reference, len(window), share, caught])
        if caught:
            run.append(len(out) - 1)
        elif known:
            accepted.append((month, count))
            run = []
        if len(run) > MAX_RUN_MONTHS:  # a lasting change of level: the new level stands
            for position in run:
                out[position][3] = False
                accepted.append((months[position], counts[position]))
            accepted.sort()
            run = []
    return out


def incomplete_submission(series: pd.DataFrame) -> pd.DataFrame:
    """Which monthly counts are incomplete submissions, with their evidence.

    ``series`` has ``area``, ``month`` (a date) and ``count``, one row per area and month.
    Each month is set against the median of the area's latest accepted months before it
    (:data:`REFERENCE_MONTHS` within :data:`LOOKBACK_MONTHS`); a caught month never enters a
    later reference, so a run of collapsed months is caught whole, unless the run outlasts
    :data:`MAX_RUN_MONTHS` (a lasting change of level, not a partial submission). Returns the
    rows sorted by area and month with ``reference``, ``reference_months``, ``share`` and
    ``caught``.
    """
    missing = {"area", "month", "count"} - set(series.columns)
    if missing:
        raise ValueError(f"incomplete_submission needs columns {sorted(missing)}")
    frame = series.sort_values(["area", "month"], ignore_index=True)
    frame = frame.assign(_m=_month_number(frame["month"]))
    if frame.duplicated(["area", "_m"]).any():
        raise ValueError("incomplete_submission: an area has two rows for one month")
    counts = pd.to_numeric(frame["count"]).astype("float64")
    judged = []
    for _, index in frame.groupby("area", sort=False).groups.items():
        judged += _judge_series(frame.loc[index, "_m"].tolist(), counts[index].tolist())
    evidence = pd.DataFrame(
        judged, columns=["reference", "reference_months", "share", "caught"], dtype=object
    )
    out = frame.drop(columns="_m")
    out["reference"] = pd.to_numeric(evidence["reference"]).astype("Float64")
    out["reference_months"] = evidence["reference_months"].astype(int)
    out["share"] = pd.to_numeric(evidence["share"]).astype("Float64")
    out["caught"] = evidence["caught"].astype(bool)
    return out


def implausible_zero(series: pd.DataFrame) -> pd.DataFrame:
    """Which percentages are implausible zeros, with their evidence.

    ``series`` has ``area``, ``period`` and ``value`` (a percentage). A value below
    :data:`NEAR_ZERO_PERCENT` is caught when the median of the same area's other periods
    that are not near zero is at least :data:`FAR_HIGHER_PERCENT`. Returns the rows with
    ``reference`` (that median), ``reference_periods``, ``share`` and ``caught``.
    """
    missing = {"area", "period", "value"} - set(series.columns)
    if missing:
        raise ValueError(f"implausible_zero needs columns {sorted(missing)}")
    out = series.reset_index(drop=True)
    values = pd.to_numeric(out["value"]).astype("float64")
    usual = values.where(values >= NEAR_ZERO_PERCENT)
    reference, periods = [], []
    for position, area in enumerate(out["area"]):
        others = usual[(out["area"] == area) & (out.index != position)].dropna()
        periods.append(len(others))
        reference.append(others.median() if len(others) >= MIN_OTHER_PERIODS else float("nan"))
    out["reference"] = pd.Series(reference, dtype="Float64")
    out["reference_periods"] = periods
    out["share"] = (values / out["reference"]).astype("Float64")
    near_zero = values < NEAR_ZERO_PERCENT
    out["caught"] = (near_zero & (out["reference"] >= FAR_HIGHER_PERCENT)).fillna(False)
    out["caught"] = out["caught"].astype(bool)
    return out
