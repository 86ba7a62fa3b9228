"""Statistical disclosure control: what each publisher releases, and the rule where it applies.

The atlas follows its publishers. Each source releases its figures in one of three ways
(:data:`RELEASES`), recorded once per source in :data:`SOURCES`; the catalogue names, for
each indicator, the source of its numerator and of its denominator, so every count gets
the policy of the source it comes from:

- ``exact``: the publisher releases exact counts (QOF registers and list sizes, prescribing
  items, SMI health checks, ONS populations). They are shown as published.
- ``rounded``: the publisher rounds counts to 5 and suppresses 1 to 7 (NHS Talking Therapies,
  MHSDS). Below England the atlas applies NHS England's rule to every count it shows, the
  published ones and every one it derives from them (sums over months, merged CCGs and
  parents, pooled groups): a count from 1 to 7 is suppressed, any other is rounded to the
  nearest 5, so a derived figure never undoes the publisher's protection.
- ``values``: the publisher releases values only (rates, scores, model estimates); any
  count shown beside one is an estimate made from it, not a count of people.

Counts are protected FIRST (:func:`protect_counts`); every value and limit is then computed
from the counts shown, so value x denominator gives back the numerator shown and arithmetic
reveals nothing the rule hides. A row with a suppressed count shows no value, limits or
comparison, and its note says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

THRESHOLD = 8  # counts 1..THRESHOLD-1 are suppressed where the rule applies
ROUND_TO = 5
NATIONAL_LEVELS = frozenset({"england"})
SMALL_COUNT_NOTE = "Suppressed: fewer than 8 people or events, which could identify someone."
SOURCE_NOTE = "Suppressed by the publisher in the source data."
TOTAL_NOTE = (
    "Suppressed: one of the areas this total adds up has a count small enough to identify "
    "someone, which the total would reveal."
)
STAT_COLUMNS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")

EXACT = "exact"
ROUNDED = "rounded"
VALUES = "values"
#: The three ways a publisher releases figures, and what the atlas does with each.
RELEASES = {
    EXACT: "exact counts, shown as published",
    ROUNDED: (
        "counts rounded to 5 with 1 to 7 suppressed; below England every count shown, "
        "published or derived, is suppressed from 1 to 7 and otherwise rounded to 5"
    ),
    VALUES: "values only; any count shown beside one is an estimate made from it",
}


@dataclass(frozen=True)
class Source:
    """A publisher's release: who publishes it and how (one of :data:`RELEASES`)."""

    publisher: str
    release: str


#: Each source the atlas counts from, by the key the catalogue's ``release`` and
#: ``denominator_release`` use. The one home of what each publisher releases.
SOURCES = {
    "qof": Source("NHS England, Quality and Outcomes Framework (QOF)", EXACT),
    "talking_therapies": Source("NHS England, NHS Talking Therapies", ROUNDED),
    "mhsds": Source("NHS England, Mental Health Services Data Set (MHSDS)", ROUNDED),
    "smi_health_checks": Source(
        "NHS England, physical health checks for people with severe mental illness", EXACT
    ),
    "prescribing": Source("NHS Business Services Authority, prescribing data", EXACT),
    "population": Source(
        "Populations: ONS estimates and patients registered with GP practices", EXACT
    ),
    "fingertips": Source("OHID Fingertips", VALUES),
    "health_index": Source("ONS Health Index", VALUES),
    "deprivation": Source("English Indices of Deprivation", VALUES),
    "modelled_need": Source("Modelled need (this site's model)", VALUES),
}


def release_of(source: str) -> str:
    """The release of a source key; an unknown key fails naming the keys there are."""
    try:
        return SOURCES[source].release
    except KeyError:
        raise ValueError(
            f"unknown release source {source!r}: use one of {', '.join(sorted(SOURCES))}"
        ) from None


def count_releases(
    statistic: str, release: object = None, denominator_release: object = None
) -> tuple[str, str]:
    """The releases of an indicator's numerator and denominator, from its source keys.

    A ratio's or difference's denominator is an expected count, not a count of people, so is
    never under the rule. A missing key (an atlas written before releases were recorded) is
    taken as under the rule, the safe side.
    """

    def one(key: object) -> str:
        return ROUNDED if key is None or pd.isna(key) or key == "" else release_of(str(key))

    denominator = EXACT if statistic in ("ratio", "difference") else one(denominator_release)
    return one(release), denominator


def round_to_five(counts: pd.Series) -> pd.Series:
    """Round to the nearest 5, halves away from zero (so 2.5 -> 5, never banker's rounding)."""
    values = counts.astype("Float64")
    return (np.floor(values / ROUND_TO + 0.5) * ROUND_TO).astype("Float64")


def is_small(counts: pd.Series) -> pd.Series:
    """True where a count lies in the disclosive range 1..7 (0 is not disclosive)."""
    return (counts >= 1) & (counts < THRESHOLD)


def _per_row(release: str | pd.Series, index: pd.Index) -> pd.Series:
    """A release for every row: one for all, or one per row."""
    if isinstance(release, pd.Series):
        out = release.astype("string")
    else:
        out = pd.Series(release, index=index, dtype="string")
    unknown = set(out.dropna()) - set(RELEASES)
    if unknown:
        raise ValueError(f"unknown release {sorted(unknown)}: use one of {sorted(RELEASES)}")
    return out


def shown_count(counts: pd.Series, ruled: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the count as shown, where it is suppressed) for rows where the rule applies.

    ``ruled`` marks the rows under the rule (a rounded source below England); other counts
    are returned as they are.
    """
    counts = counts.astype("Float64")
    small = (ruled & is_small(counts)).fillna(False).astype(bool)
    shown = counts.mask(ruled.astype(bool), round_to_five(counts)).mask(small)
    return shown, small


def protect_counts(
    values: pd.DataFrame,
    numerator_release: str | pd.Series = ROUNDED,
    denominator_release: str | pd.Series = ROUNDED,
) -> pd.DataFrame:
    """Protect the counts of a values table, before anything is computed from them.

    Where a count is under the rule (``rounded`` below England), 1 to 7 suppresses the row
    and any other count is rounded to 5. A suppressed row (here, or already ``suppressed``
    at source) keeps no counts, value, limits or comparison; a newly suppressed one gets
    :data:`SMALL_COUNT_NOTE`. ``exact`` and ``values`` counts are left as they are.
    """
    out = values.copy()
    local = ~out["level"].isin(NATIONAL_LEVELS)
    before = out["suppressed"].fillna(False).astype(bool)
    small = pd.Series(False, index=out.index)
    for column, release in (
        ("numerator", numerator_release),
        ("denominator", denominator_release),
    ):
        ruled = local & (_per_row(release, out.index) == ROUNDED).fillna(False)
        out[column], hidden = shown_count(out[column], ruled)
        small |= hidden
    out["suppressed"] = before | small
    if "note" in out.columns:
        out["note"] = out["note"].astype("string").mask(small & ~before, SMALL_COUNT_NOTE)
    return blank(out)


def blank(values: pd.DataFrame) -> pd.DataFrame:
    """Suppressed rows: no counts, value or limits, and not compared."""
    out = values.copy()
    hidden = out["suppressed"].fillna(False).astype(bool)
    for column in (*STAT_COLUMNS, "numerator", "denominator"):
        if column in out.columns:
            out[column] = out[column].astype("Float64").mask(hidden)
    for column in ("comparison", "comparison_998"):
        if column in out.columns:
            out[column] = out[column].mask(hidden, "not_compared")
    return out


def protect(
    values: pd.DataFrame,
    numerator_release: str | pd.Series = ROUNDED,
    denominator_release: str | pd.Series = ROUNDED,
) -> pd.DataFrame:
    """The rule applied to a values table whose values were computed from protected counts.

    Counts are protected as :func:`protect_counts` does and suppressed rows are blanked; by
    default both counts are under the rule (``rounded``). Callers compute value and limits
    from the protected counts, so this is idempotent on its own output.
    """
    return protect_counts(values, numerator_release, denominator_release)


def hide_totals(
    values: pd.DataFrame, parent_of: Mapping[tuple[str, str], tuple[str, str]]
) -> pd.DataFrame:
    """Hide every total below England that adds up a count the rule suppressed.

    A total (an ICB of its sub-ICBs, a region of its ICBs) minus its shown parts would give
    back a part hidden for being small; so each row suppressed with :data:`SMALL_COUNT_NOTE`
    hides its parent's row of the same indicator and period, and so on up, short of England.
    ``parent_of`` maps (level, area code) to the (level, area code) its counts add up into.
    """
    out = values.copy()
    key = ["indicator_id", "period", "level", "area_code"]
    rows = out[key].itertuples(index=False, name=None)
    where = {row: i for i, row in zip(out.index, rows, strict=True)}
    small = out["suppressed"].astype(bool) & out["note"].eq(SMALL_COUNT_NOTE).fillna(False)
    pending = list(out.loc[small, key].itertuples(index=False, name=None))
    hidden = set()
    while pending:
        indicator, period, level, code = pending.pop()
        parent = parent_of.get((level, code))
        if parent is None or parent[0] in NATIONAL_LEVELS:
            continue
        row = where.get((indicator, period, *parent))
        if row is not None and row not in hidden:
            hidden.add(row)
            pending.append((indicator, period, *parent))
    hidden = pd.Index(sorted(hidden), dtype=out.index.dtype)
    newly = hidden[~out.loc[hidden, "suppressed"].astype(bool).to_numpy()]
    out.loc[newly, "suppressed"] = True
    out.loc[newly, "note"] = TOTAL_NOTE
    return blank(out)
