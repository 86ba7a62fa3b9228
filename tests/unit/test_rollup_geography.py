import pandas as pd
import pytest

from data_pipeline import geography
from data_pipeline.indicators.rollup import roll_up

HIERARCHY = pd.DataFrame(
    {
        "sub_icb_code": ["S1", "S2", "S3"],
        "icb_code": ["I1", "I1", "I2"],
        "region_code": ["R1", "R1", "R1"],
    }
)


def test_roll_up_sums_strictly():
    base = pd.DataFrame(
        {
            "area_code": ["S1", "S2", "S3"],
            "numerator": pd.Series([10, None, 30], dtype="Float64"),
            "denominator": pd.Series([100, 200, 300], dtype="Float64"),
            "source_suppressed": [False, True, False],
        }
    )
    out = roll_up(base, HIERARCHY).set_index(["level", "area_code"])
    assert pd.isna(out.loc[("icb", "I1"), "numerator"])
    assert out.loc[("icb", "I1"), "denominator"] == 300
    assert out.loc[("icb", "I2"), "numerator"] == 30
    assert pd.isna(out.loc[("england", "E92000001"), "numerator"])
    assert out.loc[("icb", "I1"), "source_suppressed"]


def test_partial_england_sums_what_is_known_and_says_so():
    base = pd.DataFrame(
        {
            "area_code": ["S1", "S2", "S3"],
            "numerator": pd.Series([10, None, 30], dtype="Float64"),
            "denominator": pd.Series([100, 200, 300], dtype="Float64"),
        }
    )
    out = roll_up(base, HIERARCHY, partial_england=True).set_index(["level", "area_code"])
    assert out.loc[("england", "E92000001"), "numerator"] == 40
    assert "1 area counts" in out.loc[("england", "E92000001"), "note"]
    assert pd.isna(out.loc[("region", "R1"), "numerator"])


def test_split_population_shares_split_lsoas_equally():
    pop11 = pd.DataFrame({"lsoa11_code": ["A", "B", "C"], "population": [100.0, 60.0, 40.0]})
    lookup = pd.DataFrame(
        {
            "lsoa11_code": ["A", "A", "B", "C"],
            "lsoa21_code": ["A1", "A2", "BC", "BC"],
        }
    )
    out = geography.split_population(pop11, lookup).set_index("lsoa21_code")["population"]
    assert out.to_dict() == {"A1": 50.0, "A2": 50.0, "BC": 100.0}


def test_weighted_mean_ignores_missing():
    frame = pd.DataFrame({"g": ["x", "x", "y"], "v": [1.0, 3.0, None], "w": [1.0, 3.0, 5.0]})
    out = geography.weighted_mean(frame, "v", "w", "g").set_index("g")["v"]
    assert out["x"] == pytest.approx(2.5) and "y" not in out.index


def test_majority_parent_is_deterministic_on_ties():
    frame = pd.DataFrame({"c": ["a", "a", "b", "b"], "p": ["Z", "Y", "Y", "Y"]})
    out = geography.majority_parent(frame, "c", "p").set_index("c")["p"]
    assert out.to_dict() == {"a": "Y", "b": "Y"}
