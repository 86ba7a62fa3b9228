"""SMI physical health checks reader on a few rows in the publisher's layout."""

from __future__ import annotations

from data_pipeline.raw import RawDir
from data_pipeline.sources import smi_checks
from tests.pipeline.small.rawkit import rejected, write_records

HEADER = "Period,CCG Code,Question,Answer"


def test_smi_checks_quarters_codes_and_questions(tmp_path):
    q1 = "SMI-Q1-2019-2020"
    write_records(
        tmp_path,
        smi_checks.FILE,
        HEADER,
        [
            {"Period": q1, "CCG Code": "00C", "Question": "Alcohol", "Answer": "841.0"},
            {"Period": q1, "CCG Code": "00C", "Question": "All6PHC", "Answer": ""},
            {
                "Period": "SMI-Q4-2023-2024",
                "CCG Code": "15N",
                "Question": "SMIRegister",
                "Answer": "9000",
            },
            {"Period": "SMI-Q5-2019-2020", "CCG Code": "00C", "Question": "Alcohol", "Answer": 1},
            {"Period": q1, "CCG Code": "E38000042", "Question": "Alcohol", "Answer": 1},
            {"Period": q1, "CCG Code": "00D", "Question": "Weight", "Answer": 1},
            {"Period": q1, "CCG Code": "00C", "Question": "Alcohol", "Answer": 841},
        ],  # fmt: skip
    )
    result = smi_checks.read(RawDir(tmp_path))
    frame = result.tables["smi_checks"]
    assert frame[["fin_year", "quarter", "org_code", "measure"]].values.tolist() == [
        ["2019-20", 1, "00C", "Alcohol"],
        ["2019-20", 1, "00C", "All6PHC"],
        ["2023-24", 4, "15N", "SMIRegister"],
    ]
    assert [str(d.date()) for d in frame["quarter_end"]] == ["2019-06-30"] * 2 + ["2024-03-31"]
    assert frame["source_suppressed"].tolist() == [False, True, False]
    assert rejected(result) == {
        "period not in the form SMI-Q4-2023-2024": 1,
        "not a CCG / sub-ICB ODS code": 1,
        "measure not used by the atlas: Weight": 1,
        "duplicate row (same quarter, code and question)": 1,
    }
