"""Readers of modelled need's inputs on a few rows in the publishers' layouts.

OHID's 93495 extract (modelled prevalence of common mental disorders by county and UA, as a
proportion) and the adults 16+ of the ONS mid-2020 single-year LSOA file.
"""

from __future__ import annotations

from data_pipeline.raw import RawDir
from data_pipeline.sources import fingertips as ft
from data_pipeline.sources import population_ages
from tests.pipeline.small.rawkit import raw_with, rejected, write_records

CMD_HEADER = '"UTLA22NM","AreaCode","Value"'
AGES = [str(age) for age in range(90)] + ["90+"]


def test_cmd_prevalence_keeps_proportions_of_upper_tier_authorities(tmp_path):
    write_records(
        tmp_path,
        ft.CMD_PREVALENCE,
        CMD_HEADER,
        [
            {"UTLA22NM": "Barnet", "AreaCode": "E09000003", "Value": "0.16234158859043"},
            {"UTLA22NM": "Cumbria", "AreaCode": "E10000006", "Value": "0.17"},
            {"UTLA22NM": " North Northamptonshire ", "AreaCode": "E06000061", "Value": "0.18"},
            {"UTLA22NM": "West Northamptonshire", "AreaCode": "E06000062", "Value": "0.18"},
            {"UTLA22NM": "Sandwell", "AreaCode": "E08000028", "Value": "21.5"},
            {"UTLA22NM": "Cardiff", "AreaCode": "W06000015", "Value": "0.2"},
            {"UTLA22NM": "Trafford", "AreaCode": "E08000009", "Value": "0.14"},
            {"UTLA22NM": "Trafford", "AreaCode": "E08000009", "Value": "0.15"},
            {"UTLA22NM": "Hackney", "AreaCode": "E09000012", "Value": "high"},
        ],
    )
    result = ft.read_cmd_prevalence(RawDir(tmp_path))
    table = result.tables["cmd_prevalence_utla"]
    assert table["area_code"].tolist() == ["E06000061", "E06000062", "E09000003", "E10000006"]
    assert table["area_name"].tolist()[0] == "North Northamptonshire"
    assert table["value"].tolist() == [0.18, 0.18, 0.16234158859043, 0.17]
    assert rejected(result) == {
        "not an upper-tier local authority code": 1,
        "duplicate area_code (all copies rejected)": 2,
        "text in numeric column 'value'": 1,
        "value not a proportion between 0 and 1": 1,
    }


def _row(code: str, per_age: str = "10.0") -> list[str]:
    return [f"LSOA {code}", code, str(10.0 * len(AGES)), *[per_age] * len(AGES)]


def test_adults_16_plus_and_bands_per_lsoa(tmp_path):
    header = ["lsoa11_name", "lsoa11_code", "total_population", *AGES]
    rows = [
        _row("E01011949"),
        ["Young 001A", "E01000001", "100", *(["2.0"] * 16 + ["3.0"] * 9 + ["1.0"] * 66)],
        _row("W01000001"),
        _row("E01000002", per_age="-1"),
    ]
    raw = raw_with(tmp_path, population_ages.LSOA11_2020, header, rows)
    result = population_ages.read_lsoa11_2020_adults(raw)
    table = result.tables["pop_lsoa11_2020_adults"].set_index("lsoa11_code")
    assert table.index.tolist() == ["E01000001", "E01011949"]
    assert table.loc["E01011949", "adults_16_plus"] == 10.0 * (90 - 16 + 1)
    assert table.loc["E01011949", "adults_16_24"] == 90.0
    assert table.loc["E01011949", "adults_65_plus"] == 10.0 * 26
    young = table.loc["E01000001"]
    assert young["adults_16_24"] == 27.0 and young["adults_25_64"] == 40.0
    assert young["adults_16_plus"] == 27.0 + 40.0 + 26.0
    assert rejected(result) == {
        "outside England (Welsh code)": 1,
        "negative count in column '16'": 1,
    }
