"""CCG 2019 populations by the best fit of each LSOA, checked against the raw files.

The 2019 CCGs are keyed to generalised boundaries only; each LSOA goes to the predecessor of
its official 2021 CCG that holds the largest part of it. The checks below do not use that
geometry: Sandwell and West Birmingham CCG was Sandwell borough plus the part of Birmingham
that joined the Black Country CCG in 2021, Dudley CCG was Dudley borough, and a CCG that did
not change by 2021 has exactly its official 2021 LSOAs. MHCLG's IoD2019 CCG summaries (made
from ONS's own LSOA best fit) give a second, independent check: each CCG's population-weighted
average IMD rank.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_pipeline import ccg_vintages as cv
from data_pipeline.raw import RawDir

SANDWELL_WB, DUDLEY = "05L", "05C"
IMD_FILE = "deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
POP15_FILE = "population/File_6_-_IoD2019_Population_Denominators.csv.gz"
POP20_FILE = "population/population_mid2020_lsoa11_single_year_age_demographr.csv.gz"
LSOAS_IN_ENGLAND = 32_844


@pytest.fixture(scope="module")
def geo(raw_dir: Path) -> dict[str, pd.DataFrame]:
    return cv.build_ccg_geography(RawDir(raw_dir))


@pytest.fixture(scope="module")
def lsoas(raw_dir: Path) -> pd.DataFrame:
    """Each LSOA 2011 with its district, official 2021 CCG, IMD rank and both populations."""
    imd = pd.read_csv(raw_dir / IMD_FILE, encoding="utf-8-sig", thousands=",")
    imd = imd.iloc[:, [0, 3, 4]].set_axis(["lsoa11_code", "district", "imd_rank"], axis=1)
    pop15 = pd.read_csv(raw_dir / POP15_FILE, encoding="utf-8-sig", thousands=",")
    pop15 = pop15.iloc[:, [0, 4]].set_axis(["lsoa11_code", "pop2015"], axis=1)
    pop20 = pd.read_csv(raw_dir / POP20_FILE, usecols=["lsoa11_code", "total_population"])
    ccg21 = pd.read_csv(raw_dir / cv.LSOA11_CCG21, dtype=str, encoding="utf-8-sig")
    ccg21 = ccg21[["LSOA11CD", "CCG21CD"]].set_axis(["lsoa11_code", "official21"], axis=1)
    out = imd.merge(pop15, on="lsoa11_code").merge(pop20, on="lsoa11_code")
    out = out.merge(ccg21, on="lsoa11_code")
    assert len(out) == LSOAS_IN_ENGLAND
    return out


def _population_2019(geo: dict[str, pd.DataFrame], pop_lsoa11: pd.DataFrame) -> pd.Series:
    return cv.ccg_population(geo["lsoa11_ccg"], pop_lsoa11, "ccg-2019").set_index("ods_code")[
        "population"
    ]


@pytest.fixture(scope="module")
def pop_lsoa11(raw_dir: Path) -> pd.DataFrame:
    return cv.lsoa11_population(pd.read_csv(raw_dir / POP20_FILE))


def test_sandwell_and_west_birmingham_2019_is_sandwell_plus_west_birmingham(geo, lsoas, pop_lsoa11):
    """507,323 people: Sandwell's LSOAs and Birmingham's in the 2021 Black Country CCG."""
    black_country = lsoas.loc[lsoas["district"] == "Sandwell", "official21"].unique()
    assert len(black_country) == 1
    west_birmingham = (lsoas["district"] == "Birmingham") & (
        lsoas["official21"] == black_country[0]
    )
    expected = lsoas.loc[(lsoas["district"] == "Sandwell") | west_birmingham]
    population = _population_2019(geo, pop_lsoa11)
    assert population[SANDWELL_WB] == expected["total_population"].sum() == 507_323
    dudley = lsoas.loc[lsoas["district"] == "Dudley", "total_population"].sum()
    assert population[DUDLEY] == dudley
    # the Dudley neighbourhood a point on its surface put across the border, 1,490 people
    table = geo["lsoa11_ccg"].set_index("lsoa11_code")
    assert table.loc["E01009794", "ccg2019_ods"] == DUDLEY
    assert lsoas.set_index("lsoa11_code").loc["E01009794", "total_population"] == 1_490


def test_unchanged_ccgs_keep_exactly_their_official_2021_population(geo, lsoas, pop_lsoa11):
    """A 2019 CCG that is its 2021 CCG's only predecessor has the 2021 CCG's LSOAs."""
    codes = geo["ccg_code_map"]
    ods = codes.loc[codes["code_type"] == "ods"].set_index("code")["ccg_2021"]
    register = geo["ccg_register"]
    ccg19 = register.loc[register["vintage"] == "ccg-2019", "ods_code"]
    successor = ccg19.map(ods)
    only = successor.map(successor.value_counts()) == 1
    unchanged = ccg19[only.to_numpy()]
    ons21 = register.loc[register["vintage"] == "ccg-2021"].set_index("ods_code")["ons_code"]
    official = lsoas.groupby("official21")["total_population"].sum()
    population = _population_2019(geo, pop_lsoa11)
    assert len(unchanged) == 79
    for code in unchanged:
        assert population[code] == official[ons21[ods[code]]], code


def test_iod2019_average_ranks_are_reproduced(raw_dir, geo, lsoas):
    """IoD2019's CCG average IMD rank (mid-2015 weights) recomputed from the LSOAs placed.

    Sandwell and West Birmingham and Dudley now match to the published two decimals; so do
    175 of the 191 CCGs (166 with the point-on-surface placement this replaced). The rest
    are merged CCGs split by generalised boundaries inside a borough.
    """
    iod = pd.read_excel(raw_dir / cv.IOD19_CCG, sheet_name="IMD").set_index(
        "Clinical Commissioning Group Code (2019)"
    )["IMD - Average rank"]
    placed = geo["lsoa11_ccg"].merge(lsoas, on="lsoa11_code")
    most_deprived_high = LSOAS_IN_ENGLAND + 1 - placed["imd_rank"]
    weighted = (most_deprived_high * placed["pop2015"]).groupby(placed["ccg2019_ods"]).sum()
    mine = weighted / placed.groupby("ccg2019_ods")["pop2015"].sum()
    register = geo["ccg_register"]
    ons19 = register.loc[register["vintage"] == "ccg-2019"].set_index("ods_code")["ons_code"]
    published = mine.index.map(ons19).map(iod)
    gap = (mine - published.to_numpy()).abs()
    assert gap[SANDWELL_WB] < 0.01 and gap[DUDLEY] < 0.01
    assert (gap < 0.1).sum() >= 175
