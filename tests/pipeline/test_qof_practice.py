"""QOF 2022-23 practice registers and practice geography: real values and bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import qof_practice

PREVALENCE = qof_practice.PREVALENCE_FILE
MAPPING = qof_practice.MAPPING_FILE


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return qof_practice.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def registers(result) -> pd.DataFrame:
    return result.tables["qof_practice"]


@pytest.fixture(scope="module")
def geography(result) -> pd.DataFrame:
    return result.tables["qof_practice_geography"]


# --- real files ---------------------------------------------------------------------------


@pytest.mark.raw
def test_tables_have_the_specified_columns(registers, geography):
    assert list(registers.columns) == [
        "practice_code",
        "group",
        "register",
        "list_size",
        "list_type",
        "source_suppressed",
    ]
    assert registers["register"].dtype == "Float64"
    assert list(geography.columns) == list(qof_practice.MAPPING_COLUMNS.values())
    assert len(geography) == 6378 and geography["practice_code"].is_unique


@pytest.mark.raw
def test_england_prevalence_matches_the_published_figures(registers):
    sums = registers.groupby("group")[["register", "list_size"]].sum()
    dep, mh = sums.loc["DEP"], sums.loc["MH"]
    assert round(dep["register"] / 1e6, 2) == 6.62
    assert round(dep["list_size"] / 1e6, 2) == 49.95
    assert round(dep["register"] / dep["list_size"] * 100, 2) == 13.25
    assert round(mh["register"] / 1e3) == 622
    assert round(mh["list_size"] / 1e6, 2) == 62.38
    assert round(mh["register"] / mh["list_size"] * 100, 2) == 1.00


@pytest.mark.raw
def test_values_equal_the_raw_file(registers, raw_dir):
    raw = pd.read_csv(raw_dir / PREVALENCE)
    dep = raw[raw["GROUP_CODE"] == "DEP"]
    assert registers.query("group == 'DEP'")["register"].sum() == dep["REGISTER"].sum()
    assert set(dep["PATIENT_LIST_TYPE"]) == {"18OV"}
    one = registers[(registers["practice_code"] == "A81001") & (registers["group"] == "DEP")]
    assert one["register"].iloc[0] == 316 and one["list_type"].iloc[0] == "18OV"


@pytest.mark.raw
def test_row_accounting(result, raw_dir):
    with gzip.open(raw_dir / PREVALENCE, "rt") as handle:
        data_rows = sum(1 for _ in handle) - 1
    prevalence, mapping = result.reconciliations
    assert prevalence.rows_in == data_rows == 133_938
    assert prevalence.rows_used == 2 * 6378
    assert prevalence.rejected["register not used by the atlas: AF"] == 6378
    assert len(prevalence.rejected) == 19
    assert prevalence.rows_in == prevalence.rows_used + prevalence.rows_rejected
    assert (mapping.rows_in, mapping.rows_used, mapping.rows_rejected) == (6378, 6378, 0)


@pytest.mark.raw
def test_every_practice_is_in_the_mapping(registers, geography):
    assert set(registers["practice_code"]) == set(geography["practice_code"])


@pytest.mark.raw
def test_black_country_sub_icb(registers, geography, raw_dir):
    # Sandwell's practices (e.g. Cape Hill Medical Centre, M88006) are in the Black Country
    # sub-ICB D2P2L, whose ONS code is E38000259 (E38000258 is Birmingham and Solihull, 15E).
    sandwell = geography.set_index("practice_code").loc["M88006"]
    assert sandwell["sub_icb_ods"] == "D2P2L" and sandwell["sub_icb_ons"] == "E38000259"
    assert sandwell["icb_ods"] == "QUA"
    birmingham = geography[geography["sub_icb_ods"] == "15E"]["sub_icb_ons"].unique()
    assert list(birmingham) == ["E38000258"]

    joined = registers.merge(geography, on="practice_code")
    ours = joined[(joined["sub_icb_ods"] == "D2P2L") & (joined["group"] == "DEP")]
    raw = pd.read_csv(raw_dir / PREVALENCE)
    mapping = pd.read_parquet(raw_dir / MAPPING)
    codes = mapping.loc[mapping["SUB_ICB_ODS_CODE"] == "D2P2L", "PRACTICE_CODE"]
    expected = raw[(raw["GROUP_CODE"] == "DEP") & raw["PRACTICE_CODE"].isin(codes)]
    assert len(ours) == len(codes) == 181
    assert ours["register"].sum() == expected["REGISTER"].sum()
    assert ours["list_size"].sum() == expected["PRACTICE_LIST_SIZE"].sum()


# --- bad input ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(raw_dir: Path) -> pd.DataFrame:
    """The first ten practices of the real file (21 registers each), as text."""
    frame = pd.read_csv(raw_dir / PREVALENCE, dtype=str, keep_default_na=False, nrows=210)
    assert frame["PRACTICE_CODE"].nunique() == 10
    return frame


def _write(frame: pd.DataFrame, tmp_path: Path) -> RawDir:
    target = tmp_path / PREVALENCE
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, compression="gzip")
    return RawDir(tmp_path)


def test_sample_reads(sample, tmp_path):
    result = qof_practice.read_prevalence(_write(sample, tmp_path))
    assert len(result.tables["qof_practice"]) == 20
    assert result.reconciliations[0].rows_in == 210


def test_missing_column(sample, tmp_path):
    raw = _write(sample.drop(columns=["REGISTER"]), tmp_path)
    with pytest.raises(SourceError) as error:
        qof_practice.read_prevalence(raw)
    assert PREVALENCE in str(error.value) and "column 'REGISTER'" in str(error.value)


def test_renamed_header(sample, tmp_path):
    raw = _write(sample.rename(columns={"PRACTICE_LIST_SIZE": "LIST_SIZE"}), tmp_path)
    with pytest.raises(SourceError) as error:
        qof_practice.read_prevalence(raw)
    message = str(error.value)
    assert "column 'PRACTICE_LIST_SIZE'" in message and "LIST_SIZE" in message


def test_text_in_register_is_rejected(sample, tmp_path):
    frame = sample.copy()
    frame.loc[frame["GROUP_CODE"] == "DEP", "REGISTER"] = ["abc"] + ["10.0"] * 9
    result = qof_practice.read_prevalence(_write(frame, tmp_path))
    recon = result.reconciliations[0]
    assert recon.rejected["text in numeric column 'register'"] == 1
    assert len(result.tables["qof_practice"]) == 19
    assert recon.rows_in == recon.rows_used + recon.rows_rejected


def test_suppression_markers_are_flagged(sample, tmp_path):
    frame = sample.copy()
    mh = frame.index[frame["GROUP_CODE"] == "MH"]
    frame.loc[mh[:3], "REGISTER"] = ["*", "-", ""]
    table = qof_practice.read_prevalence(_write(frame, tmp_path)).tables["qof_practice"]
    mh_rows = table[table["group"] == "MH"]
    assert len(mh_rows) == 10
    assert mh_rows["source_suppressed"].sum() == 3
    assert mh_rows["register"].isna().sum() == 3


def test_wrong_list_type_is_rejected(sample, tmp_path):
    frame = sample.copy()
    frame.loc[frame.index[frame["GROUP_CODE"] == "DEP"][0], "PATIENT_LIST_TYPE"] = "TOTAL"
    result = qof_practice.read_prevalence(_write(frame, tmp_path))
    reasons = result.reconciliations[0].rejected
    assert sum(n for reason, n in reasons.items() if reason.startswith("list type")) == 1


def test_corrupt_gzip(tmp_path):
    target = tmp_path / PREVALENCE
    target.parent.mkdir(parents=True)
    target.write_bytes(gzip.compress(b"PRACTICE_CODE,GROUP_CODE\nA1,DEP\n")[:20])
    with pytest.raises(SourceError) as error:
        qof_practice.read_prevalence(RawDir(tmp_path))
    assert PREVALENCE in str(error.value)


def _write_mapping(frame: pd.DataFrame, tmp_path: Path) -> RawDir:
    target = tmp_path / MAPPING
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(target, index=False)
    return RawDir(tmp_path)


def test_mapping_missing_column(raw_dir, tmp_path):
    frame = pd.read_parquet(raw_dir / MAPPING).head(50).drop(columns=["SUB_ICB_ONS_CODE"])
    with pytest.raises(SourceError) as error:
        qof_practice.read_geography(_write_mapping(frame, tmp_path))
    assert MAPPING in str(error.value) and "column 'SUB_ICB_ONS_CODE'" in str(error.value)


def test_mapping_duplicates_and_blanks_are_rejected(raw_dir, tmp_path):
    frame = pd.read_parquet(raw_dir / MAPPING).head(50)
    frame = pd.concat([frame, frame.head(2)], ignore_index=True)
    frame.loc[5, "SUB_ICB_ODS_CODE"] = ""
    result = qof_practice.read_geography(_write_mapping(frame, tmp_path))
    recon = result.reconciliations[0]
    assert recon.rows_in == 52
    assert recon.rejected == {"duplicate practice code": 2, "no sub-ICB location": 1}
    assert len(result.tables["qof_practice_geography"]) == 49


# --- 2024-25: the same reader, the same checks, its own table --------------------------------

PREVALENCE_2425 = qof_practice.PREVALENCE_FILES["2024-25"]


@pytest.fixture(scope="module")
def result_2425(raw_dir: Path):
    return qof_practice.prevalence_reader("2024-25")(RawDir(raw_dir))


@pytest.mark.raw
def test_2024_25_row_accounting_and_england(result_2425, raw_dir):
    (recon,) = result_2425.reconciliations
    assert recon.file == PREVALENCE_2425
    with gzip.open(raw_dir / PREVALENCE_2425, "rt") as handle:
        assert recon.rows_in == sum(1 for _ in handle) - 1 == 129_948
    assert recon.rows_used == 2 * 6188 and len(recon.rejected) == 19
    table = result_2425.tables["qof_practice_2024_25"]
    sums = table.groupby("group")[["register", "list_size"]].sum()
    # NHS England QOF 2024-25: depression 14.27% (7.32 M of 51.29 M adults), SMI 1.02%.
    dep, mh = sums.loc["DEP"], sums.loc["MH"]
    assert round(dep["register"] / 1e6, 2) == 7.32 and round(dep["list_size"] / 1e6, 2) == 51.29
    assert round(dep["register"] / dep["list_size"] * 100, 2) == 14.27
    assert round(mh["register"] / mh["list_size"] * 100, 2) == 1.02


def test_2024_25_rows_that_cannot_be_counts_are_rejected(sample, tmp_path):
    frame = sample.copy()
    dep = frame.index[frame["GROUP_CODE"] == "DEP"]
    frame.loc[dep[0], "REGISTER"] = "12.5"
    frame.loc[dep[1], "REGISTER"] = "999999"
    frame.loc[dep[2], "PRACTICE_LIST_SIZE"] = "0"
    target = tmp_path / PREVALENCE_2425
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, compression="gzip")
    result = qof_practice.read_prevalence(RawDir(tmp_path), "2024-25")
    reasons = result.reconciliations[0].rejected
    assert reasons["not a whole number of patients: register"] == 1
    assert reasons["register larger than the list it is counted against"] == 1
    assert reasons["no patients on the list (no prevalence can be made)"] == 1
    assert len(result.tables["qof_practice_2024_25"]) == 17
