"""Peer groups: nearest neighbours by deprivation and population, on constructed data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from data_pipeline import peers


def frame(rows: dict[str, tuple[float, float]], level="ltla", vintage="ltla-2024") -> pd.DataFrame:
    """Areas with (IMD score, population)."""
    return pd.DataFrame(
        {
            "area_code": list(rows),
            "level": level,
            "vintage": vintage,
            "imd_score": [r[0] for r in rows.values()],
            "population": [r[1] for r in rows.values()],
        }
    )


def peers_of(table: pd.DataFrame, code: str, level="ltla") -> list[str]:
    part = table.loc[(table["area_code"] == code) & (table["level"] == level)]
    return list(part.sort_values("rank")["peer_code"])


def test_distance_is_euclidean_on_standardised_imd_and_log_population():
    rows = {"A": (10.0, 1000.0), "B": (20.0, 4000.0), "C": (40.0, 2000.0)}
    out = peers.nearest(frame(rows), k=2)
    imd = np.array([10.0, 20.0, 40.0])
    pop = np.log([1000.0, 4000.0, 2000.0])
    z_imd = (imd - imd.mean()) / imd.std()
    z_pop = (pop - pop.mean()) / pop.std()
    expected = math.hypot(z_imd[0] - z_imd[1], z_pop[0] - z_pop[1])
    row = out.loc[(out["area_code"] == "A") & (out["peer_code"] == "B")].iloc[0]
    assert row["distance"] == pytest.approx(expected, abs=1e-9)
    assert list(out.columns) == list(peers.COLUMNS)


def test_ties_are_broken_by_area_code():
    # same population, so only deprivation counts; E2 and E3 are equally far from E1
    rows = {"E3": (29.0, 100.0), "E1": (30.0, 100.0), "E2": (31.0, 100.0), "E4": (10.0, 100.0)}
    out = peers.nearest(frame(rows), k=3)
    assert peers_of(out, "E1") == ["E2", "E3", "E4"]
    first, second = out.loc[out["area_code"] == "E1"].sort_values("rank")["distance"].iloc[:2]
    assert first == second
    assert list(out.loc[out["area_code"] == "E1", "rank"]) == [1, 2, 3]


def test_population_counts_in_proportion():
    # half and double the size are equally far on a log scale; the code breaks the tie
    rows = {"A": (20.0, 100.0), "B": (20.0, 50.0), "C": (20.0, 200.0), "D": (20.0, 400.0)}
    out = peers.nearest(frame(rows), k=3)
    assert peers_of(out, "A") == ["B", "C", "D"]


def test_an_area_is_never_its_own_peer_and_k_is_capped_by_the_level():
    rows = {"A": (1.0, 5.0), "B": (1.0, 5.0), "C": (1.0, 5.0)}  # identical areas: distance 0
    out = peers.nearest(frame(rows), k=10)
    assert (out["area_code"] != out["peer_code"]).all()
    assert peers_of(out, "B") == ["A", "C"]
    assert out.groupby("area_code").size().to_dict() == {"A": 2, "B": 2, "C": 2}
    assert (out["distance"] == 0).all()


def test_k_neighbours_per_area_within_its_own_level_and_vintage():
    rng = np.random.default_rng(7)
    districts = {
        f"D{i:02d}": (float(rng.uniform(5, 50)), float(rng.uniform(1e4, 1e6))) for i in range(15)
    }
    counties = {
        f"D{i:02d}": (float(rng.uniform(5, 50)), float(rng.uniform(1e4, 1e6))) for i in range(12)
    }
    ccg19 = {f"C{i}": (float(i), 1000.0 + i) for i in range(8)}
    ccg20 = {f"C{i}": (float(i), 1000.0 + i) for i in range(4, 12)}
    table = pd.concat(
        [
            frame(districts, "ltla", "ltla-2024"),
            frame(counties, "utla", "utla-2023"),
            frame(ccg19, "ccg", "ccg-2019"),
            frame(ccg20, "ccg", "ccg-2020"),
        ],
        ignore_index=True,
    )
    out = peers.nearest(table, k=5)
    assert (out.groupby(["level", "vintage", "area_code"]).size() == 5).all()
    assert len(out) == 5 * (15 + 12 + 8 + 8)
    for (level, vintage), part in out.groupby(["level", "vintage"]):
        members = set(
            table.loc[(table["level"] == level) & (table["vintage"] == vintage), "area_code"]
        )
        assert set(part["peer_code"]) <= members
    # codes shared by two vintages are compared only with their own vintage's areas
    c4_2019 = out.loc[(out["area_code"] == "C4") & (out["vintage"] == "ccg-2019"), "peer_code"]
    c4_2020 = out.loc[(out["area_code"] == "C4") & (out["vintage"] == "ccg-2020"), "peer_code"]
    assert set(c4_2019) <= {f"C{i}" for i in range(8)}
    assert set(c4_2020) <= {f"C{i}" for i in range(4, 12)}
    assert list(c4_2019) != list(c4_2020)
    # the same input gives the same table, row for row
    pd.testing.assert_frame_equal(out, peers.nearest(table.sample(frac=1, random_state=1), k=5))


def test_areas_missing_deprivation_or_population_are_left_out():
    rows = {
        "A": (10.0, 1000.0),
        "B": (12.0, 1100.0),
        "C": (30.0, 5000.0),
        "D": (20.0, 2000.0),
        "NOIMD": (float("nan"), 1000.0),
        "NOPOP": (11.0, float("nan")),
        "ZERO": (11.0, 0.0),
    }
    out = peers.nearest(frame(rows), k=10)
    missing = {"NOIMD", "NOPOP", "ZERO"}
    assert not missing & set(out["area_code"])
    assert not missing & set(out["peer_code"])
    # and they do not move the standardisation of the others
    complete = peers.nearest(frame({c: rows[c] for c in "ABCD"}), k=10)
    pd.testing.assert_frame_equal(out, complete)


def test_no_peers_for_a_level_with_one_area_and_k_must_be_positive():
    out = peers.nearest(frame({"R1": (10.0, 100.0)}, "region", "nhser-2024"))
    assert out.empty and list(out.columns) == list(peers.COLUMNS)
    with pytest.raises(ValueError, match="k must be"):
        peers.nearest(frame({"A": (1.0, 1.0), "B": (2.0, 2.0)}), k=0)


def test_area_populations_sum_lsoas_and_refuse_a_partial_total():
    levels = pd.DataFrame(
        {
            "lsoa21_code": ["L1", "L2", "L3", "L4"],
            "ltla": ["D1", "D1", "D2", "D2"],
            "utla": ["U1", "U1", "U1", pd.NA],
        }
    )
    population = pd.DataFrame({"lsoa21_code": ["L1", "L2", "L3"], "population": [1.0, 2.0, 4.0]})
    out = peers.area_populations(population, levels).set_index(["level", "area_code"])
    assert out.loc[("ltla", "D1"), "population"] == 3.0
    assert ("ltla", "D2") not in out.index  # L4 has no population: no total rather than 4
    assert out.loc[("utla", "U1"), "population"] == 7.0
    assert out.loc[("ltla", "D1"), "vintage"] == "ltla-2024"
    assert out.loc[("utla", "U1"), "vintage"] == "utla-2023"


def test_ccg_populations_are_keyed_by_e38_code_in_every_vintage():
    lsoa11_ccg = pd.DataFrame(
        {
            "lsoa11_code": ["A", "B", "C"],
            "ccg2019_ods": ["05L", "05L", "06A"],
            "ccg2020_ons": ["E38000144", "E38000144", "E38000220"],
            "ccg2021_ons": ["E38000250", "E38000250", "E38000250"],
        }
    )
    pop = pd.DataFrame(
        {
            "lsoa11_code": ["A", "B", "C"],
            "population": [10.0, 20.0, 40.0],
            "population_18_plus": [8.0, 16.0, 30.0],
        }
    )
    register = pd.DataFrame(
        {
            "vintage": ["ccg-2019", "ccg-2019", "ccg-2020", "ccg-2020", "ccg-2021"],
            "ods_code": ["05L", "06A", "05L", "06A", "15E"],
            "ons_code": ["E38000144", "E38000220", "E38000144", "E38000220", "E38000250"],
        }
    )
    out = peers.ccg_populations(lsoa11_ccg, pop, register).set_index(["vintage", "area_code"])
    assert out.loc[("ccg-2019", "E38000144"), "population"] == 30.0
    assert out.loc[("ccg-2020", "E38000220"), "population"] == 40.0
    assert out.loc[("ccg-2021", "E38000250"), "population"] == 70.0
    assert set(out["level"]) == {"ccg"}


def test_deprivation_takes_each_vintages_latest_period_and_only_peer_levels():
    values = pd.DataFrame(
        {
            "indicator_id": ["imd_score"] * 5 + ["depression_prevalence"],
            "area_code": ["C1", "C1", "L1", "E92000001", "P1", "C1"],
            "level": ["ccg", "ccg", "ltla", "england", "practice", "ccg"],
            "vintage": ["ccg-2019", "ccg-2019", "ltla-2024", "england", "practice", "ccg-2019"],
            "period": ["2017-18", "2018-19", "IoD2025", "IoD2025", "IMD 2019", "2018-19"],
            "value": pd.array([20.0, 21.0, 30.0, 22.0, 15.0, 9.9], dtype="Float64"),
        }
    )
    out = peers.deprivation(values).set_index("area_code")
    assert out.loc["C1", "imd_score"] == 21.0 and out.loc["C1", "imd_period"] == "2018-19"
    assert out.loc["L1", "imd_score"] == 30.0
    assert set(out.index) == {"C1", "L1"}


def test_inputs_keep_every_area_and_describe_says_who_has_no_peers():
    areas = pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "X", "E92000001"],
            "level": ["ltla"] * 4 + ["england"],
            "vintage": ["ltla-2024"] * 4 + ["england"],
        }
    )
    scores = pd.DataFrame(
        {
            "area_code": ["A", "B", "C"],
            "level": "ltla",
            "vintage": "ltla-2024",
            "imd_score": [10.0, 20.0, 30.0],
            "imd_period": "IoD2025",
        }
    )
    pops = pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "X"],
            "level": "ltla",
            "vintage": "ltla-2024",
            "population": [1.0, 2.0, 3.0, 4.0],
        }
    )
    table = peers.inputs(areas, scores, pops)
    assert list(table["area_code"]) == ["A", "B", "C", "X"]  # England is not a peer level
    assert pd.isna(table.loc[table["area_code"] == "X", "imd_score"]).all()
    out = peers.nearest(table, k=10)
    record = peers.describe(table, out, scores, k=10)
    (group,) = record["groups"]
    assert group["areas"] == 4 and group["areas_with_peers"] == 3
    assert group["areas_without_peers"] == ["X"]
    assert "IoD2025" in group["deprivation"] and record["k"] == 10
