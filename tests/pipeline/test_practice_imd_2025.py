"""Practice IMD 2025 (Fingertips 94240): the real file, and rows the reader must refuse."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import deprivation

FILE = deprivation.PRACTICE_IMD_2025


@pytest.mark.raw
def test_every_row_of_the_real_file_is_a_practice_score(raw_dir: Path):
    result = deprivation.read_practice_imd_2025(RawDir(raw_dir))
    table = result.tables["practice_imd_2025"]
    (recon,) = result.reconciliations
    assert (recon.rows_in, recon.rows_used, recon.rows_rejected) == (6143, 6143, 0)
    assert len(table) >= 6000 and table["practice_code"].is_unique
    assert table["imd_score"].between(0, 100).all()
    densham = table.set_index("practice_code").loc["A81001"]
    assert densham["imd_score"] == pytest.approx(33.519)
    assert densham["practice_name"] == "The Densham Surgery"


def _write(tmp_path: Path, rows: list[list[str]]) -> RawDir:
    target = tmp_path / FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    columns = ["PRACTICE_CODE", "PRACTICE_NAME", "IMD_YEAR", "IMD_SCORE"]
    pd.DataFrame(rows, columns=columns).to_csv(target, index=False)
    return RawDir(tmp_path)


def test_bad_rows_are_rejected_with_their_reason(tmp_path):
    raw = _write(
        tmp_path,
        [
            ["A81001", "The Densham Surgery", "2025", "33.519"],
            ["A81002", "Queens Park", "2019", "31.2"],
            ["E38000259", "Black Country", "2025", "30.1"],
            ["A81004", "Acklam", "2025", "124.5"],
            ["A81005", "Springwood", "2025", "sixteen"],
            ["A81006", "Tennant Street", "2025", "20.0"],
            ["A81006", "Tennant Street", "2025", "21.0"],
        ],
    )
    result = deprivation.read_practice_imd_2025(raw)
    assert result.tables["practice_imd_2025"]["practice_code"].tolist() == ["A81001"]
    assert result.reconciliations[0].rejected == {
        "IMD year is not 2025": 1,
        "not a GP practice code": 1,
        "IMD score outside 0-100": 1,
        "text in numeric column 'IMD_SCORE'": 1,
        "duplicate PRACTICE_CODE (all copies rejected)": 2,
    }


def test_a_renamed_column_names_the_file(tmp_path):
    raw = _write(tmp_path, [["A81001", "The Densham Surgery", "2025", "33.5"]])
    path = raw.path(FILE)
    path.write_text(path.read_text().replace("IMD_SCORE", "SCORE"))
    with pytest.raises(SourceError) as error:
        deprivation.read_practice_imd_2025(raw)
    assert FILE in str(error.value) and "IMD_SCORE" in str(error.value)
