"""Approximate shapes for primary care networks, which have no official boundaries.

A PCN is a group of practices, and its patients live wherever they like, so any shape is a
drawing aid, never the area its figures count. Each LSOA 2021 goes to the PCN of the
nearest practice (premises postcode centroid to the LSOA's representative point, in metres
on the British National Grid), looking first among the practices of the LSOA's own 2023
sub-ICB location, so a PCN's shape stays inside the NHS area that commissions it; an LSOA
whose sub-ICB has no placed practice takes the nearest practice anywhere. A PCN that wins
no LSOA this way takes the LSOA its largest practice stands in, so every PCN is drawn. The
LSOAs are then dissolved by PCN and the layer simplified as one coverage within a byte
budget (:func:`data_pipeline.simplify.fit_to_budget`). Every LSOA is in exactly one shape.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from data_pipeline import pcn, simplify
from data_pipeline.geography import PRACTICE_VINTAGES

#: Size budget of each PCN GeoJSON layer (about 1,270 shapes).
BUDGET_BYTES = 1_400_000
#: Tolerances tried for the PCN layer (metres), most faithful first.
LADDER_M = (100, 200, 300, 400, 600, 800, 1200, 1600)
DECIMALS = 4


def _points(frame: pd.DataFrame, x: str = "longitude", y: str = "latitude") -> np.ndarray:
    """British National Grid coordinates (metres) of WGS84 longitude/latitude columns."""
    geo = gpd.GeoSeries(gpd.points_from_xy(frame[x], frame[y]), crs=simplify.OUTPUT_CRS)
    projected = geo.to_crs(simplify.METRIC_CRS)
    return np.column_stack([projected.x.to_numpy(), projected.y.to_numpy()])


def assign_lsoas(lsoas: pd.DataFrame, practices: pd.DataFrame) -> pd.Series:
    """The PCN of each LSOA: that of its nearest practice, its own sub-ICB's first.

    Parameters
    ----------
    lsoas
        ``lsoa21_code``, ``sub_icb_code``, ``x``, ``y`` (metres).
    practices
        ``practice_code``, ``pcn_code``, ``sub_icb_code``, ``x``, ``y`` (metres); only
        practices with coordinates.

    Returns
    -------
    Series
        PCN code per LSOA, indexed like ``lsoas``; ties go to the first practice by code.
    """
    practices = practices.sort_values("practice_code").reset_index(drop=True)
    out = pd.Series(pd.NA, index=lsoas.index, dtype="string")
    for sub_icb, group in lsoas.groupby("sub_icb_code", sort=True):
        own = practices.loc[practices["sub_icb_code"] == sub_icb]
        if own.empty:
            continue
        _, nearest = cKDTree(own[["x", "y"]].to_numpy()).query(group[["x", "y"]].to_numpy())
        out.loc[group.index] = own["pcn_code"].to_numpy()[nearest]
    rest = out.isna()
    if rest.any():
        _, nearest = cKDTree(practices[["x", "y"]].to_numpy()).query(
            lsoas.loc[rest, ["x", "y"]].to_numpy()
        )
        out.loc[rest] = practices["pcn_code"].to_numpy()[nearest]
    return out


def give_every_pcn_a_place(
    assigned: pd.Series, lsoa_codes: pd.Series, anchors: pd.DataFrame
) -> tuple[pd.Series, list[str]]:
    """Give each PCN that won no LSOA the LSOA its largest practice stands in.

    ``anchors`` has ``pcn_code`` and ``lsoa21_code`` (the premises of its largest practice).
    Returns the assignment and the PCNs still without a shape (their anchor LSOA was
    already given to another PCN without one, or they have no located practice).
    """
    out = assigned.copy()
    by_code = pd.Series(out.index, index=lsoa_codes.to_numpy())
    given: set[str] = set()
    missing = []
    for code, lsoa in anchors.sort_values("pcn_code").itertuples(index=False, name=None):
        if code in set(out.dropna()):
            continue
        if pd.isna(lsoa) or lsoa not in by_code.index or lsoa in given:
            missing.append(str(code))
            continue
        out.loc[by_code[lsoa]] = code
        given.add(lsoa)
    return out, missing


def _anchors(practices: pd.DataFrame) -> pd.DataFrame:
    """Each PCN's largest practice's LSOA (ties: practice code)."""
    ranked = practices.sort_values(
        ["pcn_code", "list_size", "practice_code"], ascending=[True, False, True]
    )
    return ranked.drop_duplicates("pcn_code")[["pcn_code", "lsoa21_code"]]


def pcn_layer(
    lsoa_shapes: gpd.GeoDataFrame,
    lsoa_sub_icb: pd.DataFrame,
    practices: pd.DataFrame,
    names: pd.DataFrame,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, list[str]]:
    """Dissolved, unsimplified PCN shapes and the LSOA -> PCN assignment.

    ``lsoa_shapes``: LSOA 2021 polygons (``area_code``); ``lsoa_sub_icb``: ``lsoa21_code``,
    ``sub_icb_code``; ``practices``: ``practice_code``, ``pcn_code``, ``sub_icb_code``,
    ``latitude``, ``longitude``, ``lsoa21_code``, ``list_size``; ``names``: ``area_code``,
    ``area_name`` of the PCNs. Returns the layer (EPSG:4326), the assignment
    (``lsoa21_code``, ``pcn_code``) and the PCNs left without a shape.
    """
    metric = lsoa_shapes.to_crs(simplify.METRIC_CRS)
    points = metric.geometry.representative_point()
    lsoas = pd.DataFrame(
        {"lsoa21_code": metric["area_code"].to_numpy(), "x": points.x, "y": points.y}
    ).merge(lsoa_sub_icb, on="lsoa21_code", how="left")
    located = practices.dropna(subset=["latitude", "longitude", "pcn_code"]).reset_index(drop=True)
    xy = _points(located)
    located = located.assign(x=xy[:, 0], y=xy[:, 1])
    assigned = assign_lsoas(lsoas, located)
    assigned, missing = give_every_pcn_a_place(
        assigned, lsoas["lsoa21_code"], _anchors(practices.dropna(subset=["pcn_code"]))
    )
    assignment = pd.DataFrame({"lsoa21_code": lsoas["lsoa21_code"], "pcn_code": assigned})
    shapes = metric[["area_code", "geometry"]].merge(
        assignment, left_on="area_code", right_on="lsoa21_code"
    )
    dissolved = shapes[["pcn_code", "geometry"]].dissolve(by="pcn_code")
    layer = dissolved.reset_index().rename(columns={"pcn_code": "area_code"})
    layer = layer.merge(names[["area_code", "area_name"]], on="area_code", how="left")
    layer = gpd.GeoDataFrame(layer[["area_code", "area_name", "geometry"]], crs=metric.crs)
    return layer.to_crs(simplify.OUTPUT_CRS), assignment, missing


def fit(layer: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, float]:
    """The PCN layer simplified as one coverage to fit :data:`BUDGET_BYTES`."""
    return simplify.fit_to_budget(layer, max_bytes=BUDGET_BYTES, decimals=DECIMALS, ladder=LADDER_M)


def _practices(tables: dict[str, pd.DataFrame], areas: pd.DataFrame, period: str) -> pd.DataFrame:
    """A year's practices in a PCN with premises, 2023 sub-ICB and list size."""
    rows = areas.loc[areas["vintage"] == PRACTICE_VINTAGES[period]]
    practices = pd.DataFrame(
        {
            "practice_code": rows["area_code"],
            "pcn_code": rows["parent_pcn"],
            "sub_icb_code": rows["parent_sub_icb"],
            "latitude": rows["latitude"].astype("float64"),
            "longitude": rows["longitude"].astype("float64"),
        }
    )
    places = tables["gp_practices_2024"][["practice_code", "lsoa21_code"]]
    qof = tables[pcn.QOF_TABLES[period]]
    sizes = qof.loc[qof["group"] == "MH", ["practice_code", "list_size"]]
    practices = practices.merge(places, on="practice_code", how="left")
    return practices.merge(sizes.drop_duplicates("practice_code"), on="practice_code", how="left")


def write_layers(
    tables: dict[str, pd.DataFrame], areas: pd.DataFrame, out: Path
) -> tuple[dict[str, dict], dict[str, pd.DataFrame]]:
    """Each year's PCN layer as GeoJSON under ``out``; the report and the LSOA assignments."""
    report, assignments = {}, {}
    lsoa_sub_icb = tables["lsoa21_geography"][["lsoa21_code", "sub_icb_code"]]
    for period, vintage in pcn.PCN_VINTAGES.items():
        if pcn.QOF_TABLES[period] not in tables:
            continue
        names = areas.loc[areas["vintage"] == vintage, ["area_code", "area_name"]]
        layer, assignment, missing = pcn_layer(
            tables["boundary_lsoa21"], lsoa_sub_icb, _practices(tables, areas, period), names
        )
        fitted, tolerance = fit(layer)
        size = simplify.write_geojson(fitted, out / f"{vintage}.geojson")
        report[vintage] = {
            "features": len(fitted),
            "bytes": size,
            "tolerance_m": tolerance,
            "lsoas": int(assignment["pcn_code"].notna().sum()),
            "pcns_without_shape": missing,
            "method": "LSOA 2021 to the PCN of the nearest practice, own sub-ICB first",
        }
        assignments[vintage] = assignment
    return report, assignments
