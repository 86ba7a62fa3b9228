"""Small secondary-care files: out-of-area placements, readmissions, restrictive interventions."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import secondary_other as so

OAPS = so.OAPS_FILE
READM = so.READMISSIONS_FILE
RESTR = so.RESTRICTIVE_FILE


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return so.read(RawDir(raw_dir))


def _csv(raw_dir: Path, relative: str) -> pd.DataFrame:
    return pd.read_csv(raw_dir / relative, dtype=str, keep_default_na=False)


# --- real files -------------------------------------------------------------------------


@pytest.mark.raw
def test_oaps_real(result, raw_dir: Path):
    source = _csv(raw_dir, OAPS)
    table = result.tables["oaps_ccg21"]
    recon = result.reconciliation(OAPS)
    assert recon.rows_in == recon.rows_used == len(table) == len(source) == 97
    assert list(table.columns) == ["ccg21_code", "oaps_active", "oaps_cost", "source_suppressed"]
    assert str(table["oaps_cost"].dtype) == "Float64"
    cost = pd.to_numeric(source["Total Cost For Inappropriate OAPs in Period"]).sum()
    assert table["oaps_cost"].sum() == cost
    row = table.set_index("ccg21_code").loc["E38000014"]
    assert (row["oaps_active"], row["oaps_cost"]) == (15, 792_498)


@pytest.mark.raw
def test_readmissions_real(result):
    table = result.tables["readmissions_ccg"]
    recon = result.reconciliation(READM)
    assert recon.rows_in == recon.rows_used == len(table) == 1_480  # 1,498 rows - 18 above
    assert list(table.columns) == [*so.READMISSIONS_COLUMNS.values(), "source_suppressed"]
    england = table[table["level"].eq("england")].set_index("period")
    assert len(england) == 7 and england["ods_code"].isna().all()
    latest = england.loc["October 2014 to September 2015"]
    assert (latest["isr"], latest["discharges"], latest["readmissions"]) == (100, 114_141, 11_984)
    assert latest["ons_code"] == "E92000001"
    darlington = table[
        table["ods_code"].eq("00C") & table["period"].eq("October 2014 to September 2015")
    ].iloc[0]
    assert darlington["ons_code"] == "E38000042"
    assert (darlington["isr"], darlington["lower_95"], darlington["upper_95"]) == (
        110.5,
        77.8,
        152.3,
    )
    assert (darlington["discharges"], darlington["readmissions"]) == (325, 35)
    suppressed = table[table["source_suppressed"]]
    assert len(suppressed) == 6 and suppressed["isr"].isna().all()
    assert table.groupby("period").size().to_dict()["2013/14"] == 212


@pytest.mark.raw
def test_restrictive_real(result, raw_dir: Path):
    source = _csv(raw_dir, RESTR)
    table = result.tables["restrictive_ccg21"]
    recon = result.reconciliation(RESTR)
    assert recon.rows_in == recon.rows_used == len(source) == 35
    assert len(table) == 35 * 18
    assert list(table.columns) == [
        "ccg21_code",
        "intervention",
        "group",
        "value",
        "source_suppressed",
    ]
    assert set(table["group"]) == {"BAME", "Non-BAME", "Unknown"}
    assert "Mechanical Restraint" in set(table["intervention"])
    value = table.set_index(["ccg21_code", "intervention", "group"])["value"]
    assert value[("E38000024", "Seclusion", "BAME")] == 48.333
    assert value[("E38000045", "Physical Restraint", "Unknown")] == 22.0
    wide = pd.to_numeric(source["Physical Restraint (Non-BAME)"]).sum()
    got = table[table["intervention"].eq("Physical Restraint") & table["group"].eq("Non-BAME")]
    assert got["value"].sum() == pytest.approx(wide)


# --- damaged copies: out-of-area placements --------------------------------------------


def _write_text(root: Path, relative: str, text: str) -> RawDir:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return RawDir(root)


def test_oaps_renamed_header(tmp_path, raw_dir: Path):
    text = (raw_dir / OAPS).read_text().replace("Total Cost For", "Cost For", 1)
    with pytest.raises(SourceError) as err:
        so.read_oaps(_write_text(tmp_path, OAPS, text))
    assert OAPS in str(err.value)
    assert "column 'Total Cost For Inappropriate OAPs in Period'" in str(err.value)


def test_oaps_missing_column(tmp_path, raw_dir: Path):
    frame = _csv(raw_dir, OAPS).drop(columns="CCG21CD")
    with pytest.raises(SourceError) as err:
        so.read_oaps(_write_text(tmp_path, OAPS, frame.to_csv(index=False)))
    assert "column 'CCG21CD'" in str(err.value)


def test_oaps_bad_values(tmp_path, raw_dir: Path):
    frame = _csv(raw_dir, OAPS)
    active = "Inappropriate OAPs active at period end"
    frame.loc[0, active] = "five"
    frame.loc[1, active] = "*"
    frame.loc[2, active] = "-"
    frame.loc[3, "Total Cost For Inappropriate OAPs in Period"] = ""
    frame.loc[4, "CCG21CD"] = "W11000023"
    result = so.read_oaps(_write_text(tmp_path, OAPS, frame.to_csv(index=False)))
    recon = result.reconciliations[0]
    table = result.tables["oaps_ccg21"]
    assert recon.rejected == {
        f"text in numeric column '{active}'": 1,
        "not a CCG code (E38)": 1,
    }
    assert len(table) == recon.rows_used == 95
    assert int(table["source_suppressed"].sum()) == 3


# --- damaged copies: readmissions workbook ---------------------------------------------


def _write_workbook(root: Path, raw_dir: Path, edit) -> RawDir:
    book = openpyxl.load_workbook(raw_dir / READM)
    edit(book.worksheets[0])
    path = root / READM
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return RawDir(root)


def _header_cell(sheet, text: str):
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell
    raise AssertionError(text)


def test_readmissions_header_found_by_content(tmp_path, raw_dir: Path, result):
    rawdir = _write_workbook(tmp_path, raw_dir, lambda ws: ws.insert_rows(1, amount=4))
    shifted = so.read_readmissions(rawdir)
    pd.testing.assert_frame_equal(
        shifted.tables["readmissions_ccg"], result.tables["readmissions_ccg"]
    )
    assert "worksheet row 22" in shifted.reconciliations[0].notes[0]


def test_readmissions_renamed_header(tmp_path, raw_dir: Path):
    def rename(ws):
        _header_cell(ws, "Observed readmissions").value = "Readmissions"

    with pytest.raises(SourceError) as err:
        so.read_readmissions(_write_workbook(tmp_path, raw_dir, rename))
    assert READM in str(err.value) and "column 'Observed readmissions'" in str(err.value)


def test_readmissions_no_header(tmp_path, raw_dir: Path):
    def wipe(ws):
        row = _header_cell(ws, "ISR").row
        for cell in ws[row]:
            cell.value = None

    with pytest.raises(SourceError) as err:
        so.read_readmissions(_write_workbook(tmp_path, raw_dir, wipe))
    assert READM in str(err.value) and "header" in str(err.value)


def test_readmissions_bad_values(tmp_path, raw_dir: Path):
    def damage(ws):
        top = _header_cell(ws, "ISR")
        first = top.row + 1
        col = top.column
        ws.cell(first + 10, col).value = "high"
        ws.cell(first + 11, col).value = "-"
        ws.cell(first + 12, col).value = None
        ws.cell(first + 13, 2).value = "Region"
        for cell in ws[first + 20]:  # a wholly empty row is not a data row
            cell.value = None

    result = so.read_readmissions(_write_workbook(tmp_path, raw_dir, damage))
    recon = result.reconciliations[0]
    table = result.tables["readmissions_ccg"]
    assert recon.rows_in == 1_479
    assert recon.rejected == {
        "text in numeric column 'isr'": 1,
        "breakdown not used by the atlas: Region": 1,
    }
    assert len(table) == recon.rows_used == 1_477
    assert int(table["source_suppressed"].sum()) == 6 + 2


def test_readmissions_not_a_workbook(tmp_path):
    path = tmp_path / READM
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(SourceError) as err:
        so.read_readmissions(RawDir(tmp_path))
    assert READM in str(err.value)


# --- damaged copies: restrictive interventions -----------------------------------------


def test_restrictive_missing_column(tmp_path, raw_dir: Path):
    frame = _csv(raw_dir, RESTR).drop(columns="Seclusion (BAME)")
    with pytest.raises(SourceError) as err:
        so.read_restrictive(_write_text(tmp_path, RESTR, frame.to_csv(index=False)))
    assert RESTR in str(err.value) and "column 'Seclusion (BAME)'" in str(err.value)


def test_restrictive_bad_values(tmp_path, raw_dir: Path):
    frame = _csv(raw_dir, RESTR)
    frame.loc[0, "Seclusion (BAME)"] = "lots"
    frame.loc[1, "Seclusion (BAME)"] = "*"
    frame.loc[2, "Physical Restraint (Non-BAME)"] = ""
    result = so.read_restrictive(_write_text(tmp_path, RESTR, frame.to_csv(index=False)))
    recon = result.reconciliations[0]
    table = result.tables["restrictive_ccg21"]
    assert recon.rejected == {"text in numeric column 'Seclusion (BAME)'": 1}
    assert recon.rows_used == 34 and len(table) == 34 * 18
    flagged = table[table["source_suppressed"]]
    assert len(flagged) == 2  # flagged on the cell, not on the whole CCG
    assert set(flagged["intervention"]) == {"Seclusion", "Physical Restraint"}
