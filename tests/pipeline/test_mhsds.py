"""MHSDS reader: the real time series and England file, and damaged copies of them."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import mhsds

SERIES = mhsds.TIME_SERIES_FILE
CONTACT = mhsds.IN_CONTACT_FILE


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return mhsds.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def monthly(result) -> pd.DataFrame:
    return result.tables["mhsds_monthly"]


def _raw_series(raw_dir: Path, where: str, params: dict) -> pd.DataFrame:
    """Independent read of the raw time series (DuckDB, all text)."""
    with duckdb.connect() as con:
        return con.execute(
            "SELECT * FROM read_csv($p, all_varchar = true) WHERE " + where,
            {"p": str(raw_dir / SERIES), **params},
        ).df()


# --- real files -------------------------------------------------------------------------


@pytest.mark.raw
def test_row_accounting(result, monthly, raw_dir: Path):
    recon = result.reconciliation(SERIES)
    with gzip.open(raw_dir / SERIES, "rt", encoding="utf-8") as handle:
        lines = sum(1 for _ in handle) - 1
    assert recon.rows_in == lines == 465_927
    assert recon.rows_in == recon.rows_used + recon.rows_rejected
    assert recon.rows_used == len(monthly)
    assert recon.rejected["breakdown not used by the atlas: Provider"] == 295_917
    assert recon.rejected["breakdown not used by the atlas: STP"] == 10_953
    assert recon.rejected["breakdown not used by the atlas: England; Ethnicity"] == 715
    assert recon.rejected["measure not used by the atlas: MHS24a"] > 0


@pytest.mark.raw
def test_columns_and_types(monthly):
    assert list(monthly.columns) == mhsds.TIME_SERIES_OUT
    assert str(monthly["month"].dtype) == "datetime64[ns]"
    assert str(monthly["period_months"].dtype) == "Int64"
    assert str(monthly["value"].dtype) == "Float64"
    assert monthly["source_suppressed"].dtype == bool
    assert set(monthly["measure_id"]) == set(mhsds.MEASURES)
    assert set(monthly["breakdown"]) == {
        "england",
        "ccg",
        "ccg_residence",
        "sub_icb",
        "sub_icb_residence",
    }


@pytest.mark.raw
def test_mhs01_march_2022_ccgs_add_up_to_england(monthly):
    march = monthly[
        monthly["measure_id"].eq("MHS01") & monthly["month"].eq(pd.Timestamp("2022-03-01"))
    ]
    by_level = march.groupby("breakdown")["value"].sum()
    assert by_level["ccg"] == 1_606_765  # MANIFEST, UNKNOWN included
    assert by_level["england"] == 1_606_766
    unknown = march[march["org_code"].eq("UNKNOWN")]["value"].iloc[0]
    assert unknown == 16_405


@pytest.mark.raw
def test_ccg_values_match_raw(monthly, raw_dir: Path):
    source = _raw_series(
        raw_dir,
        "PRIMARY_LEVEL = $code AND BREAKDOWN = 'CCG - GP Practice or Residence' "
        "AND MEASURE_ID IN ('MHS01', 'MHS07', 'MHS29', 'MHS32')",
        {"code": "05L"},
    )
    source["month"] = pd.to_datetime(source["REPORTING_PERIOD_START"], format="%d/%m/%Y")
    expected = source.set_index(["month", "MEASURE_ID"])["MEASURE_VALUE"].astype(float)
    got = monthly[monthly["org_code"].eq("05L") & monthly["breakdown"].eq("ccg")]
    got = got.set_index(["month", "measure_id"])["value"].astype(float)
    assert len(got) == len(expected) == 4 * 60  # Apr 2016 - Mar 2021
    assert got.to_dict() == expected.to_dict()
    assert got[(pd.Timestamp("2020-03-01"), "MHS01")] > 0


@pytest.mark.raw
def test_code_vintages_and_july_2022_gap(monthly, result):
    mhs01 = monthly[monthly["measure_id"].eq("MHS01")]
    codes = mhs01[mhs01["breakdown"].isin(["ccg", "sub_icb"])].groupby("month")["org_code"]
    per_month = codes.nunique()
    firsts = {
        "2016-04-01": 210,
        "2017-04-01": 208,
        "2018-04-01": 196,
        "2019-04-01": 192,
        "2020-04-01": 136,
        "2021-04-01": 107,
        "2022-08-01": 107,
    }
    for month, n in firsts.items():
        assert per_month[pd.Timestamp(month)] == n
    assert pd.Timestamp("2022-07-01") not in per_month.index
    assert set(mhs01[mhs01["month"].eq(pd.Timestamp("2022-07-01"))]["breakdown"]) == {"england"}
    notes = result.reconciliation(SERIES).notes
    assert "ccg codes for MHS01 (incl. UNKNOWN): 136 from Apr 2020 to Mar 2021" in notes


@pytest.mark.raw
def test_period_lengths_and_mha_measures(monthly):
    lengths = monthly.groupby("measure_id")["period_months"].unique()
    assert list(lengths["MHS01"]) == [1]
    assert list(lengths["MHS101"]) == [3]
    mha = monthly[monthly["measure_id"].isin(["MHS08", "MHS09", "MHS81", "MHS83"])]
    assert set(mha["breakdown"]) == {"sub_icb"}
    assert mha["month"].min() == pd.Timestamp("2022-08-01")


@pytest.mark.raw
def test_suppressed_values_flagged(monthly, raw_dir: Path):
    stars = _raw_series(
        raw_dir,
        "MEASURE_VALUE = '*' AND BREAKDOWN = 'CCG of Residence' AND MEASURE_ID = 'MHS101'",
        {},
    )
    got = monthly[
        monthly["breakdown"].eq("ccg_residence")
        & monthly["measure_id"].eq("MHS101")
        & monthly["source_suppressed"]
    ]
    assert len(got) == len(stars) > 0
    assert got["value"].isna().all()


@pytest.mark.raw
def test_england_in_contact(result, monthly, raw_dir: Path):
    recon = result.reconciliation(CONTACT)
    table = result.tables["mhsds_england_in_contact"]
    source = pd.read_csv(raw_dir / CONTACT)
    assert recon.rows_in == recon.rows_used == len(table) == len(source) == 97
    assert list(table.columns) == ["month", "value", "source_suppressed"]
    assert table["month"].iloc[0] == pd.Timestamp("2016-04-01")
    assert table["value"].iloc[0] == 1_168_537
    assert table["month"].iloc[-1] == pd.Timestamp("2024-04-01")
    # The final (not provisional) months agree with the time series' England MHS01.
    england = monthly[monthly["measure_id"].eq("MHS01") & monthly["breakdown"].eq("england")]
    joined = england.merge(table, on="month", suffixes=("_ts", "_contact"))
    final = joined[joined["month"] <= pd.Timestamp("2022-03-01")]
    assert len(final) == 72
    assert (final["value_ts"] == final["value_contact"]).all()


# --- damaged copies -------------------------------------------------------------------


@pytest.fixture(scope="module")
def series_sample(raw_dir: Path) -> pd.DataFrame:
    return _raw_series(
        raw_dir,
        "PRIMARY_LEVEL IN ('D2P2L', '00L', '15E', '00Q', '00R', 'England', 'RXT', 'UNKNOWN') "
        "AND REPORTING_PERIOD_START IN ('01/03/2022', '01/04/2021')",
        {},
    )


def _write_series(root: Path, frame: pd.DataFrame) -> RawDir:
    path = root / SERIES
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, compression="gzip")
    return RawDir(root)


def test_sample_accounting(tmp_path, series_sample):
    result = mhsds.read_time_series(_write_series(tmp_path, series_sample))
    recon = result.reconciliations[0]
    assert recon.rows_in == len(series_sample)
    assert recon.rows_used == len(result.tables["mhsds_monthly"]) > 0
    assert recon.rejected["breakdown not used by the atlas: Provider"] > 0


@pytest.mark.parametrize("column", ["MEASURE_VALUE", "BREAKDOWN", "REPORTING_PERIOD_END"])
def test_missing_column(tmp_path, series_sample, column):
    with pytest.raises(SourceError) as err:
        mhsds.read_time_series(_write_series(tmp_path, series_sample.drop(columns=column)))
    assert SERIES in str(err.value) and f"column '{column}'" in str(err.value)


def test_renamed_header(tmp_path, series_sample):
    frame = series_sample.rename(columns={"MEASURE_ID": "MEASURE_CODE"})
    with pytest.raises(SourceError) as err:
        mhsds.read_time_series(_write_series(tmp_path, frame))
    assert "column 'MEASURE_ID'" in str(err.value)


def test_text_markers_and_bad_dates(tmp_path, series_sample):
    frame = series_sample.copy()
    kept = frame.index[
        frame["BREAKDOWN"].eq("CCG - GP Practice or Residence") & frame["MEASURE_ID"].eq("MHS01")
    ]
    original = frame.loc[kept, "MEASURE_VALUE"].copy()
    frame.loc[kept[0], "MEASURE_VALUE"] = "n/k"
    frame.loc[kept[1], "MEASURE_VALUE"] = "*"
    frame.loc[kept[2], "MEASURE_VALUE"] = "-"
    frame.loc[kept[3], "MEASURE_VALUE"] = None
    frame.loc[kept[4], "REPORTING_PERIOD_START"] = "2022-03-01"
    assert original.head(4).ne("*").all()
    result = mhsds.read_time_series(_write_series(tmp_path, frame))
    recon = result.reconciliations[0]
    table = result.tables["mhsds_monthly"]
    assert recon.rejected["text in numeric column 'MEASURE_VALUE'"] == 1
    assert recon.rejected["reporting period is not whole months in the form dd/mm/yyyy"] == 1
    ccg01 = table[table["breakdown"].eq("ccg") & table["measure_id"].eq("MHS01")]
    assert len(ccg01) == len(kept) - 2
    assert int(ccg01["source_suppressed"].sum()) == 3
    recon.check()


def test_corrupt_gzip(tmp_path):
    path = tmp_path / SERIES
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress(b"REPORTING_PERIOD_START,BREAKDOWN\n01/03/2022,England\n")[:30])
    with pytest.raises(SourceError) as err:
        mhsds.read_time_series(RawDir(tmp_path))
    assert SERIES in str(err.value)


@pytest.fixture(scope="module")
def contact_text(raw_dir: Path) -> str:
    return (raw_dir / CONTACT).read_text(encoding="utf-8")


def _write_contact(root: Path, text: str) -> RawDir:
    path = root / CONTACT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return RawDir(root)


def test_contact_renamed_header(tmp_path, contact_text):
    text = contact_text.replace('"count"', '"people"', 1)
    with pytest.raises(SourceError) as err:
        mhsds.read_in_contact(_write_contact(tmp_path, text))
    assert CONTACT in str(err.value) and "column 'count'" in str(err.value)


def test_contact_bad_values(tmp_path, contact_text):
    lines = contact_text.splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",lots"
    lines[2] = lines[2].rsplit(",", 1)[0] + ",*"
    lines[3] = lines[3].rsplit(",", 1)[0] + ","
    lines[4] = lines[4].replace("2016-07-31", "July 2016")
    lines[5] = lines[5].replace("People in contact", "Referrals")
    result = mhsds.read_in_contact(_write_contact(tmp_path, "\n".join(lines) + "\n"))
    recon = result.reconciliations[0]
    table = result.tables["mhsds_england_in_contact"]
    assert recon.rows_in == 97
    assert recon.rejected["text in numeric column 'count'"] == 1
    assert recon.rejected["date not in the form yyyy-mm-dd"] == 1
    assert sum(recon.rejected.values()) == 3
    assert len(table) == 94
    assert int(table["source_suppressed"].sum()) == 2
