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
- a figure flagged for data quality (an incomplete submission, an implausible zero) is given
  with the evidence and is never called higher, lower, better or worse;
- a series is "rising" or "falling" only when the recent-trend test finds it
  (:mod:`gapmap.trend_sentences`, whose sentences are also importable from here).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from gapmap.content import read_content
from gapmap.subjects import SUBJECTS, field, period_label, subject, value_phrase
from gapmap.trend_sentences import (
    TREND_ONLY,
    recent_trend_sentence,
    trend_explainer,
    trend_paragraph,
    trend_sentence,
    trend_verdict,
)
from gapmap.trends import RecentTrend
from gapmap.wording import (
    COMPARISON_LABELS,
    COMPARISON_WORDS,
    compared_with,
    fixed,
    lower_first,
    number_format,
    ordinal,
    quality_word,
)
from gapmap.wording import escape_md as escape

__all__ = [
    "DOMAINS",
    "FINDINGS",
    "RATIOS",
    "SUBJECTS",
    "TREND_ONLY",
    "deprivation_rank",
    "deprivation_sentence",
    "finding",
    "imd_decile_explainer",
    "indicator_sentence",
    "ordinal",
    "period_label",
    "profile_explainer",
    "profile_paragraphs",
    "recent_trend_sentence",
    "trend_explainer",
    "trend_paragraph",
    "trend_sentence",
    "trend_verdict",
]

#: Domains in the order a profile is read, with their headings.
DOMAINS = {
    "need": "Need for mental health care",
    "low_intensity": "NHS Talking Therapies",
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

#: Ratio indicators explained in words: (what is more or less, than what would predict it).
RATIOS: Mapping[str, tuple[str, str, str]] = {
    "tt_gap_ratio": (
        "NHS Talking Therapies activity",
        "the area's recorded depression would predict",
        "activity",
    ),
    "tt_gap_ratio_modelled": (
        "NHS Talking Therapies activity",
        "the area's modelled need would predict",
        "activity",
    ),
    "recognition_ratio": (
        "recorded depression",
        "the area's modelled need would predict",
        "people",
    ),
    "secondary_reliance_ratio": (
        "people in contact with secondary mental health care",
        "its QOF SMI register would predict",
        "people",
    ),
}
SMALL_COUNT = (
    "because it rests on fewer than 8 people or events, and showing it could identify someone"
)
PUBLISHER = "because the publisher withheld it (usually because the numbers are very small)"


# ------------------------------------------------------------------------------- helpers


def _direction(comparison: str, polarity: str) -> str:
    """'higher' or 'lower' for a significant comparison."""
    if comparison in ("higher", "lower"):
        return comparison
    up = comparison == "worse" if polarity == "high_is_bad" else comparison == "better"
    return "higher" if up else "lower"


def _comparison_phrase(row, meta, england_text: str | None, *, ratio: bool = False) -> str | None:
    """'significantly higher than in England (13.3%), which is worse ...' or None."""
    comparison = str(field(row, "comparison", "not_compared"))
    polarity = str(field(meta, "polarity", "neutral"))
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
        if str(field(row, "comparison_998", "")) == comparison:
            phrase += " — a clear difference (99.8% level)"
        return phrase
    if comparison == "similar":
        if ratio:
            return compared_with("similar", lower=True, average=True)
        similar = compared_with("similar", lower=True)
        return similar + (f" ({england_text})" if england_text else "")
    return None


def _hidden_sentence(row, meta, area: str) -> str:
    name, _ = subject(meta)
    period = period_label(field(row, "period", ""))
    note = str(field(row, "note", ""))
    if note.startswith("Suppressed: fewer than"):
        reason = SMALL_COUNT
    elif note.startswith("Suppressed by the publisher"):
        reason = PUBLISHER
    elif note:
        reason = f"({escape(note)})"
    else:
        reason = "to protect people's privacy"
    return f"{name} in {area} ({period}) is hidden {reason}."


def _quality_sentence(row, meta, area: str, flagged: str) -> str:
    """A figure that is an artefact of collection: its value, not compared, and why."""
    name, _ = subject(meta)
    period = period_label(field(row, "period", ""))
    head = f"{name} in {area} ({value_phrase(field(row, 'value'), meta)}, {period})"
    note = str(field(row, "note", "") or "").strip()
    why = escape(note) if note.lower().startswith("data quality") else f"{flagged}."
    return f"{head} is not compared with England. {why}"


def _ratio_sentence(row, meta, area: str) -> str:
    indicator_id = str(field(meta, "id", field(row, "indicator_id", "")))
    value = float(field(row, "value"))
    period = period_label(field(row, "period", ""))
    what, predictor, _ = RATIOS.get(
        indicator_id, (lower_first(subject(meta)[0]), "would be expected", "")
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
    if bool(field(row, "suppressed", False)):
        return _hidden_sentence(row, meta, area)
    value = field(row, "value")
    name, _ = subject(meta)
    period = period_label(field(row, "period", ""))
    if value is None:
        note = field(row, "note")
        why = f": {escape(str(note).rstrip('.'))}" if note else ""
        return f"There is no figure for {lower_first(name)} in {area} for {period}{why}."
    flagged = quality_word(field(row, "quality"))
    if flagged:
        return _quality_sentence(row, meta, area, flagged)
    if str(field(meta, "statistic", "")) == "ratio" or str(field(meta, "unit", "")) == "ratio":
        return _ratio_sentence(row, meta, area)
    statistic = str(field(meta, "statistic", ""))
    england = field(row, "england_value")
    england_text = None if england is None else value_phrase(england, meta, with_qualifier=False)
    if statistic == "difference":  # a gap in people: England's is nought by construction
        england_text = None
    head = f"{name} in {area} ({value_phrase(value, meta)}, {period})"
    phrase = _comparison_phrase(row, meta, england_text, ratio=statistic == "difference")
    if phrase and statistic == "modelled":  # a model estimate: no sampling test to call it
        phrase = phrase.replace("significantly ", "", 1) + "; both figures are model estimates"
    if statistic == "difference" and str(field(row, "comparison", "")) == "similar":
        phrase = "within the range expected among areas, given how much they vary"
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
    if bool(field(row, "suppressed", False)) or field(row, "value") is None:
        return "hidden"
    if quality_word(field(row, "quality")):
        return "not_compared"
    comparison = str(field(row, "comparison", "not_compared"))
    if comparison in ("higher", "lower"):
        return "differs"
    if comparison in ("worse", "better"):
        clear = str(field(row, "comparison_998", "")) == comparison
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
        f"{area} {band} (ranked {ordinal(rank)} of {n_areas:,}, "
        f"where 1st is the most deprived{score})."
    )


def profile_explainer() -> str:
    """How to read an area profile, in plain English (from ``content/area_profile.md``)."""
    return read_content("area_profile")


def imd_decile_explainer() -> str:
    """What an IMD decile means, in plain English (from ``content/imd_deciles.md``)."""
    return read_content("imd_deciles")
