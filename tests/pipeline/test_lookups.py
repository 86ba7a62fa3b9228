"""Geography lookups: real nesting of areas checked against the raw files, and bad input."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import lookups

SANDWELL = "E08000028"
ROWS_IN = {  # data rows of each file (MANIFEST.md; ODS: 322 rows less the header)
    lookups.LSOA21_ICB24: 33_755,
    lookups.LSOA21_LTLA24: 35_672,
    lookups.LTLA24_REGION: 296,
    lookups.LTLA23_UTLA23: 318,
    lookups.LTLA22_LTLA23: 374,
    lookups.LSOA11_LSOA21: 35_795,
    lookups.LSOA11_CCG21: 32_844,
    lookups.LSOA11_SICBL22: 32_844,
    lookups.GP_PRACTICES: 6_325,
    "lookups/ccg20_names_codes.csv": 135,
    "lookups/ccg21_names_codes.csv": 106,
    lookups.ODS_REGISTER: 321,
}
TABLE_ROWS = {
    "lsoa21_geography": 33_755,
    "ltla_utla_2023": 296,
    "ltla22_ltla23": 309,
    "lsoa11_lsoa21": 33_855,
    "lsoa11_ccg21": 32_844,
    "lsoa11_sicbl22": 32_844,
    "gp_practices_2024": 6_325,
    "ccg_codes": 241,
    "ods_ccg_register": 321,
}


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return lookups.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def recons(result):
    return {r.file: r for r in result.reconciliations}


def raw_csv(raw_dir: Path, relative: str) -> pd.DataFrame:
    return pd.read_csv(raw_dir / relative, dtype=str, keep_default_na=False, encoding="utf-8-sig")


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
def test_table_sizes_and_code_types(result):
    assert {name: len(t) for name, t in result.tables.items()} == TABLE_ROWS
    for name, table in result.tables.items():
        for column in table.columns:
            if column.endswith(("_code", "_ods", "_name")):
                assert table[column].dtype == "str", (name, column)


@pytest.mark.raw
def test_every_row_is_accounted_for(recons):
    assert set(recons) == set(ROWS_IN)
    for file, rows in ROWS_IN.items():
        recons[file].check()
        assert recons[file].rows_in == rows, file


@pytest.mark.raw
def test_welsh_rows_are_rejected_with_reason(recons):
    assert recons[lookups.LSOA21_LTLA24].rejected == {"outside England (Welsh code)": 1917}
    assert recons[lookups.LSOA11_LSOA21].rejected == {"outside England (Welsh code)": 1940}
    assert recons[lookups.LTLA23_UTLA23].rejected == {"outside England (Welsh code)": 22}
    assert recons[lookups.LTLA22_LTLA23].rows_rejected == 65  # Scotland, Wales, NI


@pytest.mark.raw
def test_lsoa21_geography_columns_and_completeness(result, recons):
    geo = result.tables["lsoa21_geography"]
    assert list(geo.columns) == [
        "lsoa21_code",
        "lsoa21_name",
        "sub_icb_code",
        "sub_icb_ods",
        "icb_code",
        "icb_ods",
        "ltla24_code",
        "region_code",
        "ward24_code",
        "ward24_name",
    ]
    assert geo["lsoa21_code"].is_unique and geo["lsoa21_code"].is_monotonic_increasing
    assert not geo.isna().any().any()  # no LSOA is missing from either file
    assert geo["sub_icb_code"].nunique() == 106 and geo["icb_code"].nunique() == 42
    assert geo["ltla24_code"].nunique() == 296 and geo["region_code"].nunique() == 9
    assert (geo["region_code"] == "E12000005").sum() == 3574  # West Midlands (MANIFEST)
    assert geo["ward24_code"].nunique() == 6784
    west_bromwich = geo.loc[geo["ward24_name"] == "West Bromwich Central"]
    assert set(west_bromwich["ward24_code"]) == {"E05001283"} and len(west_bromwich) == 8
    assert set(west_bromwich["ltla24_code"]) == {"E08000028"}  # Sandwell
    assert not recons[lookups.LSOA21_ICB24].notes and not recons[lookups.LSOA21_LTLA24].notes


@pytest.mark.raw
def test_sandwell_lsoas_nest_in_black_country(result, raw_dir):
    """Sandwell's 190 LSOAs are all in sub-ICB E38000259 (D2P2L), ICB E54000062 (QUA).

    E38000258 is Birmingham and Solihull (15E) since July 2022, when West Birmingham left
    the Black Country; the test recomputes the answer from the raw files.
    """
    geo = result.tables["lsoa21_geography"]
    sandwell = geo[geo["ltla24_code"] == SANDWELL]
    assert len(sandwell) == 190
    assert set(sandwell["sub_icb_code"]) == {"E38000259"}
    assert set(sandwell["sub_icb_ods"]) == {"D2P2L"}
    assert set(sandwell["icb_code"]) == {"E54000062"}
    assert set(sandwell["icb_ods"]) == {"QUA"}
    assert set(sandwell["region_code"]) == {"E12000005"}
    ward = raw_csv(raw_dir, lookups.LSOA21_LTLA24)
    icb = raw_csv(raw_dir, lookups.LSOA21_ICB24)
    raw_sandwell = icb[
        icb["lsoa21_code"].isin(ward.loc[ward["ltla24_code"] == SANDWELL].lsoa21_code)
    ]
    assert sorted(raw_sandwell["lsoa21_code"]) == sorted(sandwell["lsoa21_code"])
    assert set(raw_sandwell["sicbl24_code"]) == {"E38000259"}


@pytest.mark.raw
def test_sandwell_in_older_nhs_vintages(result):
    ccg21 = result.tables["lsoa11_ccg21"]
    sandwell = ccg21[ccg21["lad21_code"] == SANDWELL]
    assert len(sandwell) == 186  # LSOA 2011
    assert set(sandwell["ccg21_code"]) == {"E38000250"}  # Black Country and West Birmingham
    assert set(sandwell["ccg21_ods"]) == {"D2P2L"}
    sicbl22 = result.tables["lsoa11_sicbl22"]
    assert set(sicbl22.loc[sicbl22["ltla22_code"] == SANDWELL, "sicbl22_code"]) == {"E38000259"}
    codes = result.tables["ccg_codes"].set_index(["vintage", "ccg_ods"])["ccg_code"]
    assert codes[("ccg-2020", "05L")] == "E38000144"  # Sandwell and West Birmingham
    assert codes[("ccg-2020", "15E")] == "E38000220"
    assert codes[("ccg-2021", "D2P2L")] == "E38000250"


@pytest.mark.raw
def test_ltla_vintages(result, recons):
    utla = result.tables["ltla_utla_2023"].set_index("ltla23_code")
    assert utla.loc["E07000032", "utla23_code"] == "E10000007"  # Amber Valley in Derbyshire
    assert utla.loc[SANDWELL, "utla23_code"] == SANDWELL
    ltla24 = set(result.tables["lsoa21_geography"]["ltla24_code"])
    assert ltla24 == set(utla.index)
    assert any("are the same 296" in n for n in recons[lookups.LTLA23_UTLA23].notes)
    merges = result.tables["ltla22_ltla23"]
    moved = merges[merges["ltla22_code"] != merges["ltla23_code"]]
    assert len(moved) == 17
    assert set(moved["ltla23_code"]) == {"E06000063", "E06000064", "E06000065", "E06000066"}


@pytest.mark.raw
def test_lsoa11_lsoa21_best_fit(result):
    best_fit = result.tables["lsoa11_lsoa21"]
    assert list(best_fit.columns) == ["lsoa11_code", "lsoa21_code", "change_code"]
    assert best_fit["lsoa11_code"].nunique() == 32_844
    assert best_fit["lsoa21_code"].nunique() == 33_755
    assert set(best_fit["change_code"]) == {"U", "S", "M", "X"}


@pytest.mark.raw
def test_gp_practices(result, recons, raw_dir):
    gp = result.tables["gp_practices_2024"]
    assert list(gp.columns) == [
        "practice_code",
        "practice_name",
        "postcode",
        "latitude",
        "longitude",
        "lsoa21_code",
        "pcn_code",
        "pcn_name",
        "sub_icb_code",
        "sub_icb_ods",
        "icb_code",
        "icb_ods",
        "region_code",
        "region_ods",
    ]
    assert gp["latitude"].dtype == "Float64" and gp["longitude"].dtype == "Float64"
    first = gp.set_index("practice_code").loc["A81001"]
    assert first["postcode"] == "TS18 1HU" and first["sub_icb_ods"] == "16C"
    assert first["latitude"] == pytest.approx(54.561625)
    assert gp["practice_code"].is_unique and gp["latitude"].notna().all()
    assert (
        "0 practices have no coordinates (kept, lat/long NA)" in recons[lookups.GP_PRACTICES].notes
    )
    # trap: this file still uses pre-April-2023 codes for Surrey Heartlands and Sussex, and
    # pre-2024 codes for two NHS regions
    assert {"E38000246", "E38000248"} <= set(gp["sub_icb_code"])
    assert {"E40000007", "E40000010"} <= set(gp["region_code"])
    assert len(gp) == len(raw_csv(raw_dir, lookups.GP_PRACTICES))


@pytest.mark.raw
def test_ods_register(result):
    ods = result.tables["ods_ccg_register"].set_index("ods_code")
    assert list(ods.columns) == ["name", "postcode", "start_date", "end_date"]
    assert str(ods["start_date"].dtype).startswith("datetime64")
    assert ods.loc["05L", "name"] == "NHS SANDWELL AND WEST BIRMINGHAM CCG"
    assert ods.loc["05L", "end_date"] == pd.Timestamp("2021-03-31")
    assert pd.isna(ods.loc["D2P2L", "end_date"])
    assert ods.loc["00C", "start_date"] == pd.Timestamp("2013-04-01")


# --- bad input ----------------------------------------------------------------------------


def variant(raw_dir: Path, tmp_path: Path, relative: str, edit, rows: int | None = None):
    """Write an edited copy of a real CSV (plain or gzipped) under a fake raw root."""
    frame = raw_csv(raw_dir, relative)
    if rows is not None:
        frame = frame.head(rows)
    frame = edit(frame.copy())
    target = tmp_path / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, compression="gzip" if relative.endswith(".gz") else None)
    return RawDir(tmp_path)


def test_missing_column_names_file_and_column(raw_dir, tmp_path):
    raw = variant(raw_dir, tmp_path, lookups.LTLA23_UTLA23, lambda f: f.drop(columns="utla23_code"))
    with pytest.raises(SourceError) as err:
        lookups.read_ltla_utla_2023(raw)
    assert err.value.file == lookups.LTLA23_UTLA23 and err.value.column == "utla23_code"


def test_renamed_header_names_file_and_column(raw_dir, tmp_path):
    raw = variant(
        raw_dir,
        tmp_path,
        lookups.GP_PRACTICES,
        lambda f: f.rename(columns={"PRAC_LAT": "PRAC_LATITUDE"}),
        rows=20,
    )
    with pytest.raises(SourceError) as err:
        lookups.read_gp_practices(raw)
    assert err.value.column == "PRAC_LAT" and "did the header" in str(err.value)
    assert lookups.GP_PRACTICES in str(err.value)


def test_text_and_markers_in_coordinates(raw_dir, tmp_path):
    def edit(frame):
        frame.loc[0, "PRAC_LAT"] = "north"
        frame.loc[1, "PRAC_LAT"] = "*"
        frame.loc[2, "PRAC_LNG"] = "-"
        frame.loc[3, "PRAC_LAT"] = ""
        frame.loc[4, "PRAC_LAT"] = "0"  # off the coast of Africa
        return frame

    raw = variant(raw_dir, tmp_path, lookups.GP_PRACTICES, edit, rows=20)
    result = lookups.read_gp_practices(raw)
    gp, recon = result.tables["gp_practices_2024"], result.reconciliations[0]
    recon.check()
    assert recon.rows_in == 20 and recon.rows_used == 19
    assert recon.rejected == {"text in numeric column 'PRAC_LAT'": 1}
    assert int((gp["latitude"].isna() | gp["longitude"].isna()).sum()) == 4
    assert "4 practices have no coordinates (kept, lat/long NA)" in recon.notes
    assert "1 practices placed outside England: lat/long NA" in recon.notes


def test_blank_welsh_and_repeated_codes_are_counted(raw_dir, tmp_path):
    def edit(frame):
        frame.loc[0, "lsoa21_code"] = ""
        frame.loc[1, "lsoa21_code"] = "W01000001"
        frame.loc[2, "lsoa21_code"] = frame.loc[3, "lsoa21_code"]
        return frame

    raw = variant(raw_dir, tmp_path, lookups.LSOA21_ICB24, edit, rows=10)
    for relative in (lookups.LSOA21_LTLA24, lookups.LTLA24_REGION):
        (tmp_path / relative).write_bytes((raw_dir / relative).read_bytes())
    result = lookups.read_lsoa21_geography(raw)
    recon = {r.file: r for r in result.reconciliations}[lookups.LSOA21_ICB24]
    recon.check()
    assert recon.rejected == {
        "blank code in column 'lsoa21_code'": 1,
        "outside England (Welsh code)": 1,
        "duplicate lsoa21_code (first kept)": 1,
    }
    geo = result.tables["lsoa21_geography"]
    # LSOAs missing from the ICB file are kept, without their NHS areas, and noted
    assert len(geo) == 33_755 and int(geo["sub_icb_code"].notna().sum()) == 7
    assert any("33748 English LSOAs" in n for n in recon.notes)


def test_unknown_change_code_is_rejected(raw_dir, tmp_path):
    def edit(frame):
        frame.loc[0, "change_code"] = "Q"
        return frame

    raw = variant(raw_dir, tmp_path, lookups.LSOA11_LSOA21, edit, rows=10)
    result = lookups.read_lsoa11_lsoa21(raw)
    assert result.reconciliations[0].rejected == {"unknown change_code": 1}
    assert len(result.tables["lsoa11_lsoa21"]) == 9


def test_truncated_gzip_is_a_source_error(raw_dir, tmp_path):
    target = tmp_path / lookups.LSOA11_CCG21
    target.parent.mkdir(parents=True)
    target.write_bytes((raw_dir / lookups.LSOA11_CCG21).read_bytes()[:5000])
    with pytest.raises(SourceError) as err:
        lookups.read_lsoa11_ccg21(RawDir(tmp_path))
    assert err.value.file == lookups.LSOA11_CCG21


def test_bom_and_plain_csv_are_read_alike(raw_dir, tmp_path):
    target = tmp_path / lookups.LSOA11_CCG21
    target.parent.mkdir(parents=True)
    with gzip.open(raw_dir / lookups.LSOA11_CCG21) as src, gzip.open(target, "wb") as dst:
        dst.write(src.read().lstrip(b"\xef\xbb\xbf"))
    result = lookups.read_lsoa11_ccg21(RawDir(tmp_path))
    assert len(result.tables["lsoa11_ccg21"]) == 32_844


def test_ods_register_not_an_xls(tmp_path):
    target = tmp_path / lookups.ODS_REGISTER
    target.parent.mkdir(parents=True)
    target.write_text("Organization Code,Org Name\n00C,X\n")
    with pytest.raises(SourceError) as err:
        lookups.read_ods_register(RawDir(tmp_path))
    assert err.value.file == lookups.ODS_REGISTER


def test_ods_register_missing_column(raw_dir, tmp_path, monkeypatch):
    shutil.copytree(raw_dir / "lookups", tmp_path / "lookups", dirs_exist_ok=True)
    real = lookups._read_xls

    def without_postcode(raw, relative):
        frame, skipped = real(raw, relative)
        return frame.drop(columns="Postcode"), skipped

    monkeypatch.setattr(lookups, "_read_xls", without_postcode)
    with pytest.raises(SourceError) as err:
        lookups.read_ods_register(RawDir(tmp_path))
    assert err.value.column == "Postcode"


def test_ods_register_bad_dates(raw_dir, monkeypatch):
    real = lookups._read_xls

    def bad_dates(raw, relative):
        frame, skipped = real(raw, relative)
        frame.loc[0, "LegalStartDate"] = "soon"
        frame.loc[1, "LegalEndDate"] = "20201399"
        frame.loc[2, list(frame.columns)] = ""
        return frame, skipped

    monkeypatch.setattr(lookups, "_read_xls", bad_dates)
    result = lookups.read_ods_register(RawDir(raw_dir))
    recon = result.reconciliations[0]
    recon.check()
    assert recon.rejected == {
        "no readable date in column 'LegalStartDate'": 1,
        "unreadable date in column 'LegalEndDate'": 1,
        "empty row": 1,
    }
    assert len(result.tables["ods_ccg_register"]) == 318
