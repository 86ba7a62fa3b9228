"""Plain-English sentences about an area, for readers without statistical training.

Every function is pure and returns markdown-safe text: anything that came from the data (area
names, indicator names, periods, notes) is escaped so that ``*``, ``_``, ``[``, ``]``, ``<``
and ``>`` show as themselves and can never become formatting, links or HTML
(:func:`gapmap.wording.escape_md`). Numbers and comparison words are :mod:`gapmap.wording`'s,
so a sentence reads a value as the map, the charts and the board pack do; the downloads keep
full precision.

Wording rules, so that the text never claims more than the statistics show:

- "significantly higher/lower" only when the 95% comparison with England says so, and
  "a clear difference (99.8% level)" only when the 99.8% comparison agrees;
- "better"/"worse" only for indicators where higher is clearly good or bad; neutral ones
  are "higher"/"lower";
- a hidden (suppressed) figure gets a sentence saying that it is hidden and why, and nothing
  else: no value, no England figure, no comparison;
- a series is "rising" or "falling" only when the recent-trend test (:mod:`gapmap.trends`)
  finds it; otherwise the text says there is no steady change, or why it cannot be tested.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from gapmap.periods import MONTH_NAMES, ordered
from gapmap.trends import LEVEL, RecentTrend, judge, yearly
from gapmap.wording import (
    COMPARISON_LABELS,
    COMPARISON_WORDS,
    compared_with,
    fixed,
    lower_first,
    number_format,
    number_word,
    ordinal,
    upper_first,
)
from gapmap.wording import escape_md as escape

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"

#: Domains in the order a profile is read, with their headings.
DOMAINS = {
    "need": "Need for mental health care",
    "low_intensity": "NHS Talking Therapies (low-intensity care)",
    "secondary_care": "Secondary mental health care",
    "physical_health": "Physical health",
    "deprivation": "Deprivation",
    "prescribing": "Prescribing",
}
#: Groups of a profile, most pressing first, with their headings. "Clearly" needs the 99.8%
#: comparison to agree with the 95% one; publishers' own comparisons carry no 99.8% level.
CLEARLY = ", and very likely a real difference"
FINDINGS = {
    "worse_998": COMPARISON_WORDS["worse"] + CLEARLY,
    "worse": COMPARISON_WORDS["worse"],
    "differs": "Higher or lower than England",
    "better_998": COMPARISON_WORDS["better"] + CLEARLY,
    "better": COMPARISON_WORDS["better"],
    "similar": COMPARISON_WORDS["similar"],
    "not_compared": COMPARISON_LABELS["not_compared"],
    "hidden": "Figures that are hidden or missing",
}
#: Series shown as trends only: their latest month repeats an annual indicator.
TREND_ONLY = frozenset({"mhsds_in_contact_monthly"})

#: How each indicator is named in a sentence, and what its value is "of".
SUBJECTS: Mapping[str, tuple[str, str | None]] = {
    "depression_prevalence": ("Recorded depression", "of adults"),
    "smi_prevalence": ("Recorded severe mental illness (SMI)", "of patients"),
    "tt_referrals_rate": ("The rate of referrals to NHS Talking Therapies", "adults"),
    "tt_access_rate": ("The rate of people starting NHS Talking Therapies treatment", "adults"),
    "tt_finished_treatment_rate": (
        "The rate of finished courses of NHS Talking Therapies",
        "adults",
    ),
    "tt_recovery_rate": ("The NHS Talking Therapies recovery rate", None),
    "mhsds_in_contact_rate": (
        "The rate of people in contact with secondary mental health services",
        "people",
    ),
    "mhsds_in_contact_monthly": (
        "The rate of people in contact with secondary mental health services",
        "people",
    ),
    "mhsds_admissions_rate": ("The rate of people in mental health hospital beds", "people"),
    "mhsds_detentions_rate": ("The rate of detentions under the Mental Health Act", "people"),
    "smi_health_checks_pct": (
        "The share of people with SMI who had all six physical health checks",
        None,
    ),
    "smi_excess_mortality_ratio": (
        "Deaths under 75 among adults with SMI",
        "of the number expected at general population rates",
    ),
    "smoking_prevalence": ("Recorded smoking", "of patients aged 15 and over"),
    "antidepressant_items_per_1000": ("Antidepressant prescribing", "people"),
    "self_harm_admissions_rate": ("The rate of hospital admissions for self-harm", "people"),
    "hi_suicides": ("The suicide rate", "people"),
    "hi_self_harm": ("The self-harm admission rate (ONS Health Index)", "people"),
    "tt_gap_ratio": ("The provision gap ratio (Talking Therapies activity against need)", None),
    "secondary_reliance_ratio": (
        "The secondary-care reliance ratio (secondary care against Talking Therapies)",
        None,
    ),
    "imd_score": ("The average deprivation (IMD) score", None),
    "mh_need_score": ("The mental health need score", None),
    "life_expectancy_female": ("Life expectancy of women", None),
    "life_expectancy_male": ("Life expectancy of men", None),
    "list_size": ("The number of registered patients", None),
    "imd_decile": ("The deprivation decile", None),
}
#: Ratio indicators explained in words: (what is more or less, than what would predict it).
RATIOS: Mapping[str, tuple[str, str, str]] = {
    "tt_gap_ratio": (
        "NHS Talking Therapies activity",
        "the area's need would predict",
        "activity",
    ),
    "secondary_reliance_ratio": (
        "people in contact with secondary mental health care",
        "its Talking Therapies activity would predict",
        "people",
    ),
}
PERIOD_NAMES = {"IoD2025": "Indices of Deprivation 2025"}
SMALL_COUNT = (
    "because it rests on fewer than 8 people or events, and showing it could identify someone"
)
PUBLISHER = "because the publisher withheld it (usually because the numbers are very small)"
_MONTH_NAMES = dict(enumerate(MONTH_NAMES, 1))


# ------------------------------------------------------------------------------- helpers


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _get(row: Mapping | pd.Series, key: str, default: object = None) -> object:
    value = row.get(key, default) if hasattr(row, "get") else default
    return default if _missing(value) else value


def period_label(period: object) -> str:
    """A period as a reader would say it ('2016-04' -> 'April 2016'), escaped."""
    text = str(period)
    month = re.fullmatch(r"((?:19|20)\d\d)-(\d\d)", text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        financial_year = number == (year + 1) % 100
        if 1 <= number <= 12 and not financial_year:
            return f"{_MONTH_NAMES[number]} {year}"
    return escape(PERIOD_NAMES.get(text, text))


def _subject(meta: pd.Series | Mapping) -> tuple[str, str | None]:
    indicator_id = str(_get(meta, "id", _get(meta, "indicator_id", "")))
    if indicator_id in SUBJECTS:
        subject, qualifier = SUBJECTS[indicator_id]
        return subject, qualifier
    return escape(_get(meta, "short_name", _get(meta, "name", "This measure"))), None


def _value_text(value: float, meta, *, with_qualifier: bool = True) -> str:
    text = number_format(meta).text(value)
    _, qualifier = _subject(meta)
    return f"{text} {qualifier}" if with_qualifier and qualifier else text


def _direction(comparison: str, polarity: str) -> str:
    """'higher' or 'lower' for a significant comparison."""
    if comparison in ("higher", "lower"):
        return comparison
    up = comparison == "worse" if polarity == "high_is_bad" else comparison == "better"
    return "higher" if up else "lower"


def _comparison_phrase(row, meta, england_text: str | None, *, ratio: bool = False) -> str | None:
    """'significantly higher than in England (13.3%), which is worse ...' or None."""
    comparison = str(_get(row, "comparison", "not_compared"))
    polarity = str(_get(meta, "polarity", "neutral"))
    if comparison in ("better", "worse", "higher", "lower"):
        direction = _direction(comparison, polarity)
        judged = comparison in ("better", "worse") and polarity != "neutral"
        average = compared_with(comparison, lower=True, average=True)
        if ratio and judged:
            phrase = f"significantly {average}"
        elif ratio:
            phrase = f"significantly {'above' if direction == 'higher' else 'below'} "
            phrase += "the England average"
        else:
            phrase = f"significantly {direction} than in England"
            phrase += f" ({england_text})" if england_text else ""
            if judged:
                phrase += f", which is {average}"
        if str(_get(row, "comparison_998", "")) == comparison:
            phrase += " — a clear difference (99.8% level)"
        return phrase
    if comparison == "similar":
        if ratio:
            return compared_with("similar", lower=True, average=True)
        similar = compared_with("similar", lower=True)
        return similar + (f" ({england_text})" if england_text else "")
    return None


def _hidden_sentence(row, meta, area: str) -> str:
    subject, _ = _subject(meta)
    period = period_label(_get(row, "period", ""))
    note = str(_get(row, "note", ""))
    if note.startswith("Suppressed: fewer than"):
        reason = SMALL_COUNT
    elif note.startswith("Suppressed by the publisher"):
        reason = PUBLISHER
    elif note:
        reason = f"({escape(note)})"
    else:
        reason = "to protect people's privacy"
    return f"{subject} in {area} ({period}) is hidden {reason}."


def _ratio_sentence(row, meta, area: str) -> str:
    indicator_id = str(_get(meta, "id", _get(row, "indicator_id", "")))
    value = float(_get(row, "value"))
    period = period_label(_get(row, "period", ""))
    what, predictor, _ = RATIOS.get(
        indicator_id, (lower_first(_subject(meta)[0]), "would be expected", "")
    )
    change = value - 1
    if abs(change) < 0.005:
        lead = f"{area} had about as much {what} as {predictor}"
    elif value >= 2:
        lead = f"{area} had about {fixed(value, 1)} times as much {what} as {predictor}"
    else:
        more = "more" if change > 0 else "less"
        lead = f"{area} had about {fixed(abs(change) * 100, 0)}% {more} {what} than {predictor}"
    sentence = f"{lead} (ratio {number_format(meta).number(value)}, {period})."
    phrase = _comparison_phrase(row, meta, None, ratio=True)
    return f"{sentence} This is {phrase}." if phrase else sentence


# ----------------------------------------------------------------------------- sentences


def indicator_sentence(row: pd.Series | Mapping, meta: pd.Series | Mapping, area_name: str) -> str:
    """One plain-English sentence about one indicator value of one area.

    ``row`` is a values row (from ``Atlas.profile`` or ``Atlas.table``), with England's value
    in ``england_value`` when known; ``meta`` is the indicator's metadata
    (``Atlas.indicator``).
    """
    area = escape(area_name)
    if bool(_get(row, "suppressed", False)):
        return _hidden_sentence(row, meta, area)
    value = _get(row, "value")
    subject, _ = _subject(meta)
    period = period_label(_get(row, "period", ""))
    if value is None:
        note = _get(row, "note")
        why = f": {escape(str(note).rstrip('.'))}" if note else ""
        return f"There is no figure for {lower_first(subject)} in {area} for {period}{why}."
    if str(_get(meta, "statistic", "")) == "ratio" or str(_get(meta, "unit", "")) == "ratio":
        return _ratio_sentence(row, meta, area)
    england = _get(row, "england_value")
    england_text = None if england is None else _value_text(england, meta, with_qualifier=False)
    head = f"{subject} in {area} ({_value_text(value, meta)}, {period})"
    phrase = _comparison_phrase(row, meta, england_text)
    if phrase:
        return f"{head} is {phrase}."
    if england_text:
        return (
            f"{head} compares with {england_text} for England "
            "(no test of the difference is possible for this measure)."
        )
    return f"{head}: there is no England figure to compare with."


def finding(row: pd.Series | Mapping) -> str:
    """The profile group of a values row (a key of :data:`FINDINGS`)."""
    if bool(_get(row, "suppressed", False)) or _get(row, "value") is None:
        return "hidden"
    comparison = str(_get(row, "comparison", "not_compared"))
    if comparison in ("higher", "lower"):
        return "differs"
    if comparison in ("worse", "better"):
        clear = str(_get(row, "comparison_998", "")) == comparison
        return f"{comparison}_998" if clear else comparison
    return comparison if comparison == "similar" else "not_compared"


def profile_paragraphs(
    profile: pd.DataFrame,
    atlas_meta: pd.DataFrame,
    area_name: str,
    trends: Mapping[str, tuple[pd.DataFrame, RecentTrend]] | None = None,
) -> list[str]:
    """The profile of an area as paragraphs, each with a bold heading.

    Findings are grouped by what they say, most pressing first (see :data:`FINDINGS`):
    worse than England at the 99.8% level, worse at 95%, higher or lower (where higher is
    neither good nor bad), better, similar, not compared, hidden. Inside a group, indicators
    keep the order of the domains (:data:`DOMAINS`) and the catalogue. ``trends``
    (``trends.area_trends(...)``) adds a last paragraph on how the figures have changed.
    ``profile`` is ``Atlas.profile(...)``; ``atlas_meta`` the indicators table
    (``Atlas.indicators``, indexed by id).
    """
    domains = {domain: n for n, domain in enumerate(DOMAINS)}
    order = {str(i): n for n, i in enumerate(atlas_meta.index)}

    def place(row: pd.Series) -> tuple[int, int]:
        indicator_id = str(row["indicator_id"])
        domain = str(atlas_meta.loc[indicator_id, "domain"])
        return domains.get(domain, len(domains)), order[indicator_id]

    groups: dict[str, list[pd.Series]] = {key: [] for key in FINDINGS}
    for _, row in profile.iterrows():
        indicator_id = str(row["indicator_id"])
        if indicator_id in atlas_meta.index and indicator_id not in TREND_ONLY:
            groups[finding(row)].append(row)
    paragraphs = []
    for key, heading in FINDINGS.items():
        rows = sorted(groups[key], key=place)
        if rows:
            sentences = [
                indicator_sentence(row, atlas_meta.loc[str(row["indicator_id"])], area_name)
                for row in rows
            ]
            paragraphs.append(f"**{heading}.** " + " ".join(sentences))
    changes = trend_paragraph(trends or {}, atlas_meta, area_name)
    if changes:
        paragraphs.append(changes)
    return paragraphs


def deprivation_rank(table: pd.DataFrame, area_code: str) -> tuple[int, int]:
    """(rank, number of areas) of an area by IMD score, 1 = most deprived.

    ``table`` is ``Atlas.table("imd_score", level, period)``; equal scores share a rank.
    """
    scores = table.dropna(subset=["value"])
    ranks = scores["value"].astype("float64").rank(ascending=False, method="min")
    matched = ranks[scores["area_code"] == area_code]
    if matched.empty:
        raise ValueError(f"{area_code!r} has no IMD score in this table")
    return int(matched.iloc[0]), len(scores)


def deprivation_sentence(
    imd_score: float | None, rank: int, n_areas: int, level_label: str, area_name: str
) -> str:
    """Where an area stands on deprivation among areas of its kind, in words.

    ``rank`` 1 is the most deprived; ``level_label`` is plural ("local authorities").
    """
    if not 1 <= rank <= n_areas:
        raise ValueError("rank must lie between 1 and n_areas")
    area, label = escape(area_name), escape(level_label)
    most = rank / n_areas
    least = (n_areas - rank + 1) / n_areas
    if most <= 0.1:
        band = f"is among the 10% most deprived {label} in England"
    elif most <= 0.2:
        band = f"is among the 20% most deprived {label} in England"
    elif least <= 0.1:
        band = f"is among the 10% least deprived {label} in England"
    elif least <= 0.2:
        band = f"is among the 20% least deprived {label} in England"
    elif most <= 0.4:
        band = f"is more deprived than most {label} in England"
    elif least <= 0.4:
        band = f"is less deprived than most {label} in England"
    else:
        band = f"is around the middle of {label} in England for deprivation"
    score = number_format(unit="score", statistic="score").number(imd_score)
    score = f"; average IMD score {score}" if score else ""
    return (
        f"{area} {band} (ranked {ordinal(rank)} of {n_areas}, "
        f"where 1st is the most deprived{score})."
    )


def trend_sentence(
    trend_table: pd.DataFrame,
    meta: pd.Series | Mapping,
    area_name: str | None = None,
    *,
    england: bool = True,
    boundary_note: bool = True,
) -> str | None:
    """How a value moved between the first and last periods present, or None.

    Only the direction and the two end points are described; whether the change is more
    than chance is :func:`recent_trend_sentence`'s job. Hidden (suppressed) values are
    skipped. ``england`` adds England's movement; ``boundary_note`` a note when the periods
    join to more than one edition of the boundaries.
    """
    rows = trend_table
    if "suppressed" in rows.columns:
        rows = rows.loc[~rows["suppressed"].fillna(False).astype(bool)]
    rows = rows.loc[rows["value"].notna()]
    if rows["period"].nunique() < 2:
        return None
    periods = ordered(rows["period"])
    first = rows.loc[rows["period"] == periods[0]].iloc[0]
    last = rows.loc[rows["period"] == periods[-1]].iloc[0]
    subject, _ = _subject(meta)
    where = f" in {escape(area_name)}" if area_name else ""
    p1, p2 = period_label(periods[0]), period_label(periods[-1])
    sentence = _movement(f"{subject}{where}", first["value"], last["value"], p1, p2, meta)
    e1, e2 = _get(first, "england_value"), _get(last, "england_value")
    if england and e1 is not None and e2 is not None:
        sentence += " " + _movement("England's figure", e1, e2, p1, p2, meta)
    if boundary_note and "vintage" in rows.columns and rows["vintage"].nunique() > 1:
        sentence += " Area boundaries changed during these years; see the methods page."
    return sentence


def _movement(subject: str, start: float, end: float, p1: str, p2: str, meta) -> str:
    a = _value_text(start, meta, with_qualifier=False)
    b = _value_text(end, meta, with_qualifier=False)
    if a == b or math.isclose(float(start), float(end)):
        return f"{subject} stayed at about {b} between {p1} and {p2}."
    verb = "rose" if float(end) > float(start) else "fell"
    return f"{subject} {verb} from {a} in {p1} to {b} in {p2}."


def _span(result: RecentTrend) -> str:
    """'the last five years with figures (2017-18 to 2021-22)'."""
    count = number_word(len(result.periods))
    first, last = period_label(result.periods[0]), period_label(result.periods[-1])
    return f"the last {count} years with figures ({first} to {last})"


def recent_trend_sentence(
    result: RecentTrend, meta: pd.Series | Mapping, area_name: str | None = None
) -> str:
    """What the recent-trend test found, in words and without any figure.

    Rising or falling is said only when the test found it; "getting better/worse" only for
    indicators where higher is clearly good or bad.
    """
    subject = lower_first(_subject(meta)[0])
    where = f" in {escape(area_name)}" if area_name else ""
    if not result.tested:
        return (
            f"Whether {subject}{where} is rising or falling cannot be tested, "
            f"because {result.reason}."
        )
    if result.marker == "no_change":
        return f"There has been no steady rise or fall in {subject}{where} over {_span(result)}."
    rise = result.marker == "increasing"
    sentence = f"{upper_first(subject)}{where} has been "
    sentence += f"{'rising' if rise else 'falling'} over {_span(result)}. "
    sentence += f"The {'rise' if rise else 'fall'} is too big and steady to be chance"
    judgement = judge(result.marker, str(_get(meta, "polarity", "neutral")))
    return sentence + (f", so this is getting {judgement}." if judgement else ".")


def trend_verdict(result: RecentTrend, meta: pd.Series | Mapping) -> str:
    """The recent-trend result in Fingertips' words, for a chart caption.

    'Recent trend, 2017-18 to 2021-22: increasing and getting worse (chi-square test for
    trend, 99.8% level).'
    """
    label = result.label(str(_get(meta, "polarity", "neutral")))
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
    judgement = judge(result.marker, str(_get(meta, "polarity", "neutral")))
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
        if str(_get(meta, "statistic", "")) == "score":
            continue
        whole_years = rows.loc[rows["period"].map(yearly)]
        movement = trend_sentence(whole_years, meta, area_name, england=False, boundary_note=False)
        if movement is None:
            continue
        found.append((_trend_rank(result), n, f"{movement} {_verdict(result, meta)}"))
    if not found:
        return None
    return "**How the figures have changed.** " + " ".join(text for *_, text in sorted(found))


def profile_explainer() -> str:
    """How to read an area profile, in plain English (from ``content/area_profile.md``)."""
    return (CONTENT_DIR / "area_profile.md").read_text(encoding="utf-8")


def trend_explainer() -> str:
    """How the recent trend is tested, in plain English (from ``content/trends.md``)."""
    return (CONTENT_DIR / "trends.md").read_text(encoding="utf-8")


def imd_decile_explainer() -> str:
    """What an IMD decile means, in plain English (from ``content/imd_deciles.md``)."""
    return (CONTENT_DIR / "imd_deciles.md").read_text(encoding="utf-8")
