"""Every source fetcher against fixture responses, and its reader on what it wrote.

Each test plays the publisher on 127.0.0.1 with responses shaped like the real ones,
runs the fetch, and then runs the source's own reader on the cache: the fetched files
must be what the build reads.
"""

from __future__ import annotations

import gzip
import json

from data_pipeline.fetch.runner import run
from data_pipeline.raw import RawDir
from data_pipeline.sources import (
    boundaries,
    deprivation,
    fingertips,
    lookups,
    mhsds,
    population,
    qof_practice,
    smi_checks,
)
from tests.fetch.fixtures import (
    FINGERTIPS_HEADER,
    arcgis_layer,
    csv_bytes,
    fingertips_row,
    html_links,
    square,
    workbook_bytes,
    zip_bytes,
)


def _fetch(ctx, *ids):
    report = run(ctx, ctx.registry.select(list(ids)))
    assert not report.failed, report.failed
    return report, RawDir(ctx.cache.root)


# --------------------------------------------------------------------------- ONS


def test_boundaries_paged_geojson(server, make_ctx):
    features = [
        {
            "properties": {"ICB23CD": f"E5400000{i}", "ICB23NM": f"NHS ICB {i}"},
            "geometry": square(i, 52),
        }
        for i in range(1, 6)
    ] + [{"properties": {"ICB23CD": "W11000023", "ICB23NM": "Wales"}, "geometry": square(-4, 52)}]
    arcgis_layer(server, "Integrated_Care_Boards_April_2023_EN_BSC", features, geometry=True)
    report, raw = _fetch(make_ctx(), "boundaries.icb_2023")
    assert report.downloaded == ["boundaries.icb_2023"]
    assert len(server.gets("/query")) == 3  # 6 features, 2 per page
    result = boundaries.read_boundary(raw, "boundary_icb")
    table = result.tables["boundary_icb"]
    assert list(table["area_code"]) == [f"E5400000{i}" for i in range(1, 6)]
    assert result.reconciliations[0].rejected == {boundaries.OUTSIDE_ENGLAND: 1}


def test_boundaries_renamed_properties_and_unchanged_rerun(server, make_ctx):
    features = [
        {
            "properties": {"LSOA21CD": f"E0100000{i}", "LSOA21NM": f"Area {i}", "GlobalID": "x"},
            "geometry": square(i / 10, 51),
        }
        for i in range(1, 4)
    ]
    arcgis_layer(server, "LSOA_2021_EW_BSC_V4", features, geometry=True)
    ctx = make_ctx()
    _, raw = _fetch(ctx, "boundaries.lsoa_2021")
    table = boundaries.read_boundary(raw, "boundary_lsoa21").tables["boundary_lsoa21"]
    assert list(table["area_name"]) == ["Area 1", "Area 2", "Area 3"]
    queries = len(server.gets("/query"))
    report, _ = _fetch(make_ctx(cache_dir=ctx.cache.root), "boundaries.lsoa_2021")
    assert report.unchanged == ["boundaries.lsoa_2021"]
    assert len(server.gets("/query")) == queries  # only the layer description was asked for


def test_lookup_table_paged_and_renamed(server, make_ctx):
    rows = [
        {
            "LTLA23CD": "E07000026",
            "LTLA23NM": "Allerdale",
            "UTLA23CD": "E10000006",
            "UTLA23NM": "Cumbria",
            "ObjectId": 1,
        },
        {
            "LTLA23CD": "E06000001",
            "LTLA23NM": "Hartlepool",
            "UTLA23CD": "E06000001",
            "UTLA23NM": "Hartlepool",
            "ObjectId": 2,
        },
        {
            "LTLA23CD": "W06000001",
            "LTLA23NM": "Isle of Anglesey",
            "UTLA23CD": "W06000001",
            "UTLA23NM": "Isle of Anglesey",
            "ObjectId": 3,
        },
    ]
    arcgis_layer(server, "LTLA23_UTLA23_EW_LU", rows, geometry=False)
    _, raw = _fetch(make_ctx(), "lookups.ltla23_utla23")
    result = lookups.read_ltla_utla_2023(raw)
    table = result.tables["ltla_utla_2023"]
    assert set(table["ltla23_code"]) == {"E07000026", "E06000001"}
    assert result.reconciliations[0].rejected == {"outside England (Welsh code)": 1}


def test_lookup_without_rename_keeps_published_columns(server, make_ctx):
    rows = [
        {
            "FID": i,
            "LSOA11CD": f"E0100000{i}",
            "LSOA11NM": f"A {i}",
            "CCG21CD": "E38000006",
            "CCG21CDH": "02P",
            "CCG21NM": "NHS Barnsley CCG",
            "LAD21CD": "E08000016",
            "LAD21NM": "Barnsley",
        }
        for i in range(1, 4)
    ]
    arcgis_layer(server, "LSOA11_CCG21_LAD21_EN_LU", rows, geometry=False)
    _, raw = _fetch(make_ctx(), "lookups.lsoa11_ccg21")
    table = lookups.read_lsoa11_ccg21(raw).tables["lsoa11_ccg21"]
    assert list(table["ccg21_ods"]) == ["02P"] * 3


# --------------------------------------------------------------------------- deprivation

DOMAIN_HEADERS = {
    "Index of Multiple Deprivation (IMD)": "",
    "Income": " (rate)",
    "Employment": " (rate)",
    "Education, Skills and Training": "",
    "Health Deprivation and Disability": "",
    "Crime": "",
    "Barriers to Housing and Services": "",
    "Living Environment": "",
}


def _file7() -> bytes:
    header = ["LSOA code (2021)", "LSOA name (2021)", "Local Authority District code (2024)"]
    for name, rate in DOMAIN_HEADERS.items():
        header += [
            f"{name} Score{rate}",
            f"{name} Rank (where 1 is most deprived)",
            f"{name} Decile (where 1 is most deprived 10% of LSOAs)",
        ]
    header.append("Income Deprivation Affecting Children Index (IDACI) Score (rate)")
    rows = []
    for i, (score, rank, decile) in enumerate([(8.7, 26525, 8), (45.1, 1200, 1)], start=1):
        row = [f"E0100000{i}", f"Area {i}", "E09000001"]
        for _ in DOMAIN_HEADERS:
            row += [score, rank, decile]
        rows.append([*row, 0.1])
    rows.append(["W01000001", "Wales", "W06000001", *([1, 1, 1] * 8), 0.1])
    return csv_bytes(header, rows)


def _summary_book(code_header: str, codes: list[str]) -> dict[str, list[list[object]]]:
    imd = [
        ["IMD summary"],
        [],
        [
            code_header,
            code_header.replace("code", "name"),
            "IMD - Average rank",
            "IMD - Rank of average rank",
            "IMD - Average score",
            "IMD - Proportion of LSOAs in most deprived 10% nationally",
        ],
    ]
    health = [
        [
            code_header,
            code_header.replace("code", "name"),
            "Health Deprivation and Disability - Average score",
        ]
    ]
    for n, code in enumerate(codes):
        imd.append([code, f"Area {n}", 20000 - n, n + 1, 30.5 + n, 0.2])
        health.append([code, f"Area {n}", 0.5 + n])
    return {"Notes": [["About these data"]], "IMD": imd, "Health": health}


def test_deprivation_govuk_files(server, make_ctx):
    base = server.url
    utla_v1 = workbook_bytes(_summary_book("Upper Tier LA code (2024)", ["E06000001"]))
    utla_v2 = workbook_bytes(_summary_book("Upper Tier LA code (2024)", ["E06000001", "E10000006"]))
    ltla = workbook_bytes(
        _summary_book("Local Authority District code (2024)", ["E06000001", "E07000026"])
    )
    server.add("/assets/File_7_IoD2025_All_Ranks_Scores_Deciles.csv", _file7())
    server.add("/assets/File_10_IoD2025_LAD_Summaries__lower-tier_.xlsx", ltla)
    server.add("/assets/File_11_IoD2025_LAD_Summaries__upper-tier_.xlsx", utla_v1)
    server.add("/assets/File_11_IoD2025_LAD_Summaries__upper-tier__v2.xlsx", utla_v2)
    attachments = [
        {"title": "File 7", "url": f"{base}/assets/File_7_IoD2025_All_Ranks_Scores_Deciles.csv"},
        {
            "title": "File 10",
            "url": f"{base}/assets/File_10_IoD2025_LAD_Summaries__lower-tier_.xlsx",
        },
        {
            "title": "File 11",
            "url": f"{base}/assets/File_11_IoD2025_LAD_Summaries__upper-tier_.xlsx",
        },
        {
            "title": "File 11 (v2)",
            "file_size": len(utla_v2),
            "url": f"{base}/assets/File_11_IoD2025_LAD_Summaries__upper-tier__v2.xlsx",
        },
    ]
    server.add(
        "/govuk/api/content/government/statistics/english-indices-of-deprivation-2025",
        {"public_updated_at": "2025-11-17T09:30:00Z", "details": {"attachments": attachments}},
    )
    server.add(
        "/runiverse/IMD/data/imd2025_england_lsoa21_indicators/csv",
        csv_bytes(
            ["lsoa21_code", "income_domain_numerator", "mental_health_indicator"],
            [["E01000001", 20, -1.699], ["E01000002", 400, 1.2]],
        ),
    )
    ids = [
        "deprivation.iod2025_lsoa_scores",
        "deprivation.iod2025_lsoa_indicators",
        "deprivation.iod2025_ltla",
        "deprivation.iod2025_utla",
    ]
    _, raw = _fetch(make_ctx(), *ids)
    lsoa = deprivation.read_iod2025_lsoa21(raw).tables["iod2025_lsoa21"]
    assert list(lsoa["lsoa21_code"]) == ["E01000001", "E01000002"]
    assert list(lsoa["imd_decile"]) == [8, 1]
    assert lsoa["mental_health_indicator"].tolist() == [-1.699, 1.2]
    utla = deprivation.read_iod2025_utla(raw).tables["iod2025_utla"]
    assert list(utla["utla_code"]) == ["E06000001", "E10000006"]  # the v2 file won
    ltla24 = deprivation.read_iod2025_ltla24(raw).tables["iod2025_ltla24"]
    assert list(ltla24["health_average_score"]) == [0.5, 1.5]
    assert list(ltla24["imd_prop_most_deprived_10"]) == [0.2, 0.2]


def test_practice_imd_from_fingertips(server, make_ctx):
    server.add(
        "/fingertips/api/indicator_metadata/by_indicator_id",
        {"93553": {"IID": 93553, "DataChange": {"LastUploadedAt": "2024-03-05T10:00:00"}}},
    )
    rows = [
        fingertips_row(
            93553, "Deprivation score (IMD)", "E92000001", "England", "England", "2019", 21.7
        ),
        fingertips_row(
            93553, "Deprivation score (IMD)", "A81001", "The Densham Surgery", "GPs", "2019", 25.07
        ),
        fingertips_row(
            93553, "Deprivation score (IMD)", "A81002", "Closed Surgery", "GPs", "2015", 30.1
        ),
    ]
    server.add("/fingertips/api/all_data/csv/by_indicator_id", csv_bytes(FINGERTIPS_HEADER, rows))
    server.add(
        "/fingertips/api/areas/by_area_type", [{"Code": "A81001", "Name": "The Densham Surgery"}]
    )
    _, raw = _fetch(make_ctx(), "deprivation.practice_imd")
    table = deprivation.read_practice_imd(raw).tables["practice_imd"]
    assert list(table["practice_code"]) == ["A81001", "A81002"]
    assert list(table["is_current"]) == [True, False]


# --------------------------------------------------------------------------- population


def test_population_ons_page_workbook(server, make_ctx):
    href = (
        "/ons/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/"
        "datasets/lowersuperoutputareamidyearpopulationestimates/mid2020sape23dt2/"
        "sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx"
    )
    page = (
        "/ons/peoplepopulationandcommunity/populationandmigration/populationestimates/"
        "datasets/lowersuperoutputareamidyearpopulationestimates"
    )
    server.add(
        page, html_links("/ons/file?uri=/x/mid2021sape24dt2.xlsx".replace("2021", "2019"), href)
    )
    ages = list(range(90)) + ["90+"]
    header = [
        "LSOA Code",
        "LSOA Name",
        "LA Code (2018 boundaries)",
        "LA name (2018 boundaries)",
        "LA Code (2020 boundaries)",
        "LA name (2020 boundaries)",
        "All Ages",
        *ages,
    ]
    sheet = [
        ["Mid-2020 Population Estimates for Lower Layer Super Output Areas"],
        [],
        [],
        [],
        header,
        [
            "E01011949",
            "Hartlepool 009A",
            "E06000001",
            "Hartlepool",
            "E06000001",
            "Hartlepool",
            182,
            *([2] * 91),
        ],
        [
            "W01000001",
            "Isle of Anglesey 001A",
            "W06000001",
            "Anglesey",
            "W06000001",
            "Anglesey",
            91,
            *([1] * 91),
        ],
    ]
    server.add(href.split("?")[0], workbook_bytes({"Contents": [["x"]], "Mid-2020 Persons": sheet}))
    _, raw = _fetch(make_ctx(), "population.lsoa11_mid2020")
    result = population.read_lsoa11_2020(raw)
    table = result.tables["pop_lsoa11_2020"]
    assert list(table["lsoa11_code"]) == ["E01011949"]
    assert float(table["population_18_plus"].iloc[0]) == 2 * 73
    assert result.reconciliations[0].rejected == {"outside England (Welsh code)": 1}


# --------------------------------------------------------------------------- Fingertips


def test_fingertips_la_series(server, make_ctx):
    server.add(
        "/fingertips/api/indicator_metadata/by_indicator_id",
        {"848": {"DataChange": {"LastUploadedAt": "2025-11-04T09:00:00"}}},
    )
    name = "Depression: QOF prevalence (18+ yrs)"
    rows = [
        fingertips_row(
            848, name, "E92000001", "England", "England", "2024/25", 14.3, "Not compared"
        ),
        fingertips_row(
            848,
            name,
            "E07000026",
            "Allerdale",
            "Districts & UAs (from Apr 2023)",
            "2024/25",
            15.1,
            "Higher",
        ),
        fingertips_row(
            848,
            name,
            "E06000001",
            "Hartlepool",
            "Districts & UAs (from Apr 2023)",
            "2024/25",
            17.0,
            "Higher",
        ),
        fingertips_row(
            848,
            name,
            "E06000001",
            "Hartlepool",
            "Districts & UAs (from Apr 2023)",
            "2024/25",
            19.0,
            "Higher",
            category="LSOA11 deprivation deciles",
        ),
    ]
    server.add("/fingertips/api/all_data/csv/by_indicator_id", csv_bytes(FINGERTIPS_HEADER, rows))
    _, raw = _fetch(make_ctx(), "fingertips.la_depression")
    table = fingertips.read_la_depression(raw).tables["la_depression_prevalence"]
    assert dict(zip(table["area_code"], table["area_type"], strict=True)) == {
        "E06000001": "UA",
        "E07000026": "District",
        "E92000001": "Country",
    }
    assert sorted(table["value"].tolist()) == [14.3, 15.1, 17.0]
    assert "child_area_type_id=501" in server.gets("all_data")[0]


def test_fingertips_smoking_raw_csv_and_compare_when_undated(server, make_ctx):
    server.add("/fingertips/api/indicator_metadata/by_indicator_id", {"91547": {}})
    name = "Smoking prevalence in adults (15+) - current smokers (QOF)"
    rows = [
        fingertips_row(
            91547, name, "E92000001", "England", "England", "2023/24", 11.8, age="15+ yrs"
        ),
        fingertips_row(91547, name, "A81001", "Densham", "GPs", "2023/24", 16.2, age="15+ yrs"),
    ]
    body = csv_bytes(FINGERTIPS_HEADER, rows)
    server.add("/fingertips/api/all_data/csv/by_indicator_id", body)
    ctx = make_ctx()
    _, raw = _fetch(ctx, "fingertips.smoking")
    table = fingertips.read_smoking(raw).tables["smoking_prevalence"]
    assert set(table["area_type"]) == {"England", "GPs"}
    with gzip.open(ctx.cache.root / ctx.registry.select(["fingertips.smoking"])[0].paths[0]) as f:
        assert f.read() == body
    # no upload date: the file is fetched again and compared, and found unchanged
    report, _ = _fetch(make_ctx(cache_dir=ctx.cache.root), "fingertips.smoking")
    assert report.unchanged == ["fingertips.smoking"] and not report.downloaded


# --------------------------------------------------------------------------- MHSDS

MHSDS_HEADER = [
    "REPORTING_PERIOD_START",
    "REPORTING_PERIOD_END",
    "STATUS",
    "BREAKDOWN",
    "PRIMARY_LEVEL",
    "PRIMARY_LEVEL_DESCRIPTION",
    "SECONDARY_LEVEL",
    "SECONDARY_LEVEL_DESCRIPTION",
    "MEASURE_ID",
    "MEASURE_NAME",
    "MEASURE_VALUE",
]


def test_mhsds_two_level_pages_zip(server, make_ctx):
    series = (
        "/nhs_digital/data-and-information/publications/statistical/"
        "mental-health-services-monthly-statistics"
    )
    server.add(
        series,
        html_links(
            f"{series}/performance-march-2025",
            f"{series}/performance-february-2025",
            f"{series}/final-december-2024",
        ),
    )
    server.add(
        f"{series}/performance-march-2025",
        html_links(
            "/files/MHSDS%20Data_Mar2025.csv",
            "/files/MHSDS%20Time_Series_data_Apr_2019_MarPrf_2025.zip",
        ),
    )
    rows = [
        [
            "01/03/2025",
            "31/03/2025",
            "Performance",
            "England",
            "England",
            "England",
            "NONE",
            "NONE",
            "MHS01",
            "People in contact",
            1_650_000,
        ],
        [
            "01/02/2025",
            "28/02/2025",
            "Final",
            "England",
            "England",
            "England",
            "NONE",
            "NONE",
            "MHS01",
            "People in contact",
            1_640_000,
        ],
        [
            "01/03/2025",
            "31/03/2025",
            "Performance",
            "Sub ICB - GP Practice or Residence",
            "15F",
            "NHS LEEDS",
            "NONE",
            "NONE",
            "MHS01",
            "People in contact",
            15_000,
        ],
        [
            "01/01/2025",
            "31/03/2025",
            "Performance",
            "England",
            "England",
            "England",
            "NONE",
            "NONE",
            "MHS01",
            "People in contact (quarter)",
            2_000_000,
        ],
    ]
    archive = zip_bytes(
        {"MHSDS Time_Series_data_Apr_2019_MarPrf_2025.csv": csv_bytes(MHSDS_HEADER, rows)}
    )
    server.add("/files/MHSDS Time_Series_data_Apr_2019_MarPrf_2025.zip", archive)
    _, raw = _fetch(make_ctx(), "mhsds.time_series")
    monthly = mhsds.read_time_series(raw).tables["mhsds_monthly"]
    assert set(monthly["breakdown"]) == {"england", "sub_icb"}
    contact = mhsds.read_in_contact(raw).tables["mhsds_england_in_contact"]
    assert contact["value"].tolist() == [1_640_000, 1_650_000]


# --------------------------------------------------------------------------- QOF, SMI


def test_qof_practice_zip_members(server, make_ctx):
    page = (
        "/nhs_digital/data-and-information/publications/statistical/"
        "quality-and-outcomes-framework-achievement-prevalence-and-exceptions-data/2022-23"
    )
    server.add(
        page, html_links("/files/qof-2223-prev-ach-exc-ccg.xlsx", "/files/QOF_2223_raw_data.zip")
    )
    prevalence = csv_bytes(
        ["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"],
        [
            ["A81001", "DEP", "316.0", "18OV", "3000"],
            ["A81001", "MH", "40.0", "TOTAL", "3996"],
            ["A81001", "AF", "112.0", "TOTAL", "3996"],
        ],
    )
    mapping_cols = [
        "PRACTICE_CODE",
        "PRACTICE_NAME",
        "PCN_ODS_CODE",
        "PCN_NAME",
        "SUB_ICB_ODS_CODE",
        "SUB_ICB_ONS_CODE",
        "SUB_ICB_NAME",
        "ICB_ODS_CODE",
        "ICB_ONS_CODE",
        "ICB_NAME",
        "REGION_ODS_CODE",
        "REGION_ONS_CODE",
        "REGION_NAME",
    ]
    mapping = csv_bytes(
        mapping_cols,
        [
            [
                "A81001",
                "DENSHAM",
                "U1",
                "PCN",
                "16C",
                "E38000247",
                "NENC 16C",
                "QHM",
                "E54000050",
                "NENC",
                "Y63",
                "E40000012",
                "NE&Y",
            ]
        ],
    )
    server.add(
        "/files/QOF_2223_raw_data.zip",
        zip_bytes(
            {
                "PREVALENCE_2223.csv": prevalence,
                "MAPPING_NHS_GEOGRAPHIES_2223.csv": mapping,
                "ACHIEVEMENT_2223.csv": b"x\n",
            }
        ),
    )
    _, raw = _fetch(make_ctx(), "qof_practice.2022_23")
    result = qof_practice.read(raw)
    assert list(result.tables["qof_practice"]["group"]) == ["DEP", "MH"]
    assert list(result.tables["qof_practice_geography"]["sub_icb_ods"]) == ["16C"]


def test_smi_checks_workbook(server, make_ctx):
    page = "/nhs_england/statistics/statistical-work-areas/serious-mental-illness-smi/"
    server.add(
        page,
        html_links(
            "/wp/smi-guidance.pdf",
            "/wp/Physical-Health-Checks-SMI-Q4-2024-25.xlsx",
            "/wp/Physical-Health-Checks-SMI-Q3-2024-25.xlsx",
        ),
    )
    sheet = [
        ["Physical health checks for people with SMI"],
        [],
        ["Period", "Sub ICB Code", "Question", "Answer"],
        ["SMI-Q4-2024-2025", "15F", "SMIRegister", 9000],
        ["SMI-Q4-2024-2025", "15F", "All6PHC", 5000],
    ]
    server.add("/wp/Physical-Health-Checks-SMI-Q4-2024-25.xlsx", workbook_bytes({"Data": sheet}))
    _, raw = _fetch(make_ctx(), "smi_checks.quarterly")
    table = smi_checks.read(raw).tables["smi_checks"]
    assert set(table["fin_year"]) == {"2024-25"} and len(table) == 2


def test_page_without_the_file_names_the_page(server, make_ctx):
    page = "/nhs_england/statistics/statistical-work-areas/serious-mental-illness-smi/"
    server.add(page, html_links("/wp/guidance.pdf"))
    report = run(make_ctx(), make_ctx().registry.select(["smi_checks"]))
    assert "no link matches" in report.failed["smi_checks.quarterly"]
    assert "serious-mental-illness-smi" in report.failed["smi_checks.quarterly"]


def test_registry_json_round_trip_of_index(server, make_ctx):
    features = [
        {"properties": {"NHSER24CD": "E40000003", "NHSER24NM": "London"}, "geometry": square(0, 51)}
    ]
    arcgis_layer(server, "NHS_England_Regions_January_2024_EN_BSC", features, geometry=True)
    ctx = make_ctx()
    _fetch(ctx, "boundaries.nhser_2024")
    index = json.loads((ctx.cache.root / ".fetch/index.json").read_text())
    entry = index["entries"]["boundaries.nhser_2024"]
    assert entry["published"] == "2023-11-14T22:13:20+00:00"
    assert entry["dataset"] == "NHS England Regions (January 2024) Boundaries EN BSC"
