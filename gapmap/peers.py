"""Similar areas ("statistical neighbours") for comparing like with like.

A simple statistical-neighbour method in the spirit of CIPFA's nearest neighbours and
Fingertips' "similar areas", but on two variables only: deprivation (the area's average IMD
score) and size (its population, on a log scale so that a city does not dwarf everything
else). Both are turned into z-scores over all areas of the same level and boundary vintage,
and neighbours are the areas at the smallest Euclidean distance, ties broken by area code so
the list never changes between runs. Two variables cannot capture rurality, age structure or
ethnicity, so peers are a starting point for comparison, not a verdict on who is alike.

Population comes from the atlas itself, in this order of preference:

- sub-ICB locations, ICBs, NHS regions and CCGs of 2019 and 2020: all registered patients,
  all ages (the denominator of recorded SMI prevalence, QOF);
- CCGs of 2021: the ONS mid-2020 population (the denominator of people in contact with
  secondary mental health services);
- local authorities, which have no population in the atlas: the number of LSOAs in the area
  (LSOAs are built to hold 1,000 to 3,000 residents, about 1,700 on average, so the count is
  proportional to population to within a few per cent at district scale).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gapmap.atlas import Atlas
from gapmap.periods import ordered

#: Indicators whose denominator is an all-ages population, most preferred first. (People in
#: contact with secondary care is only reached for the CCGs of 2021, where its denominator is
#: the ONS estimate.)
POPULATION_SOURCES = {
    "smi_prevalence": "registered patients, all ages (QOF list size)",
    "mhsds_in_contact_rate": "ONS mid-2020 population estimate",
}
LSOA_PROXY = "number of LSOAs in the area (each about 1,700 residents)"
#: Share of a level's areas a population source must cover to be used.
MIN_COVERAGE = 0.9


def _latest(atlas: Atlas, indicator_id: str, level: str, vintage: str) -> pd.DataFrame:
    """The newest period of an indicator whose rows are on ``vintage``."""
    rows = atlas.values.loc[
        (atlas.values["indicator_id"] == indicator_id)
        & (atlas.values["level"] == level)
        & (atlas.values["vintage"] == vintage)
    ]
    if rows.empty:
        return rows
    return rows.loc[rows["period"] == ordered(rows["period"])[-1]]


def population(atlas: Atlas, level: str, vintage: str) -> tuple[pd.Series, str]:
    """Population of every area of a level and vintage, and what it is.

    Returns a Series indexed by area code and a plain description of the measure used.
    """
    n_areas = int(((atlas.areas["level"] == level) & (atlas.areas["vintage"] == vintage)).sum())
    for indicator_id, label in POPULATION_SOURCES.items():
        rows = _latest(atlas, indicator_id, level, vintage)
        rows = rows.loc[rows["denominator"].notna()]
        if n_areas and len(rows) >= MIN_COVERAGE * n_areas:
            period = str(rows["period"].iloc[0])
            series = rows.set_index("area_code")["denominator"].astype("float64")
            return series, f"{label}, {period}"
    lsoas = atlas.areas.loc[atlas.areas["level"] == "lsoa"]
    counts = lsoas.groupby("parent_ltla").size().astype("float64")
    if level == "ltla":
        return counts, LSOA_PROXY
    if level == "utla":
        districts = atlas.areas.loc[atlas.areas["level"] == "ltla", ["area_code", "parent_utla"]]
        per_utla = districts.assign(n=districts["area_code"].map(counts)).groupby("parent_utla")
        return per_utla["n"].sum(min_count=1).astype("float64"), LSOA_PROXY
    raise ValueError(f"no population for level {level!r} ({vintage})")


def deprivation(atlas: Atlas, level: str, vintage: str) -> tuple[pd.Series, str]:
    """Average IMD score of every area of a level and vintage, and its period."""
    rows = _latest(atlas, "imd_score", level, vintage)
    if rows.empty:
        raise ValueError(f"no IMD score for level {level!r} ({vintage})")
    series = rows.set_index("area_code")["value"].astype("float64")
    return series, str(rows["period"].iloc[0])


def _vintage_of(atlas: Atlas, area_code: str, level: str) -> str:
    rows = atlas.areas.loc[
        (atlas.areas["area_code"] == area_code) & (atlas.areas["level"] == level)
    ]
    if rows.empty:
        raise ValueError(f"{area_code!r} is not an area at level {level!r}")
    return str(rows["vintage"].sort_values().iloc[-1])


def nearest_neighbours(
    atlas: Atlas, area_code: str, level: str, *, k: int = 10, vintage: str | None = None
) -> pd.DataFrame:
    """The ``k`` areas most like ``area_code`` in deprivation and size.

    Parameters
    ----------
    level, vintage
        Neighbours are drawn from the same level and boundary vintage (the area's newest
        vintage at that level when ``vintage`` is None), never from other geographies.

    Returns
    -------
    DataFrame
        ``rank`` (1 = most similar), ``area_code``, ``area_name``, ``imd_score``,
        ``population``, ``distance`` (in standard deviations). ``attrs`` records the
        population measure, the IMD period and the method in words, for a caption.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    vintage = vintage or _vintage_of(atlas, area_code, level)
    imd, imd_period = deprivation(atlas, level, vintage)
    pop, pop_label = population(atlas, level, vintage)
    areas = atlas.areas_at(level, vintage)[["area_code", "area_name"]]
    frame = areas.assign(
        imd_score=areas["area_code"].map(imd), population=areas["area_code"].map(pop)
    )
    frame = frame.dropna(subset=["imd_score", "population"])
    frame = frame.loc[frame["population"] > 0].reset_index(drop=True)
    if area_code not in set(frame["area_code"]):
        raise ValueError(f"{area_code!r} has no deprivation score or population at {vintage}")
    z = pd.DataFrame(
        {
            "imd": frame["imd_score"].astype("float64"),
            "pop": np.log(frame["population"].astype("float64")),
        }
    )
    spread = z.std(ddof=0).replace(0.0, 1.0)  # a constant variable separates nobody
    z = (z - z.mean()) / spread
    target = z.loc[frame["area_code"] == area_code].iloc[0]
    # rounded so that distances equal in exact arithmetic tie, and the code decides
    frame["distance"] = np.sqrt(((z - target) ** 2).sum(axis=1)).round(9)
    others = frame.loc[frame["area_code"] != area_code]
    out = others.sort_values(["distance", "area_code"], kind="mergesort").head(k)
    out = out.reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    out.attrs.update(
        {
            "level": level,
            "vintage": vintage,
            "population_measure": pop_label,
            "imd_period": imd_period,
            "method": (
                "Nearest neighbours on two standardised variables: average IMD score "
                f"({imd_period}) and log population ({pop_label}); Euclidean distance, "
                "ties broken by area code."
            ),
        }
    )
    return out
