"""Small secondary-care readers on a few rows in each publisher's layout."""

from __future__ import annotations

from data_pipeline.raw import RawDir
from data_pipeline.sources import secondary_other as so
from tests.pipeline.small.rawkit import rejected, write_records, write_workbook

OAPS = "CCG21CD,Inappropriate OAPs active at period end,Total Cost For Inappropriate OAPs in Period"
RESTRICTIVE = ",".join(["CCG21CD", *so.RESTRICTIVE_COLUMNS])
READMISSIONS_HEADER = [
    "Reporting period", "Breakdown", "ONS code", "Level", "Level description", "ISR",
    "CI lower", "CI upper", "Discharges", "Observed readmissions",
]  # fmt: skip


def test_oaps(tmp_path):
    active, cost = list(so.OAPS_COLUMNS)[1:]
    write_records(
        tmp_path,
        so.OAPS_FILE,
        OAPS,
        [
            {"CCG21CD": "E38000006", active: 5, cost: 123361},
            {"CCG21CD": "E38000007", active: "*", cost: 35500},
            {"CCG21CD": "E38000007", active: 5, cost: 35500},
            {"CCG21CD": "02P", active: 5, cost: 1},
        ],
    )
    result = so.read_oaps(RawDir(tmp_path))
    frame = result.tables["oaps_ccg21"]
    assert frame[["ccg21_code", "oaps_cost", "source_suppressed"]].values.tolist() == [
        ["E38000006", 123361, False],
        ["E38000007", 35500, True],
    ]
    assert rejected(result) == {"duplicate CCG code": 1, "not a CCG code (E38)": 1}


def test_readmissions_workbook_finds_its_header_below_the_notes(tmp_path):
    notes = [
        [None],
        ["Unplanned readmissions to mental health services within 30 days"],
        ["Statistic", "Indirectly age and sex standardised ratio"],
        ["Notes", "* = data suppressed due to small numbers"],
        [None],
    ]
    period = "October 2014 to September 2015"
    rows = [
        READMISSIONS_HEADER,
        [period, "National", "E92000001", "National", "All registered patients in England",
         "100", "98.2", "101.8", "114141", "11984"],
        [period, "CCG", "E38000042", "00C", "NHS Darlington CCG", 110.5, 77.8, 152.3, 325, 35],
        [period, "CCG", "E38000043", "00D", "NHS Durham Dales CCG", "*", "*", "*", 10, "*"],
        [period, "Region", "E39000001", "Q1", "A region", 90, 80, 100, 1000, 90],
        [None] * 10,
        [period, "CCG", "E38000044", "00E", "NHS Negative CCG", 1, 1, 1, -4, 1],
    ]  # fmt: skip
    write_workbook(tmp_path, so.READMISSIONS_FILE, {"Indicator": [*notes, *rows]})
    result = so.read_readmissions(RawDir(tmp_path))
    frame = result.tables["readmissions_ccg"]
    assert frame["level"].tolist() == ["ccg", "ccg", "england"]
    assert frame["ods_code"].fillna("-").tolist() == ["00C", "00D", "-"]
    assert frame["isr"].fillna(-1).tolist() == [110.5, -1, 100.0]
    assert frame["source_suppressed"].tolist() == [False, True, False]
    assert result.reconciliations[0].rows_in == 5
    assert rejected(result) == {
        "breakdown not used by the atlas: Region": 1,
        "negative count in column 'discharges'": 1,
    }


def test_restrictive_interventions_one_row_per_ccg_in_eighteen_out(tmp_path):
    values = dict.fromkeys(so.RESTRICTIVE_COLUMNS, "0.0")
    write_records(
        tmp_path,
        so.RESTRICTIVE_FILE,
        RESTRICTIVE,
        [
            {"CCG21CD": "E38000024", **values, "Seclusion (BAME)": 48.333},
            {"CCG21CD": "E38000026", **values, "Seclusion (Non-BAME)": "*"},
            {"CCG21CD": "E38000026", **values},
            {"CCG21CD": "E38000027", **values, "UNKNOWN (BAME)": "a few"},
        ],
    )
    result = so.read_restrictive(RawDir(tmp_path))
    frame = result.tables["restrictive_ccg21"]
    assert len(frame) == 2 * 18
    first = frame.set_index(["ccg21_code", "intervention", "group"])
    assert first.loc[("E38000024", "Seclusion", "BAME"), "value"] == 48.333
    assert first.loc[("E38000026", "Seclusion", "Non-BAME"), "source_suppressed"]
    assert not first.loc[("E38000026", "Seclusion", "BAME"), "source_suppressed"]
    assert rejected(result) == {
        "duplicate CCG code": 1,
        "text in numeric column 'UNKNOWN (BAME)'": 1,
    }
