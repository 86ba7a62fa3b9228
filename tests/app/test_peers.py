"""Statistical neighbours on deprivation and population."""

from __future__ import annotations

import pandas as pd
import pytest

from gapmap.atlas import Atlas
from gapmap.peers import nearest_neighbours, population

SANDWELL = "E08000028"


def tiny_atlas(scores: dict[str, float], lsoas: dict[str, int]) -> Atlas:
    """Districts with IMD scores, and LSOAs inside them standing for population."""
    areas = pd.DataFrame(
        {
            "area_code": list(scores),
            "area_name": [f"District {c}" for c in scores],
            "level": "ltla",
            "vintage": "ltla-2024",
            "parent_ltla": pd.NA,
            "parent_utla": pd.NA,
        }
    )
    small = pd.DataFrame(
        [
            {"area_code": f"{code}-{i}", "area_name": "x", "level": "lsoa", "vintage": "lsoa-2021"}
            | {"parent_ltla": code, "parent_utla": pd.NA}
            for code, n in lsoas.items()
            for i in range(n)
        ]
    )
    values = pd.DataFrame(
        {
            "indicator_id": "imd_score",
            "area_code": list(scores),
            "level": "ltla",
            "vintage": "ltla-2024",
            "period": "IoD2025",
            "value": list(scores.values()),
            "denominator": pd.NA,
        }
    )
    return Atlas(pd.concat([areas, small], ignore_index=True), values, pd.DataFrame(), {})


def test_neighbours_by_standardised_distance_with_code_tie_break():
    atlas = tiny_atlas(
        {"E1": 30.0, "E2": 31.0, "E3": 29.0, "E4": 10.0, "E5": 50.0},
        {"E1": 100, "E2": 100, "E3": 100, "E4": 100, "E5": 100},
    )
    out = nearest_neighbours(atlas, "E1", "ltla", k=3)
    # population is identical, so only deprivation counts; E2 and E3 are equally far
    assert list(out["area_code"]) == ["E2", "E3", "E4"]
    assert out.loc[0, "distance"] == pytest.approx(out.loc[1, "distance"])
    assert list(out["rank"]) == [1, 2, 3]
    assert out.attrs["population_measure"].startswith("number of LSOAs")


def test_population_is_compared_on_a_log_scale():
    atlas = tiny_atlas(
        {"A": 20.0, "B": 20.0, "C": 20.0, "D": 20.0},
        {"A": 100, "B": 50, "C": 200, "D": 400},
    )
    out = nearest_neighbours(atlas, "A", "ltla", k=3)
    # half and double the size are equally far on a log scale: the code breaks the tie
    assert list(out["area_code"]) == ["B", "C", "D"]
    assert out.loc[0, "distance"] == pytest.approx(out.loc[1, "distance"])


def test_area_is_never_its_own_neighbour_and_k_is_capped():
    atlas = tiny_atlas({"A": 1.0, "B": 1.0, "C": 1.0}, {"A": 5, "B": 5, "C": 5})
    out = nearest_neighbours(atlas, "B", "ltla", k=10)
    assert list(out["area_code"]) == ["A", "C"]
    with pytest.raises(ValueError):
        nearest_neighbours(atlas, "Z", "ltla")
    with pytest.raises(ValueError):
        nearest_neighbours(atlas, "A", "ltla", k=0)


@pytest.fixture(scope="module")
def atlas():
    return Atlas.load()


def test_sandwell_neighbours_are_deprived_urban_districts(atlas):
    out = nearest_neighbours(atlas, SANDWELL, "ltla", k=10)
    print("\nSandwell's nearest neighbours (LTLA 2024):")
    print(out[["rank", "area_code", "area_name", "imd_score", "population", "distance"]])
    print(out.attrs["method"])
    assert len(out) == 10
    assert SANDWELL not in set(out["area_code"])
    codes = set(out["area_code"])
    ltlas = set(atlas.areas_at("ltla", "ltla-2024")["area_code"])
    assert codes <= ltlas
    # deprived: every neighbour is in the most deprived fifth of the 296 districts
    imd = atlas.table("imd_score", "ltla", "IoD2025").sort_values("value", ascending=False)
    most_deprived_fifth = set(imd["area_code"].head(len(imd) // 5))
    assert codes <= most_deprived_fifth
    # urban and large: big towns and cities, metropolitan districts and unitaries
    assert sum(c[:3] in {"E06", "E08", "E09"} for c in codes) >= 8
    assert {"E08000031", "E08000030"} & codes  # Wolverhampton, Walsall: next door, alike
    again = nearest_neighbours(atlas, SANDWELL, "ltla", k=10)
    pd.testing.assert_frame_equal(out, again)


def test_neighbours_stay_within_level_and_vintage(atlas):
    ccg = nearest_neighbours(atlas, "E38000144", "ccg", k=5, vintage="ccg-2019")
    assert set(ccg["area_code"]) <= set(atlas.areas_at("ccg", "ccg-2019")["area_code"])
    assert ccg.attrs["population_measure"].startswith("registered patients")
    sub_icb = nearest_neighbours(atlas, "E38000259", "sub_icb", k=5)
    assert sub_icb.attrs["vintage"] == "sub_icb-2023"
    assert len(nearest_neighbours(atlas, "E40000011", "region", k=10)) == 6


def test_every_level_has_a_population(atlas):
    for level, vintage in [
        ("sub_icb", "sub_icb-2023"),
        ("icb", "icb-2023"),
        ("ccg", "ccg-2021"),
        ("utla", "utla-2023"),
    ]:
        series, label = population(atlas, level, vintage)
        n = len(atlas.areas_at(level, vintage))
        assert series.notna().sum() >= 0.9 * n, level
        assert label
