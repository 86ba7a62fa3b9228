"""Deprivation readers on a few rows in each publisher's layout (headers as published)."""

from __future__ import annotations

from data_pipeline.raw import RawDir
from data_pipeline.sources import deprivation as dep
from tests.pipeline.small.rawkit import rejected, write_records, write_workbook

# The IoD2025 summary CSVs (Files 10 and 13) share every column after the IMD ones.
SUMMARY_DOMAINS = (
    "income_average_rank,income_rank_of_average_rank,income_average_score,"
    "income_rank_of_average_score,"
    "income_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "income_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,income_scale,"
    "rank_of_income_scale,employment_average_rank,employment_rank_of_average_rank,"
    "employment_average_score,employment_rank_of_average_score,"
    "employment_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "employment_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "employment_scale,rank_of_employment_scale,education_skills_and_training_average_rank,"
    "education_skills_and_training_rank_of_average_rank,"
    "education_skills_and_training_average_score,"
    "education_skills_and_training_rank_of_average_score,"
    "education_skills_and_training_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "education_skills_and_training_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "health_deprivation_and_disability_average_rank,"
    "health_deprivation_and_disability_rank_of_average_rank,"
    "health_deprivation_and_disability_average_score,"
    "health_deprivation_and_disability_rank_of_average_score,"
    "health_deprivation_and_disability_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "health_deprivation_and_disability_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "crime_average_rank,crime_rank_of_average_rank,crime_average_score,"
    "crime_rank_of_average_score,"
    "crime_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "crime_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "barriers_to_housing_and_services_average_rank,"
    "barriers_to_housing_and_services_rank_of_average_rank,"
    "barriers_to_housing_and_services_average_score,"
    "barriers_to_housing_and_services_rank_of_average_score,"
    "barriers_to_housing_and_services_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "barriers_to_housing_and_services_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "living_environment_average_rank,living_environment_rank_of_average_rank,"
    "living_environment_average_score,living_environment_rank_of_average_score,"
    "living_environment_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "living_environment_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally"
)
SUMMARY_LTLA24 = (
    "ltla24_code,ltla24_name,imd_average_rank,imd_rank_of_average_rank,imd_average_score,"
    "imd_rank_of_average_score,"
    "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "imd_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,imd25_extent,"
    "imd25_rank_of_extent,imd25_local_concentration,imd25_rank_of_local_concentration,"
    + SUMMARY_DOMAINS
)
SUMMARY_ICB24 = (
    "icb24_code,icb24_name,imd_average_rank,imd_rank_of_average_rank,imd_average_score,"
    "imd_rank_of_average_score,"
    "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally,"
    "imd_rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally,imd_2025_extent,"
    "imd_2025_rank_of_extent,imd_2025_local_concentration,"
    "imd_2025_rank_of_local_concentration," + SUMMARY_DOMAINS
)
IOD2025_LSOA = (
    "lsoa21_code,IMD_decile,Income_decile,Employment_decile,Education_decile,Health_decile,"
    "Crime_decile,Housing_and_Services_decile,Environment_decile,IMD_rank,Income_rank,"
    "Employment_rank,Education_rank,Health_rank,Crime_rank,Housing_and_Services_rank,"
    "Environment_rank,IMD_score,Income_score,Employment_score,Education_score,Health_score,"
    "Crime_score,Housing_and_Services_score,Environment_score"
)
IOD2025_INDICATORS = (
    "lsoa21_code,income_domain_numerator,"
    "income_deprivation_affecting_children_index_idaci_numerator,"
    "income_deprivation_affecting_older_people_index_idaopi_numerator,"
    "employment_domain_numerator,adult_skills_and_english_language_proficiency_indicator,"
    "entry_to_higher_education_indicator,acute_morbidity_indicator,"
    "comparative_illness_and_disability_ratio_indicator,mental_health_indicator,"
    "years_of_potential_life_lost_indicator,"
    "violence_with_injury_rate_per_1_000_at_risk_population,"
    "violence_without_injury_rate_per_1_000_at_risk_population,"
    "stalking_and_harassment_rate_per_1_000_at_risk_population,"
    "burglary_rate_per_1_000_at_risk_properties,theft_rate_per_1_000_at_risk_population,"
    "criminal_damage_rate_per_1_000_at_risk_population,"
    "public_order_and_possession_of_weapons_rate_per_1_000_at_risk_population,"
    "anti_social_behaviour_rate_per_1_000_at_risk_population,connectivity_score,"
    "owner_occupation_affordability_component_of_housing_affordability_indicator,"
    "private_rental_affordability_component_of_housing_affordability_indicator,"
    "housing_affordability_indicator,"
    "digital_connectivity_broadband_download_and_upload_speeds,"
    "core_homelessness_rate_percent_of_households,patient_to_gp_ratio,"
    "homelessness_indicator_rate_per_1_000_households,household_overcrowding_indicator_rooms,"
    "household_overcrowding_indicator_bedrooms"
)
FILE2 = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
    "Local Authority District name (2019),"
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),"
    "Income Rank (where 1 is most deprived),"
    "Income Decile (where 1 is most deprived 10% of LSOAs),"
    "Employment Rank (where 1 is most deprived),"
    'Employment Decile (where 1 is most deprived 10% of LSOAs),"Education,'
    ' Skills and Training Rank (where 1 is most deprived)","Education,'
    ' Skills and Training Decile (where 1 is most deprived 10% of LSOAs)",'
    "Health Deprivation and Disability Rank (where 1 is most deprived),"
    "Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs),"
    "Crime Rank (where 1 is most deprived),"
    "Crime Decile (where 1 is most deprived 10% of LSOAs),"
    "Barriers to Housing and Services Rank (where 1 is most deprived),"
    "Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs),"
    "Living Environment Rank (where 1 is most deprived),"
    "Living Environment Decile (where 1 is most deprived 10% of LSOAs)"
)
IOD2019_INDICATORS = (
    "lsoa11_code,income_domain_numerator,"
    "income_deprivation_affecting_children_index_idaci_numerator,"
    "income_deprivation_affecting_older_people_index_idaopi_numerator,"
    "employment_domain_numerator,staying_on_in_education_post_16_indicator,"
    "entry_to_higher_education_indicator,"
    "adult_skills_and_english_language_proficiency_indicator,"
    "years_of_potential_life_lost_indicator,"
    "comparative_illness_and_disability_ratio_indicator,acute_morbidity_indicator,"
    "mood_and_anxiety_disorders_indicator,road_distance_to_a_post_office_indicator_km,"
    "road_distance_to_a_primary_school_indicator_km,"
    "road_distance_to_general_store_or_supermarket_indicator_km,"
    "road_distance_to_a_gp_surgery_indicator_km,household_overcrowding_indicator,"
    "homelessness_indicator_rate_per_1000_households,"
    "owner_occupation_affordability_component_of_housing_affordability_indicator,"
    "private_rental_affordability_component_of_housing_affordability_indicator,"
    "housing_affordability_indicator,housing_in_poor_condition_indicator,"
    "houses_without_central_heating_indicator,road_traffic_accidents_indicator,"
    "nitrogen_dioxide_component_of_air_quality_indicator,"
    "benzene_component_of_air_quality_indicator,"
    "sulphur_dioxide_component_of_air_quality_indicator,"
    "particulates_component_of_air_quality_indicator,air_quality_indicator"
)
LAD19 = (
    "lad_code,Score,Proportion,Extent,Income_Score,Income_Proportion,Employment_Score,"
    "Employment_Proportion,Education_Score,Education_Proportion,Health_Score,"
    "Health_Proportion,Crime_Score,Crime_Proportion,Housing_and_Access_Score,"
    "Housing_and_Access_Proportion,Environment_Score,Environment_Proportion"
)
PRACTICE_IMD = "IndicatorID,Year,AreaCode,AreaName,IsAreaCurrent,Value"


def test_iod2025_lsoa21_scores_join_the_mental_health_indicator(tmp_path):
    scores = {"IMD_score": 8.742, "Health_score": -1.771, "Income_score": 0.013, "IMD_rank": 26525}
    write_records(
        tmp_path,
        dep.IOD2025_LSOA,
        IOD2025_LSOA,
        [
            {"lsoa21_code": "E01000001", **scores, "IMD_decile": 8.0, "Health_decile": 10.0},
            {"lsoa21_code": "E01000002", **scores, "IMD_decile": 11.0, "Health_decile": 10.0},
            {"lsoa21_code": "W01000001", **scores, "IMD_decile": 1.0, "Health_decile": 1.0},
            {"lsoa21_code": "E01000003", **scores, "IMD_rank": 12.5, "IMD_decile": 1.0},
        ],
    )
    write_records(
        tmp_path,
        dep.IOD2025_LSOA_INDICATORS,
        IOD2025_INDICATORS,
        [
            {"lsoa21_code": "E01000001", "mental_health_indicator": -1.699},
            {"lsoa21_code": "E01000002", "mental_health_indicator": -1.481},
        ],
    )
    result = dep.read_iod2025_lsoa21(RawDir(tmp_path))
    frame = result.tables["iod2025_lsoa21"]
    assert frame[["lsoa21_code", "imd_decile", "mental_health_indicator"]].values.tolist() == [
        ["E01000001", 8, -1.699]
    ]
    assert rejected(result) == {
        "not an English LSOA 2021 code": 1,
        "not a whole number in column 'IMD_rank'": 1,
        "decile outside 1-10 in column 'IMD_decile'": 1,
        "lsoa21_code not in the main table (absent or rejected there), so it cannot be joined": 1,
    }


def test_iod2019_lsoa11_ranks_deciles_and_mood_indicator(tmp_path):
    city = {dep.F2_LAD: "E09000001", "Local Authority District name (2019)": "City of London"}
    ranks = {dep.F2_IMD_RANK: 29199, dep.F2_HEALTH_RANK: 32662, dep.F2_HEALTH_DECILE: 10}
    write_records(
        tmp_path,
        dep.IOD2019_DOMAINS,
        FILE2,
        [
            {dep.F2_LSOA: "E01000001", **city, **ranks, dep.F2_IMD_DECILE: 9},
            {dep.F2_LSOA: "E01000002", **city, **ranks, dep.F2_IMD_DECILE: 9},
            {dep.F2_LSOA: "E01000002", **city, **ranks, dep.F2_IMD_DECILE: 9},
            {dep.F2_LSOA: "E01000003", **city, **ranks, dep.F2_IMD_DECILE: "ten"},
        ],
        bom=True,
    )
    write_records(
        tmp_path,
        dep.IOD2019_LSOA_INDICATORS,
        IOD2019_INDICATORS,
        [{"lsoa11_code": "E01000001", "mood_and_anxiety_disorders_indicator": -0.904}],
    )
    result = dep.read_iod2019_lsoa11(RawDir(tmp_path))
    frame = result.tables["iod2019_lsoa11"]
    assert frame[["lsoa11_code", "imd_rank", "mood_anxiety_indicator"]].values.tolist() == [
        ["E01000001", 29199, -0.904]
    ]
    assert rejected(result) == {
        "duplicate lsoa11_code (all copies rejected)": 2,
        "text in numeric column 'imd_decile'": 1,
    }


def test_iod2025_summaries_ltla24_and_icb24(tmp_path):
    write_records(
        tmp_path,
        dep.IOD2025_LTLA,
        SUMMARY_LTLA24,
        [
            {"ltla24_code": "E06000001", "ltla24_name": "Hartlepool", "imd_average_score": 37.58},
            {"ltla24_code": "S12000005", "ltla24_name": "Clackmannanshire"},
        ],
    )
    write_records(
        tmp_path,
        dep.IOD2025_ICB,
        SUMMARY_ICB24,
        [
            {"icb24_code": "E54000008", "icb24_name": "NHS Cheshire", "imd_average_score": 25.5},
            {"icb24_code": "E54000010", "icb24_name": "NHS Staffs", "imd_average_score": "n/k"},
        ],
    )
    ltla = dep.read_iod2025_ltla24(RawDir(tmp_path))
    icb = dep.read_iod2025_icb24(RawDir(tmp_path))
    assert ltla.tables["iod2025_ltla24"]["imd_average_score"].tolist() == [37.58]
    assert rejected(ltla) == {"not an English local authority code": 1}
    assert icb.tables["iod2025_icb24"]["icb24_code"].tolist() == ["E54000008"]
    assert rejected(icb) == {"text in numeric column 'imd_average_score'": 1}


def test_iod2019_lad19_scores(tmp_path):
    write_records(
        tmp_path,
        dep.IOD2019_LAD,
        LAD19,
        [
            {"lad_code": "E06000001", "Score": 35.037, "Health_Score": 0.869},
            {"lad_code": "E06000002", "Score": 40.46, "Health_Score": "*"},
            {"lad_code": "E6000003", "Score": 1, "Health_Score": 1},
        ],
    )
    result = dep.read_iod2019_lad19(RawDir(tmp_path))
    frame = result.tables["iod2019_lad19"].set_index("lad19_code")
    assert frame["imd_average_score"].to_dict() == {"E06000001": 35.037, "E06000002": 40.46}
    assert frame["source_suppressed"].to_dict() == {"E06000001": False, "E06000002": True}
    assert rejected(result) == {"not an English local authority code": 1}


def _summary_sheets(code_header: str, name_header: str, measure: str) -> dict[str, list]:
    imd_header = [code_header, name_header]
    imd_header += [f"IMD - {m}" for m in ("Average rank", "Rank of average rank")]
    imd_header += [f"IMD - {m}" for m in ("Average score", "Rank of average score")]
    imd_header += [
        "IMD - Proportion of LSOAs in most deprived 10% nationally",
        "IMD - Rank of proportion of LSOAs in most deprived 10% nationally",
    ]
    health = "Health Deprivation and Disability - "
    health_measures = ["Average rank", "Rank of average rank", "Average score"]
    health_header = [code_header, name_header, *[f"{health}{m}" for m in health_measures]]
    health_header.append(f"{health}Rank of average score")
    return {
        "Notes": [("Notes on the summaries",)],
        "IMD": [
            [f"{h} " if measure == "padded" else h for h in imd_header],
            ["E06000001", "Hartlepool", 23075.98, 23, 37.58, 5, 0.4211, 3],
            ["E06000002", "Middlesbrough", 23840.54, 17, "n/a?", 2, 0.5, 1],
        ],
        "Health": [
            health_header,
            ["E06000001", "Hartlepool", 27986.98, 5, 1.199, 4],
            ["E06000009", "Elsewhere", 1, 1, 0.5, 1],
        ],
    }


def test_iod2025_utla_workbook_joins_imd_and_health_sheets(tmp_path):
    code = "Upper Tier Local Authority District code (2024)"
    name = "Upper Tier Local Authority District name (2024)"
    write_workbook(tmp_path, dep.IOD2025_UTLA, _summary_sheets(code, name, "padded"))
    result = dep.read_iod2025_utla(RawDir(tmp_path))
    frame = result.tables["iod2025_utla"]
    assert frame[["utla_code", "imd_average_score", "health_average_score"]].values.tolist() == [
        ["E06000001", 37.58, 1.199]
    ]
    assert result.reconciliations[0].rows_in == 4
    assert rejected(result) == {
        "text in numeric column 'imd_average_score'": 1,
        "code not in the main table (absent or rejected there), so it cannot be joined": 1,
    }


def test_iod2019_ccg_workbook(tmp_path):
    code, name = (
        "Clinical Commissioning Group Code (2019)",
        "Clinical Commissioning Group Name (2019)",
    )
    sheets = _summary_sheets(code, name, "plain")
    for sheet in ("IMD", "Health"):
        sheets[sheet] = [sheets[sheet][0]] + [
            ["E38000001", "NHS Airedale CCG", *row[2:]] for row in sheets[sheet][1:2]
        ]
    write_workbook(tmp_path, dep.IOD2019_CCG, sheets)
    result = dep.read_iod2019_ccg(RawDir(tmp_path))
    assert result.tables["iod2019_ccg"]["ccg19_code"].tolist() == ["E38000001"]
    assert rejected(result) == {}


def test_practice_imd_keeps_closed_practices_and_rejects_other_indicators(tmp_path):
    write_records(
        tmp_path,
        dep.PRACTICE_IMD,
        PRACTICE_IMD,
        [
            {
                "IndicatorID": 93553,
                "Year": 2019,
                "AreaCode": "A81001",
                "AreaName": "The Densham Surgery",
                "IsAreaCurrent": 1,
                "Value": 25.07512244,
            },
            {
                "IndicatorID": 93553,
                "Year": 2019,
                "AreaCode": "A81999",
                "AreaName": "Closed",
                "IsAreaCurrent": 0,
                "Value": 30.1,
            },
            {
                "IndicatorID": 90000,
                "Year": 2019,
                "AreaCode": "A81002",
                "AreaName": "Other",
                "IsAreaCurrent": 1,
                "Value": 1,
            },
            {
                "IndicatorID": 93553,
                "Year": "2019.5",
                "AreaCode": "A81003",
                "AreaName": "Half",
                "IsAreaCurrent": 1,
                "Value": 1,
            },
        ],  # fmt: skip
        bom=True,
    )
    result = dep.read_practice_imd(RawDir(tmp_path))
    frame = result.tables["practice_imd"]
    assert frame[["practice_code", "year", "is_current"]].values.tolist() == [
        ["A81001", 2019, True],
        ["A81999", 2019, False],
    ]
    assert rejected(result) == {
        "indicator other than 93553 (Deprivation score (IMD))": 1,
        "Year is not a whole number": 1,
    }
