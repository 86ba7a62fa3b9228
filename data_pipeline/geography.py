"""Areas, their parents and the population weights that move values between geographies.

Pure functions over the tidy lookup tables from :mod:`data_pipeline.sources.lookups` and
friends. ONS GSS codes are the keys; ODS codes are carried alongside and mapped to them.
Each period joins to boundaries of its own vintage: the ``vintage`` column says which.
"""

from __future__ import annotations

import pandas as pd

from methods.atlas_tables import LSOA_POPULATION, WARD_COLUMNS

ENGLAND = "E92000001"

#: Vintage of each map level's boundaries in the atlas.
LEVEL_VINTAGES = {
    "region": "nhser-2024",
    "icb": "icb-2023",
    "sub_icb": "sub_icb-2023",
    "ltla": "ltla-2024",
    "utla": "utla-2023",
    "lsoa": "lsoa-2021",
    "practice": "practice-2022-23",
    "pcn": "pcn-2024-25",
    "england": "england",
}
#: QOF year -> the vintage of its GP practices: the practices of that year, each placed in
#: its 2023 sub-ICB (2022-23 by QOF's own mapping, 2024-25 by the early-2024 practice lookup).
PRACTICE_VINTAGES = {"2022-23": "practice-2022-23", "2024-25": "practice-2024-25"}


def split_population(pop_lsoa11: pd.DataFrame, lsoa11_lsoa21: pd.DataFrame) -> pd.DataFrame:
    """Population of 2021 LSOAs from 2011 LSOA estimates via the best-fit lookup.

    An LSOA 2011 that was split shares its people equally among its successors; merged ones
    add up. Only used as a weight for averaging scores, where this approximation is standard.
    """
    pairs = lsoa11_lsoa21[["lsoa11_code", "lsoa21_code"]].drop_duplicates()
    share = 1.0 / pairs.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    weighted = pairs.assign(share=share).merge(pop_lsoa11, on="lsoa11_code", how="inner")
    cols = [c for c in ("population", "population_18_plus") if c in weighted.columns]
    for column in cols:
        weighted[column] = weighted[column] * weighted["share"]
    return weighted.groupby("lsoa21_code", as_index=False)[cols].sum()


def weighted_mean(
    frame: pd.DataFrame, value: str, weight: str, by: str | list[str]
) -> pd.DataFrame:
    """Weighted mean of ``value`` per group, ignoring rows where either is missing."""
    usable = frame.loc[frame[value].notna() & frame[weight].notna() & (frame[weight] > 0)]
    usable = usable.assign(_product=usable[value] * usable[weight])
    sums = usable.groupby(by, as_index=False)[["_product", weight]].sum()
    sums[value] = sums["_product"] / sums[weight]
    return sums.drop(columns=["_product"])


def majority_parent(frame: pd.DataFrame, child: str, parent: str) -> pd.DataFrame:
    """The parent most rows of each child point to (ties: the smaller code, deterministic)."""
    counts = frame.dropna(subset=[child, parent]).groupby([child, parent]).size()
    counts = (
        counts.rename("n")
        .reset_index()
        .sort_values([child, "n", parent], ascending=[True, False, True])
    )
    return counts.drop_duplicates(child)[[child, parent]].reset_index(drop=True)


def recode_to_2023(
    qof_geography: pd.DataFrame,
    boundary_sub_icb: pd.DataFrame,
    lsoa21_geography: pd.DataFrame,
    boundary_region: pd.DataFrame,
) -> dict[str, str]:
    """ONS codes of 2022 NHS areas -> the codes of the same areas on the 2023/24 boundaries.

    Some areas kept their ODS code but got a new ONS code in 2023 (Surrey Heartlands and
    Sussex sub-ICBs and ICBs; the North West and East of England regions). The mapping is
    read from the data: sub-ICBs and ICBs by their ODS code, regions by name. Codes that did
    not change are absent (use ``.get(code, code)``).
    """
    sub_new = dict(zip(boundary_sub_icb["ods_code"], boundary_sub_icb["area_code"], strict=True))
    icb_pairs = lsoa21_geography[["icb_ods", "icb_code"]].drop_duplicates()
    icb_new = dict(zip(icb_pairs["icb_ods"], icb_pairs["icb_code"], strict=True))
    region_new = dict(
        zip(boundary_region["area_name"].str.lower(), boundary_region["area_code"], strict=True)
    )
    mapping: dict[str, str] = {}
    for ods, ons, lookup in (
        ("sub_icb_ods", "sub_icb_ons", sub_new),
        ("icb_ods", "icb_ons", icb_new),
        ("region_name", "region_ons", region_new),
    ):
        pairs = qof_geography[[ods, ons]].drop_duplicates()
        keys = pairs[ods].str.lower() if ods == "region_name" else pairs[ods]
        for key, code in zip(keys, pairs[ons], strict=True):
            new = lookup.get(key)
            if new is not None and new != code:
                mapping[str(code)] = str(new)
    return mapping


def sub_icb_hierarchy(
    lsoa21_geography: pd.DataFrame, qof_geography: pd.DataFrame, recode: dict[str, str]
) -> pd.DataFrame:
    """Sub-ICB -> ICB -> NHS England region (2023 codes), with the sub-ICB's ODS code.

    The LSOA lookup gives sub-ICB to ICB; NHS England regions come from the QOF practice
    mapping (the LSOA lookup carries ONS regions, which are a different geography).
    """
    sub = (
        lsoa21_geography[["sub_icb_code", "sub_icb_ods", "icb_code", "icb_ods"]]
        .drop_duplicates()
        .sort_values("sub_icb_code")
    )
    if sub["sub_icb_code"].duplicated().any():
        raise ValueError("a sub-ICB location maps to more than one ICB in the LSOA lookup")
    practices = qof_geography.assign(
        icb_code=qof_geography["icb_ons"].map(lambda c: recode.get(c, c)),
        region_code=qof_geography["region_ons"].map(lambda c: recode.get(c, c)),
    )
    regions = majority_parent(practices, "icb_code", "region_code")
    return sub.merge(regions, on="icb_code", how="left").reset_index(drop=True)


def ods_to_ons(pairs: pd.DataFrame, ods: str, ons: str) -> dict[str, str]:
    """A one-to-one ODS -> ONS code mapping; refuses ambiguous pairs."""
    unique = pairs[[ods, ons]].dropna().drop_duplicates()
    if unique[ods].duplicated().any():
        dupes = sorted(unique.loc[unique[ods].duplicated(), ods])
        raise ValueError(f"ODS codes map to several ONS codes: {dupes[:5]}")
    return dict(zip(unique[ods], unique[ons], strict=True))


AREA_COLUMNS = (
    "area_code",
    "area_name",
    "level",
    "vintage",
    "ods_code",
    "parent_sub_icb",
    "parent_icb",
    "parent_region",
    "parent_ltla",
    "parent_utla",
    "parent_pcn",
    "postcode",
    "latitude",
    "longitude",
    *WARD_COLUMNS,
    LSOA_POPULATION,
)


#: The columns of ``areas`` that hold numbers; every other column is text.
AREA_NUMBERS = ("latitude", "longitude", LSOA_POPULATION)


def typed_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """The areas table with each column's type: numbers as Float64, the rest as text."""
    return areas.assign(
        **{
            column: pd.to_numeric(areas[column]).astype("Float64")
            if column in AREA_NUMBERS
            else areas[column].astype("string")
            for column in areas.columns
        }
    )


def _areas(frame: pd.DataFrame, level: str, vintage: str | None = None, **renames: str):
    out = frame.rename(columns={v: k for k, v in renames.items()})
    out = out.assign(level=level, vintage=vintage or LEVEL_VINTAGES[level])
    for column in AREA_COLUMNS:
        if column not in out.columns:
            out[column] = pd.NA
    return out.loc[:, list(AREA_COLUMNS)]


def practice_places(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each practice's premises (postcode, coordinates) and the district and county they are in.

    From the early-2024 practice lookup: the LSOA 2021 of the premises gives the 2024 district
    and, through it, the 2023 county or unitary authority.
    """
    coords = tables["gp_practices_2024"][
        ["practice_code", "postcode", "latitude", "longitude", "lsoa21_code"]
    ]
    lsoa_la = tables["lsoa21_geography"][["lsoa21_code", "ltla24_code"]].merge(
        tables["ltla_utla_2023"][["ltla23_code", "utla23_code"]],
        left_on="ltla24_code",
        right_on="ltla23_code",
        how="left",
    )
    return coords.merge(
        lsoa_la[["lsoa21_code", "ltla24_code", "utla23_code"]], on="lsoa21_code", how="left"
    )


def place_practices(
    codes: pd.Series, lookup: pd.DataFrame, ods_to_sub: dict[str, str]
) -> pd.DataFrame:
    """Practices placed in their 2023 sub-ICB through the early-2024 practice lookup.

    Columns ``practice_code``, ``sub_icb_code`` (NA when the practice cannot be placed) and
    ``reason`` (why not, else NA): a practice opened after the lookup's snapshot is not in it.
    """
    practices = pd.DataFrame({"practice_code": pd.Series(codes).drop_duplicates().to_numpy()})
    linked = practices.merge(
        lookup[["practice_code", "sub_icb_ods"]], on="practice_code", how="left"
    )
    linked["sub_icb_code"] = linked["sub_icb_ods"].map(ods_to_sub).astype("string")
    reason = pd.Series(pd.NA, index=linked.index, dtype="string")
    reason = reason.mask(
        linked["sub_icb_ods"].notna() & linked["sub_icb_code"].isna(),
        "its sub-ICB location (" + linked["sub_icb_ods"].astype("string") + ") is not a 2023 one",
    )
    reason = reason.mask(linked["sub_icb_ods"].isna(), "not in the early-2024 practice lookup")
    return linked.assign(reason=reason)[["practice_code", "sub_icb_code", "reason"]]


def tidy_names(names: pd.Series) -> pd.Series:
    """Practice names as people write them: publishers' title case leaves "St Paul'S"."""
    return names.str.replace(r"(?<=[A-Za-z])'S\b", "'s", regex=True)


def _placed_practice_areas(
    tables: dict[str, pd.DataFrame], hierarchy: pd.DataFrame, practices: pd.DataFrame, vintage: str
) -> pd.DataFrame:
    """Practices (``practice_code``, ``practice_name``, ``sub_icb_ons``) with place and parents."""
    practices = practices.assign(practice_name=tidy_names(practices["practice_name"]))
    placed = practices.merge(practice_places(tables), on="practice_code", how="left").merge(
        hierarchy[["sub_icb_code", "icb_code", "region_code"]],
        left_on="sub_icb_ons",
        right_on="sub_icb_code",
        how="left",
    )
    return _areas(
        placed,
        "practice",
        vintage,
        area_code="practice_code",
        area_name="practice_name",
        parent_sub_icb="sub_icb_ons",
        parent_icb="icb_code",
        parent_region="region_code",
        parent_ltla="ltla24_code",
        parent_utla="utla23_code",
    )


def _practice_areas(tables: dict[str, pd.DataFrame], hierarchy: pd.DataFrame) -> pd.DataFrame:
    """GP practices as areas: QOF 2022-23's practices with their premises' place and parents."""
    qof_geo = tables["qof_practice_geography"]
    ods_to_sub = dict(zip(hierarchy["sub_icb_ods"], hierarchy["sub_icb_code"], strict=True))
    practices = qof_geo[["practice_code", "practice_name"]].assign(
        sub_icb_ons=qof_geo["sub_icb_ods"].map(ods_to_sub)
    )
    return _placed_practice_areas(tables, hierarchy, practices, PRACTICE_VINTAGES["2022-23"])


def practice_areas_2024_25(
    tables: dict[str, pd.DataFrame], hierarchy: pd.DataFrame
) -> pd.DataFrame:
    """QOF 2024-25's practices, placed by the 2024 lookup; unplaced ones have no parents.

    Names as QOF 2022-23 wrote them, else as Fingertips does (IMD 2025), else the lookup's.
    """
    ods_to_sub = dict(zip(hierarchy["sub_icb_ods"], hierarchy["sub_icb_code"], strict=True))
    lookup = tables["gp_practices_2024"]
    placed = place_practices(tables["qof_practice_2024_25"]["practice_code"], lookup, ods_to_sub)
    names = placed["practice_code"].map(_names(tables.get("qof_practice_geography")))
    for source in (tables.get("practice_imd_2025"), lookup):
        names = names.fillna(placed["practice_code"].map(_names(source)))
    practices = placed.assign(
        practice_name=names.fillna("GP practice " + placed["practice_code"]),
        sub_icb_ons=placed["sub_icb_code"],
    )
    return _placed_practice_areas(tables, hierarchy, practices, PRACTICE_VINTAGES["2024-25"])


def _names(table: pd.DataFrame | None) -> dict[str, str]:
    """Practice code -> name, from any table with both columns (none: empty)."""
    if table is None:
        return {}
    named = table.dropna(subset=["practice_name"])
    return dict(zip(named["practice_code"], named["practice_name"], strict=True))


def _lsoa_areas(tables: dict[str, pd.DataFrame], hierarchy: pd.DataFrame) -> pd.DataFrame:
    """LSOAs 2021 as areas: parents, ward, and the population that weights their scores.

    Every level's average scores are weighted by that population; a user's own area too.
    """
    utla = tables["ltla_utla_2023"][["ltla23_code", "utla23_code"]]
    lsoa = (
        tables["lsoa21_geography"]
        .merge(hierarchy[["sub_icb_code", "region_code"]], on="sub_icb_code", how="left")
        .merge(utla, left_on="ltla24_code", right_on="ltla23_code", how="left")
    )
    if {"pop_lsoa11_2020", "lsoa11_lsoa21"} <= tables.keys():
        people = split_population(tables["pop_lsoa11_2020"], tables["lsoa11_lsoa21"])
        lsoa = lsoa.merge(
            people[["lsoa21_code", "population"]].rename(columns={"population": LSOA_POPULATION}),
            on="lsoa21_code",
            how="left",
        )
    return _areas(
        lsoa,
        "lsoa",
        area_code="lsoa21_code",
        area_name="lsoa21_name",
        parent_sub_icb="sub_icb_code",
        parent_icb="icb_code",
        parent_ltla="ltla24_code",
        parent_utla="utla23_code",
        parent_region="region_code",
        ward_code="ward24_code",
        ward_name="ward24_name",
    )


def build_areas(tables: dict[str, pd.DataFrame], hierarchy: pd.DataFrame) -> pd.DataFrame:
    """The atlas's ``areas`` table: every area of every level, with names and parents."""
    icb_region = hierarchy[["icb_code", "region_code"]].drop_duplicates()
    parts = [
        pd.DataFrame({"area_code": [ENGLAND], "area_name": ["England"]}).pipe(_areas, "england"),
        _areas(tables["boundary_region"][["area_code", "area_name"]], "region"),
        _areas(
            tables["boundary_icb"][["area_code", "area_name"]].merge(
                icb_region, left_on="area_code", right_on="icb_code", how="left"
            ),
            "icb",
            parent_region="region_code",
        ),
        _areas(
            tables["boundary_sub_icb"][["area_code", "area_name", "ods_code"]].merge(
                hierarchy[["sub_icb_code", "icb_code", "region_code"]],
                left_on="area_code",
                right_on="sub_icb_code",
                how="left",
            ),
            "sub_icb",
            parent_icb="icb_code",
            parent_region="region_code",
        ),
    ]
    register = tables["ccg_register"]
    for vintage, part in register.groupby("vintage", sort=True):
        parts.append(
            _areas(
                part,
                "ccg",
                str(vintage),
                area_code="ons_code",
                area_name="name",
                ods_code="ods_code",
            )
        )
    utla = tables["ltla_utla_2023"][["ltla23_code", "utla23_code"]]
    parts.append(
        _areas(
            tables["boundary_ltla_2024"][["area_code", "area_name"]].merge(
                utla, left_on="area_code", right_on="ltla23_code", how="left"
            ),
            "ltla",
            parent_utla="utla23_code",
        )
    )
    parts.append(_areas(tables["boundary_utla_2023"][["area_code", "area_name"]], "utla"))
    parts.append(_lsoa_areas(tables, hierarchy))
    parts.append(_practice_areas(tables, hierarchy))
    if "qof_practice_2024_25" in tables:
        parts.append(practice_areas_2024_25(tables, hierarchy))
    areas = pd.concat(parts, ignore_index=True)
    areas = typed_areas(areas)
    dupes = areas.duplicated(["area_code", "vintage"])
    if dupes.any():
        raise ValueError(f"duplicate areas: {areas.loc[dupes, 'area_code'].head().tolist()}")
    return areas.sort_values(["level", "vintage", "area_code"]).reset_index(drop=True)
