"""Observed against expected at every level of the 2023 NHS geography, and the gap in people.

A ratio's observed count and its need are added up from the base level (sub-ICB, or ICB for
the annual ICB rows) to its parents; then, level by level, expected is need at the overall
rate of the areas of that level that have both (:func:`.ratio.observed_over_expected`).
With every area present this equals adding up the expected counts of the base level; with
one missing it keeps the expected-weighted mean of the ratios at each level exactly 1.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators import observations
from data_pipeline.indicators.ratio import gap_in_people, observed_over_expected
from data_pipeline.indicators.rollup import roll_up

#: Parents of each base level a standardised section rolls up to (England besides).
PARENTS = {"sub_icb": ("icb", "region"), "icb": ("region",)}


def _parents(hierarchy: pd.DataFrame, base_level: str) -> pd.DataFrame:
    """One row per area of ``base_level`` with its parents' codes."""
    columns = [f"{base_level}_code", *(f"{p}_code" for p in PARENTS[base_level])]
    return hierarchy[columns].drop_duplicates()


def standardised_obs(
    base: pd.DataFrame,
    hierarchy: pd.DataFrame,
    *,
    base_level: str = "sub_icb",
    partial_england: bool = False,
    england_observed: float | None = None,
    **const,
) -> pd.DataFrame:
    """O/E observations at ``base_level``, its parents and England.

    ``base`` has ``area_code``, ``numerator`` (observed) and ``need`` at ``base_level``, and
    may have ``source_suppressed``. ``partial_england`` adds up England from the areas with
    a figure (saying so in its note); ``england_observed`` takes England's observed count
    from the publisher's own England row instead. England's expected equals its observed.
    """
    base = base[["area_code", "numerator", "need"]].join(
        base.get("source_suppressed", pd.Series(False, index=base.index)).rename(
            "source_suppressed"
        )
    )
    base["source_suppressed"] = base["source_suppressed"].fillna(False).astype(bool)
    rolled = roll_up(
        base,
        _parents(hierarchy, base_level),
        base_level=base_level,
        parents=PARENTS[base_level],
        columns=("numerator", "need"),
        partial_england=partial_england,
    )
    england = rolled["level"] == "england"
    if england_observed is not None:
        rolled.loc[england, "numerator"] = england_observed
    rolled["denominator"] = pd.Series(pd.NA, index=rolled.index, dtype="Float64")
    for _, part in rolled.groupby("level", sort=False):
        rolled.loc[part.index, "denominator"] = observed_over_expected(part)["denominator"]
    rolled.loc[england, "denominator"] = rolled.loc[england, "numerator"]
    return observations(rolled.drop(columns=["need"]), **const)


def shortfall_obs(ratio: pd.DataFrame, indicator_id: str, per_year: float = 1.0) -> pd.DataFrame:
    """The gap in people, E - O a year, from a ratio's observations (O and E as counts).

    The interval is O's Byar interval carried over: E - upper(O) to E - lower(O). A period
    shorter or longer than a year is put on a yearly footing by ``per_year`` (12/11 for 11
    months), kept with the row so ``finalise`` computes the gap again from O as shown;
    numerator and denominator stay the period's own O and E.
    """
    gap = gap_in_people(ratio["numerator"], ratio["denominator"].astype("Float64"), per_year)
    out = ratio.drop(columns=list(gap.columns)).join(gap)
    return observations(out.assign(indicator_id=indicator_id, per_year=per_year))
