"""Peer groups: each area's nearest statistical neighbours by deprivation and population.

In the spirit of CIPFA's nearest neighbours and Fingertips' "similar areas", on two
variables only: the area's average IMD score (the atlas's ``imd_score``) and its resident
population on a log scale (so that size is judged in proportion and a city does not dwarf
everything else). Both are standardised (z-scores) over the areas of one level and boundary
vintage; an area's peers are the ``k`` others at the smallest Euclidean distance, ties broken
by area code so the list is the same on every build. An area lacking either variable is left
out: it has no peers and is nobody's peer.

Populations are the ONS mid-2020 estimates for 2011 LSOAs, moved to 2021 LSOAs and summed
to sub-ICB locations, ICBs, NHS regions and local authorities, or summed over 2011 LSOAs to
the CCGs of each vintage: one source and one year for every level.

Primary care networks have neither a resident population nor an area IMD score: they are
groups of practices. Their peers are chosen the same way on the two figures that stand for
them: the list-size-weighted IMD score of their practices' patients (``practice_imd_score``,
IMD 2019 for the PCNs of 2022-23, IMD 2025 for those of 2024-25) and the log of their
registered patients (``list_size`` of the same QOF year), within each year's PCNs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_pipeline.ccg_vintages.population import ccg_population
from data_pipeline.geography import LEVEL_VINTAGES, split_population
from data_pipeline.indicators.levels.sub_icb import lsoa_parents
from methods.atlas_tables import PEER_COLUMNS

#: Peers per area: a common comparator-group size (DfE's statistical neighbours list ten).
K = 10
#: Levels that get peers: every map level (GP practices and LSOAs are not map areas).
LEVELS = ("region", "icb", "sub_icb", "ccg", "utla", "ltla")
DEPRIVATION = "imd_score"
POPULATION_SOURCE = "ONS mid-2020 population estimates (2011 LSOAs)"
#: What stands for a PCN's population: its registered patients.
PCN_POPULATION = "list_size: registered patients of the QOF year (all ages)"
#: Distances are rounded so that distances equal in exact arithmetic tie, and the code decides.
DECIMALS = 9
COLUMNS = PEER_COLUMNS


def lsoa_levels(
    lsoa21_geography: pd.DataFrame, hierarchy: pd.DataFrame, ltla_utla: pd.DataFrame
) -> pd.DataFrame:
    """Each 2021 LSOA with its sub-ICB, ICB, NHS region, district and upper-tier authority."""
    parents = lsoa_parents(lsoa21_geography, hierarchy)
    districts = lsoa21_geography[["lsoa21_code", "ltla24_code"]].merge(
        ltla_utla[["ltla23_code", "utla23_code"]],
        left_on="ltla24_code",
        right_on="ltla23_code",
        how="left",
    )
    return parents.merge(
        districts[["lsoa21_code", "ltla24_code", "utla23_code"]], on="lsoa21_code", how="left"
    ).rename(
        columns={
            "sub_icb_code": "sub_icb",
            "icb_code": "icb",
            "region_code": "region",
            "ltla24_code": "ltla",
            "utla23_code": "utla",
        }
    )


def area_populations(lsoa_population: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    """Population of every area, summed over its LSOAs.

    Parameters
    ----------
    lsoa_population
        ``lsoa21_code``, ``population``.
    levels
        ``lsoa21_code`` and one column per level (named by the level) holding the LSOA's
        area at that level.

    Returns
    -------
    DataFrame
        ``area_code``, ``level``, ``vintage``, ``population``. An area with an LSOA that has
        no population is left out rather than undercounted.
    """
    linked = levels.merge(
        lsoa_population[["lsoa21_code", "population"]], on="lsoa21_code", how="left"
    )
    frames = []
    for level in (c for c in levels.columns if c != "lsoa21_code"):
        grouped = linked.dropna(subset=[level]).groupby(level)["population"]
        complete = grouped.count() == grouped.size()
        sums = grouped.sum()[complete]
        frames.append(
            pd.DataFrame(
                {
                    "area_code": sums.index.astype("string"),
                    "level": level,
                    "vintage": LEVEL_VINTAGES[level],
                    "population": sums.to_numpy(dtype="float64", na_value=np.nan),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def ccg_populations(
    lsoa11_ccg: pd.DataFrame, pop_lsoa11: pd.DataFrame, register: pd.DataFrame
) -> pd.DataFrame:
    """Population of the CCGs of every vintage, summed over their 2011 LSOAs, by E38 code."""
    frames = []
    for vintage, part in register.groupby("vintage", sort=True):
        sums = ccg_population(lsoa11_ccg, pop_lsoa11, str(vintage))
        if "ons_code" not in sums.columns:  # the 2019 boundaries carry ODS codes only
            sums = sums.merge(part[["ods_code", "ons_code"]], on="ods_code", how="inner")
        frames.append(
            pd.DataFrame(
                {
                    "area_code": sums["ons_code"].astype("string"),
                    "level": "ccg",
                    "vintage": str(vintage),
                    "population": sums["population"].to_numpy(dtype="float64", na_value=np.nan),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def deprivation(values: pd.DataFrame) -> pd.DataFrame:
    """The average IMD score of every area, from the latest period on each level and vintage.

    Returns ``area_code``, ``level``, ``vintage``, ``imd_score``, ``imd_period``. (A CCG
    vintage repeats one score under each financial year it covers; the latest is taken.)
    """
    rows = values.loc[
        (values["indicator_id"] == DEPRIVATION) & values["level"].isin(LEVELS),
        ["area_code", "level", "vintage", "period", "value"],
    ]
    latest = rows.groupby(["level", "vintage"])["period"].transform("max")
    rows = rows.loc[rows["period"] == latest]
    return pd.DataFrame(
        {
            "area_code": rows["area_code"].astype("string"),
            "level": rows["level"].astype("string"),
            "vintage": rows["vintage"].astype("string"),
            "imd_score": rows["value"].to_numpy(dtype="float64", na_value=np.nan),
            "imd_period": rows["period"].astype("string"),
        }
    ).reset_index(drop=True)


def inputs(areas: pd.DataFrame, scores: pd.DataFrame, populations: pd.DataFrame) -> pd.DataFrame:
    """Every area of the peer levels with its IMD score and population (missing: NaN)."""
    key = ["area_code", "level", "vintage"]
    frame = areas.loc[areas["level"].isin(LEVELS), key].astype("string")
    frame = frame.merge(scores[[*key, "imd_score"]], on=key, how="left")
    frame = frame.merge(populations[[*key, "population"]], on=key, how="left")
    return frame.sort_values(key, ignore_index=True)


def _group_neighbours(group: pd.DataFrame, k: int) -> pd.DataFrame:
    """Nearest neighbours within one level and vintage (rows with both variables only)."""
    codes = group["area_code"].to_numpy(dtype=object)
    z = np.column_stack(
        [
            group["imd_score"].to_numpy(dtype="float64"),
            np.log(group["population"].to_numpy(dtype="float64")),
        ]
    )
    spread = z.std(axis=0)
    spread[spread == 0] = 1.0  # a constant variable separates nobody
    z = (z - z.mean(axis=0)) / spread
    distance = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2)).round(DECIMALS)
    n = len(codes)
    pairs = pd.DataFrame(
        {
            "area_code": np.repeat(codes, n),
            "peer_code": np.tile(codes, n),
            "distance": distance.ravel(),
        }
    )
    pairs = pairs.loc[pairs["area_code"] != pairs["peer_code"]]
    pairs = pairs.sort_values(["area_code", "distance", "peer_code"], kind="mergesort")
    nearest = pairs.groupby("area_code", sort=False).head(k)
    return nearest.assign(rank=nearest.groupby("area_code", sort=False).cumcount() + 1)


def nearest(frame: pd.DataFrame, k: int = K) -> pd.DataFrame:
    """The ``k`` nearest neighbours of every area, within its own level and vintage.

    Parameters
    ----------
    frame
        ``area_code``, ``level``, ``vintage``, ``imd_score``, ``population`` (as from
        :func:`inputs`). Rows missing either variable, or with no positive population, are
        left out of the standardisation and of every list.
    k
        Peers per area; fewer where the level has fewer other areas.

    Returns
    -------
    DataFrame
        ``area_code``, ``level``, ``vintage``, ``rank`` (1 = nearest), ``peer_code``,
        ``distance`` (in standard deviations).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    usable = frame.loc[
        frame["imd_score"].notna() & frame["population"].notna() & (frame["population"] > 0)
    ]
    parts = []
    for (level, vintage), group in usable.groupby(["level", "vintage"], sort=True):
        if len(group) < 2:
            continue
        part = _group_neighbours(group.sort_values("area_code"), k)
        parts.append(part.assign(level=level, vintage=vintage))
    if not parts:
        out = pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS})
        return out.astype({"rank": "int16", "distance": "float64"})
    out = pd.concat(parts, ignore_index=True)
    out = out.astype(
        {
            "area_code": "string",
            "level": "string",
            "vintage": "string",
            "peer_code": "string",
            "rank": "int16",
            "distance": "float64",
        }
    )
    out = out.loc[:, list(COLUMNS)]
    return out.sort_values(["level", "vintage", "area_code", "rank"], ignore_index=True)


def describe(frame: pd.DataFrame, peers: pd.DataFrame, scores: pd.DataFrame, k: int = K) -> dict:
    """The manifest's account of the peer groups: method, variables and coverage per level."""
    groups = []
    for (level, vintage), group in frame.groupby(["level", "vintage"], sort=True):
        periods = scores.loc[
            (scores["level"] == level) & (scores["vintage"] == vintage), "imd_period"
        ]
        with_peers = set(
            peers.loc[(peers["level"] == level) & (peers["vintage"] == vintage), "area_code"]
        )
        left_out = sorted(set(group["area_code"]) - with_peers)
        groups.append(
            {
                "level": str(level),
                "vintage": str(vintage),
                "areas": int(len(group)),
                "areas_with_peers": len(with_peers),
                "areas_without_peers": left_out,
                "deprivation": f"{PCN_DEPRIVATION if level == 'pcn' else DEPRIVATION} "
                "(average IMD score), period " + (str(periods.iloc[0]) if len(periods) else "none"),
                "population": PCN_POPULATION if level == "pcn" else POPULATION_SOURCE,
            }
        )
    return {
        "k": k,
        "method": (
            "Nearest neighbours on two variables standardised within each level and vintage: "
            "average IMD score and the natural log of population (for primary care networks, "
            "their patients' IMD score and registered patients); Euclidean distance; ties "
            "broken by area code; an area is never its own peer."
        ),
        "groups": groups,
    }


def build(
    tables: dict[str, pd.DataFrame],
    hierarchy: pd.DataFrame,
    values: pd.DataFrame,
    areas: pd.DataFrame,
    k: int = K,
) -> tuple[pd.DataFrame, dict]:
    """The peers table and its manifest entry, from the build's tables and finished values."""
    pop11 = tables["pop_lsoa11_2020"]
    lsoa_population = split_population(pop11, tables["lsoa11_lsoa21"])
    levels = lsoa_levels(tables["lsoa21_geography"], hierarchy, tables["ltla_utla_2023"])
    populations = pd.concat(
        [
            area_populations(lsoa_population, levels),
            ccg_populations(tables["lsoa11_ccg"], pop11, tables["ccg_register"]),
        ],
        ignore_index=True,
    )
    scores = deprivation(values)
    frame = inputs(areas, scores, populations)
    pcns, pcn_scores = pcn_inputs(values)
    frame = pd.concat([frame, pcns], ignore_index=True)
    scores = pd.concat([scores, pcn_scores], ignore_index=True)
    peers = nearest(frame, k)
    return peers, describe(frame, peers, scores, k)


#: PCN peers: the indicators standing for deprivation and size, as for the other levels.
PCN_DEPRIVATION, PCN_SIZE = "practice_imd_score", "list_size"


def pcn_inputs(values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PCNs with their practices' weighted IMD score and registered patients, per vintage.

    Returns the rows for :func:`nearest` (``population`` holds the list size) and the
    scores with their period, as :func:`deprivation` gives them for :func:`describe`.
    """
    key = ["area_code", "level", "vintage"]
    pcn = values.loc[values["level"] == "pcn"]
    columns = {}
    periods = []
    for indicator_id, name in ((PCN_DEPRIVATION, "imd_score"), (PCN_SIZE, "population")):
        rows = pcn.loc[pcn["indicator_id"] == indicator_id, [*key, "period", "value"]]
        latest = rows.groupby("vintage")["period"].transform("max")
        rows = rows.loc[rows["period"] == latest]
        columns[name] = rows.set_index(key)["value"].astype("float64").rename(name)
        if name == "imd_score":
            periods = rows.set_index(key)["period"].rename("imd_period")
    frame = pd.concat(columns.values(), axis=1).reset_index()
    frame = frame.astype({"area_code": "string", "level": "string", "vintage": "string"})
    scores = pd.concat([columns["imd_score"], periods], axis=1).reset_index()
    return frame.sort_values(key, ignore_index=True), scores
