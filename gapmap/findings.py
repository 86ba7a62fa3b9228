"""What the data say about one area: the case for (or against) a gap, built from the statistics.

For any area the panel reads the latest figure of each of a few indicators — deprivation,
modelled need, recognition, NHS Talking Therapies against need (as a ratio and in people),
secondary-care use and the physical health checks of people with severe mental illness —
and says what each shows, with its interval, its period and its comparison with England.

It claims no more than the statistics do. Each :class:`Finding` carries a status:

- ``supported``: the comparison with England finds a difference (95% level);
- ``similar``: the interval overlaps England's, or a ratio lies within the spread expected
  among areas, so the data do not show a difference;
- ``untested``: there is a figure but no test against England (a rank, a published value);
- ``missing``: no figure for this area or the NHS area covering it, or the figure is hidden.

A figure that exists only for the NHS area covering a local authority is used with a sentence
saying so (``for_parent``). "Better" or "worse" is said only where the direction is plain
(:data:`JUDGED`); recorded prevalence and recognition are only ever higher or lower. Numbers and
comparison words are :mod:`gapmap.wording`'s; text from the data is escaped for Markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from gapmap import narrative
from gapmap.atlas import Atlas
from gapmap.content import read_content
from gapmap.state import Selection
from gapmap.subjects import field, period_label
from gapmap.wording import (
    PLURALS,
    as_number,
    compared_with,
    escape_md,
    lower_first,
    number_format,
    quality_word,
)

SUPPORTED, SIMILAR, UNTESTED, MISSING = "supported", "similar", "untested", "missing"
#: Indicators whose direction is plainly good or bad, so "better"/"worse" may be said.
JUDGED = frozenset({"tt_gap_ratio_modelled", "tt_shortfall_modelled", "smi_health_checks_pct"})
#: The NHS level one step up from each level, for figures an area has no value of.
#: A primary care network's is the sub-ICB location holding most of its registered patients.
NHS_PARENT = {
    "pcn": ("sub_icb", "parent_sub_icb"),
    "sub_icb": ("icb", "parent_icb"),
    "icb": ("region", "parent_region"),
}
LOCAL_AUTHORITIES = {"ltla": "parent_ltla", "utla": "parent_utla"}
HEADING = "What the data say"


@dataclass(frozen=True)
class Figure:
    """One indicator's latest value for an area, or for the NHS area covering it."""

    meta: pd.Series
    row: pd.Series
    england: float | None
    where: str
    #: Set when the figure is the covering NHS area's: the sentence saying so.
    parent_note: str | None = None

    @property
    def period(self) -> str:
        """The period the figure is for, as in the atlas."""
        return str(self.row["period"])


@dataclass(frozen=True)
class Finding:
    """One statement of the panel: what one indicator shows for the area, in words."""

    topic: str
    text: str
    status: str
    indicator_id: str
    period: str | None = None
    #: True when the figure is for the NHS area covering the selected area, not the area.
    for_parent: bool = False


# ------------------------------------------------------------------------------ lookups


def area_name(atlas: Atlas, code: str, level: str) -> str:
    """An area's name at a level (its code when the atlas does not name it)."""
    found = atlas.area(code, level=level)
    return code if found is None else str(found["area_name"])


def latest_row(atlas: Atlas, indicator_id: str, code: str, level: str) -> pd.Series | None:
    """An area's row of the latest period of an indicator at a level; None if it has none."""
    if indicator_id not in atlas.indicator_ids(level):
        return None
    rows = atlas.trend(indicator_id, code, level)
    return None if rows.empty else rows.iloc[-1]


def covering(atlas: Atlas, code: str, level: str) -> list[tuple[str, str, float]]:
    """The NHS areas covering an area, nearest first: (code, level, share of it covered).

    A local authority is covered by the sub-ICB location holding most of its neighbourhoods
    (LSOAs); a primary care network by the sub-ICB location of most of its patients; a
    sub-ICB location by its ICB, an ICB by its NHS region.
    """
    chain: list[tuple[str, str, float]] = []
    if level in LOCAL_AUTHORITIES:
        lsoas = atlas.within(code, level, "lsoa")["parent_sub_icb"].dropna()
        if lsoas.empty:
            return chain
        shares = lsoas.value_counts(normalize=True)
        code, level = str(shares.index[0]), "sub_icb"
        chain.append((code, level, float(shares.iloc[0])))
    while level in NHS_PARENT:
        up, column = NHS_PARENT[level]
        row = atlas.area(code, level=level)
        parent = None if row is None else field(row, column)
        if parent is None:
            break
        code, level = str(parent), up
        chain.append((code, level, 1.0))
    return chain


def _parent_note(atlas: Atlas, name: str, level: str, found: tuple[str, str, float]) -> str:
    code, up, share = found
    kind = lower_first(atlas.levels().get(up, up)) if up != "sub_icb" else "sub-ICB location"
    covers = "covers it" if share >= 0.995 else f"covers {share:.0%} of its neighbourhoods"
    return (
        f"There is no figure for {escape_md(name)} itself ({PLURALS.get(level, level)} have "
        f"none); this is for {escape_md(area_name(atlas, code, up))}, the {kind} that {covers}."
    )


def figure(atlas: Atlas, indicator_id: str, code: str, level: str) -> Figure | None:
    """The latest figure of an indicator for an area, else for the NHS area covering it."""
    if indicator_id not in atlas.indicators.index:
        return None
    name = area_name(atlas, code, level)
    for found in [(code, level, 1.0), *covering(atlas, code, level)]:
        row = latest_row(atlas, indicator_id, found[0], found[1])
        if row is None:
            continue
        england = as_england(atlas, indicator_id, str(row["period"]))
        note = None if found[0] == code else _parent_note(atlas, name, level, found)
        where = escape_md(area_name(atlas, found[0], found[1]))
        return Figure(atlas.indicator(indicator_id), row, england, where, note)
    return None


def as_england(atlas: Atlas, indicator_id: str, period: str) -> float | None:
    """England's value of an indicator in a period, where there is one to show."""
    row = atlas.england(indicator_id, period)
    value = None if row is None or bool(field(row, "suppressed", False)) else field(row, "value")
    return None if value is None else float(value)


# ---------------------------------------------------------------------------- wording


def comparison(fig: Figure) -> tuple[str, str]:
    """(the comparison with England in words, the finding's status).

    A figure flagged for data quality is untested: it says why, and nothing more.
    """
    flagged = _flagged(fig)
    if flagged:
        return flagged, UNTESTED
    meta, key = fig.meta, str(field(fig.row, "comparison", "not_compared"))
    fmt = number_format(meta)
    ratio = str(meta["statistic"]) == "ratio"
    england = "" if fig.england is None or ratio else f" ({fmt.text(fig.england)})"
    if key in ("better", "worse", "higher", "lower"):
        direction = key
        if key in ("better", "worse"):
            good_is_high = str(meta["polarity"]) == "high_is_good"
            direction = "higher" if (key == "better") == good_is_high else "lower"
        words = compared_with(direction, lower=True) + england
        if key in ("better", "worse") and str(meta["id"]) in JUDGED:
            words += f", which is {key}"
        if str(field(fig.row, "comparison_998", "")) == key:
            words += " — very likely a real difference (99.8% level)"
        return f"This is {words}.", SUPPORTED
    if key == "similar":
        return _similar(fig, england), SIMILAR
    return f"There is no test of the difference from England{england}.", UNTESTED


def _flagged(fig: Figure) -> str | None:
    """'It is not compared with England. Data quality: ...' for a flagged figure, else None."""
    flagged = quality_word(field(fig.row, "quality"))
    if not flagged:
        return None
    note = str(field(fig.row, "note", "") or "").strip()
    why = escape_md(note) if note.lower().startswith("data quality") else f"{flagged}."
    return f"It is not compared with England. {why}"


def _similar(fig: Figure, england: str) -> str:
    """Why 'similar': the interval overlaps England's, or areas vary more than chance allows.

    Ratios are compared with overdispersion-adjusted limits, so a ratio whose own (Poisson)
    interval excludes 1 can still be within the spread expected among areas; saying the
    interval overlaps would then be untrue.
    """
    low, high = field(fig.row, "lower_95"), field(fig.row, "upper_95")
    ratio = str(fig.meta["statistic"]) == "ratio"
    if ratio and low is not None and high is not None and (low > 1 or high < 1):
        side = "above" if low > 1 else "below"
        return (
            f"This is {side} England's 1, but within the spread expected among areas once "
            "their natural variation is allowed for, so the data do not show a clear "
            "difference from England."
        )
    return f"The data do not show a difference from England{england}: the interval overlaps."


def value_and_interval(fig: Figure) -> str:
    """'21.5% (95% interval 20.1% to 23.0%, 2017 model)' for the figure."""
    fmt = number_format(fig.meta)
    low, high = field(fig.row, "lower_95"), field(fig.row, "upper_95")
    span = fmt.interval(low, high)
    inside = f"95% interval {span}, " if span else ""
    if not span and as_number(low) is not None and as_number(high) is not None:
        inside = "95% interval rounds to the value itself, "
    return f"{fmt.text(field(fig.row, 'value'))} ({inside}{period_label(fig.period)})"


def hidden(fig: Figure) -> bool:
    """Whether the figure has no value to show (suppressed or missing)."""
    return bool(field(fig.row, "suppressed", False)) or field(fig.row, "value") is None


# ------------------------------------------------------------------------- statements

#: How each statement starts, from the figure: the value, interval and period in a sentence.
Describe = Callable[[Figure], str]


def _need(fig: Figure) -> str:
    return (
        f"An estimated {value_and_interval(fig)} of adults in {fig.where} have a common mental "
        "disorder such as depression or anxiety, diagnosed or not."
    )


def _recognition(fig: Figure) -> str:
    return (
        f"Recorded depression in {fig.where} is {value_and_interval(fig)} times what its "
        "modelled need would predict, where England is 1. A value below 1 means need that "
        "general practice has not recorded."
    )


def _gap(fig: Figure) -> str:
    return (
        f"NHS Talking Therapies activity in {fig.where} is {value_and_interval(fig)} times what "
        "its modelled need would predict at England's rate, where England is 1 (below 1: less "
        "treatment for the need than England)."
    )


def _in_contact(fig: Figure) -> str:
    return (
        "The rate of people in contact with secondary mental health services in "
        f"{fig.where} is {value_and_interval(fig)}."
    )


def _reliance(fig: Figure) -> str:
    need = field(fig.meta, "need_measure")
    basis = f" from {escape_md(lower_first(str(need)))}" if need else ""
    return (
        f"People in contact with secondary mental health care in {fig.where} are "
        f"{value_and_interval(fig)} times the number expected{basis}."
    )


def _checks(fig: Figure) -> str:
    return (
        f"In {fig.where}, {value_and_interval(fig)} of people with severe mental illness had "
        "all six physical health checks."
    )


#: The panel's statements, in reading order: (topic, indicator, how its sentence starts).
STATEMENTS: tuple[tuple[str, str, Describe], ...] = (
    ("Modelled need", "cmd_prevalence_modelled", _need),
    ("Recognition", "recognition_ratio", _recognition),
    ("NHS Talking Therapies against need", "tt_gap_ratio_modelled", _gap),
    ("Secondary-care use", "mhsds_in_contact_rate", _in_contact),
    ("Secondary-care use", "secondary_reliance_ratio", _reliance),
    ("Physical health of people with SMI", "smi_health_checks_pct", _checks),
)
SHORTFALL = "tt_shortfall_modelled"
DEPRIVATION = "imd_score"
#: A group of practices (a PCN) has the deprivation of its registered patients instead.
PRACTICE_DEPRIVATION = "practice_imd_score"
#: What each statement is about, for a sentence saying there is no figure of it.
WHAT = {
    DEPRIVATION: "deprivation",
    "cmd_prevalence_modelled": "modelled need (the estimated prevalence of common mental "
    "disorders)",
    "recognition_ratio": "recognition (recorded depression against modelled need)",
    "tt_gap_ratio_modelled": "NHS Talking Therapies activity against modelled need",
    SHORTFALL: "the gap in people",
    "mhsds_in_contact_rate": "contact with secondary mental health services",
    "secondary_reliance_ratio": "secondary-care reliance",
    "smi_health_checks_pct": "physical health checks for people with severe mental illness",
}


def _no_figure(atlas: Atlas, indicator_id: str, code: str, level: str) -> str:
    what = WHAT.get(indicator_id, indicator_id)
    if indicator_id not in atlas.indicators.index:
        return f"This atlas has no figures of {what}, so the panel cannot say anything about it."
    name = escape_md(area_name(atlas, code, level))
    return f"There is no figure of {what} for {name} or for an NHS area covering it."


def _hidden_text(fig: Figure, indicator_id: str) -> str:
    note = field(fig.row, "note")
    why = f": {escape_md(str(note).rstrip('.'))}" if note else ""
    return (
        f"The figure of {WHAT.get(indicator_id, indicator_id)} for {fig.where} "
        f"({period_label(fig.period)}) is hidden{why}."
    )


def statement(
    atlas: Atlas,
    spec: tuple[str, str, Describe],
    code: str,
    level: str,
    said: set[str] | None = None,
) -> Finding:
    """One indicator's statement about an area: its figure, interval and comparison in words.

    ``spec`` is one of :data:`STATEMENTS`. A figure for the NHS area covering the area says
    so, once: notes already in ``said`` are not repeated (and new ones are added to it).
    """
    topic, indicator_id, describe = spec
    fig = figure(atlas, indicator_id, code, level)
    if fig is None:
        return Finding(topic, _no_figure(atlas, indicator_id, code, level), MISSING, indicator_id)
    parent = fig.parent_note is not None
    said = set() if said is None else said
    lead = f"{fig.parent_note} " if parent and fig.parent_note not in said else ""
    if parent:
        said.add(str(fig.parent_note))
    if hidden(fig):
        text = lead + _hidden_text(fig, indicator_id)
        return Finding(topic, text, MISSING, indicator_id, fig.period, parent)
    words, status = comparison(fig)
    text = f"{lead}{describe(fig)} {words}"
    return Finding(topic, text, status, indicator_id, fig.period, parent)


def shortfall(atlas: Atlas, code: str, level: str, topic: str) -> Finding:
    """The gap in people a year, said as a claim only where the ratio's band supports one."""
    fig = figure(atlas, SHORTFALL, code, level)
    if fig is None or hidden(fig):
        text = (
            _no_figure(atlas, SHORTFALL, code, level)
            if fig is None
            else _hidden_text(fig, SHORTFALL)
        )
        return Finding(topic, text, MISSING, SHORTFALL, None if fig is None else fig.period)
    people = number_format(fig.meta, unit="", statistic="count")  # whole people
    value = float(field(fig.row, "value"))
    flagged = _flagged(fig)
    if flagged:
        estimate = f"{people.text(value)} a year ({period_label(fig.period)})"
        text = f"The gap in people for {fig.where} is {estimate}. {flagged}"
        return Finding(topic, text, UNTESTED, SHORTFALL, fig.period, fig.parent_note is not None)
    low, high = field(fig.row, "lower_95"), field(fig.row, "upper_95")
    key = str(field(fig.row, "comparison", "not_compared"))
    period = period_label(fig.period)
    parent = fig.parent_note is not None
    if key == "worse" and value > 0:
        text = (
            f"About {people.text(value)} more adults a year (95% interval "
            f"{people.interval(low, high)}) would finish a course of NHS Talking Therapies if "
            f"activity in {fig.where} matched England's relation to need ({period})."
        )
        return Finding(topic, text, SUPPORTED, SHORTFALL, fig.period, parent)
    if key == "better" and value < 0:
        upper, lower = (None if x is None else -float(x) for x in (low, high))
        text = (
            f"About {people.text(-value)} more adults a year (95% interval "
            f"{people.interval(lower, upper)}) finish a course in {fig.where} than England's "
            f"relation to need would predict ({period}): the data show no gap in people."
        )
        return Finding(topic, text, SUPPORTED, SHORTFALL, fig.period, parent)
    estimate = f"{people.text(value)} a year (95% interval {people.interval(low, high)})"
    text = (
        f"The data do not support a clear gap in people for {fig.where}: the estimate, "
        f"{estimate}, is within the spread expected among areas given how much they vary "
        f"({period})."
    )
    if value > 0 and low is not None and float(low) > 0:
        text = (
            f"If activity in {fig.where} matched England's relation to need, about "
            f"{people.text(value)} more adults a year (95% interval "
            f"{people.interval(low, high)}) would finish a course of NHS Talking Therapies "
            f"({period}); given how much areas vary, this is not a clear outlier."
        )
    status = SIMILAR if key == "similar" else UNTESTED
    return Finding(topic, text, status, SHORTFALL, fig.period, parent)


def deprivation(atlas: Atlas, code: str, level: str) -> Finding:
    """Where the area stands on deprivation (IMD score) among areas of its level."""
    topic, name = "Deprivation", area_name(atlas, code, level)
    indicator = DEPRIVATION
    row = latest_row(atlas, DEPRIVATION, code, level)
    if row is None:  # a PCN: the IMD score of its practices' registered patients
        indicator = PRACTICE_DEPRIVATION
        row = latest_row(atlas, PRACTICE_DEPRIVATION, code, level)
    value = None if row is None else field(row, "value")
    if value is None:
        text = f"There is no deprivation score for {escape_md(name)} in this atlas."
        return Finding(topic, text, MISSING, DEPRIVATION)
    period = str(row["period"])
    table = atlas.table(indicator, level, period, field(row, "vintage"))
    rank, total = narrative.deprivation_rank(table, code)
    sentence = narrative.deprivation_sentence(
        float(value), rank, total, PLURALS.get(level, level), name
    )
    label = period_label(period)
    source = f"Scores from the {label}." if label != period else f"Scores for {label}."
    if indicator == PRACTICE_DEPRIVATION:
        source = f"Scores of the practices' registered patients, {label}."
    return Finding(topic, f"{sentence} {source}", UNTESTED, indicator, period)


def area_findings(atlas: Atlas, code: str, level: str) -> list[Finding]:
    """Every statement of the panel for one area of a level, in reading order."""
    found, said = [deprivation(atlas, code, level)], set[str]()
    for spec in STATEMENTS:
        found.append(statement(atlas, spec, code, level, said))
        if spec[1] == "tt_gap_ratio_modelled":
            found.append(shortfall(atlas, code, level, spec[0]))
    return found


def findings(atlas: Atlas, selection: Selection) -> list[Finding]:
    """The panel for the selected area; empty with no area selected (England has no case)."""
    if not selection.area:
        return []
    return area_findings(atlas, selection.area, selection.level)


def to_markdown(found: list[Finding]) -> str:
    """The statements as a Markdown list, one bullet per topic with its topic in bold."""
    bullets: dict[str, list[str]] = {}
    for item in found:
        bullets.setdefault(item.topic, []).append(item.text)
    return "\n".join(f"- **{topic}.** " + " ".join(texts) for topic, texts in bullets.items())


def explainer() -> str:
    """How to read the panel (``content/what_the_data_say.md``)."""
    return read_content("what_the_data_say")
