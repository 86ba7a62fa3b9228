"""CCG code vintages: registers, successor map, LSOA population weights, harmonisation.

Clinical commissioning groups merged in April 2015, 2017, 2018, 2019, 2020 and 2021, and
every source reports on its own year's set (QOF 2019-20 on the 135 CCGs of April 2020, NHS
Talking Therapies 2018-19 on the 195 of April 2018, MHSDS month by month...). A merged CCG
is the union of its predecessors, so any period can be put onto one later set: counts are
summed and averages population-weighted. A few CCGs instead traded territory while keeping
their ODS code (South Cumbria moved from 01H to 01K in April 2017; West Birmingham and
Glossop moved in July 2022); those are recorded too, so that harmonising can refuse figures
whose area no longer matches. This module holds the geography for that:

- ``ccg_register``: the CCGs of April 2019, 2020 and 2021 (ODS code, E38 code, name);
- ``ccg_successors``: old code -> new code at each April transition, with its basis;
- ``ccg_code_map``: every known code (ODS or E38, 2013 onwards) -> its code in each vintage;
- ``lsoa11_ccg``: each English LSOA 2011 -> its CCG of 2019, 2020 and 2021, for weights.

Everything is a pure function of DataFrames except :func:`load_reference` (the curated
CSV) and :func:`build_ccg_geography`, which reads the raw files it needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import shapely

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.tabular import read_csv_text, require_columns

#: The CCG sets the atlas harmonises onto, and the day each came into force.
VINTAGES: Mapping[str, pd.Timestamp] = MappingProxyType(
    {
        "ccg-2019": pd.Timestamp("2019-04-01"),
        "ccg-2020": pd.Timestamp("2020-04-01"),
        "ccg-2021": pd.Timestamp("2021-04-01"),
    }
)

#: Codes that sources report in CCG columns but that are not areas, with the reason a
#: reader gives when it rejects their rows. Hubs are ODS role RO218 (commissioning hub).
NON_GEOGRAPHIC_CODES: Mapping[str, str] = MappingProxyType(
    {
        "UNKNOWN": "not a geographic CCG: UNKNOWN (no CCG could be derived for the person)",
        "13Q": "not a geographic CCG: 13Q National Commissioning Hub 1",
        "13R": "not a geographic CCG: 13R London Commissioning Hub",
        "14A": "not a geographic CCG: 14A Midlands Commissioning Hub",
        "14E": "not a geographic CCG: 14E East of England Commissioning Hub",
        "14R": "not a geographic CCG: 14R East of England - H&J Commissioning Hub",
        "X24": "not a geographic CCG: X24 NHS England",
        "NONC": "not a geographic CCG: NONC (no CCG)",
    }
)

#: A merger is read from GP practices only if this share of an old CCG's practices went to
#: one new CCG; lower means a boundary moved, which a union cannot represent.
MIN_PRACTICE_SHARE = 0.95

#: British National Grid: metres, so "nearest polygon" distances mean something.
BNG = "EPSG:27700"

CCG19_BOUNDARIES = "boundaries/ccg_2019_openprescribing_ods_codes.geojson"
IOD19_CCG = "deprivation/IoD2019_CCG_summaries_File12_HFDI.xlsx"
CCG20_NAMES = "lookups/ccg20_names_codes.csv"
CCG21_NAMES = "lookups/ccg21_names_codes.csv"
PRACTICE_CCG_EARLY_2020 = "prescribing/ebm_practice_to_ccg_map_2020.csv"
QOF_MAPPING_2019_20 = (
    "lookups/qof_practice_nhs_geographies/qof_mapping_nhs_geographies_2019_2020.parquet"
)
QOF_MAPPING_2020_21 = (
    "lookups/qof_practice_nhs_geographies/qof_mapping_nhs_geographies_2020_2021.parquet"
)
LSOA11_CCG21 = "lookups/lsoa11_ccg21_lad21_lookup_apr2021.csv.gz"
LSOA11_BOUNDARIES = "boundaries/lsoa11_dec2011_ew_bsc_geographr.geojson"

BASIS_2020 = (
    "GP practice registrations: OpenPrescribing practice map (early 2020) "
    "against the QOF 2019-20 practice mapping"
)
BASIS_2021 = (
    "GP practice registrations: QOF 2019-20 practice mapping against the QOF 2020-21 mapping"
)

BOUNDARY_CHANGE = "ONS boundary change (ODS code kept)"

SUCCESSOR_COLUMNS = [
    "transition",
    "from_ods",
    "from_ons",
    "to_ods",
    "to_ons",
    "basis",
    "exchanged_with",
    "evidence",
    "practice_share",
]
REGISTER_COLUMNS = ["vintage", "ods_code", "ons_code", "name"]

T = TypeVar("T")


# --------------------------------------------------------------------------- registers


def normalise_name(name: str) -> str:
    """Compare CCG names across publishers: case, '&', punctuation, 'NHS' and 'CCG' ignored.

    >>> normalise_name("NHS Airedale, Wharfedale & Craven CCG")
    'AIREDALE WHARFEDALE AND CRAVEN'
    """
    text = str(name).upper().replace("&", " AND ")
    text = re.sub(r"[^A-Z0-9 ]", " ", text)
    text = re.sub(r"\b(NHS|CCG)\b", " ", text)
    return " ".join(text.split())


def _require_unique(frame: pd.DataFrame, column: str, what: str) -> None:
    dup = frame[column][frame[column].duplicated()]
    if len(dup):
        raise ValueError(f"{what}: {column} repeated: {sorted(dup.astype(str).unique())[:10]}")


def register_2019(boundary: pd.DataFrame, iod: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """Pair the 191 ODS codes of April 2019 with their E38 codes.

    No single file has both: the 2019 boundaries are keyed by ODS code, the IoD2019 CCG
    summaries by E38 code. A CCG that carried on into 2020 or 2021 takes the E38 code those
    registers give its ODS code (if IoD2019 has it); the others are matched by name. Both
    routes must agree and the result must be one-to-one, otherwise this raises.

    Parameters
    ----------
    boundary : columns ods_code, name (2019 boundary file).
    iod : columns ons_code, name (IoD2019 CCG summaries).
    later : columns ods_code, ons_code (the 2020 and 2021 registers).
    """
    _require_unique(boundary, "ods_code", "2019 CCG boundaries")
    _require_unique(iod, "ons_code", "IoD2019 CCG summaries")
    iod = iod.assign(key=iod["name"].map(normalise_name))
    _require_unique(iod, "key", "IoD2019 CCG summaries (normalised names)")
    by_name = boundary["name"].map(normalise_name).map(iod.set_index("key")["ons_code"])
    by_name = by_name.astype("string")
    known = set(iod["ons_code"])
    continued = later[later["ons_code"].isin(known)].drop_duplicates(["ods_code", "ons_code"])
    _require_unique(continued, "ods_code", "2020/2021 registers")
    by_code = boundary["ods_code"].map(continued.set_index("ods_code")["ons_code"])
    by_code = by_code.astype("string")
    clash = by_code.notna() & by_name.notna() & (by_code != by_name)
    if clash.any():
        raise ValueError(
            "ODS and E38 codes disagree between the code and the name match for "
            f"{sorted(boundary.loc[clash, 'ods_code'])}"
        )
    ons = by_code.fillna(by_name)
    if ons.isna().any():
        raise ValueError(
            f"no E38 code found for 2019 CCGs {sorted(boundary.loc[ons.isna(), 'ods_code'])}"
        )
    out = pd.DataFrame(
        {"vintage": "ccg-2019", "ods_code": boundary["ods_code"].to_numpy(), "ons_code": ons}
    )
    _require_unique(out, "ons_code", "2019 ODS-E38 match")
    missing = known - set(out["ons_code"])
    if missing:
        raise ValueError(f"IoD2019 CCGs without an ODS code: {sorted(missing)}")
    out["name"] = out["ons_code"].map(iod.set_index("ons_code")["name"])
    return out[REGISTER_COLUMNS]


def ccg_register(
    boundary19: pd.DataFrame, iod19: pd.DataFrame, names20: pd.DataFrame, names21: pd.DataFrame
) -> pd.DataFrame:
    """The CCGs of April 2019, 2020 and 2021: vintage, ods_code, ons_code (E38), name.

    ``names20`` and ``names21`` have columns ods_code, ons_code, name; see
    :func:`register_2019` for the other two.
    """
    frames = [register_2019(boundary19, iod19, pd.concat([names20, names21]))]
    for vintage, names in (("ccg-2020", names20), ("ccg-2021", names21)):
        _require_unique(names, "ods_code", f"{vintage} register")
        _require_unique(names, "ons_code", f"{vintage} register")
        frames.append(names.assign(vintage=vintage)[REGISTER_COLUMNS])
    out = pd.concat(frames, ignore_index=True).astype("string")
    return out.sort_values(["vintage", "ods_code"], ignore_index=True)


def _register_codes(register: pd.DataFrame, vintage: str) -> pd.DataFrame:
    return register[register["vintage"] == vintage]


# -------------------------------------------------------------------------- successors


def load_reference() -> pd.DataFrame:
    """The curated rows: mergers of 2015-2019 and boundary changes, which no raw file lists.

    A boundary change (basis :data:`BOUNDARY_CHANGE`) is a row whose code stays the same
    while its area changes: territory moved between it and the codes in
    ``exchanged_with`` (';'-separated), and ONS gave both new E38 codes.
    """
    source = resources.files("data_pipeline").joinpath("reference/ccg_successors.csv")
    with resources.as_file(source) as path:
        frame = pd.read_csv(path, dtype="string", keep_default_na=False)
    frame["transition"] = pd.to_datetime(frame["transition"], format="%Y-%m-%d")
    return frame


def practice_successors(
    old: pd.DataFrame,
    new: pd.DataFrame,
    transition: pd.Timestamp,
    basis: str,
    min_share: float = MIN_PRACTICE_SHARE,
) -> pd.DataFrame:
    """Read one April transition from where the same GP practices were registered.

    CCGs are groups of member practices, so an old CCG whose practices all sit in one new
    CCG was merged into it. A share below ``min_share`` means the CCG was split, which
    cannot be harmonised by summing, so it raises.

    Parameters
    ----------
    old, new : columns practice_code, ccg_code, before and after the transition.
    """
    pairs = old.merge(new, on="practice_code", suffixes=("_old", "_new"))
    counts = pairs.groupby(["ccg_code_old", "ccg_code_new"]).size().rename("n").reset_index()
    counts["total"] = counts.groupby("ccg_code_old")["n"].transform("sum")
    counts = counts.sort_values(
        ["ccg_code_old", "n", "ccg_code_new"], ascending=[True, False, True]
    )
    best = counts.drop_duplicates("ccg_code_old").copy()
    best["share"] = best["n"] / best["total"]
    weak = best[best["share"] < min_share]
    if len(weak):
        detail = ", ".join(
            f"{r.ccg_code_old} ({r.share:.0%} to {r.ccg_code_new})" for r in weak.itertuples()
        )
        raise ValueError(
            f"CCGs whose practices did not move together at {transition:%Y-%m}: {detail}"
        )
    return pd.DataFrame(
        {
            "transition": pd.Timestamp(transition),
            "from_ods": best["ccg_code_old"].to_numpy(),
            "to_ods": best["ccg_code_new"].to_numpy(),
            "basis": basis,
            "evidence": [f"{r.n} of {r.total} practices" for r in best.itertuples()],
            "practice_share": best["share"].to_numpy(),
        }
    )


def check_transition(succ: pd.DataFrame, old_codes: set[str], new_codes: set[str]) -> None:
    """A derived transition must take every old CCG to a new one and leave no new one empty."""
    label = f"transition {succ['transition'].iloc[0]:%Y-%m}"
    if set(succ["from_ods"]) != old_codes:
        gap = sorted(old_codes ^ set(succ["from_ods"]))
        raise ValueError(f"{label}: old CCGs without practices on both sides: {gap}")
    if set(succ["to_ods"]) != new_codes:
        gap = sorted(new_codes ^ set(succ["to_ods"]))
        raise ValueError(f"{label}: new CCGs that no old CCG maps to: {gap}")


def _vintage_starting(when: pd.Timestamp) -> str:
    for name, start in VINTAGES.items():
        if start == pd.Timestamp(when):
            return name
    raise ValueError(f"no CCG vintage starts on {when:%Y-%m-%d}")


def successor_table(
    curated: pd.DataFrame, derived: Sequence[pd.DataFrame], register: pd.DataFrame
) -> pd.DataFrame:
    """Curated and derived transitions in one table, checked for clashes.

    Columns: transition, from_ods, from_ons, to_ods, to_ons, basis, exchanged_with,
    evidence, practice_share (NA for curated rows). Derived transitions list every old CCG,
    including those that kept their code; their E38 codes come from the register.
    """
    frames = [curated.assign(practice_share=pd.NA)]
    names = list(VINTAGES)
    for step in derived:
        after = names.index(_vintage_starting(step["transition"].iloc[0]))
        if after == 0:
            raise ValueError("a derived transition needs the register of the vintage before it")
        old = _register_codes(register, names[after - 1]).set_index("ods_code")["ons_code"]
        new = _register_codes(register, names[after]).set_index("ods_code")["ons_code"]
        frames.append(
            step.assign(
                from_ons=step["from_ods"].map(old),
                to_ons=step["to_ods"].map(new),
                exchanged_with="",
            )
        )
    out = pd.concat([f[SUCCESSOR_COLUMNS] for f in frames], ignore_index=True)
    text = [c for c in SUCCESSOR_COLUMNS if c not in ("transition", "practice_share")]
    out[text] = out[text].astype("string").replace("", pd.NA)
    out["practice_share"] = out["practice_share"].astype("Float64")
    out["transition"] = pd.to_datetime(out["transition"])
    twice = out[out.duplicated(["transition", "from_ods"], keep=False)]
    if len(twice):
        raise ValueError(f"codes with two successors: {sorted(set(twice['from_ods']))}")
    closed = out.loc[out["from_ods"] != out["to_ods"], ["transition", "from_ods"]]
    seen = pd.concat(
        [
            out[["transition", "from_ods"]],
            out[["transition", "to_ods"]].set_axis(["transition", "from_ods"], axis=1),
        ]
    )
    reused = closed.merge(seen, on="from_ods", suffixes=("", "_later"))
    reused = reused[reused["transition_later"] > reused["transition"]]
    if len(reused):
        raise ValueError(f"closed codes that reappear later: {sorted(set(reused['from_ods']))}")
    return out.sort_values(["transition", "from_ods"], ignore_index=True)


# ---------------------------------------------------------------------------- code map


def _leaves(code: str, predecessors: Mapping[str, list[str]]) -> list[str]:
    parts = predecessors.get(code)
    if not parts:
        return [code]
    return sorted({leaf for part in parts for leaf in _leaves(part, predecessors)})


def code_map(register: pd.DataFrame, successors: pd.DataFrame) -> pd.DataFrame:
    """Every known CCG code -> its ODS code in each vintage (NA where it is newer).

    Columns: code, code_type ('ods' or 'ons'), ods_code (the code's own ODS code),
    ccg_2019, ccg_2020, ccg_2021, parts. ``parts`` lists the oldest codes whose areas make up
    the code's area; :func:`harmonise` uses it to see that a merged area is complete and
    nothing is counted twice.
    """
    steps = [
        (when, dict(zip(group["from_ods"], group["to_ods"], strict=True)))
        for when, group in successors.sort_values("transition").groupby("transition")
    ]
    ods = sorted(
        set(register["ods_code"]) | set(successors["from_ods"]) | set(successors["to_ods"])
    )
    predecessors: dict[str, list[str]] = {}
    for row in successors[successors["from_ods"] != successors["to_ods"]].itertuples():
        predecessors.setdefault(row.to_ods, []).append(row.from_ods)
    rows = pd.DataFrame({"code": ods, "code_type": "ods", "ods_code": ods})
    for vintage, start in VINTAGES.items():
        members = set(_register_codes(register, vintage)["ods_code"])
        mapped = []
        for code in ods:
            for when, step in steps:
                if when <= start:
                    code = step.get(code, code)
            mapped.append(code if code in members else pd.NA)
        rows[vintage.replace("-", "_")] = mapped
    rows["parts"] = [",".join(_leaves(code, predecessors)) for code in ods]
    ons = pd.concat(
        [
            register[["ons_code", "ods_code"]],
            successors[["from_ons", "from_ods"]].set_axis(["ons_code", "ods_code"], axis=1),
            successors[["to_ons", "to_ods"]].set_axis(["ons_code", "ods_code"], axis=1),
        ]
    )
    ons = ons.dropna().drop_duplicates()
    _require_unique(ons, "ons_code", "E38 to ODS codes")
    by_ods = rows.set_index("ods_code").drop(columns=["code", "code_type"])
    ons_rows = ons.join(by_ods, on="ods_code").rename(columns={"ons_code": "code"})
    ons_rows["code_type"] = "ons"
    out = pd.concat([rows, ons_rows[rows.columns]], ignore_index=True).astype("string")
    return out.sort_values(["code_type", "code"], ignore_index=True)


def _target_column(target: str) -> str:
    if target not in VINTAGES:
        raise ValueError(f"unknown CCG vintage {target!r}; use one of {list(VINTAGES)}")
    return target.replace("-", "_")


def _clean_codes(codes: pd.Series) -> pd.Series:
    return codes.astype("string").str.strip().str.upper()


def to_vintage(codes: pd.Series, target: str, codes_map: pd.DataFrame) -> pd.Series:
    """Map CCG codes (ODS or E38, any year since 2013) to their ODS code in ``target``.

    Returns <NA> for the non-geographic codes of :data:`NON_GEOGRAPHIC_CODES` (UNKNOWN,
    commissioning hubs), which a reader should reject and count with the reason given
    there. Raises ``ValueError`` for a missing code, a code no register or successor row
    knows, or a code newer than ``target`` (a merged CCG cannot be split back).

    Parameters
    ----------
    codes : the source's CCG codes.
    target : "ccg-2019", "ccg-2020" or "ccg-2021".
    codes_map : the ``ccg_code_map`` table from :func:`code_map`.
    """
    column = _target_column(target)
    clean = _clean_codes(codes)
    if clean.isna().any():
        raise ValueError(f"{int(clean.isna().sum())} missing CCG codes; reject those rows first")
    lookup = codes_map.set_index("code")[column]
    known = clean.isin(lookup.index)
    non_geo = clean.isin(list(NON_GEOGRAPHIC_CODES))
    unknown = sorted(set(clean[~known & ~non_geo]))
    if unknown:
        raise ValueError(f"CCG codes not in any known vintage: {unknown[:20]}")
    out = clean.map(lookup).astype("string")
    newer = sorted(set(clean[known & out.isna()]))
    if newer:
        raise ValueError(
            f"CCG codes newer than {target} cannot be split back onto it: {newer[:20]}"
        )
    return out


# ------------------------------------------------------------------------ LSOA weights


def lsoa_points(lsoa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One point inside each LSOA, on the British National Grid.

    A point on the surface is always inside its own polygon, unlike a centroid, so a
    crescent-shaped LSOA is not given to its neighbour. Invalid rings are repaired first.
    """
    geometry = shapely.make_valid(lsoa.geometry.to_numpy())
    shapes = gpd.GeoSeries(geometry, index=lsoa.index, crs=lsoa.crs).to_crs(BNG)
    return gpd.GeoDataFrame(
        {"lsoa11_code": lsoa["lsoa11_code"].to_numpy()},
        geometry=shapes.representative_point().to_numpy(),
        crs=BNG,
    )


def _polygons(polygons: gpd.GeoDataFrame, code_col: str) -> gpd.GeoDataFrame:
    shapes = gpd.GeoSeries(
        shapely.make_valid(polygons.geometry.to_numpy()), crs=polygons.crs
    ).to_crs(BNG)
    return gpd.GeoDataFrame(
        {"code": polygons[code_col].to_numpy()}, geometry=shapes.to_numpy(), crs=BNG
    )


def _nearest(points: gpd.GeoDataFrame, polys: gpd.GeoDataFrame) -> pd.Series:
    near = gpd.sjoin_nearest(points[["geometry"]], polys, how="inner")
    near = near.reset_index().sort_values(["index", "code"]).drop_duplicates("index")
    return near.set_index("index")["code"]


def assign_points(
    points: gpd.GeoDataFrame,
    polygons: gpd.GeoDataFrame,
    code_col: str,
    parent: pd.Series | None = None,
    polygon_parent: pd.Series | None = None,
) -> pd.DataFrame:
    """The polygon each point lies in; the nearest one for points that fall in none.

    Generalised coastlines leave some seaside points outside every polygon, hence the
    nearest-polygon fallback. With ``parent`` (the point's known area in a later vintage)
    and ``polygon_parent`` (each polygon code's later area) a point may only go to a polygon
    of its own parent: the choice is made among the predecessors of an authoritative later
    assignment, so boundary generalisation cannot put it across a later border.

    Returns a frame indexed like ``points`` with columns code and method ('within' or
    'nearest').
    """
    pts = points.reset_index(drop=True)
    polys = _polygons(polygons, code_col)
    hits = gpd.sjoin(pts[["geometry"]], polys, how="inner", predicate="within")
    hits = hits.reset_index()[["index", "code"]]
    par = None
    if parent is not None:
        if polygon_parent is None:
            raise ValueError("polygon_parent is needed with parent")
        par = pd.Series(parent.to_numpy(), index=pts.index)
        ok = hits["code"].map(polygon_parent).to_numpy() == par.loc[hits["index"]].to_numpy()
        hits = hits[ok]
    hits = hits.sort_values(["index", "code"]).drop_duplicates("index").set_index("index")
    code = hits["code"].reindex(pts.index).astype("string")
    method = pd.Series("within", index=pts.index, dtype="string")
    missing = code.index[code.isna()]
    if len(missing):
        method.loc[missing] = "nearest"
        if par is None:
            code.loc[missing] = _nearest(pts.loc[missing], polys)
        else:
            parents = polys["code"].map(polygon_parent)
            for value, idx in par.loc[missing].groupby(par.loc[missing]).groups.items():
                candidates = polys[parents == value]
                if candidates.empty:
                    raise ValueError(f"no polygon belongs to parent area {value}")
                code.loc[idx] = _nearest(pts.loc[idx], candidates)
    if code.isna().any():
        raise ValueError(f"{int(code.isna().sum())} points could not be assigned")
    return pd.DataFrame({"code": code, "method": method}).set_index(points.index)


def lsoa11_ccg(
    points: gpd.GeoDataFrame,
    ccg19: gpd.GeoDataFrame,
    official21: pd.DataFrame,
    register: pd.DataFrame,
    codes_map: pd.DataFrame,
) -> pd.DataFrame:
    """Each English LSOA 2011 -> its CCG of 2019 (ODS), 2020 (E38) and 2021 (E38).

    2021 comes from the official ONS lookup. 2019 is the 2019 boundary that holds the
    LSOA's point on surface, chosen among the predecessors of its official 2021 CCG. 2020
    follows from 2019 through the successor map: the 2020 CCGs are unions of 2019 ones, and
    the only 2020 boundaries at hand are ultra-generalised (about 0.3% of LSOAs fall on the
    wrong side of a border, against 0.05% for the 2019 boundaries).

    Parameters
    ----------
    points : lsoa11_code and point geometry (see :func:`lsoa_points`), English LSOAs.
    ccg19 : ods_code and polygon geometry of the 2019 CCGs.
    official21 : lsoa11_code, ccg21_ons from the ONS LSOA11 -> CCG21 lookup.
    """
    official = official21.set_index("lsoa11_code")["ccg21_ons"]
    lost = set(points["lsoa11_code"]) ^ set(official.index)
    if lost:
        raise ValueError(
            f"{len(lost)} LSOAs are in only one of the boundaries and the CCG21 lookup, "
            f"e.g. {sorted(lost)[:5]}"
        )
    reg21 = _register_codes(register, "ccg-2021").set_index("ons_code")["ods_code"]
    ods21 = points["lsoa11_code"].map(official).map(reg21)
    if ods21.isna().any():
        raise ValueError("the CCG21 lookup has E38 codes that are not April 2021 CCGs")
    ods_map = codes_map[codes_map["code_type"] == "ods"].set_index("code")
    assigned = assign_points(
        points, ccg19, "ods_code", parent=ods21, polygon_parent=ods_map["ccg_2021"]
    )
    ods20 = assigned["code"].map(ods_map["ccg_2020"])
    reg20 = _register_codes(register, "ccg-2020").set_index("ods_code")["ons_code"]
    out = pd.DataFrame(
        {
            "lsoa11_code": points["lsoa11_code"].to_numpy(),
            "ccg2019_ods": assigned["code"].to_numpy(),
            "ccg2020_ons": ods20.map(reg20).to_numpy(),
            "ccg2021_ons": points["lsoa11_code"].map(official).to_numpy(),
        }
    ).astype("string")
    if out.isna().any().any():
        raise ValueError("some LSOAs have no CCG in one of the vintages")
    return out.sort_values("lsoa11_code", ignore_index=True)


def lsoa11_population(sape: pd.DataFrame) -> pd.DataFrame:
    """Population and population aged 18+ per LSOA from a single-year-of-age table.

    ``sape`` has lsoa11_code, total_population and one column per age '0' ... '89' and
    '90+', as in the ONS mid-2020 small-area estimates.
    """
    adults = [*(str(age) for age in range(18, 90)), "90+"]
    missing = [c for c in ["lsoa11_code", "total_population", *adults] if c not in sape.columns]
    if missing:
        raise ValueError(f"population table lacks columns {missing[:5]}")
    values = sape[["total_population", *adults]].apply(pd.to_numeric, errors="raise")
    return pd.DataFrame(
        {
            "lsoa11_code": sape["lsoa11_code"].astype("string"),
            "population": values["total_population"].astype("Float64"),
            "population_18_plus": values[adults].sum(axis=1).astype("Float64"),
        }
    )


def ccg_population(
    lsoa11_ccg: pd.DataFrame, pop_lsoa11: pd.DataFrame, vintage: str
) -> pd.DataFrame:
    """Population and population 18+ of each CCG of ``vintage``, summed over its LSOAs.

    Keyed by ods_code for "ccg-2019" (the 2019 boundaries carry ODS codes only) and by
    ons_code for the others. Every LSOA of ``lsoa11_ccg`` must have a population.
    """
    column, key = {
        "ccg-2019": ("ccg2019_ods", "ods_code"),
        "ccg-2020": ("ccg2020_ons", "ons_code"),
        "ccg-2021": ("ccg2021_ons", "ons_code"),
    }.get(vintage, (None, None))
    if column is None:
        raise ValueError(f"unknown CCG vintage {vintage!r}; use one of {list(VINTAGES)}")
    merged = lsoa11_ccg[["lsoa11_code", column]].merge(pop_lsoa11, on="lsoa11_code", how="left")
    if merged["population"].isna().any():
        raise ValueError(
            f"{int(merged['population'].isna().sum())} LSOAs have no population estimate"
        )
    out = merged.groupby(column, as_index=False)[["population", "population_18_plus"]].sum()
    out = out.rename(columns={column: key}).astype(
        {key: "string", "population": "Float64", "population_18_plus": "Float64"}
    )
    return out.sort_values(key, ignore_index=True)


# ------------------------------------------------------------------------- harmonising


def boundary_moved(
    source_ods: pd.Series,
    as_of: pd.Series,
    target: str,
    successors: pd.DataFrame,
    codes_map: pd.DataFrame,
) -> pd.Series:
    """True where a code's area traded territory between ``as_of`` and the target vintage.

    A boundary change keeps the ODS code, so the code alone cannot tell which area a figure
    covers: Cumbria CCG (01H) before April 2017 included South Cumbria, which then moved to
    01K. Data dated before such a change cannot be put onto a later vintage (nor data dated
    after it onto an earlier one) unless all the codes involved end in one target CCG.

    Parameters
    ----------
    source_ods : the rows' own ODS codes.
    as_of : the date the rows' CCG set applied (e.g. the end of the reporting period, or
        the April whose CCGs an annual publication used).
    """
    column = _target_column(target)
    start = VINTAGES[target]
    to_target = codes_map[codes_map["code_type"] == "ods"].set_index("code")[column]
    flag = pd.Series(False, index=source_ods.index)
    changes = successors[successors["basis"] == BOUNDARY_CHANGE]
    for row in changes.itertuples():
        group = [row.from_ods, *str(row.exchanged_with).split(";")]
        if to_target.reindex(group).nunique(dropna=False) <= 1:
            continue  # the territory moved inside one target CCG
        when = row.transition
        between = ((as_of < when) & (when <= start)) | ((start < when) & (when <= as_of))
        flag |= (source_ods == row.from_ods) & between
    return flag


def _weights(
    frame: pd.DataFrame, weight: str | pd.Series | None, ods: pd.Series, codes_map: pd.DataFrame
) -> pd.Series:
    if weight is None:
        return pd.Series(pd.NA, index=frame.index, dtype="Float64")
    if isinstance(weight, str):
        return pd.to_numeric(frame[weight], errors="coerce").astype("Float64")
    own = codes_map.set_index("code")["ods_code"]
    index = _clean_codes(pd.Series(weight.index))
    by_ods = pd.Series(weight.to_numpy(), index=index.map(own).fillna(index).to_numpy())
    by_ods = by_ods[~by_ods.index.duplicated()]
    return ods.map(by_ods).astype("Float64")


def _as_of(frame: pd.DataFrame, as_of: str | pd.Timestamp) -> pd.Series:
    if isinstance(as_of, str) and as_of in frame.columns:
        dates = pd.to_datetime(frame[as_of])
        if dates.isna().any():
            raise ValueError(f"column {as_of!r} has missing dates")
        return dates
    return pd.Series(pd.Timestamp(as_of), index=frame.index)


def harmonise(
    frame: pd.DataFrame,
    code_col: str,
    target: str,
    count_cols: Sequence[str] = (),
    mean_cols: Sequence[str] = (),
    weight: str | pd.Series | None = None,
    *,
    codes_map: pd.DataFrame,
    successors: pd.DataFrame,
    as_of: str | pd.Timestamp,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Put a frame keyed by CCG codes onto the CCGs of ``target``.

    Rows are grouped by ``by`` and the target CCG. ``count_cols`` are summed;
    ``mean_cols`` (rates, averages) are averaged with ``weight`` - the old CCGs' populations
    as a Series indexed by code (ODS or E38), or the name of a column of ``frame`` - which is
    needed only where several old CCGs merge. Where a rate has its own numerator and
    denominator, harmonise those as counts and divide afterwards instead.

    Missing values are never hidden: a sum or mean with any suppressed/NA part is NA, not a
    partial sum. So is every value of a merged area that lacks one of its parts (a source
    that left out one predecessor), and of an area whose boundary moved between ``as_of``
    and the target (see :func:`boundary_moved`). ``merged_from`` lists the source codes of
    each row. Other columns are dropped.

    Parameters
    ----------
    codes_map, successors : the ``ccg_code_map`` and ``ccg_successors`` tables.
    as_of : the date the frame's CCG set applied, or the name of a column holding it.

    Raises ``ValueError`` for non-geographic codes (reject them first, see
    :data:`NON_GEOGRAPHIC_CODES`), unknown or too-new codes, a code twice in one group,
    overlapping codes (an old CCG next to its successor), or a missing weight.
    """
    count_cols, mean_cols, by = list(count_cols), list(mean_cols), list(by)
    require = [code_col, *by, *count_cols, *mean_cols]
    if isinstance(weight, str):
        require.append(weight)
    absent = [c for c in require if c not in frame.columns]
    if absent:
        raise ValueError(f"columns not in the frame: {absent}")
    target_codes = to_vintage(frame[code_col], target, codes_map)
    if target_codes.isna().any():
        bad = sorted(set(_clean_codes(frame[code_col])[target_codes.isna()]))
        raise ValueError(f"non-geographic codes must be rejected before harmonising: {bad}")
    own = codes_map.set_index("code")["ods_code"]
    source = _clean_codes(frame[code_col]).map(own)
    work = frame[by].copy()
    work["_source"] = source.to_numpy()
    work["_target"] = target_codes.to_numpy()
    for column in [*count_cols, *mean_cols]:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if (numbers.isna() & frame[column].notna()).any():
            raise ValueError(f"column {column!r} has values that are not numbers")
        work[column] = numbers.astype("Float64")
    keys = [*by, "_target"]
    twice = work.duplicated([*by, "_source"])
    if twice.any():
        repeated = sorted(set(work.loc[twice, "_source"]))
        raise ValueError(f"codes repeated within a group: {repeated}")
    size = work.groupby(keys, dropna=False)["_source"].transform("size")
    w = _weights(frame, weight, work["_source"], codes_map)
    if mean_cols:
        bad = (size > 1) & (w.isna() | (w <= 0))
        if bad.any():
            codes = sorted(set(work.loc[bad, "_source"]))
            raise ValueError(f"no positive weight for merged codes {codes}")
    work["_w"] = w.where(size > 1, 1.0)
    work["_moved"] = boundary_moved(
        work["_source"], _as_of(frame, as_of), target, successors, codes_map
    ).to_numpy()

    parts = codes_map[codes_map["code_type"] == "ods"].set_index("code")["parts"]
    exploded = work[keys].assign(_part=work["_source"].map(parts).str.split(",")).explode("_part")
    coverage = exploded.groupby(keys, dropna=False)["_part"].agg(["size", "nunique"])
    if (coverage["size"] > coverage["nunique"]).any():
        raise ValueError("overlapping codes in one group (an old CCG next to its successor)")
    grouped = work.sort_values("_source").groupby(keys, dropna=False)
    out = grouped["_source"].agg(",".join).rename("merged_from").to_frame()
    needed = out.index.get_level_values("_target").map(parts.str.count(",") + 1)
    complete = coverage["nunique"].reindex(out.index).to_numpy() == needed.to_numpy()
    usable = complete & ~grouped["_moved"].any().reindex(out.index).to_numpy()

    group_keys = [work[k] for k in keys]
    for column in [*count_cols, *mean_cols]:
        if column in mean_cols:
            weighted = (work[column] * work["_w"]).groupby(group_keys, dropna=False).sum()
            total = weighted / work["_w"].groupby(group_keys, dropna=False).sum()
        else:
            total = work[column].groupby(group_keys, dropna=False).sum()
        gap = work[column].isna().groupby(group_keys, dropna=False).any()
        out[column] = total.mask(gap)
    values = [*count_cols, *mean_cols]
    if values:
        out.loc[~usable, values] = pd.NA
    out = out.reset_index().rename(columns={"_target": code_col})
    out = out[[*by, code_col, *values, "merged_from"]]
    out = out.astype({code_col: "string", "merged_from": "string"})
    out = out.astype({c: "Float64" for c in values})
    return out.sort_values([*by, code_col], ignore_index=True)


# ------------------------------------------------------------------------------- build


def _columns_or_raise(present: Sequence[str], required: Sequence[str], relative: str) -> None:
    require_columns(pd.DataFrame(columns=list(present)), required, relative)


def _read_geojson(raw: RawDir, relative: str, columns: list[str], **kwargs) -> gpd.GeoDataFrame:
    path = raw.path(relative)
    try:
        fields = list(pyogrio.read_info(path)["fields"])
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise SourceError(
            relative, f"not readable as GeoJSON ({exc})", "download it again"
        ) from exc
    _columns_or_raise(fields, columns, relative)
    return gpd.read_file(path, engine="pyogrio", columns=columns, **kwargs)


def _read_csv(raw: RawDir, relative: str, columns: list[str]) -> pd.DataFrame:
    frame = read_csv_text(raw.path(relative), relative)
    require_columns(frame, columns, relative)
    return frame[columns]


def _read_parquet(raw: RawDir, relative: str, columns: list[str]) -> pd.DataFrame:
    path = raw.path(relative)
    try:
        names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise SourceError(
            relative, f"not readable as Parquet ({exc})", "download it again"
        ) from exc
    _columns_or_raise(names, columns, relative)
    return pd.read_parquet(path, columns=columns).astype("string")


def _read_iod_ccg(raw: RawDir) -> pd.DataFrame:
    code, name = (
        "Clinical Commissioning Group Code (2019)",
        "Clinical Commissioning Group Name (2019)",
    )
    try:
        frame = pd.read_excel(raw.path(IOD19_CCG), sheet_name="IMD", dtype=str)
    except ValueError as exc:
        raise SourceError(
            IOD19_CCG, f"sheet 'IMD' not readable ({exc})", "use the published workbook"
        ) from exc
    require_columns(frame, [code, name], IOD19_CCG)
    frame = frame.dropna(subset=[code])
    return pd.DataFrame({"ons_code": frame[code].str.strip(), "name": frame[name].str.strip()})


def _read_names(raw: RawDir, relative: str, prefix: str) -> pd.DataFrame:
    frame = _read_csv(raw, relative, [f"{prefix}CD", f"{prefix}CDH", f"{prefix}NM"])
    return frame.set_axis(["ons_code", "ods_code", "name"], axis=1)


def _read_practice_map(raw: RawDir, relative: str, practice: str, ccg: str) -> pd.DataFrame:
    reader = _read_parquet if relative.endswith(".parquet") else _read_csv
    frame = reader(raw, relative, [practice, ccg]).set_axis(["practice_code", "ccg_code"], axis=1)
    frame = frame.apply(lambda s: s.str.strip())
    return frame[frame["ccg_code"].fillna("") != ""]


def _derive(files: Sequence[str], step: Callable[..., T], *args) -> T:
    """Run a pure step; a content inconsistency becomes a SourceError naming the files."""
    try:
        return step(*args)
    except ValueError as exc:
        raise SourceError(
            ", ".join(files),
            str(exc),
            "use the published files unchanged; if a newer edition was used on purpose, "
            "update data_pipeline/reference/ccg_successors.csv to match",
        ) from exc


def build_ccg_geography(raw: RawDir) -> dict[str, pd.DataFrame]:
    """Read the raw files and build ccg_register, ccg_successors, ccg_code_map, lsoa11_ccg."""
    ccg19 = _read_geojson(raw, CCG19_BOUNDARIES, ["code", "name"])
    ccg19 = ccg19.rename(columns={"code": "ods_code"})
    register = _derive(
        [CCG19_BOUNDARIES, IOD19_CCG, CCG20_NAMES, CCG21_NAMES],
        ccg_register,
        pd.DataFrame(ccg19[["ods_code", "name"]]),
        _read_iod_ccg(raw),
        _read_names(raw, CCG20_NAMES, "CCG20"),
        _read_names(raw, CCG21_NAMES, "CCG21"),
    )
    codes = {v: set(_register_codes(register, v)["ods_code"]) for v in VINTAGES}

    early2020 = _read_practice_map(raw, PRACTICE_CCG_EARLY_2020, "code", "ccg_id")
    early2020 = early2020[early2020["ccg_code"].isin(codes["ccg-2019"])]
    qof1920 = _read_practice_map(raw, QOF_MAPPING_2019_20, "PRACTICE_CODE", "CCG_ODS_CODE")
    qof2021 = _read_practice_map(raw, QOF_MAPPING_2020_21, "PRACTICE_CODE", "CCG_ODS_CODE")
    derived = []
    for files, old, new, start, basis, before, after in (
        ([PRACTICE_CCG_EARLY_2020, QOF_MAPPING_2019_20], early2020, qof1920,
         VINTAGES["ccg-2020"], BASIS_2020, "ccg-2019", "ccg-2020"),
        ([QOF_MAPPING_2019_20, QOF_MAPPING_2020_21], qof1920, qof2021,
         VINTAGES["ccg-2021"], BASIS_2021, "ccg-2020", "ccg-2021"),
    ):  # fmt: skip
        step = _derive(files, practice_successors, old, new, start, basis)
        _derive(files, check_transition, step, codes[before], codes[after])
        derived.append(step)
    curated = load_reference()
    successors = _derive(
        ["(reference) ccg_successors.csv"], successor_table, curated, derived, register
    )
    mapping = _derive(
        ["(reference) ccg_successors.csv", CCG20_NAMES, CCG21_NAMES], code_map, register, successors
    )

    lsoa = _read_geojson(raw, LSOA11_BOUNDARIES, ["lsoa11_code"], where="lsoa11_code LIKE 'E%'")
    official = _read_csv(raw, LSOA11_CCG21, ["LSOA11CD", "CCG21CD"])
    official = official.set_axis(["lsoa11_code", "ccg21_ons"], axis=1)
    table = _derive(
        [LSOA11_BOUNDARIES, CCG19_BOUNDARIES, LSOA11_CCG21],
        lsoa11_ccg,
        lsoa_points(lsoa),
        ccg19[["ods_code", "geometry"]],
        official,
        register,
        mapping,
    )
    return {
        "ccg_register": register,
        "ccg_successors": successors,
        "ccg_code_map": mapping,
        "lsoa11_ccg": table,
    }


def read(raw: RawDir):
    """The CCG geography as a :class:`~data_pipeline.sources.SourceResult`, with row accounts.

    Files that a source reader also reads (the 2019 CCG boundaries, the IoD2019 CCG workbook,
    the practice map) are accounted for there; the others are accounted for here: every row
    of them is an input to the registers, successors or LSOA weights.
    """
    from data_pipeline.reconcile import Reconciliation
    from data_pipeline.sources import SourceResult

    tables = build_ccg_geography(raw)
    recons = []
    for relative in (CCG20_NAMES, CCG21_NAMES, LSOA11_CCG21):
        rows = len(_read_csv(raw, relative, []))
        recons.append(Reconciliation("ccg_vintages", relative, rows, rows))
    for relative in (QOF_MAPPING_2019_20, QOF_MAPPING_2020_21):
        rows = pq.ParquetFile(raw.path(relative)).metadata.num_rows
        recons.append(Reconciliation("ccg_vintages", relative, rows, rows))
    info = pyogrio.read_info(raw.path(LSOA11_BOUNDARIES))
    english = len(tables["lsoa11_ccg"])
    recon = Reconciliation("ccg_vintages", LSOA11_BOUNDARIES, int(info["features"]), english)
    recon.reject("outside England (Welsh code)", int(info["features"]) - english)
    recons.append(recon)
    for recon in recons:
        recon.check()
    return SourceResult(tables, recons, {})
