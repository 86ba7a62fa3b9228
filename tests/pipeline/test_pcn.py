"""Primary care networks in the committed atlas, checked against the raw files themselves.

The rebuild test (test_build.py) shows the committed atlas is what the raw files make; here
its PCN figures are set against sums worked out directly from the raw QOF file and the PCN
lookup with pandas, without the pipeline's readers.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from data_pipeline import atlas_files, pcn_shapes
from data_pipeline.simplify import METRIC_CRS

pytestmark = pytest.mark.raw

BLACK_COUNTRY = "E54000062"
QOF_2024_25 = "qof_practice/qof_prevalence_by_practice_2024-25.csv.gz"
QOF_2022_23 = "qof_practice/qof_prevalence_by_practice_2022-23.csv.gz"
LOOKUP_2024 = "lookups/gp_practice_pcn_subicb_icb_lookup_with_coords_2024.csv.gz"
MAPPING_2022_23 = (
    "lookups/qof_practice_nhs_geographies/qof_mapping_nhs_geographies_2022_2023.parquet"
)
ATLAS = atlas_files.ATLAS_DIR


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    frame = pd.read_parquet(ATLAS / "values.parquet")
    return frame.loc[frame["level"] == "pcn"]


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return pd.read_parquet(ATLAS / "areas.parquet")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((ATLAS / "manifest.json").read_text(encoding="utf-8"))


def _raw_sums(raw_dir: Path, group: str, list_type: str) -> pd.DataFrame:
    """Register and list size of each Black Country PCN, straight from the raw files."""
    qof = pd.read_csv(raw_dir / QOF_2024_25, dtype={"PRACTICE_CODE": str})
    qof = qof.loc[(qof["GROUP_CODE"] == group) & (qof["PATIENT_LIST_TYPE"] == list_type)]
    lookup = pd.read_csv(raw_dir / LOOKUP_2024, dtype=str)
    lookup = lookup.loc[lookup["ONS_ICB_CODE"] == BLACK_COUNTRY, ["PRAC_CODE", "PCN_CODE"]]
    linked = qof.merge(lookup, left_on="PRACTICE_CODE", right_on="PRAC_CODE")
    sums = linked.groupby("PCN_CODE")[["REGISTER", "PRACTICE_LIST_SIZE"]].sum()
    return sums.loc[sums.index != "U"]


@pytest.mark.parametrize(
    ("indicator", "group", "list_type"),
    [
        ("depression_prevalence", "DEP", "18OV"),
        ("smi_prevalence", "MH", "TOTAL"),
    ],
)
def test_black_country_pcns_add_up_their_practices(raw_dir, values, indicator, group, list_type):
    expected = _raw_sums(raw_dir, group, list_type)
    rows = values.loc[(values["indicator_id"] == indicator) & (values["period"] == "2024-25")]
    rows = rows.set_index("area_code").loc[expected.index]
    assert len(expected) == 27  # the Black Country's PCNs in the early-2024 lookup
    assert rows["numerator"].tolist() == expected["REGISTER"].tolist()
    assert rows["denominator"].tolist() == expected["PRACTICE_LIST_SIZE"].tolist()
    share = expected["REGISTER"] / expected["PRACTICE_LIST_SIZE"] * 100
    assert rows["value"].to_numpy() == pytest.approx(share.to_numpy(), rel=1e-12)
    assert (rows["lower_95"] < rows["value"]).all() and (rows["value"] < rows["upper_95"]).all()
    assert (rows["lower_998"] < rows["lower_95"]).all()
    assert set(rows["comparison"]) <= {"higher", "lower", "similar"}


def test_black_country_pcn_list_sizes(raw_dir, values):
    expected = _raw_sums(raw_dir, "MH", "TOTAL")["PRACTICE_LIST_SIZE"]
    rows = values.loc[(values["indicator_id"] == "list_size") & (values["period"] == "2024-25")]
    shown = rows.set_index("area_code").loc[expected.index, "value"]
    assert shown.tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("period", "qof_file", "vintage"),
    [("2022-23", QOF_2022_23, "2022-23"), ("2024-25", QOF_2024_25, "2024-25")],
)
def test_every_qof_practice_is_in_a_pcn_or_rejected(
    raw_dir, areas, manifest, period, qof_file, vintage
):
    codes = set(pd.read_csv(raw_dir / qof_file, usecols=["PRACTICE_CODE"])["PRACTICE_CODE"])
    practices = areas.loc[areas["vintage"] == f"practice-{vintage}"].set_index("area_code")
    assert set(practices.index) == codes
    in_pcn = set(practices.index[practices["parent_pcn"].notna()])
    rejected = {
        r["practice_code"]: r["reason"] for r in manifest["pcn"][period]["practices_rejected"]
    }
    assert in_pcn | set(rejected) == codes and not in_pcn & set(rejected)
    assert all(reason.strip() for reason in rejected.values())
    pcns = set(areas.loc[areas["vintage"] == f"pcn-{vintage}", "area_code"])
    assert set(practices.loc[list(in_pcn), "parent_pcn"]) == pcns
    assert "U" not in pcns  # "Unallocated" is no PCN


def test_the_two_new_practices_of_2024_25_are_rejected_with_their_reason(manifest):
    rejected = {
        r["practice_code"]: r["reason"] for r in manifest["pcn"]["2024-25"]["practices_rejected"]
    }
    lookup_missing = {code for code, reason in rejected.items() if "not in the" in reason}
    assert len(lookup_missing) == 2
    notes = " ".join(
        note
        for source in manifest["sources"]
        if source["file"] == QOF_2024_25
        for note in source["notes"]
    )
    assert all(code in notes for code in lookup_missing)


def test_pcn_parents_follow_most_patients(areas):
    pcn = areas.loc[areas["vintage"] == "pcn-2024-25"].set_index("area_code")
    sandwell = pcn.loc[pcn["parent_ltla"] == "E08000028"]
    assert len(sandwell) >= 5
    assert set(sandwell["parent_icb"]) == {BLACK_COUNTRY}
    # Published capitalisation ("Swb Newcomen PCN"), never the lookup's capitals.
    assert pcn.loc["U11746", "area_name"] == "Swb Newcomen PCN"
    assert not pcn["area_name"].str.contains(r"\b[A-Z]{4,}\b").any()


@pytest.mark.parametrize("vintage", ["pcn-2022-23", "pcn-2024-25"])
def test_every_pcn_is_drawn_once_without_overlap(areas, manifest, vintage):
    shapes = gpd.read_file(ATLAS / "boundaries" / f"{vintage}.geojson")
    assert sorted(shapes["area_code"]) == sorted(
        areas.loc[areas["vintage"] == vintage, "area_code"]
    )
    assert manifest["boundaries"][vintage]["lsoas"] == 33_755
    assert (ATLAS / "boundaries" / f"{vintage}.geojson").stat().st_size <= pcn_shapes.BUDGET_BYTES
    metric = shapes.to_crs(METRIC_CRS)
    union = shapely.union_all(metric.geometry.values)
    assert metric.area.sum() == pytest.approx(union.area, rel=1e-4)  # no overlaps


def test_every_lsoa_goes_to_exactly_one_pcn_shape(raw):
    """The drawing rule on the Black Country's LSOAs: each in one shape, shapes tile them."""
    from data_pipeline.pcn import membership
    from data_pipeline.sources import boundaries, lookups, qof_practice

    tables = {
        **boundaries.read_boundary(raw, "boundary_lsoa21").tables,
        **lookups.read_lsoa21_geography(raw).tables,
        **lookups.read_gp_practices(raw).tables,
        **qof_practice.prevalence_reader("2024-25")(raw).tables,
    }
    geo = tables["lsoa21_geography"]
    geo = geo.loc[geo["icb_code"] == BLACK_COUNTRY, ["lsoa21_code", "sub_icb_code"]]
    lsoas = tables["boundary_lsoa21"]
    lsoas = lsoas.loc[lsoas["area_code"].isin(set(geo["lsoa21_code"]))]
    gp = tables["gp_practices_2024"]
    members = membership(tables, "2024-25").dropna(subset=["pcn_code"])
    practices = members.merge(gp.drop(columns="pcn_code"), on="practice_code")
    practices = practices.loc[practices["icb_code"] == BLACK_COUNTRY].assign(list_size=1.0)
    names = practices[["pcn_code"]].drop_duplicates().rename(columns={"pcn_code": "area_code"})
    layer, assignment, missing = pcn_shapes.pcn_layer(
        lsoas, geo, practices, names.assign(area_name=names["area_code"])
    )
    assert missing == []
    assert assignment["lsoa21_code"].is_unique and assignment["pcn_code"].notna().all()
    assert sorted(assignment["lsoa21_code"]) == sorted(lsoas["area_code"])
    assert set(layer["area_code"]) == set(practices["pcn_code"])
    metric = layer.to_crs(METRIC_CRS)
    assert metric.area.sum() == pytest.approx(lsoas.to_crs(METRIC_CRS).area.sum(), rel=1e-6)
