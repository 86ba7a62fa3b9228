"""PCN membership, names and the LSOA drawing rule on tiny frames written here."""

from __future__ import annotations

import pandas as pd

from data_pipeline import pcn, pcn_shapes


def _tables() -> dict[str, pd.DataFrame]:
    qof = pd.DataFrame(
        {
            "practice_code": ["A1", "A1", "A2", "A2", "A3", "A3", "A4", "A4"],
            "group": ["DEP", "MH"] * 4,
            "register": [10, 1, 20, 2, 30, 3, 40, 4],
            "list_size": [80, 100, 160, 200, 240, 300, 320, 400],
        }
    )
    lookup = pd.DataFrame(
        {
            "practice_code": ["A1", "A2", "A3"],
            "pcn_code": ["U11111", "U11111", "U"],
            "pcn_name": ["NORTH AND WEST PCN", "NORTH AND WEST PCN", "UNALLOCATED"],
        }
    )
    mapping = pd.DataFrame({"pcn_code": ["U11111"], "pcn_name": ["North and West PCN"]})
    return {
        "qof_practice_2024_25": qof,
        "gp_practices_2024": lookup,
        "qof_practice_geography": mapping,
    }


def test_practices_outside_a_pcn_are_listed_with_their_reason():
    members = pcn.membership(_tables(), "2024-25").set_index("practice_code")
    assert members.loc["A1", "pcn_code"] == "U11111"
    assert pd.isna(members.loc["A3", "pcn_code"])  # "Unallocated" is not a PCN
    assert "unallocated" in members.loc["A3", "reason"]
    assert "not in the early-2024 practice lookup" in members.loc["A4", "reason"]
    assert list(pcn.unplaced(_tables(), "2024-25")["practice_code"]) == ["A3", "A4"]


def test_names_keep_their_published_capitalisation():
    names = pcn.pcn_names(_tables(), "2024-25")
    assert names["pcn_name"].tolist() == ["North and West PCN"]
    assert pcn.tidy_pcn_name("GREEN VALE HEALTH PCN") == "Green Vale Health PCN"


def test_an_lsoa_goes_to_the_nearest_practice_of_its_own_sub_icb():
    lsoas = pd.DataFrame(
        {
            "lsoa21_code": ["L1", "L2", "L3"],
            "sub_icb_code": ["S1", "S2", "S3"],
            "x": [0, 0, 50],
            "y": [0, 0, 0],
        }
    )
    practices = pd.DataFrame(
        {
            "practice_code": ["P1", "P2"],
            "pcn_code": ["N1", "N2"],
            "sub_icb_code": ["S1", "S2"],
            "x": [1.0, 100.0],
            "y": [0.0, 0.0],
        }
    )
    assigned = pcn_shapes.assign_lsoas(lsoas, practices)
    # L2 is beside P1 but in S2: it goes to S2's practice; S3 has none, so nearest anywhere.
    assert assigned.tolist() == ["N1", "N2", "N1"]


def test_a_pcn_that_wins_no_lsoa_takes_its_largest_practice_s():
    assigned = pd.Series(["N1", "N1"], dtype="string")
    anchors = pd.DataFrame({"pcn_code": ["N1", "N2"], "lsoa21_code": ["L1", "L2"]})
    out, missing = pcn_shapes.give_every_pcn_a_place(assigned, pd.Series(["L1", "L2"]), anchors)
    assert out.tolist() == ["N1", "N2"] and missing == []
