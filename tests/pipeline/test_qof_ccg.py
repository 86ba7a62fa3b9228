"""QOF CCG workbooks: real values against the published figures, and bad workbooks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import qof_ccg

YEAR = "2018-19"
RELATIVE = qof_ccg.WORKBOOKS[YEAR]

#: CCG rows per sheet, and the other non-blank rows below the header (copyright lines).
CCG_ROWS = {
    "2014-15": (209, 0),
    "2015-16": (209, 1),
    "2016-17": (207, 1),
    "2017-18": (194, 1),  # Buckinghamshire practices were not in QOF 2017-18
    "2018-19": (191, 1),
    "2019-20": (135, 1),
}


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return qof_ccg.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def table(result) -> pd.DataFrame:
    return result.tables["qof_ccg"]


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
def test_columns_and_types(table):
    assert list(table.columns) == qof_ccg.COLUMNS
    for column in ["register", "list_size", "prevalence_pct"]:
        assert table[column].dtype == "Float64"
    assert table["source_suppressed"].dtype == bool
    assert set(table["group"]) == {"DEP", "MH"}
    assert set(table["year"]) == set(qof_ccg.WORKBOOKS)


@pytest.mark.raw
def test_ccg_counts_per_year(table):
    ccgs = table[table["org_type"] == "ccg"]
    for year, (count, _) in CCG_ROWS.items():
        for group in ["DEP", "MH"]:
            rows = ccgs[(ccgs["year"] == year) & (ccgs["group"] == group)]
            assert len(rows) == count, (year, group)
            assert rows["ccg_ods"].is_unique
            assert rows["ccg_ons"].str.startswith("E38").all()


@pytest.mark.raw
def test_row_accounting(result):
    for recon in result.reconciliations:
        year = next(y for y, f in qof_ccg.WORKBOOKS.items() if f == recon.file)
        ccg, notes = CCG_ROWS[year]
        assert recon.rows_in == 2 * (ccg + notes)
        assert recon.rows_in == recon.rows_used + recon.rows_rejected
        assert recon.rows_used == 2 * ccg
        assert dict(recon.rejected) == ({"note or footnote below the table": 2} if notes else {})


@pytest.mark.raw
def test_register_over_list_reproduces_published_prevalence(table):
    computed = table["register"] / table["list_size"] * 100
    assert ((computed - table["prevalence_pct"]).abs() < 0.005).all()


@pytest.mark.raw
def test_england_depression_prevalence_matches_fingertips(table, raw_dir):
    # The workbooks have no England row: England = sum of the CCG rows.
    fingertips = pd.read_csv(
        raw_dir / "fingertips/trafford_adults_depression_qof_prevalence_la.csv"
    )
    england = fingertips[fingertips["area_code"] == "E92000001"].drop_duplicates("period")
    published = dict(zip(england["period"].str.replace("/", "-"), england["value"], strict=True))
    dep = table[(table["group"] == "DEP") & (table["org_type"] == "ccg")]
    sums = dep.groupby("year")[["register", "list_size"]].sum()
    for year, row in sums.iterrows():
        assert round(row["register"] / row["list_size"] * 100, 1) == published[year], year
    # 2018-19: 5.08 M on the register of 47.26 M adults.
    assert round(sums.loc["2018-19", "register"] / 1e6, 2) == 5.08


@pytest.mark.raw
def test_mh_prevalence_is_plausible(table):
    mh = table[(table["group"] == "MH") & (table["org_type"] == "ccg")]
    sums = mh.groupby("year")[["register", "list_size"]].sum()
    prevalence = sums["register"] / sums["list_size"] * 100
    assert prevalence.between(0.85, 1.0).all()
    assert round(prevalence["2014-15"], 2) == 0.88


@pytest.mark.raw
def test_code_vintages(table, raw_dir):
    ccgs = table[table["org_type"] == "ccg"]
    ccg20 = pd.read_csv(raw_dir / "lookups/ccg20_names_codes.csv", dtype=str)
    codes_2020 = set(ccgs.loc[ccgs["year"] == "2019-20", "ccg_ods"])
    assert codes_2020 == set(ccg20["CCG20CDH"])
    with (raw_dir / "boundaries/ccg_2019_openprescribing_ods_codes.geojson").open() as handle:
        ccg19 = {f["properties"]["code"] for f in json.load(handle)["features"]}
    assert set(ccgs.loc[ccgs["year"] == "2018-19", "ccg_ods"]) == ccg19


@pytest.mark.raw
def test_sandwell_and_west_birmingham_2018_19_equals_the_cell(table, raw_dir):
    # Read the cell directly: sheet DEP, 2018-19 block, column R ("Register").
    workbook = openpyxl.load_workbook(raw_dir / RELATIVE, read_only=True, data_only=True)
    rows = list(workbook["DEP"].iter_rows(values_only=True))
    workbook.close()
    assert rows[11][15] == "2018-19" and rows[13][17] == "Register"
    assert rows[13][16] == "List size ages 18+"
    sandwell = next(r for r in rows if r[8] == "05L")
    got = table[(table["year"] == YEAR) & (table["group"] == "DEP") & (table["ccg_ods"] == "05L")]
    assert len(got) == 1
    assert got["register"].iloc[0] == sandwell[17] == 36545
    assert got["list_size"].iloc[0] == sandwell[16]
    assert got["ccg_ons"].iloc[0] == "E38000144"


@pytest.mark.raw
def test_2014_15_depression_uses_the_estimated_adult_list(table):
    dep = table[(table["year"] == "2014-15") & (table["group"] == "DEP")]
    mh = table[(table["year"] == "2014-15") & (table["group"] == "MH")]
    merged = dep.merge(mh, on="ccg_ods", suffixes=("_dep", "_mh"))
    assert (merged["list_size_dep"] < merged["list_size_mh"]).all()
    assert (dep["list_size"] % 1 != 0).any()  # list size x estimated share aged 18+


# --- bad input ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trimmed(raw_dir: Path, tmp_path_factory) -> Path:
    """The 2018-19 workbook reduced to its DEP and MH sheets (values only, same positions)."""
    source = openpyxl.load_workbook(raw_dir / RELATIVE, read_only=True, data_only=True)
    target = openpyxl.Workbook()
    target.remove(target.active)
    for name in ["DEP", "MH"]:
        sheet = target.create_sheet(name)
        for row in source[name].iter_rows(values_only=True):
            sheet.append(list(row))
    source.close()
    path = tmp_path_factory.mktemp("qof") / "base.xlsx"
    target.save(path)
    return path


def _variant(trimmed: Path, tmp_path: Path, edit) -> RawDir:
    workbook = openpyxl.load_workbook(trimmed)
    edit(workbook)
    target = tmp_path / RELATIVE
    target.parent.mkdir(parents=True)
    workbook.save(target)
    return RawDir(tmp_path)


def _row_of(sheet, code: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 9).value == code)


def test_trimmed_copy_reads_like_the_original(trimmed, tmp_path):
    result = qof_ccg.read_year(_variant(trimmed, tmp_path, lambda wb: None), YEAR)
    assert len(result.tables["qof_ccg"]) == 2 * 191


def test_missing_sheet_names_file_and_sheet(trimmed, tmp_path):
    raw = _variant(trimmed, tmp_path, lambda wb: wb.remove(wb["MH"]))
    with pytest.raises(SourceError) as error:
        qof_ccg.read_year(raw, YEAR)
    assert RELATIVE in str(error.value) and "MH" in str(error.value)


def test_sheet_named_in_full_is_found(trimmed, tmp_path):
    def rename(workbook):
        workbook["DEP"].title = "Depression"

    result = qof_ccg.read_year(_variant(trimmed, tmp_path, rename), YEAR)
    assert (result.tables["qof_ccg"]["group"] == "DEP").sum() == 191


def test_renamed_register_header(trimmed, tmp_path):
    def rename(workbook):
        workbook["DEP"]["R14"] = "Registered patients"

    with pytest.raises(SourceError) as error:
        qof_ccg.read_year(_variant(trimmed, tmp_path, rename), YEAR)
    assert RELATIVE in str(error.value) and "column 'Register'" in str(error.value)


def test_missing_adult_list_size_column(trimmed, tmp_path):
    def rename(workbook):
        workbook["DEP"]["Q14"] = "List size"

    with pytest.raises(SourceError) as error:
        qof_ccg.read_year(_variant(trimmed, tmp_path, rename), YEAR)
    assert "column 'List size ages 18+'" in str(error.value)


def test_missing_ccg_code_header(trimmed, tmp_path):
    def rename(workbook):
        workbook["MH"]["I14"] = "Code"

    with pytest.raises(SourceError) as error:
        qof_ccg.read_year(_variant(trimmed, tmp_path, rename), YEAR)
    assert RELATIVE in str(error.value) and "column 'CCG code'" in str(error.value)


def test_text_in_register_is_a_counted_rejection(trimmed, tmp_path):
    def edit(workbook):
        sheet = workbook["DEP"]
        sheet.cell(_row_of(sheet, "05L"), 18).value = "not known"

    result = qof_ccg.read_year(_variant(trimmed, tmp_path, edit), YEAR)
    recon = result.reconciliations[0]
    assert recon.rejected["text in numeric column 'register'"] == 1
    assert recon.rows_in == recon.rows_used + recon.rows_rejected
    assert "05L" not in set(result.tables["qof_ccg"].query("group == 'DEP'")["ccg_ods"])


def test_suppression_markers_are_kept_and_flagged(trimmed, tmp_path):
    codes = {"05L": "*", "07M": "-", "07R": None}

    def edit(workbook):
        sheet = workbook["DEP"]
        for code, marker in codes.items():
            sheet.cell(_row_of(sheet, code), 18).value = marker

    table = qof_ccg.read_year(_variant(trimmed, tmp_path, edit), YEAR).tables["qof_ccg"]
    dep = table[table["group"] == "DEP"].set_index("ccg_ods")
    assert len(dep) == 191
    for code in codes:
        assert pd.isna(dep.loc[code, "register"])
        assert dep.loc[code, "source_suppressed"]
    assert dep["source_suppressed"].sum() == 3


def test_england_row_kept_and_subtotal_rejected(trimmed, tmp_path):
    def edit(workbook):
        sheet = workbook["DEP"]
        sheet.insert_rows(15, amount=3)  # just below the header (row 14)
        rows = {
            15: {1: "England", 16: 6000, 17: 47264560, 18: 5077090, 19: 10.74},
            16: {1: "Y56", 3: "London", 17: 80000, 18: 1000, 19: 1.25},
            17: {9: "Q71", 11: "London North East", 17: 40000, 18: 500, 19: 1.25},
        }
        for row, cells in rows.items():
            for column, value in cells.items():
                sheet.cell(row, column).value = value

    result = qof_ccg.read_year(_variant(trimmed, tmp_path, edit), YEAR)
    table = result.tables["qof_ccg"]
    england = table[table["org_type"] == "england"]
    assert len(england) == 1 and pd.isna(england["ccg_ods"].iloc[0])
    assert england["register"].iloc[0] == 5077090
    recon = result.reconciliations[0]
    assert recon.rejected["subtotal row not used by the atlas: Y56"] == 1
    assert recon.rejected["subtotal row not used by the atlas: London North East"] == 1
    assert recon.rows_in == recon.rows_used + recon.rows_rejected


def test_unreadable_workbook(tmp_path):
    target = tmp_path / RELATIVE
    target.parent.mkdir(parents=True)
    target.write_bytes(b"this is not a zip archive")
    with pytest.raises(SourceError) as error:
        qof_ccg.read_year(RawDir(tmp_path), YEAR)
    assert RELATIVE in str(error.value) and "readable .xlsx" in str(error.value)


def test_missing_workbook(tmp_path):
    with pytest.raises(SourceError) as error:
        qof_ccg.read(RawDir(tmp_path))
    assert "file not found" in str(error.value)


def test_workbook_of_another_year_is_refused(trimmed, tmp_path):
    # The 2018-19 workbook also holds 2017-18 figures: it must not pass for 2017-18.
    raw = _variant(trimmed, tmp_path, lambda wb: None)
    target = tmp_path / qof_ccg.WORKBOOKS["2017-18"]
    shutil.move(tmp_path / RELATIVE, target)
    with pytest.raises(SourceError) as error:
        qof_ccg.read_year(raw, "2017-18")
    assert "2018-19" in str(error.value)
