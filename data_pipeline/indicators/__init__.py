"""The indicator catalogue and the step that turns observations into atlas values.

Family builders (:mod:`.families`, one per indicator family, keyed from ``catalogue.toml``)
produce *observations*: counts, or published values, per indicator, area and period.
:func:`finalise` then applies the catalogue's statistic (Wilson, Byar, O/E), compares each
area with England at 95% and 99.8%, and applies disclosure control, so every row of
``values.parquet`` is made the same way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from methods import disclosure, intervals
from methods.benchmark import compare

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
ENGLAND = "E92000001"
DOMAINS = frozenset(
    {"need", "low_intensity", "secondary_care", "physical_health", "deprivation", "prescribing"}
)
STATISTICS = frozenset({"proportion", "rate", "ratio", "score", "published", "modelled"})
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
    else:
        return group[PUBLISHED]
    published_only = (num.isna() | den.isna()) & group["value"].notna()
    return computed.mask(published_only, group[PUBLISHED])


def finalise(obs: pd.DataFrame, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """Statistics, England comparison and disclosure control for all observations."""
    key = ["indicator_id", "area_code", "level", "vintage", "period"]
    dupes = obs.loc[obs.duplicated(key), key]
    if len(dupes):
        raise ValueError(f"duplicate observations, e.g. {dupes.head(3).to_dict('records')}")
    unknown = set(obs["indicator_id"]) - set(catalogue)
    if unknown:
        raise ValueError(f"observations for indicators not in the catalogue: {sorted(unknown)}")
    parts = []
    for indicator_id, group in obs.groupby("indicator_id", sort=True):
        indicator = catalogue[str(indicator_id)]
        computed = _statistic(group, indicator)
        part = group.drop(columns=list(computed.columns)).join(computed)
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
        part.loc[part["level"] == "england", ["comparison", "comparison_998"]] = "not_compared"
        parts.append(part)
    values = pd.concat(parts, ignore_index=True)
    values["suppressed"] = values["source_suppressed"]
    values["note"] = values["note"].mask(
        values["source_suppressed"] & values["note"].isna(), disclosure.SOURCE_NOTE
    )
    values["note"] = values["note"].mask(
        values["value"].isna() & ~values["source_suppressed"] & values["note"].isna(),
        NOT_AVAILABLE_NOTE,
    )
    values = disclosure.protect(values)
    values = values.loc[:, list(VALUE_COLUMNS)]
    return values.sort_values(["indicator_id", "level", "period", "area_code"]).reset_index(
        drop=True
    )
