"""MHSDS readers on a few rows in the publisher's layout (headers as published)."""

from __future__ import annotations

from data_pipeline.raw import RawDir
from data_pipeline.sources import mhsds
from tests.pipeline.small.rawkit import rejected, write_records

TIME_SERIES = (
    "REPORTING_PERIOD_START,REPORTING_PERIOD_END,STATUS,BREAKDOWN,PRIMARY_LEVEL,"
    "PRIMARY_LEVEL_DESCRIPTION,SECONDARY_LEVEL,SECONDARY_LEVEL_DESCRIPTION,MEASURE_ID,"
    "MEASURE_NAME,MEASURE_VALUE"
)
IN_CONTACT = '"date","measure","count"'


def _row(breakdown: str, code: str, measure: str, value: object, **changes) -> dict:
    row = {
        "REPORTING_PERIOD_START": "01/06/2022",
        "REPORTING_PERIOD_END": "30/06/2022",
        "STATUS": "Performance",
        "BREAKDOWN": breakdown,
        "PRIMARY_LEVEL": code,
        "PRIMARY_LEVEL_DESCRIPTION": f"Area {code}",
        "SECONDARY_LEVEL": "NONE",
        "SECONDARY_LEVEL_DESCRIPTION": "NONE",
        "MEASURE_ID": measure,
        "MEASURE_NAME": f"Measure {measure}",
        "MEASURE_VALUE": value,
    }
    return row | changes


def test_time_series_keeps_atlas_breakdowns_and_measures(tmp_path):
    rows = [
        _row("England", "England", "MHS01", 1168537),
        _row("CCG - GP Practice or Residence", "02P", "MHS01", "*"),
        _row("CCG - GP Practice or Residence", "UNKNOWN", "MHS01", 25),
        _row("Provider", "RX4", "MHS01", 100),
        _row("ICB", "QE1", "ED86", "*"),
        _row("CCG - GP Practice or Residence", "02Q", "MHS01", 5, SECONDARY_LEVEL="F"),
        _row("ICB", "QE1", "MHS32", 40, REPORTING_PERIOD_END="15/06/2022"),
        _row("Region", "Y63", "MHS29", -5),
        _row("England", "England", "MHS01", 1168537),
    ]
    write_records(tmp_path, mhsds.TIME_SERIES_FILE, TIME_SERIES, rows)
    result = mhsds.read_time_series(RawDir(tmp_path))
    frame = result.tables["mhsds_monthly"]
    assert frame[["breakdown", "org_code", "measure_id", "period_months"]].values.tolist() == [
        ["ccg", "02P", "MHS01", 1],
        ["ccg", "UNKNOWN", "MHS01", 1],
        ["england", "England", "MHS01", 1],
    ]
    assert frame["source_suppressed"].tolist() == [True, False, False]
    assert rejected(result) == {
        "breakdown not used by the atlas: Provider": 1,
        "measure not used by the atlas: ED86": 1,
        "secondary breakdown not used by the atlas": 1,
        "reporting period is not whole months in the form dd/mm/yyyy": 1,
        "negative count in column 'MEASURE_VALUE'": 1,
        "duplicate row (same period, area and measure)": 1,
    }


def test_in_contact_england_monthly(tmp_path):
    people = mhsds.IN_CONTACT_MEASURE
    write_records(
        tmp_path,
        mhsds.IN_CONTACT_FILE,
        IN_CONTACT,
        [
            {"date": "2016-04-30", "measure": people, "count": 1168537},
            {"date": "2016-05-31", "measure": people, "count": 1212724},
            {"date": "31/06/2016", "measure": people, "count": 1},
            {"date": "2016-05-31", "measure": "Referrals", "count": 5},
            {"date": "2016-05-31", "measure": people, "count": 7},
        ],
    )
    result = mhsds.read_in_contact(RawDir(tmp_path))
    frame = result.tables["mhsds_england_in_contact"]
    assert [str(m.date()) for m in frame["month"]] == ["2016-04-01", "2016-05-01"]
    assert frame["value"].tolist() == [1168537, 1212724]
    assert rejected(result) == {
        "date not in the form yyyy-mm-dd": 1,
        "measure not used by the atlas: Referrals": 1,
        "duplicate month": 1,
    }
