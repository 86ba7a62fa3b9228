"""The indicator catalogue and the step that turns observations into atlas values.

Family builders (:mod:`.families`, one per indicator family, keyed from ``catalogue.toml``)
produce *observations*: counts, or published values, per indicator, area and period.
:func:`finalise` then applies the catalogue's statistic (Wilson, Byar, O/E), compares each
area with England at 95% and 99.8%, and applies disclosure control, so every row of
``values.parquet`` is made the same way. Disclosure comes first: each count is protected by
the release of its source (the catalogue's ``release`` and ``denominator_release``, see
:mod:`methods.disclosure`), and every value and limit is computed from the counts as shown,
so value x denominator gives back the numerator shown. Below England, an O/E ratio is compared by
overdispersion-adjusted limits (Spiegelhalter 2005, as the SHMI): its Poisson limits stay in
the limit columns; a difference in people takes the band of the ratio it is the gap of.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_pipeline import quality
from data_pipeline.indicators.ratio import gap_in_people
from methods import disclosure, intervals, overdispersion
from methods.benchmark import compare

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
ENGLAND = "E92000001"
DOMAINS = frozenset(
    {"need", "low_intensity", "secondary_care", "physical_health", "deprivation", "prescribing"}
)
STATISTICS = frozenset(
    {"proportion", "rate", "ratio", "score", "published", "modelled", "difference"}
)
#: A difference (statistic "difference") -> the O/E ratio whose band it is compared by.
DIFFERENCE_OF = {"tt_shortfall_modelled": "tt_gap_ratio_modelled"}
#: How extreme z-scores are set aside before the between-area variance is estimated:
#: clipped at the 10th and 90th centiles (Spiegelhalter 2005). FunnelPlotR's SHMI option
#: truncates instead, which in simulation estimates about half the variance.
TRIM_METHOD = overdispersion.ATLAS_TRIM
POLARITIES = frozenset({"high_is_bad", "high_is_good", "neutral"})

#: Columns of an observation frame, as builders hand them to :func:`finalise`.
OBSERVATION_COLUMNS = (
    "indicator_id",
    "area_code",
    "level",
    "vintage",
    "period",
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "source_suppressed",
    "note",
    "published_comparison",
    "per_year",
)
VALUE_COLUMNS = (
    "indicator_id",
    "area_code",
    "level",
    "vintage",
    "period",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "numerator",
    "denominator",
    "comparison",
    "comparison_998",
    "suppressed",
    "note",
    "quality",
)


@dataclass(frozen=True)
class Indicator:
    """One entry of the catalogue."""

    id: str
    name: str
    short_name: str
    domain: str
    unit: str
    polarity: str
    statistic: str
    method: str
    caveats: str
    sources: tuple[str, ...] = ()
    multiplier: int = 1
    need_measure: str | None = None
    activity_measure: str | None = None
    need_indicator: str | None = None
    #: Source keys (:data:`methods.disclosure.SOURCES`) of the numerator and denominator.
    release: str = ""
    denominator_release: str | None = None


#: Statistics whose denominator is a count of people or events, with a release of its own; a
#: ratio's or difference's denominator is an expected count, never a count of people.
COUNTED_DENOMINATORS = frozenset({"proportion", "rate"})


def _release_problems(indicator: Indicator) -> list[str]:
    """What is wrong with an entry's release keys (its counts' disclosure policy)."""
    sources = ", ".join(sorted(disclosure.SOURCES))
    problems = []
    if indicator.release not in disclosure.SOURCES:
        problems.append(f"release {indicator.release!r} (the numerator's source, one of {sources})")
    needed = indicator.statistic in COUNTED_DENOMINATORS
    if needed and indicator.denominator_release not in disclosure.SOURCES:
        problems.append(
            f"denominator_release {indicator.denominator_release!r} (a {indicator.statistic}'s "
            f"denominator is counted: name its source, one of {sources})"
        )
    if indicator.statistic in ("ratio", "difference") and indicator.denominator_release:
        problems.append("denominator_release (an expected count is not a count of people)")
    return problems


def _entries(path: Path) -> dict[str, dict]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Indicator]:
    """Read and check the catalogue; a bad entry fails loudly with its id.

    The ``family`` key says which builder makes the indicator (:func:`load_families`); it is
    not indicator metadata, so it is not part of :class:`Indicator`.
    """
    catalogue = {}
    for key, entry in _entries(path).items():
        fields = {name: value for name, value in entry.items() if name != "family"}
        indicator = Indicator(id=key, **{**fields, "sources": tuple(entry.get("sources", ()))})
        problems = [
            f"{field} {getattr(indicator, field)!r}"
            for field, allowed in (
                ("domain", DOMAINS),
                ("statistic", STATISTICS),
                ("polarity", POLARITIES),
            )
            if getattr(indicator, field) not in allowed
        ]
        problems += _release_problems(indicator)
        if problems:
            raise ValueError(f"catalogue entry {key}: unknown {', '.join(problems)}")
        catalogue[key] = indicator
    return catalogue


def load_families(path: Path = CATALOGUE_FILE) -> dict[str, str]:
    """Indicator id -> the family whose builder makes it, in catalogue order."""
    families = {}
    for key, entry in _entries(path).items():
        if not entry.get("family"):
            raise ValueError(f"catalogue entry {key}: no family (the builder that makes it)")
        families[key] = str(entry["family"])
    return families


def observations(frame: pd.DataFrame, **constants: object) -> pd.DataFrame:
    """Shape a builder's frame into the observation columns (missing ones become NA)."""
    out = frame.assign(**constants) if constants else frame.copy()
    for column in OBSERVATION_COLUMNS:
        if column not in out.columns:
            out[column] = False if column == "source_suppressed" else pd.NA
    out = out.loc[:, list(OBSERVATION_COLUMNS)]
    for column in (
        "numerator",
        "denominator",
        "value",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "per_year",
    ):
        out[column] = pd.to_numeric(out[column]).astype("Float64")
    for column in (
        "indicator_id",
        "area_code",
        "level",
        "vintage",
        "period",
        "note",
        "published_comparison",
    ):
        out[column] = out[column].astype("string")
    out["source_suppressed"] = out["source_suppressed"].fillna(False).astype(bool)
    return out


def concat_observations(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Observation frames as one; no frames (every section skipped) gives an empty one."""
    if not frames:
        return observations(pd.DataFrame(index=pd.RangeIndex(0)))
    return pd.concat(frames, ignore_index=True)


NOT_AVAILABLE_NOTE = (
    "Not available: the source has no figure for this area and period (for a merged CCG, "
    "not for every CCG it was formed from)."
)
PUBLISHED = ["value", "lower_95", "upper_95", "lower_998", "upper_998"]
#: How publishers word a comparison with England, in the atlas's vocabulary.
PUBLISHED_COMPARISONS = {
    "better": "better",
    "worse": "worse",
    "similar": "similar",
    "higher": "higher",
    "lower": "lower",
    "not": "not_compared",
}


def _statistic(group: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Value and limits by the indicator's method.

    Rows that bring only a published value (no counts) keep it, with any published limits.
    """
    num, den = group["numerator"], group["denominator"]
    if indicator.statistic == "proportion":
        computed = intervals.proportion(num, den, indicator.multiplier)
    elif indicator.statistic == "rate":
        computed = intervals.rate(num, den, indicator.multiplier)
    elif indicator.statistic == "ratio":
        computed = intervals.ratio(num, den)
    elif indicator.statistic == "difference":
        computed = gap_in_people(num, den, group["per_year"])
    else:
        return group[PUBLISHED]
    published_only = (num.isna() | den.isna()) & group["value"].notna()
    return computed.mask(published_only, group[PUBLISHED])


def _compare_with_england(part: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Comparison columns by the Fingertips rule, or the publisher's words where it has none."""
    england = part.loc[part["level"] == "england"].set_index("period")["value"]
    benchmark = part["period"].map(england).astype("Float64")
    for key in ("95", "998"):
        column = "comparison" if key == "95" else "comparison_998"
        part[column] = compare(
            part[f"lower_{key}"], part[f"upper_{key}"], benchmark, indicator.polarity
        )
    words = part["published_comparison"].str.strip().str.lower().str.split().str[0]
    published = words.map(PUBLISHED_COMPARISONS)
    use_published = (part["comparison"] == "not_compared") & published.notna()
    part["comparison"] = part["comparison"].mask(use_published, published)
    # "Higher 99.8": the publisher compared at 99.8% (so also at 95%); its "Similar" in a
    # series compared that way is similar at 99.8%. A bare "Better" is at 95% only.
    at_998 = part["published_comparison"].str.contains("99.8", regex=False).fillna(False)
    series_998 = at_998.groupby(part["period"]).transform("any")
    use_998 = (part["comparison_998"] == "not_compared") & use_published
    use_998 &= at_998 | (series_998 & (published == "similar")).fillna(False)
    part["comparison_998"] = part["comparison_998"].mask(use_998, published)
    return part


def _band_ratios(part: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Overdispersion-adjusted bands of O/E, per level and period below England.

    The between-area variance is estimated from the areas of one level and period
    (:data:`TRIM_METHOD`), leaving out areas with a data-quality flag, and each area's O/E
    is set against limits widened by it.
    """
    local = part.loc[part["level"] != "england"]
    for _, group in local.groupby(["level", "period"], sort=False):
        observed, expected = group["numerator"], group["denominator"]
        if not (observed.notna() & (expected > 0).fillna(False)).any():
            continue
        fine = quality.unflagged(group)
        tau2 = overdispersion.dispersion(observed[fine], expected[fine], method=TRIM_METHOD).tau2
        for key, column in (("95", "comparison"), ("998", "comparison_998")):
            part.loc[group.index, column] = overdispersion.band(
                observed, expected, level=key, tau2=tau2, polarity=indicator.polarity
            )
    return part


def _band_differences(values: pd.DataFrame, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """Each difference takes the comparison of its ratio for the same area and period."""
    key = ["area_code", "level", "vintage", "period"]
    for indicator_id, ratio_id in DIFFERENCE_OF.items():
        rows = values["indicator_id"] == indicator_id
        if not rows.any():
            continue
        if catalogue[indicator_id].statistic != "difference":
            raise ValueError(f"{indicator_id} is banded by {ratio_id} but is not a difference")
        ratio = values.loc[values["indicator_id"] == ratio_id].set_index(key)
        index = pd.MultiIndex.from_frame(values.loc[rows, key])
        for column in ("comparison", "comparison_998"):
            copied = ratio[column].reindex(index).fillna("not_compared").to_numpy()
            values.loc[rows, column] = copied
    return values


def _releases(obs: pd.DataFrame, catalogue: dict[str, Indicator]) -> tuple[pd.Series, ...]:
    """Each row's numerator and denominator release (``exact``, ``rounded`` or ``values``)."""
    ids = obs["indicator_id"].astype(str)
    pairs = {
        key: disclosure.count_releases(ind.statistic, ind.release, ind.denominator_release)
        for key, ind in catalogue.items()
    }
    return tuple(ids.map({k: p[i] for k, p in pairs.items()}).astype("string") for i in (0, 1))


def _check(obs: pd.DataFrame, catalogue: dict[str, Indicator]) -> None:
    """Refuse duplicate observations and indicators the catalogue does not list."""
    key = ["indicator_id", "area_code", "level", "vintage", "period"]
    dupes = obs.loc[obs.duplicated(key), key]
    if len(dupes):
        raise ValueError(f"duplicate observations, e.g. {dupes.head(3).to_dict('records')}")
    unknown = set(obs["indicator_id"]) - set(catalogue)
    if unknown:
        raise ValueError(f"observations for indicators not in the catalogue: {sorted(unknown)}")


def finalise(
    obs: pd.DataFrame,
    catalogue: dict[str, Indicator],
    parent_of: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Disclosure control, then statistics and England comparison, for all observations.

    Counts are protected first, by their sources' releases; values, limits and comparisons
    are computed from the protected counts. ``parent_of`` ((level, code) -> the (level, code)
    an area's counts add up into) lets a total that would reveal a suppressed part be hidden
    (:func:`methods.disclosure.hide_totals`).
    """
    _check(obs, catalogue)
    obs = obs.assign(suppressed=obs["source_suppressed"])
    obs = disclosure.protect_counts(obs, *_releases(obs, catalogue))
    parts = []
    for indicator_id, group in obs.groupby("indicator_id", sort=True):
        indicator = catalogue[str(indicator_id)]
        computed = _statistic(group, indicator)
        part = group.drop(columns=list(computed.columns)).join(computed)
        part = _compare_with_england(part, indicator)
        if indicator.statistic == "ratio":
            part = _band_ratios(part, indicator)
        part.loc[part["level"] == "england", ["comparison", "comparison_998"]] = "not_compared"
        parts.append(part)
    values = _band_differences(pd.concat(parts, ignore_index=True), catalogue)
    values = quality.withhold(values)
    values["note"] = values["note"].mask(
        values["source_suppressed"] & values["note"].isna(), disclosure.SOURCE_NOTE
    )
    values["note"] = values["note"].mask(
        values["value"].isna() & ~values["suppressed"] & values["note"].isna(),
        NOT_AVAILABLE_NOTE,
    )
    values = disclosure.blank(values)
    if parent_of:
        values = disclosure.hide_totals(values, parent_of)
    values = values.loc[:, list(VALUE_COLUMNS)]
    return values.sort_values(["indicator_id", "level", "period", "area_code"]).reset_index(
        drop=True
    )
