"""Fingertips-type readers on a few rows in each publisher's layout (headers as published)."""

from __future__ import annotations

import pytest

from data_pipeline.raw import RawDir
from data_pipeline.sources import fingertips as ft
from tests.pipeline.small.rawkit import rejected, write_records

DEPRESSION = (
    "area_code,area_name,area_type,period,indicator,measure,unit,value,compared_to_England,"
    "inequality"
)
TRAFFORD = "area_code,area_name,period,value,indicator,measure,unit,significance"
HEALTH_INDEX = "ltla21_code,year,indicator,value"
LIFE_EXPECTANCY = (
    '"Practice.Code","Year","IMD_quintile","ICB.NAME","Life_Expectancy_Female",'
    '"Life_Expectancy_Male"'
)
SMOKING = (
    "Indicator ID,Indicator Name,Parent Code,Parent Name,Area Code,Area Name,Area Type,Sex,"
    "Age,Category Type,Category,Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,"
    "Lower CI 99.8 limit,Upper CI 99.8 limit,Count,Denominator,Value note,Recent Trend,"
    "Compared to England value or percentiles,Column not used,Time period Sortable,New data,"
    "Compared to goal,Time period range"
)


def test_la_depression(tmp_path):
    indicator = {"indicator": ft.DEPRESSION_INDICATOR, "measure": "Percentage", "unit": "Persons"}
    england = {"area_code": "E92000001", "area_name": "England", "area_type": "Country"}
    write_records(
        tmp_path,
        ft.DEPRESSION,
        DEPRESSION,
        [
            {
                **england,
                **indicator,
                "period": "2014/15",
                "value": 7.3,
                "compared_to_England": "Not compared",
                "inequality": "NA",
            },
            {**england, **indicator, "period": "2015/16", "value": "NA"},
            {**england, **indicator, "period": "", "value": 8.0},
            {**england, "indicator": "Anxiety", "period": "2016/17", "value": 9.0},
            {**england, **indicator, "area_code": "W92000004", "period": "2016/17", "value": 9.0},
        ],  # fmt: skip
    )
    result = ft.read_la_depression(RawDir(tmp_path))
    frame = result.tables["la_depression_prevalence"]
    assert frame["period"].tolist() == ["2014/15", "2015/16"]
    assert frame["compared"].iloc[0] == "Not compared"
    assert frame["source_suppressed"].tolist() == [False, True]
    assert frame["value"].isna().tolist() == [False, True]
    assert rejected(result) == {
        "no period": 1,
        f"indicator other than '{ft.DEPRESSION_INDICATOR}'": 1,
        "not an English area code": 1,
    }


@pytest.mark.parametrize(
    ("reader", "relative", "indicator", "table"),
    [
        (ft.read_la_self_harm, ft.SELF_HARM, ft.SELF_HARM_INDICATOR, "la_self_harm"),
        (
            ft.read_la_smi_mortality,
            ft.SMI_MORTALITY,
            ft.SMI_MORTALITY_INDICATOR,
            "la_smi_excess_mortality",
        ),
    ],  # fmt: skip
    ids=["self_harm", "smi_mortality"],
)
def test_trafford_series(tmp_path, reader, relative, indicator, table):
    gm = {"area_code": "E47000001", "area_name": "Greater Manchester", "indicator": indicator}
    write_records(
        tmp_path,
        relative,
        TRAFFORD,
        [
            {**gm, "period": "2010/11", "value": 249.2, "significance": "Worse"},
            {**gm, "period": "2011/12", "value": 248.5, "significance": "Worse"},
            {**gm, "period": "2011/12", "value": 248.5, "significance": "Worse"},
            {**gm, "period": "2012/13", "value": "high", "significance": "Worse"},
        ],
    )
    result = reader(RawDir(tmp_path))
    frame = result.tables[table]
    assert frame[["area_code", "period", "value", "significance"]].values.tolist() == [
        ["E47000001", "2010/11", 249.2, "Worse"]
    ]
    assert rejected(result) == {
        "duplicate area_code + period (all copies rejected)": 2,
        "text in numeric column 'value'": 1,
    }


def test_health_index_keeps_the_atlas_indicators(tmp_path):
    write_records(
        tmp_path,
        ft.HEALTH_INDEX,
        HEALTH_INDEX,
        [
            {"ltla21_code": "E06000001", "year": "2015.0", "indicator": "Suicides", "value": 1.5},
            {"ltla21_code": "E06000001", "year": "2016.0", "indicator": "Suicides", "value": 1.7},
            {"ltla21_code": "E06000001", "year": "2015.5", "indicator": "Suicides", "value": 1.7},
            {"ltla21_code": "S12000001", "year": "2015.0", "indicator": "Suicides", "value": 1.7},
            {"ltla21_code": "E06000001", "year": "2015.0", "indicator": "Noise", "value": 62.6},
            {
                "ltla21_code": "E06000002",
                "year": "2015.0",
                "indicator": "Physical activity",
                "value": 62.8371136,
            },
        ],  # fmt: skip
    )
    result = ft.read_health_index(RawDir(tmp_path))
    frame = result.tables["health_index_ltla21"]
    assert frame[["indicator", "ltla21_code", "year"]].values.tolist() == [
        ["Physical activity", "E06000002", 2015],
        ["Suicides", "E06000001", 2015],
        ["Suicides", "E06000001", 2016],
    ]
    assert rejected(result) == {
        "indicator not used by the atlas: Noise": 1,
        "not a year in 'year'": 1,
        "not an English local authority code": 1,
    }


def test_gp_life_expectancy_merges_rows_split_by_sex(tmp_path):
    icb = {"IMD_quintile": 4, "ICB.NAME": "North East and North Cumbria"}
    write_records(
        tmp_path,
        ft.LIFE_EXPECTANCY,
        LIFE_EXPECTANCY,
        [
            {
                "Practice.Code": "A81001",
                "Year": 2010,
                **icb,
                "Life_Expectancy_Female": 81.07,
                "Life_Expectancy_Male": 76.16,
            },
            {"Practice.Code": "A81002", "Year": 2010, **icb, "Life_Expectancy_Female": 80.0},
            {"Practice.Code": "A81002", "Year": 2010, **icb, "Life_Expectancy_Male": 75.0},
            {"Practice.Code": "A81003", "Year": 2010, **icb, "Life_Expectancy_Female": 80.0},
            {"Practice.Code": "A81003", "Year": 2010, **icb, "Life_Expectancy_Female": 81.0},
            {"Practice.Code": "00K", "Year": 2010, **icb, "Life_Expectancy_Female": 80.0},
        ],  # fmt: skip
    )
    result = ft.read_gp_life_expectancy(RawDir(tmp_path))
    frame = result.tables["gp_life_expectancy"]
    assert frame[["practice_code", "sex", "value"]].values.tolist() == [
        ["A81001", "female", 81.07],
        ["A81001", "male", 76.16],
        ["A81002", "female", 80.0],
        ["A81002", "male", 75.0],
    ]
    assert rejected(result) == {
        "two values for one practice, year and sex (all copies rejected)": 2,
        "not a GP practice (CCG or England aggregate row)": 1,
    }


def test_smoking_prefers_the_15_plus_row(tmp_path):
    smoking = {"Indicator ID": 91547, "Indicator Name": ft.SMOKING_INDICATOR, "Sex": "Persons"}
    england = {"Area Code": "E92000001", "Area Name": "England", "Area Type": "England"}
    values = {"Value": 19.17, "Lower CI 95.0 limit": 19.15, "Upper CI 95.0 limit": 19.18,
              "Count": 8935216, "Denominator": 46608551.5}  # fmt: skip
    write_records(
        tmp_path,
        ft.SMOKING,
        SMOKING,
        [
            {**smoking, **england, **values, "Age": "Not applicable", "Time period": "2015/16"},
            {**smoking, **england, **values, "Age": "15+ yrs", "Time period": "2015/16"},
            {
                **smoking,
                **england,
                **values,
                "Age": "15+ yrs",
                "Time period": "2016/17",
                "Category Type": "GP deprivation deciles in England (IMD2015)",
            },
            {
                **smoking,
                **england,
                **values,
                "Age": "15+ yrs",
                "Time period": "2017/18",
                "Count": -3,
            },
            {**smoking, **england, **values, "Indicator Name": "Other", "Time period": "2018/19"},
        ],  # fmt: skip
    )
    result = ft.read_smoking(RawDir(tmp_path))
    frame = result.tables["smoking_prevalence"]
    assert frame[["area_code", "period", "value", "count"]].values.tolist() == [
        ["E92000001", "2015/16", 19.17, 8935216]
    ]
    assert rejected(result) == {
        f"indicator other than '{ft.SMOKING_INDICATOR}'": 1,
        "breakdown not used by the atlas: deprivation-decile category": 1,
        "repeat of the '15+ yrs' row for the same area, area type and period": 1,
        "negative count in column 'count'": 1,
    }
