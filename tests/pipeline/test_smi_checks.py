"""SMI physical health checks reader: the real file and damaged copies of it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import smi_checks

FILE = smi_checks.FILE


@pytest.fixture(scope="module")
def result(raw_dir: Path):
    return smi_checks.read(RawDir(raw_dir))


@pytest.fixture(scope="module")
def table(result) -> pd.DataFrame:
    return result.tables["smi_checks"]


@pytest.fixture(scope="module")
def source(raw_dir: Path) -> pd.DataFrame:
    return pd.read_csv(raw_dir / FILE, dtype=str, keep_default_na=False)


# --- real file --------------------------------------------------------------------------


@pytest.mark.raw
def test_row_accounting(result, table, source):
    recon = result.reconciliations[0]
    assert recon.rows_in == len(source) == 23_728
    assert recon.rows_used == len(table) == 23_728
    recon.check()


@pytest.mark.raw
def test_columns_and_types(table):
    assert list(table.columns) == smi_checks.OUT
    assert str(table["quarter"].dtype) == "Int64"
    assert str(table["quarter_end"].dtype) == "datetime64[ns]"
    assert str(table["value"].dtype) == "Float64"
    assert table["source_suppressed"].dtype == bool
    assert set(table["measure"]) == set(smi_checks.MEASURES)


@pytest.mark.raw
def test_england_register_q4_2023_24(table, source):
    q4 = table[
        table["fin_year"].eq("2023-24")
        & table["quarter"].eq(4)
        & table["measure"].eq("SMIRegister")
    ]
    expected = pd.to_numeric(
        source.loc[
            source["Period"].eq("SMI-Q4-2023-2024") & source["Question"].eq("SMIRegister"),
            "Answer",
        ]
    ).sum()
    assert q4["value"].sum() == expected == 527_556
    assert round(expected / 1000) == 528  # MANIFEST: about 528k
    assert (q4["quarter_end"] == pd.Timestamp("2024-03-31")).all()


@pytest.mark.raw
def test_codes_per_period(table):
    counts = table.groupby("quarter_end")["org_code"].nunique()
    assert counts[pd.Timestamp("2018-12-31")] == 195
    assert counts[pd.Timestamp("2019-06-30")] == 191
    assert counts[pd.Timestamp("2020-09-30")] == 135
    assert counts[pd.Timestamp("2024-03-31")] == 106
    assert sorted(set(counts)) == [106, 135, 191, 195]
    assert len(counts) == 22


@pytest.mark.raw
def test_quarter_end_dates(table):
    ends = table.drop_duplicates(["fin_year", "quarter"]).set_index(["fin_year", "quarter"])
    assert ends.loc[("2019-20", 1), "quarter_end"] == pd.Timestamp("2019-06-30")
    assert ends.loc[("2019-20", 2), "quarter_end"] == pd.Timestamp("2019-09-30")
    assert ends.loc[("2019-20", 3), "quarter_end"] == pd.Timestamp("2019-12-31")
    assert ends.loc[("2019-20", 4), "quarter_end"] == pd.Timestamp("2020-03-31")


@pytest.mark.raw
def test_area_values_match_source(table, source):
    for code in ["D2P2L", "15E", "05L"]:
        rows = source[source["CCG Code"].eq(code) & source["Question"].eq("All6PHC")]
        assert len(rows) > 0
        got = table[table["org_code"].eq(code) & table["measure"].eq("All6PHC")]
        assert sorted(got["value"].dropna().astype(float)) == sorted(
            pd.to_numeric(rows["Answer"], errors="coerce").dropna()
        )


@pytest.mark.raw
def test_blank_answers_flagged(table, source):
    blanks = source["Answer"].str.strip().eq("")
    assert int(blanks.sum()) == 24
    flagged = table[table["source_suppressed"]]
    assert len(flagged) == 24 and flagged["value"].isna().all()
    assert set(flagged["org_code"]) == {"07M", "15A"}


# --- damaged copies -------------------------------------------------------------------


def _write(root: Path, frame: pd.DataFrame) -> RawDir:
    path = root / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return RawDir(root)


@pytest.mark.parametrize("column", ["Answer", "CCG Code", "Period"])
def test_missing_column(tmp_path, source, column):
    with pytest.raises(SourceError) as err:
        smi_checks.read(_write(tmp_path, source.head(100).drop(columns=column)))
    assert FILE in str(err.value) and f"column '{column}'" in str(err.value)


def test_renamed_header(tmp_path, source):
    frame = source.head(100).rename(columns={"Question": "Questions"})
    with pytest.raises(SourceError) as err:
        smi_checks.read(_write(tmp_path, frame))
    assert "column 'Question'" in str(err.value) and "Questions" in str(err.value)


def test_no_numbers_at_all(tmp_path, source):
    frame = source.head(50).assign(Answer="n/a yet")
    with pytest.raises(SourceError) as err:
        smi_checks.read(_write(tmp_path, frame))
    assert "column 'Answer'" in str(err.value)


def test_bad_values_counted_or_flagged(tmp_path, source):
    frame = source.head(40).copy()
    frame.loc[0, "Answer"] = "many"
    frame.loc[1, "Answer"] = "*"
    frame.loc[2, "Answer"] = "-"
    frame.loc[3, "Answer"] = ""
    frame.loc[4, "Answer"] = "-12"
    frame.loc[5, "Period"] = "SMI-Q5-2019-2020"
    frame.loc[6, "CCG Code"] = "W11000001"
    frame.loc[7, "Question"] = "Cholesterol"
    result = smi_checks.read(_write(tmp_path, frame))
    recon = result.reconciliations[0]
    table = result.tables["smi_checks"]
    assert recon.rows_in == 40
    assert recon.rejected == {
        "text in numeric column 'Answer'": 1,
        "negative count in column 'Answer'": 1,
        "period not in the form SMI-Q4-2023-2024": 1,
        "not a CCG / sub-ICB ODS code": 1,
        "measure not used by the atlas: Cholesterol": 1,
    }
    assert len(table) == recon.rows_used == 35
    assert int(table["source_suppressed"].sum()) == 3
