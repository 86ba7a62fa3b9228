"""Population readers on a few rows in each publisher's layout."""

from __future__ import annotations

import pytest

from data_pipeline.sources import population as pop
from tests.pipeline.small.rawkit import raw_with, rejected

AGES = [str(age) for age in range(90)] + ["90+"]


def _single_year_row(code: str, name: str, per_age: str = "10.0") -> list[str]:
    return [code, name, str(10.0 * len(AGES)), *[per_age] * len(AGES)]


@pytest.mark.parametrize(
    ("reader", "relative", "column", "code", "table"),
    [
        (pop.read_ltla21_2020, pop.LTLA21_2020, "ltla21_code", "E06000047", "pop_ltla21_2020"),
        (pop.read_utla20_2020, pop.UTLA20_2020, "utla20_code", "E06000047", "pop_utla20_2020"),
    ],
    ids=["ltla21", "utla20"],
)
def test_single_year_la_files(tmp_path, reader, relative, column, code, table):
    header = [column, column.replace("_code", "_name"), "total_population", *AGES]
    rows = [
        _single_year_row(code, "County Durham"),
        _single_year_row("W06000001", "Isle of Anglesey"),
        _single_year_row("E06000005", "Darlington", per_age="lots"),
    ]
    result = reader(raw_with(tmp_path, relative, header, rows))
    frame = result.tables[table]
    assert frame[column].tolist() == [code]
    assert frame["population"].tolist() == [910.0]
    assert frame["population_18_plus"].tolist() == [10.0 * (90 - 18 + 1)]
    assert rejected(result) == {
        "outside England (Welsh code)": 1,
        "text in numeric column '18'": 1,
    }


def test_lsoa11_2020_name_first_layout(tmp_path):
    header = ["lsoa11_name", "lsoa11_code", "total_population", *AGES]
    rows = [
        ["Hartlepool 009A", "E01011949", "1944.0", *["20.0"] * len(AGES)],
        ["Hartlepool 008A", "E0101195", "1298.0", *["14.0"] * len(AGES)],
        ["Hartlepool 007A", "E01011951", "-5", *["14.0"] * len(AGES)],
    ]
    result = pop.read_lsoa11_2020(raw_with(tmp_path, pop.LSOA11_2020, header, rows))
    frame = result.tables["pop_lsoa11_2020"]
    assert frame["lsoa11_code"].tolist() == ["E01011949"]
    assert frame["population_18_plus"].tolist() == [20.0 * 73]
    assert rejected(result) == {
        "not an English LSOA 2011 code in 'lsoa11_code'": 1,
        "negative count in column 'total_population'": 1,
    }


CCG_HEADER = [
    "CCG Code", "CCG Name", "STP21 Code", "STP21 Name", "NHSER21 Code", "NHSER21 Name",
    "All Ages", "Age 0-17", "Age 18-35", "Age 36-50", "Age 51-65", "Age 66+",
]  # fmt: skip


def test_ccg21_bands_and_duplicates(tmp_path):
    london = ["E54000027", "North West London", "E40000003", "London"]
    rows = [
        ["E38000256", "NHS North West London CCG", *london, 2111469, 477394, 545053, 469388,
         353328, 266306],
        ["E38000240", "NHS North Central London CCG", *london, 10, 2, 2, 2, 2, 2],
        ["E38000240", "NHS North Central London CCG", *london, 10, 2, 2, 2, 2, 2],
        ["E38000241", "NHS Suppressed CCG", *london, 10, 2, "*", 2, 2, 2],
    ]  # fmt: skip
    raw = raw_with(tmp_path, pop.CCG21, CCG_HEADER, rows, bom=True)
    result = pop.read_ccg21(raw)
    frame = result.tables["pop_ccg21"].set_index("ccg21_code")
    assert frame.loc["E38000256", "population_18_plus"] == 545053 + 469388 + 353328 + 266306
    assert frame.loc["E38000241", "source_suppressed"]
    assert frame["population_18_plus"].isna().to_dict() == {"E38000241": True, "E38000256": False}
    assert rejected(result) == {"duplicate CCG Code (all copies rejected)": 2}


GP_HEADER = [
    "PUBLICATION", "EXTRACT_DATE", "TYPE", "SUB_ICB_LOCATION_CODE", "ONS_SUB_ICB_LOCATION_CODE",
    "CODE", "POSTCODE", "SEX", "AGE", "NUMBER_OF_PATIENTS",
]  # fmt: skip


def test_gp_list_2026_keeps_practice_totals(tmp_path):
    lead = ["GP_PRAC_PAT_LIST", "2026-06-01", "GP", "16C", "E38000247"]
    rows = [
        [*lead, "A81001", "TS18 1HU", "ALL", "ALL", 3753],
        [*lead, "A81001", "TS18 1HU", "MALE", "ALL", 1800],
        [*lead, "A81002", "TS18 2AW", "ALL", "ALL", "many"],
        ["GP_PRAC_PAT_LIST", "2026-06-01", "GP", "7A1", "W11000001", "W91001", "LL1", "ALL",
         "ALL", 10],
    ]  # fmt: skip
    result = pop.read_gp_list_2026(raw_with(tmp_path, pop.GP_LIST_2026, GP_HEADER, rows))
    frame = result.tables["gp_list_2026"]
    assert frame[["practice_code", "sub_icb_ons", "patients"]].values.tolist() == [
        ["A81001", "E38000247", 3753]
    ]
    assert rejected(result) == {
        "breakdown not used by the atlas: SEX other than ALL": 1,
        "outside England (Welsh code)": 1,
        "text in numeric column 'NUMBER_OF_PATIENTS'": 1,
    }


F6_HEADER = [
    "LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
    "Local Authority District name (2019)", pop.F6_TOTAL,
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)", pop.F6_16_59, pop.F6_60_PLUS,
    "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding "
    "prisoners)",
]  # fmt: skip


def test_lsoa11_2015_thousands_separators(tmp_path):
    city = ["E09000001", "City of London"]
    rows = [
        ["E01000001", "City of London 001A", *city, "1,296", 175, 656, 465, 715],
        ["E01000002", "City of London 001B", *city, "1,156", 182, "five", 394, 620],
    ]
    raw = raw_with(tmp_path, pop.LSOA11_2015, F6_HEADER, rows, bom=True)
    result = pop.read_lsoa11_2015(raw)
    frame = result.tables["pop_lsoa11_2015"]
    assert frame[["lsoa11_code", "population", "population_60_plus"]].values.tolist() == [
        ["E01000001", 1296, 465]
    ]
    assert rejected(result) == {"text in numeric column '" + pop.F6_16_59 + "'": 1}
