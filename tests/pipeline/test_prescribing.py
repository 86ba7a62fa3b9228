"""Antidepressant prescribing by practice and by LSOA: real totals and bad input."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import prescribing

PRACTICE_2017 = prescribing.PRACTICE_FILES["2017-18"]
CCG_MAP = prescribing.CCG_MAP_FILE
CCG_2019 = prescribing.CCG_2019_FILE
Q1 = prescribing.LSOA_FILES["2025-Q1"]


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return prescribing.read(RawDir(raw_dir))


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
def test_every_file_adds_up(result):
    files = {r.file for r in result.reconciliations}
    expected = {*prescribing.PRACTICE_FILES.values(), CCG_MAP, CCG_2019}
    assert files == expected | set(prescribing.LSOA_FILES.values())
    for recon in result.reconciliations:
        assert recon.rows_in == recon.rows_used + recon.rows_rejected, recon.file


@pytest.mark.raw
def test_practice_totals(result, raw_dir):
    table = result.tables["ad_practice"]
    assert list(table.columns) == [
        "extract",
        "practice_code",
        "items",
        "cost",
        "source_suppressed",
    ]
    sums = table.groupby("extract")[["items", "cost"]].sum()
    assert round(sums.loc["2017-18", "items"] / 1e6, 1) == 67.5
    assert round(sums.loc["2017-18", "cost"] / 1e6) == 205
    assert round(sums.loc["2018-19-partial", "items"] / 1e6, 1) == 17.6
    for extract, relative in prescribing.PRACTICE_FILES.items():
        raw = pd.read_csv(raw_dir / relative)
        assert sums.loc[extract, "items"] == raw["total_items"].sum()
        recon = result.reconciliation(relative)
        assert recon.rows_in == len(raw) and recon.rows_used == len(raw)
    one = table[(table["extract"] == "2017-18") & (table["practice_code"] == "A81001")]
    assert one["items"].iloc[0] == 6546


@pytest.mark.raw
def test_practice_ccg_map_is_on_the_191_ccgs_of_april_2019(result, raw_dir):
    table = result.tables["practice_ccg_2019"]
    with (raw_dir / CCG_2019).open() as handle:
        ccg19 = {f["properties"]["code"] for f in json.load(handle)["features"]}
    assert len(ccg19) == 191
    assert set(table["ccg_ods"]) == ccg19
    raw = pd.read_csv(raw_dir / CCG_MAP, dtype=str, keep_default_na=False)
    recon = result.reconciliation(CCG_MAP)
    assert recon.rows_in == len(raw) == 15_941
    assert recon.rejected["no CCG (closed or non-GP prescriber)"] == 2526
    assert recon.rows_used == len(table) == raw["ccg_id"].isin(ccg19).sum()
    # A Sandwell and West Birmingham CCG (05L) practice, and its 2017-18 items.
    assert table.set_index("practice_code").loc["M85002", "ccg_ods"] == "05L"
    items = result.tables["ad_practice"].query("extract == '2017-18'").set_index("practice_code")
    assert items.loc["M85002", "items"] == 7538
    assert (table["ccg_ods"] == "05L").sum() == (raw["ccg_id"] == "05L").sum() == 144


@pytest.mark.raw
def test_lsoa_totals_and_coverage(result, raw_dir):
    table = result.tables["ad_lsoa"]
    assert list(table.columns) == [
        "quarter",
        "lsoa11_code",
        "items",
        "adqs",
        "nic",
        "patients",
        "population",
        "source_suppressed",
    ]
    items = table.groupby("quarter")["items"].sum()
    assert round(items["2025-Q1"] / 1e6, 1) == 22.1
    assert round(items["2025-Q2"] / 1e6, 1) == 22.5
    lookup = pd.read_csv(raw_dir / "lookups/lsoa11_ccg21_lad21_lookup_apr2021.csv.gz", dtype=str)
    english = set(lookup["LSOA11CD"])
    assert len(english) == 32_844
    for quarter, relative in prescribing.LSOA_FILES.items():
        codes = table.loc[table["quarter"] == quarter, "lsoa11_code"]
        assert set(codes) == english and codes.is_unique
        raw = pd.read_csv(raw_dir / relative, dtype={"lsoa11": str})
        in_england = raw[raw["lsoa11"].str.startswith("E01")]
        assert items[quarter] == pytest.approx(in_england["items"].sum(), rel=1e-12)
        recon = result.reconciliation(relative)
        assert recon.rows_in == len(raw) and recon.rows_used == 32_844
    assert not table["source_suppressed"].any()


@pytest.mark.raw
def test_lsoa_rejections_and_sandwell(result, raw_dir):
    recon = result.reconciliation(Q1)
    assert recon.rejected["outside England (Welsh LSOA)"] == 780
    assert recon.rejected["outside England (Scottish data zone)"] == 833
    assert recon.rejected["patients with no LSOA of residence (EMPTY or OTHER)"] == 2
    # Sandwell (LAD E08000028), summed from the raw file independently.
    lookup = pd.read_csv(raw_dir / "lookups/lsoa11_ccg21_lad21_lookup_apr2021.csv.gz", dtype=str)
    sandwell = set(lookup.loc[lookup["LAD21CD"] == "E08000028", "LSOA11CD"])
    raw = pd.read_csv(raw_dir / Q1)
    expected = raw.loc[raw["lsoa11"].isin(sandwell), ["items", "All_Patients"]].sum()
    q1 = result.tables["ad_lsoa"].query("quarter == '2025-Q1'")
    ours = q1[q1["lsoa11_code"].isin(sandwell)]
    assert len(ours) == len(sandwell) == 186
    assert ours["items"].sum() == pytest.approx(expected["items"], rel=1e-12)
    assert ours["patients"].sum() == expected["All_Patients"]


# --- bad input ----------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, tmp_path: Path, relative: str) -> RawDir:
    target = tmp_path / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    compression = "gzip" if relative.endswith(".gz") else None
    frame.to_csv(target, index=False, compression=compression)
    return RawDir(tmp_path)


@pytest.fixture(scope="module")
def practices(raw_dir: Path) -> pd.DataFrame:
    return pd.read_csv(raw_dir / PRACTICE_2017, dtype=str, keep_default_na=False, nrows=20)


def test_practice_missing_column(practices, tmp_path):
    raw = _write_csv(practices.drop(columns=["total_items"]), tmp_path, PRACTICE_2017)
    with pytest.raises(SourceError) as error:
        prescribing.read_practice_extract(raw, "2017-18")
    assert PRACTICE_2017 in str(error.value) and "column 'total_items'" in str(error.value)


def test_practice_renamed_header(practices, tmp_path):
    raw = _write_csv(
        practices.rename(columns={"practice": "Practice code"}), tmp_path, PRACTICE_2017
    )
    with pytest.raises(SourceError) as error:
        prescribing.read_practice_extract(raw, "2017-18")
    assert "column 'practice'" in str(error.value)


def test_practice_text_and_markers(practices, tmp_path):
    frame = practices.copy()
    frame.loc[0, "total_items"] = "lots"
    frame.loc[1:3, "total_items"] = ["*", "-", ""]
    frame.loc[4, "total_items"] = "-5"
    result = prescribing.read_practice_extract(
        _write_csv(frame, tmp_path, PRACTICE_2017), "2017-18"
    )
    recon = result.reconciliations[0]
    assert recon.rejected == {
        "text in numeric column 'total_items'": 1,
        "negative count in column 'total_items'": 1,
    }
    table = result.tables["ad_practice"]
    assert len(table) == 18 and table["source_suppressed"].sum() == 3
    assert table["items"].isna().sum() == 3


def test_practice_ccg_map_blank_ccg_and_other_parents(raw_dir, tmp_path):
    shutil.copy(raw_dir / CCG_2019, tmp_path / "ccg.geojson")
    (tmp_path / "boundaries").mkdir()
    shutil.move(tmp_path / "ccg.geojson", tmp_path / CCG_2019)
    frame = pd.DataFrame(
        {
            "code": ["A81001", "Y01254", "Y04790", "P12345", "A81002", "A81001"],
            "ccg_id": ["00K", "", "106", "13Q", "00K", "00K"],
        }
    )
    result = prescribing.read_practice_ccg(_write_csv(frame, tmp_path, CCG_MAP))
    recon = result.reconciliation(CCG_MAP)
    assert recon.rows_in == 6 and recon.rows_used == 2
    assert recon.rejected["no CCG (closed or non-GP prescriber)"] == 1
    assert recon.rejected["duplicate practice code"] == 1
    assert sum(recon.rejected.values()) == 4
    assert list(result.tables["practice_ccg_2019"]["practice_code"]) == ["A81001", "A81002"]


def test_practice_ccg_map_missing_column(raw_dir, tmp_path):
    (tmp_path / "boundaries").mkdir()
    shutil.copy(raw_dir / CCG_2019, tmp_path / CCG_2019)
    frame = pd.DataFrame({"code": ["A81001"], "ccg": ["00K"]})
    with pytest.raises(SourceError) as error:
        prescribing.read_practice_ccg(_write_csv(frame, tmp_path, CCG_MAP))
    assert CCG_MAP in str(error.value) and "column 'ccg_id'" in str(error.value)


@pytest.fixture(scope="module")
def lsoas(raw_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(raw_dir / Q1, dtype=str, keep_default_na=False)
    wales = frame[frame["lsoa11"].str.startswith("W01")].head(3)
    return pd.concat([frame[frame["lsoa11"].str.startswith("E01")].head(10), wales])


def test_lsoa_missing_column(lsoas, tmp_path):
    raw = _write_csv(lsoas.drop(columns=["items"]), tmp_path, Q1)
    with pytest.raises(SourceError) as error:
        prescribing.read_lsoa_quarter(raw, "2025-Q1")
    assert Q1 in str(error.value) and "column 'items'" in str(error.value)


def test_lsoa_bad_values(lsoas, tmp_path):
    frame = lsoas.reset_index(drop=True)
    frame.loc[0, "items"] = "n/k"
    frame.loc[1, "all_ages"] = "*"
    frame.loc[2, "nic"] = ""
    result = prescribing.read_lsoa_quarter(_write_csv(frame, tmp_path, Q1), "2025-Q1")
    recon = result.reconciliations[0]
    assert recon.rejected == {
        "outside England (Welsh LSOA)": 3,
        "text in numeric column 'items'": 1,
    }
    table = result.tables["ad_lsoa"]
    assert len(table) == 9 and table["source_suppressed"].sum() == 2
    assert table["population"].isna().sum() == 1 and table["nic"].isna().sum() == 1


def test_lsoa_corrupt_file(tmp_path):
    target = tmp_path / Q1
    target.parent.mkdir(parents=True)
    target.write_bytes(gzip.compress(b"lsoa11,items\nE01000001,1\n" * 50)[:30])
    with pytest.raises(SourceError) as error:
        prescribing.read_lsoa_quarter(RawDir(tmp_path), "2025-Q1")
    assert Q1 in str(error.value)
