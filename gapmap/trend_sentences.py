"""Sentences about a series: how a value moved, and what the recent-trend test found.

A series is "rising" or "falling" only when the recent-trend test (:mod:`gapmap.trends`)
finds it; otherwise the text says there is no steady change, or why it cannot be tested.
Hidden (suppressed) values are never described, and no change is described across a series
break (:mod:`gapmap.breaks`): only the latest series is, and the text says what changed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from gapmap import breaks as series_breaks
from gapmap.content import read_content
from gapmap.periods import ordered
from gapmap.subjects import field, period_label, subject, value_phrase
from gapmap.trends import LEVEL, RecentTrend, flagged, judge, yearly
from gapmap.tt_months import MONTHLY_INDICATORS
from gapmap.wording import escape_md, lower_first, number_word, quality_word, upper_first

#: Series shown as trends only: their latest month repeats an annual indicator (MHSDS), or
#: is one month of counts, approximate below England (Talking Therapies month by month).
TREND_ONLY = frozenset({"mhsds_in_contact_monthly", *MONTHLY_INDICATORS})


def trend_sentence(
    trend_table: pd.DataFrame,
    meta: pd.Series | Mapping,
    area_name: str | None = None,
    *,
    england: bool = True,
    boundary_note: bool = True,
) -> str | None:
    """How a value moved between the first and last periods of its latest series, or None.

    Only the direction and the two end points are described; whether the change is more
    than chance is :func:`recent_trend_sentence`'s job. Hidden (suppressed) values are
    skipped. A change is never described across a series break: where one began the latest
    series, the sentence says what changed, and a period standing apart is left out with
    its reason. ``england`` adds England's movement (where England's own series has no break
    between the two periods); ``boundary_note`` a note when the periods join to more than
    one edition of the boundaries. None when fewer than two periods have a value.
    """
    rows = trend_table
    if "suppressed" in rows.columns:
        rows = rows.loc[~rows["suppressed"].fillna(False).astype(bool)]
    rows = rows.loc[rows["value"].notna()]
    left_out = rows.loc[flagged(rows)]  # incomplete submissions are not movements
    rows = rows.loc[~flagged(rows)]
    if rows["period"].nunique() < 2:
        return None
    shown = rows
    rows, brk = series_breaks.latest(shown)
    name, _ = subject(meta)
    where = f" in {escape_md(area_name)}" if area_name else ""
    if rows["period"].nunique() < 2:
        return _not_compared(name, where, brk) if brk else None
    periods = ordered(rows["period"])
    first = rows.loc[rows["period"] == periods[0]].iloc[0]
    last = rows.loc[rows["period"] == periods[-1]].iloc[0]
    p1, p2 = period_label(periods[0]), period_label(periods[-1])
    sentence = _movement(f"{name}{where}", first["value"], last["value"], p1, p2, meta)
    e1, e2 = field(first, "england_value"), field(last, "england_value")
    same = field(first, series_breaks.ENGLAND_START) == field(last, series_breaks.ENGLAND_START)
    if england and e1 is not None and e2 is not None and same:
        sentence += " " + _movement("England's figure", e1, e2, p1, p2, meta)
    if boundary_note and "vintage" in rows.columns and rows["vintage"].nunique() > 1:
        sentence += " Area boundaries changed during these years; see the methods page."
    return sentence + _break_notes(shown, brk) + _quality_notes(left_out)


def _quality_notes(rows: pd.DataFrame) -> str:
    """Why each flagged period is left out of the movement described."""
    if rows.empty:
        return ""
    notes = [
        f" {period_label(p)} is left out ({lower_first(str(quality_word(q)))})."
        for p, q in zip(rows["period"], rows["quality"], strict=True)
    ]
    return "".join(sorted(set(notes), key=notes.index))


def _not_compared(name: str, where: str, brk: series_breaks.Break) -> str:
    """A series whose latest part has one period: nothing is compared across its break."""
    return f"{name}{where} is not compared with earlier figures, because {brk.reason()}."


def _break_notes(rows: pd.DataFrame, brk: series_breaks.Break | None) -> str:
    """What changed before the periods described, and why a period standing apart is left out."""
    notes = []
    if brk is not None:
        notes.append(f"Earlier figures are not compared with these, because {brk.reason()}.")
    for period in ordered(rows.loc[series_breaks.apart(rows), "period"]):
        row = rows.loc[rows["period"] == period].iloc[0]
        change = field(row, series_breaks.CHANGE)
        notes.append(f"{period_label(period)} is left out: {change}.")
    return "".join(f" {note}" for note in notes)


def _movement(who: str, start: float, end: float, p1: str, p2: str, meta) -> str:
    a = value_phrase(start, meta, with_qualifier=False)
    b = value_phrase(end, meta, with_qualifier=False)
    if a == b or math.isclose(float(start), float(end)):
        return f"{who} stayed at about {b} between {p1} and {p2}."
    verb = "rose" if float(end) > float(start) else "fell"
    return f"{who} {verb} from {a} in {p1} to {b} in {p2}."


def _span(result: RecentTrend) -> str:
    """'the last five years with figures (2017-18 to 2021-22)'."""
    count = number_word(len(result.periods))
    first, last = period_label(result.periods[0]), period_label(result.periods[-1])
    since = f" since the series changed in {period_label(result.since)}" if result.since else ""
    return f"the last {count} years with figures{since} ({first} to {last})"


def recent_trend_sentence(
    result: RecentTrend, meta: pd.Series | Mapping, area_name: str | None = None
) -> str:
    """What the recent-trend test found, in words and without any figure.

    Rising or falling is said only when the test found it; "getting better/worse" only for
    indicators where higher is clearly good or bad.
    """
    name = lower_first(subject(meta)[0])
    where = f" in {escape_md(area_name)}" if area_name else ""
    if not result.tested:
        return (
            f"Whether {name}{where} is rising or falling cannot be tested, because {result.reason}."
        )
    if result.marker == "no_change":
        return f"There has been no steady rise or fall in {name}{where} over {_span(result)}."
    rise = result.marker == "increasing"
    sentence = f"{upper_first(name)}{where} has been "
    sentence += f"{'rising' if rise else 'falling'} over {_span(result)}. "
    sentence += f"The {'rise' if rise else 'fall'} is too big and steady to be chance"
    judgement = judge(result.marker, str(field(meta, "polarity", "neutral")))
    return sentence + (f", so this is getting {judgement}." if judgement else ".")


def trend_verdict(result: RecentTrend, meta: pd.Series | Mapping) -> str:
    """The recent-trend result in Fingertips' words, for a chart caption.

    'Recent trend, 2017-18 to 2021-22: increasing and getting worse (chi-square test for
    trend, 99.8% level).'
    """
    label = result.label(str(field(meta, "polarity", "neutral")))
    if not result.tested and result.since:
        # What changed is said under the chart; the caption line stays short.
        return f"Recent trend: {label.lower()}, because the series changed in {result.since}."
    if not result.tested:
        return f"Recent trend: {label.lower()}, because {result.reason}."
    first, last = period_label(result.periods[0]), period_label(result.periods[-1])
    return f"Recent trend, {first} to {last}: {label.lower()} ({result.method}, {LEVEL:.1%} level)."


def _verdict(result: RecentTrend, meta: pd.Series | Mapping) -> str:
    """The test's finding as a sentence that follows a movement sentence."""
    if not result.tested:
        return f"This change cannot be tested for chance, because {result.reason}."
    if result.marker == "no_change":
        return f"Over {_span(result)}, there has been no steady rise or fall."
    way = "rising" if result.marker == "increasing" else "falling"
    judgement = judge(result.marker, str(field(meta, "polarity", "neutral")))
    tail = f", so this is getting {judgement}" if judgement else ""
    return f"Over {_span(result)}, it has been {way} by more than chance would explain{tail}."


def _trend_rank(result: RecentTrend) -> int:
    return {"increasing": 0, "decreasing": 0, "no_change": 1}.get(result.marker, 2)


def trend_paragraph(
    area_trends: Mapping[str, tuple[pd.DataFrame, RecentTrend]],
    atlas_meta: pd.DataFrame,
    area_name: str,
) -> str | None:
    """'How the figures have changed': each yearly series' movement and its trend test.

    Rising or falling trends come first, then series with no steady change, then those that
    cannot be tested. Only whole-year periods are described (a monthly series or a part-year
    extract would not compare), hidden values are never described, and scores such as the
    IMD are left out: their periods are editions of the areas, not new measurements.
    ``area_trends`` is ``trends.area_trends(...)``.
    """
    found = []
    for n, (indicator_id, (rows, result)) in enumerate(area_trends.items()):
        if indicator_id in TREND_ONLY or indicator_id not in atlas_meta.index:
            continue
        meta = atlas_meta.loc[indicator_id]
        if str(field(meta, "statistic", "")) == "score":
            continue
        whole_years = rows.loc[rows["period"].map(yearly)]
        movement = trend_sentence(whole_years, meta, area_name, england=False, boundary_note=False)
        if movement is None:
            continue
        said = not result.tested and bool(result.reason) and str(result.reason) in movement
        verdict = "" if said else f" {_verdict(result, meta)}"
        found.append((_trend_rank(result), n, f"{movement}{verdict}"))
    if not found:
        return None
    return "**How the figures have changed.** " + " ".join(text for *_, text in sorted(found))


def trend_explainer() -> str:
    """How the recent trend is tested, in plain English (from ``content/trends.md``)."""
    return read_content("trends")
