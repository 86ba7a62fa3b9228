"""Recent trends, tested the way Fingertips (OHID) tests them.

A line that wobbles up and down over a few years can look like a trend when it is chance.
Fingertips therefore marks an indicator's *recent trend* only when a test says the movement
over the **five most recent yearly figures** is bigger than chance would give, and this module
follows its published calculator (the ``TrendMarkerCalculator`` of the Fingertips code):

- **Proportions** (a count out of a population, such as recorded depression): the chi-square
  test for trend on the counts and denominators of the five points.
- **Rates** (events per 100,000): a straight line weighted by each point's precision, from its
  95% limits.

Both tests, and Fingertips' rule that the trend is significant only above the 99.8% chi-square
value **and** when its direction survives leaving out any one point, are
:mod:`methods.trend`'s; this module picks the points and the test and words the verdict.

Where Fingertips gives "cannot be calculated", so does this: fewer than five yearly points with
what the test needs, monthly figures, ratios and scores, and figures published without counts
or confidence intervals. Hidden (suppressed) points are left out, as Fingertips leaves out
invalid ones. A test never crosses a **series break** (:mod:`gapmap.breaks`, recorded by the
pipeline where a definition, the months covered, the denominator or the geography changed):
only the points of the latest series are tested, a period standing apart is left out, and
with fewer than five the verdict is "cannot be calculated" because the series changed.
Two choices differ from Fingertips and are stated in ``content/trends.md``: the time score
of a point is its start year (so a missing year keeps its gap rather than being closed up),
and the direction of a proportion's trend is the sign of the test's own
statistic ``U`` rather than of a separate unweighted line on the log-odds. The test runs on the
counts the atlas shows: exact where the publisher releases them exact, rounded to 5 where the
source is under the disclosure rule; at the sizes where a test is possible rounding moves the
statistic very little.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from gapmap import breaks as series_breaks
from gapmap.periods import sort_key
from gapmap.wording import comparison_column, joined, number_word, spread_notes, upper_first
from methods.trend import (
    CHI_SQUARE_LIMIT,
    LEVEL,
    Z95_SPAN,
    TrendTest,
    chi_square_for_trend,
    proportion_trend,
    rate_trend,
    weighted_trend,
)

__all__ = [
    "CHI_SQUARE",
    "CHI_SQUARE_LIMIT",
    "LEVEL",
    "POINTS",
    "WEIGHTED_LINE",
    "Z95_SPAN",
    "RecentTrend",
    "area_trends",
    "chi_square_for_trend",
    "judge",
    "recent_trend",
    "score",
    "series",
    "table",
    "weighted_trend",
    "yearly",
]

#: Points in a recent trend (Fingertips: ``PointsToUse = 5``).
POINTS = 5
ENGLAND = "E92000001"

Marker = Literal["increasing", "decreasing", "no_change", "cannot_calculate"]
CHI_SQUARE = "chi-square test for trend"
WEIGHTED_LINE = "weighted regression"

#: Why no test is possible; each completes "... cannot be tested because ...".
NOT_YEARLY = "the test needs figures for whole years, and these are monthly or part-year"
NOT_RATE = "the test is for percentages and rates, and this measure is a {kind}"
PUBLISHED = "the publisher gave no counts or confidence intervals to test with"
NO_COUNTS = "the figures for this kind of area have no counts to test with"
NO_LIMITS = "the figures for this kind of area have no confidence intervals to test with"
TOO_FEW = "the test needs figures for at least five years, and there {verb} only {n} it can use"
NO_EVENTS = "there were no events in these years"
NO_SPREAD = "the figures do not allow a line to be fitted"


@dataclass(frozen=True)
class RecentTrend:
    """The result of a recent-trend test for one area and indicator.

    ``marker`` is Fingertips' verdict before polarity is applied; ``periods`` the points
    used (oldest first); ``reason`` says why no test was possible; ``since`` is the period
    that began the series tested, where a break began it.
    """

    marker: Marker
    periods: tuple[str, ...] = ()
    method: str | None = None
    chi_square: float | None = None
    p_value: float | None = None
    reason: str | None = None
    since: str | None = None

    @property
    def tested(self) -> bool:
        """True when a test ran (whatever its outcome)."""
        return self.marker != "cannot_calculate"

    def label(self, polarity: str) -> str:
        """Fingertips' wording: 'Increasing and getting worse', 'No significant change'..."""
        if self.marker == "cannot_calculate":
            return "Cannot be calculated"
        if self.marker == "no_change":
            return "No significant change"
        word = "Increasing" if self.marker == "increasing" else "Decreasing"
        judgement = judge(self.marker, polarity)
        return f"{word} and getting {judgement}" if judgement else word


def judge(marker: str, polarity: str) -> str | None:
    """'better', 'worse' or None (neutral polarity, or no significant trend)."""
    if marker not in ("increasing", "decreasing") or polarity not in (
        "high_is_good",
        "high_is_bad",
    ):
        return None
    up = marker == "increasing"
    return "better" if up == (polarity == "high_is_good") else "worse"


# --------------------------------------------------------------------------------- periods


_FINANCIAL = re.compile(r"((?:19|20)\d\d)-(\d\d)")
_CALENDAR = re.compile(r"(?:19|20)\d\d")


def yearly(period: object) -> bool:
    """True for a whole year: a financial year ('2018-19') or a calendar year ('2019')."""
    text = str(period)
    if _CALENDAR.fullmatch(text):
        return True
    match = _FINANCIAL.fullmatch(text)
    return bool(match) and int(match.group(2)) == (int(match.group(1)) + 1) % 100


def score(period: object) -> float:
    """A period's time score: its start, in years."""
    year, month, _ = sort_key(str(period))
    return year + (month - 1) / 12


# -------------------------------------------------------------------------------- the test


def _get(meta: Mapping | pd.Series, key: str) -> str:
    value = meta.get(key) if hasattr(meta, "get") else None
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy()


def flagged(frame: pd.DataFrame) -> pd.Series:
    """True for rows a data-quality rule flagged: never a point of a trend."""
    if "quality" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["quality"].notna() & (frame["quality"].astype("string").str.strip() != "")


def _valid(frame: pd.DataFrame, method: str) -> pd.Series:
    """Rows the test can use: shown, unflagged, valued and with what the method needs."""
    hidden = (
        frame["suppressed"].fillna(False).astype(bool)
        if "suppressed" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    value = _floats(frame, "value")
    ok = ~hidden.to_numpy() & np.isfinite(value) & ~flagged(frame).to_numpy()
    if method == CHI_SQUARE:
        r, n = _floats(frame, "numerator"), _floats(frame, "denominator")
        ok &= np.isfinite(r) & np.isfinite(n) & (r >= 0) & (n > r)
    else:
        lo, hi = _floats(frame, "lower_95"), _floats(frame, "upper_95")
        ok &= np.isfinite(lo) & np.isfinite(hi) & (hi > lo)
    return pd.Series(ok, index=frame.index)


def _statistic(points: pd.DataFrame, method: str) -> TrendTest:
    """The method's test on the points (raises ``ValueError`` where it is undefined)."""
    t = [score(p) for p in points["period"]]
    if method == CHI_SQUARE:
        return proportion_trend(_floats(points, "numerator"), _floats(points, "denominator"), t)
    return rate_trend(
        _floats(points, "value"), _floats(points, "lower_95"), _floats(points, "upper_95"), t
    )


def _method(meta: Mapping | pd.Series) -> tuple[str | None, str | None]:
    """(method, reason): which test an indicator takes, or why none."""
    statistic = _get(meta, "statistic")
    if statistic == "proportion":
        return CHI_SQUARE, None
    if statistic == "rate":
        return WEIGHTED_LINE, None
    if statistic == "published":
        return None, PUBLISHED
    kind = {"ratio": "ratio", "score": "score"}.get(statistic, "summary figure")
    return None, NOT_RATE.format(kind=kind)


def recent_trend(series: pd.DataFrame, meta: Mapping | pd.Series) -> RecentTrend:
    """Test one area's series for a significant recent trend.

    ``series`` is ``Atlas.trend(...)`` (any order); ``meta`` the indicator's metadata, whose
    ``statistic`` picks the test.
    """
    method, reason = _method(meta)
    if method is None:
        return RecentTrend("cannot_calculate", reason=reason)
    if not len(series) or not series["period"].map(yearly).any():
        return RecentTrend("cannot_calculate", reason=NOT_YEARLY)
    current, brk = series_breaks.latest(series)
    since = None if brk is None else brk.period
    years = current.loc[current["period"].map(yearly)]
    if brk is not None and years["period"].nunique() < POINTS:
        return RecentTrend("cannot_calculate", reason=brk.reason(), since=since)
    usable = years.loc[_valid(years, method)]
    if usable.empty:
        missing = NO_COUNTS if method == CHI_SQUARE else NO_LIMITS
        return RecentTrend("cannot_calculate", reason=missing)
    usable = usable.drop_duplicates("period")
    order = sorted(usable["period"], key=sort_key)
    if len(order) < POINTS:
        verb = "is" if len(order) == 1 else "are"
        n = number_word(len(order))
        return RecentTrend("cannot_calculate", reason=TOO_FEW.format(verb=verb, n=n))
    recent = order[-POINTS:]
    points = usable.set_index("period").loc[recent].reset_index()
    try:
        test = _statistic(points, method)
    except ValueError:
        return RecentTrend(
            "cannot_calculate",
            periods=tuple(recent),
            method=method,
            reason=NO_EVENTS if method == CHI_SQUARE else NO_SPREAD,
            since=since,
        )
    marker: Marker = "no_change"
    if test.significant:
        marker = "increasing" if test.direction > 0 else "decreasing"
    return RecentTrend(
        marker,
        periods=tuple(recent),
        method=method,
        chi_square=test.chi_square,
        p_value=test.p_value,
        since=since,
    )


# ------------------------------------------------------------------------- atlas helpers


def series(atlas, indicator_id: str, area_code: str | None, level: str) -> pd.DataFrame:
    """An area's series with England beside it; England's own series when no area is given.

    England's series carries no ``england_value`` (it would draw a second line on itself).
    """
    if not area_code or area_code == ENGLAND or level == "england":
        rows = atlas.trend(indicator_id, ENGLAND, "england")
        return rows.drop(columns=["england_value"], errors="ignore").reset_index(drop=True)
    return atlas.trend(indicator_id, area_code, level).reset_index(drop=True)


def area_trends(
    atlas, area_code: str, level: str, *, skip: frozenset[str] = frozenset()
) -> dict[str, tuple[pd.DataFrame, RecentTrend]]:
    """Every indicator with two or more periods for an area, with its trend test.

    In catalogue order; indicators in ``skip`` are left out.
    """
    out = {}
    for indicator_id in atlas.indicator_ids(level):
        if indicator_id in skip or len(atlas.periods(indicator_id, level)) < 2:
            continue
        rows = series(atlas, indicator_id, area_code, level)
        if rows["period"].nunique() < 2:
            continue
        out[indicator_id] = (rows, recent_trend(rows, atlas.indicator(indicator_id)))
    return out


def table(series_rows: pd.DataFrame, result: RecentTrend, statistic: str = "") -> pd.DataFrame:
    """The series as a download table, marking the points the trend test used.

    ``statistic`` (the indicator's) lets a ratio similar to England though its interval
    leaves England out say why in its note.
    """
    ordered_rows = series_rows.assign(
        _o=series_rows["period"].map(lambda p: sort_key(str(p)))
    ).sort_values("_o")
    columns = {
        "period": "Period",
        "value": "Value",
        "lower_95": "Lower 95% limit",
        "upper_95": "Upper 95% limit",
        "numerator": "Count",
        "denominator": "Denominator",
        "england_value": "England",
        "comparison": "Compared with England",
        "note": "Note",
    }
    present = [c for c in columns if c in ordered_rows.columns]
    out = ordered_rows[present].rename(columns=columns).reset_index(drop=True)
    hidden = (
        ordered_rows["suppressed"].fillna(False).astype(bool).to_numpy()
        if "suppressed" in ordered_rows.columns
        else np.zeros(len(out), dtype=bool)
    )
    for column in ("Value", "Lower 95% limit", "Upper 95% limit", "Count", "Denominator"):
        if column in out.columns:
            out[column] = out[column].astype("Float64").mask(hidden)
    if "Compared with England" in out.columns:
        # a month flagged for data quality reads its rule, never better/worse
        out["Compared with England"] = comparison_column(ordered_rows).to_numpy()
        if "Note" in out.columns:
            spread = spread_notes(ordered_rows, statistic)
            out["Note"] = [joined(n, s) for n, s in zip(out["Note"], spread, strict=True)]
    out["Used in trend test"] = out["Period"].astype(str).isin(result.periods)
    if series_breaks.START in ordered_rows.columns:
        out["Series change"] = _series_notes(ordered_rows)
    return out


def _series_notes(rows: pd.DataFrame) -> list[str]:
    """What changed, on the first period of each new series and on a period standing apart."""
    notes = []
    for _, row in rows.iterrows():
        start, period = row[series_breaks.START], str(row["period"])
        begins = not pd.isna(start) and str(start) == period
        notes.append(upper_first(str(row[series_breaks.CHANGE])) + "." if begins else "")
    return notes
