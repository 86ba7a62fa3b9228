"""LSOA assignment: each English LSOA 2011 placed in its CCG of 2019, 2020 and 2021.

CCG populations are sums over LSOAs, so each LSOA needs one CCG in every vintage; the 2019
boundaries are keyed by ODS code and generalised, hence the care taken near borders.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from data_pipeline.ccg_vintages.codes import BNG, register_codes


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


def largest_overlap(
    lsoa: gpd.GeoDataFrame,
    polygons: gpd.GeoDataFrame,
    code_col: str,
    parent: pd.Series,
    polygon_parent: pd.Series,
) -> pd.Series:
    """Each LSOA's best fit by area: the polygon of its own parent holding most of its area.

    ``lsoa`` has lsoa11_code and polygon geometry; ``parent`` (indexed like ``lsoa``) is each
    LSOA's area in a later vintage and ``polygon_parent`` maps each polygon code to its later
    area. Only polygons of the LSOA's own parent count. LSOAs that overlap none of them
    (seaside slivers of generalised coastlines) are NA, for the caller to place otherwise.
    """
    shapes = gpd.GeoSeries(
        shapely.make_valid(lsoa.geometry.to_numpy()), index=lsoa.index, crs=lsoa.crs
    ).to_crs(BNG)
    left = gpd.GeoDataFrame(
        {"row": range(len(lsoa)), "parent": parent.to_numpy()}, geometry=shapes.to_numpy()
    )
    polys = _polygons(polygons, code_col).assign(
        polygon_parent=lambda f: f["code"].map(polygon_parent)
    )
    pieces = gpd.overlay(left.set_crs(BNG), polys, how="intersection", keep_geom_type=True)
    pieces = pieces.loc[pieces["parent"].to_numpy() == pieces["polygon_parent"].to_numpy()]
    pieces = pieces.assign(area=pieces.area).sort_values(
        ["row", "area", "code"], ascending=[True, False, True]
    )
    best = pieces.drop_duplicates("row").set_index("row")["code"]
    return pd.Series(best.reindex(range(len(lsoa))).to_numpy(), index=lsoa.index, dtype="string")


def lsoa11_ccg(
    lsoa: gpd.GeoDataFrame,
    ccg19: gpd.GeoDataFrame,
    official21: pd.DataFrame,
    register: pd.DataFrame,
    codes_map: pd.DataFrame,
) -> pd.DataFrame:
    """Each English LSOA 2011 -> its CCG of 2019 (ODS), 2020 (E38) and 2021 (E38).

    2021 comes from the official ONS lookup. 2019 is the best fit by area: among the
    predecessors of the LSOA's official 2021 CCG, the 2019 boundary holding the largest part
    of the LSOA (:func:`largest_overlap`; the few LSOAs on a generalised coast that overlap
    none go to the nearest). ONS's own best-fit rule uses population-weighted centroids,
    which the raw files do not have; a single point (such as a point on surface) can fall on
    the wrong side of a generalised boundary that clips the LSOA, as one Dudley neighbourhood
    did into Sandwell and West Birmingham, where the largest share of area does not. CCGs
    that did not change by 2021 keep exactly their official 2021 LSOAs either way. 2020
    follows from 2019 through the successor map: the 2020 CCGs are unions of 2019 ones, and
    the only 2020 boundaries at hand are ultra-generalised.

    Parameters
    ----------
    lsoa : lsoa11_code and polygon geometry, English LSOAs.
    ccg19 : ods_code and polygon geometry of the 2019 CCGs.
    official21 : lsoa11_code, ccg21_ons from the ONS LSOA11 -> CCG21 lookup.
    """
    official = official21.set_index("lsoa11_code")["ccg21_ons"]
    lost = set(lsoa["lsoa11_code"]) ^ set(official.index)
    if lost:
        raise ValueError(
            f"{len(lost)} LSOAs are in only one of the boundaries and the CCG21 lookup, "
            f"e.g. {sorted(lost)[:5]}"
        )
    reg21 = register_codes(register, "ccg-2021").set_index("ons_code")["ods_code"]
    ods21 = lsoa["lsoa11_code"].map(official).map(reg21)
    if ods21.isna().any():
        raise ValueError("the CCG21 lookup has E38 codes that are not April 2021 CCGs")
    ods_map = codes_map[codes_map["code_type"] == "ods"].set_index("code")
    constraint = {"parent": ods21, "polygon_parent": ods_map["ccg_2021"]}
    code19 = largest_overlap(lsoa, ccg19, "ods_code", **constraint)
    if code19.isna().any():
        loose = code19.isna()
        points = lsoa_points(lsoa.loc[loose])
        fallback = assign_points(
            points, ccg19, "ods_code", ods21.loc[loose], constraint["polygon_parent"]
        )
        code19.loc[loose] = fallback["code"].to_numpy()
    ods20 = code19.map(ods_map["ccg_2020"])
    reg20 = register_codes(register, "ccg-2020").set_index("ods_code")["ons_code"]
    out = pd.DataFrame(
        {
            "lsoa11_code": lsoa["lsoa11_code"].to_numpy(),
            "ccg2019_ods": code19.to_numpy(),
            "ccg2020_ons": ods20.map(reg20).to_numpy(),
            "ccg2021_ons": lsoa["lsoa11_code"].map(official).to_numpy(),
        }
    ).astype("string")
    if out.isna().any().any():
        raise ValueError("some LSOAs have no CCG in one of the vintages")
    return out.sort_values("lsoa11_code", ignore_index=True)
