"""Deprivation readers: real values against the raw files, and bad inputs."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import deprivation as dep

SANDWELL = "E08000028"


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return dep.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def tables(result) -> dict[str, pd.DataFrame]:
    return result.tables


def raw_text(raw_dir: Path, relative: str) -> pd.DataFrame:
    """The raw CSV read independently of the reader (all text)."""
    return pd.read_csv(raw_dir / relative, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def recon_for(result, relative: str):
    (recon,) = [r for r in result.reconciliations if r.file == relative]
    return recon


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
def test_every_file_adds_up(result, raw_dir):
    csv_files = [r for r in result.reconciliations if not r.file.endswith(".xlsx")]
    assert len(result.reconciliations) == 11
    for recon in csv_files:
        assert recon.rows_in == recon.rows_used + recon.rows_rejected
        assert recon.rows_in == len(raw_text(raw_dir, recon.file)), recon.file
    for recon in result.reconciliations:
        assert recon.rows_rejected == 0, (recon.file, recon.rejected)


@pytest.mark.raw
def test_table_shapes(tables):
    expected = {
        "iod2025_lsoa21": 33_755,
        "iod2019_lsoa11": 32_844,
        "iod2019_ccg": 191,
        "iod2025_ltla24": 296,
        "iod2025_utla": 153,
        "iod2025_icb24": 42,
        "practice_imd": 23_080,
        "practice_imd_2025": 6_143,
        "iod2019_lad19": 317,
    }
    assert {k: len(v) for k, v in tables.items()} == expected
    for table in tables.values():
        assert table["source_suppressed"].dtype == bool
        assert not table["source_suppressed"].any()


@pytest.mark.raw
def test_iod2025_lsoa_scores(tables, raw_dir):
    lsoa = tables["iod2025_lsoa21"]
    assert list(lsoa.columns) == [
        "lsoa21_code",
        "imd_score",
        "imd_rank",
        "imd_decile",
        "health_score",
        "health_decile",
        "income_score",
        "mental_health_indicator",
        "source_suppressed",
    ]
    assert lsoa["imd_decile"].dtype == "Int64" and lsoa["imd_score"].dtype == "Float64"
    assert lsoa["imd_score"].mean() == pytest.approx(21.7, abs=0.05)
    assert lsoa["imd_score"].min() == pytest.approx(0.17, abs=0.01)
    assert lsoa["imd_score"].max() == pytest.approx(94.2, abs=0.05)
    # Decile 1 = most deprived: every decile-1 score is above every decile-2 score.
    by_decile = lsoa.groupby("imd_decile")["imd_score"]
    assert by_decile.min()[1] > by_decile.max()[2]
    assert by_decile.mean().is_monotonic_decreasing
    assert lsoa.loc[lsoa["imd_rank"] == 1, "imd_decile"].item() == 1
    raw = raw_text(raw_dir, dep.IOD2025_LSOA_INDICATORS).set_index("lsoa21_code")
    row = lsoa.set_index("lsoa21_code").loc["E01000002"]
    assert row["mental_health_indicator"] == float(raw.loc["E01000002", "mental_health_indicator"])
    assert row["imd_score"] == 4.722 and row["imd_rank"] == 31203 and row["imd_decile"] == 10
    assert lsoa["mental_health_indicator"].notna().all()


@pytest.mark.raw
def test_iod2019_lsoa_ranks_match_file_1(tables, raw_dir):
    lsoa = tables["iod2019_lsoa11"].set_index("lsoa11_code")
    # File 1 stores the same ranks with thousands separators ("29,199").
    file1 = pd.read_csv(
        raw_dir / "deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        thousands=",",
        encoding="utf-8-sig",
    ).set_index("LSOA code (2011)")
    assert (lsoa["imd_rank"] == file1.loc[lsoa.index, file1.columns[3]].astype("Int64")).all()
    assert (lsoa["imd_decile"] == file1.loc[lsoa.index, file1.columns[4]].astype("Int64")).all()
    row = lsoa.loc["E01000001"]
    assert (row["lad19_code"], row["imd_rank"], row["health_rank"]) == ("E09000001", 29199, 32113)
    assert row["mood_anxiety_indicator"] == pytest.approx(-0.904)
    assert lsoa["imd_decile"].value_counts().between(3284, 3285).all()


def workbook_row(path: Path, sheet: str, code: str) -> tuple:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return next(r for r in workbook[sheet].iter_rows(values_only=True) if r[0] == code)
    finally:
        workbook.close()


@pytest.mark.raw
def test_ccg_summaries(tables, raw_dir):
    ccg = tables["iod2019_ccg"].set_index("ccg19_code")
    assert ccg.index.str.startswith("E38").all()
    path = raw_dir / dep.IOD2019_CCG
    for code in ["E38000144", "E38000220"]:  # Sandwell and West Birmingham; Birmingham and Solihull
        imd = workbook_row(path, "IMD", code)
        health = workbook_row(path, "Health", code)
        row = ccg.loc[code]
        assert row["ccg19_name"] == imd[1]
        assert row["imd_average_rank"] == imd[2]
        assert row["imd_average_score"] == imd[4]
        assert row["imd_prop_most_deprived_10"] == imd[6]
        assert row["health_average_score"] == health[4]
    assert ccg.loc["E38000144", "imd_average_score"] == 37.643


@pytest.mark.raw
def test_sandwell_among_most_deprived(tables, raw_dir):
    ltla = tables["iod2025_ltla24"]
    with (raw_dir / dep.IOD2025_LTLA).open(newline="") as handle:
        cell = next(r for r in csv.DictReader(handle) if r["ltla24_code"] == SANDWELL)
    sandwell = ltla.set_index("ltla24_code").loc[SANDWELL]
    assert sandwell["imd_average_score"] == float(cell["imd_average_score"])
    assert sandwell["health_average_score"] == float(
        cell["health_deprivation_and_disability_average_score"]
    )
    top20 = ltla.nlargest(20, "imd_average_score")["ltla24_code"]
    assert SANDWELL in set(top20)
    # Sandwell is a metropolitan district, so its upper-tier (File 11) row is the same area.
    utla = tables["iod2025_utla"].set_index("utla_code").loc[SANDWELL]
    assert utla["imd_average_score"] == sandwell["imd_average_score"]
    assert utla["health_average_score"] == sandwell["health_average_score"]


@pytest.mark.raw
def test_icb_and_lad19(tables, raw_dir):
    icb = tables["iod2025_icb24"]
    assert icb["icb24_code"].str.fullmatch(r"E54\d{6}").all()
    assert icb["imd_prop_most_deprived_10"].between(0, 1).all()
    lad = tables["iod2019_lad19"].set_index("lad19_code")
    raw = raw_text(raw_dir, dep.IOD2019_LAD).set_index("lad_code")
    assert lad.loc[SANDWELL, "imd_average_score"] == float(raw.loc[SANDWELL, "Score"])
    assert lad.loc[SANDWELL, "health_average_score"] == float(raw.loc[SANDWELL, "Health_Score"])


@pytest.mark.raw
def test_practice_imd(tables):
    practices = tables["practice_imd"]
    assert practices["year"].dtype == "Int64" and practices["is_current"].dtype == bool
    assert practices.groupby("year").size().to_dict() == {2010: 8222, 2015: 7878, 2019: 6980}
    assert practices["practice_code"].nunique() == 8461
    assert int(practices["is_current"].sum()) == 19_173
    row = practices[(practices["practice_code"] == "A81001") & (practices["year"] == 2010)]
    assert row["imd_score"].item() == pytest.approx(25.07512244)


# --- bad inputs ---------------------------------------------------------------------------


def write_csv(root: Path, relative: str, frame: pd.DataFrame) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    compression = "gzip" if relative.endswith(".gz") else None
    frame.to_csv(path, index=False, compression=compression)


def copy_raw(raw_dir: Path, root: Path, relative: str) -> Path:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(raw_dir / relative, target)
    return target


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="iod2025_ltla24_summaries_humaniverse.csv"):
        dep.read_iod2025_ltla24(RawDir(tmp_path))


@pytest.mark.raw
def test_missing_column(raw_dir, tmp_path):
    frame = raw_text(raw_dir, dep.IOD2025_LTLA).drop(columns="imd_average_score")
    write_csv(tmp_path, dep.IOD2025_LTLA, frame)
    with pytest.raises(SourceError) as err:
        dep.read_iod2025_ltla24(RawDir(tmp_path))
    assert err.value.file == dep.IOD2025_LTLA and err.value.column == "imd_average_score"
    assert "imd_average_score" in str(err.value) and dep.IOD2025_LTLA in str(err.value)


@pytest.mark.raw
def test_renamed_header(raw_dir, tmp_path):
    frame = raw_text(raw_dir, dep.IOD2019_DOMAINS).rename(
        columns={dep.F2_HEALTH_RANK: "Health Rank (where 1 is most deprived)"}
    )
    write_csv(tmp_path, dep.IOD2019_DOMAINS, frame)
    copy_raw(raw_dir, tmp_path, dep.IOD2019_LSOA_INDICATORS)
    with pytest.raises(SourceError) as err:
        dep.read_iod2019_lsoa11(RawDir(tmp_path))
    assert err.value.column == dep.F2_HEALTH_RANK
    assert dep.IOD2019_DOMAINS in str(err.value)


@pytest.mark.raw
def test_text_and_markers_in_numeric_column(raw_dir, tmp_path):
    frame = raw_text(raw_dir, dep.IOD2025_LTLA)
    frame.loc[0, "imd_average_score"] = "high"
    frame.loc[1, "imd_average_score"] = "*"
    frame.loc[2, "imd_average_score"] = "-"
    frame.loc[3, "imd_average_score"] = ""
    write_csv(tmp_path, dep.IOD2025_LTLA, frame)
    result = dep.read_iod2025_ltla24(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rejected == {"text in numeric column 'imd_average_score'": 1}
    assert recon.rows_used == 295 and recon.rows_in == 296
    table = result.tables["iod2025_ltla24"].set_index("ltla24_code")
    flagged = table[table["source_suppressed"]]
    assert set(flagged.index) == set(frame.loc[1:3, "ltla24_code"])
    assert flagged["imd_average_score"].isna().all()
    assert frame.loc[0, "ltla24_code"] not in table.index


@pytest.mark.raw
def test_column_without_numbers_is_an_error(raw_dir, tmp_path):
    frame = raw_text(raw_dir, dep.IOD2019_LAD)
    frame["Score"] = frame["lad_code"]
    write_csv(tmp_path, dep.IOD2019_LAD, frame)
    with pytest.raises(SourceError) as err:
        dep.read_iod2019_lad19(RawDir(tmp_path))
    assert err.value.column == "imd_average_score" and dep.IOD2019_LAD in str(err.value)


@pytest.mark.raw
def test_bad_rows_in_lsoa_file_are_counted(raw_dir, tmp_path):
    frame = raw_text(raw_dir, dep.IOD2025_LSOA)
    frame.loc[0, "IMD_decile"] = "11"
    frame.loc[1, "lsoa21_code"] = "W01000001"
    frame.loc[2, "IMD_rank"] = "12.5"
    write_csv(tmp_path, dep.IOD2025_LSOA, frame)
    copy_raw(raw_dir, tmp_path, dep.IOD2025_LSOA_INDICATORS)
    result = dep.read_iod2025_lsoa21(RawDir(tmp_path))
    scores, indicators = result.reconciliations
    assert scores.rejected == {
        "decile outside 1-10 in column 'IMD_decile'": 1,
        "not an English LSOA 2021 code": 1,
        "not a whole number in column 'IMD_rank'": 1,
    }
    # Indicator rows of LSOAs rejected from the scores file cannot be joined: counted too.
    assert indicators.rows_rejected == 3 and indicators.rows_used == 33_752
    assert len(result.tables["iod2025_lsoa21"]) == 33_752


@pytest.mark.raw
@pytest.mark.filterwarnings("ignore:DrawingML support")
def test_workbook_header_found_below_title_rows(raw_dir, tmp_path):
    target = copy_raw(raw_dir, tmp_path, dep.IOD2019_CCG)
    workbook = openpyxl.load_workbook(target)
    for sheet in ("IMD", "Health"):
        workbook[sheet].insert_rows(1, amount=2)
        workbook[sheet]["A1"] = "English Indices of Deprivation 2019"
    workbook["IMD"]["E5"] = "high"  # text in a score cell: E38000002, second data row
    workbook["Health"]["E4"] = None  # blank (suppressed) health score: E38000001
    workbook.save(target)
    result = dep.read_iod2019_ccg(RawDir(tmp_path))
    (recon,) = result.reconciliations
    assert recon.rows_in == 382 and recon.rows_used == 380
    assert recon.rejected["text in numeric column 'imd_average_score'"] == 1
    # The Health row of the rejected CCG has nothing to join to: counted, not dropped.
    assert recon.rows_rejected == 2
    assert "header on row 3" in recon.notes[0]
    table = result.tables["iod2019_ccg"].set_index("ccg19_code")
    assert len(table) == 190 and "E38000002" not in table.index
    assert table.loc["E38000001", "source_suppressed"]
    assert pd.isna(table.loc["E38000001", "health_average_score"])


@pytest.mark.raw
def test_workbook_renamed_measure_and_missing_sheet(raw_dir, tmp_path):
    target = copy_raw(raw_dir, tmp_path, dep.IOD2025_UTLA)
    workbook = openpyxl.load_workbook(target)
    workbook["IMD"]["E1"] = "IMD - Mean score"
    workbook.save(target)
    with pytest.raises(SourceError) as err:
        dep.read_iod2025_utla(RawDir(tmp_path))
    assert err.value.column == "IMD - Average score" and dep.IOD2025_UTLA in str(err.value)

    workbook = openpyxl.load_workbook(raw_dir / dep.IOD2025_UTLA)
    del workbook["Health"]
    workbook.save(target)
    with pytest.raises(SourceError, match="sheet 'Health' is missing"):
        dep.read_iod2025_utla(RawDir(tmp_path))


def test_corrupt_workbook(tmp_path):
    path = tmp_path / dep.IOD2019_CCG
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip file")
    with pytest.raises(SourceError, match="cannot be opened"):
        dep.read_iod2019_ccg(RawDir(tmp_path))


def test_truncated_gzip(tmp_path):
    path = tmp_path / dep.PRACTICE_IMD
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress(b"IndicatorID,Year,AreaCode\n93553,2010,A81001\n")[:30])
    with pytest.raises(SourceError, match="truncated or corrupt"):
        dep.read_practice_imd(RawDir(tmp_path))
