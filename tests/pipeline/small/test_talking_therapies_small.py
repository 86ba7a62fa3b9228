"""NHS Talking Therapies readers on a few rows in the publisher's layout."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from data_pipeline.raw import RawDir
from data_pipeline.sources import talking_therapies as tt
from tests.pipeline.small.rawkit import rejected, write_parquet, write_records

ANNUAL_SCHEMA = [
    ("reporting_period", pa.string()),
    ("start_date", pa.date32()),
    ("end_date", pa.date32()),
    ("org_type", pa.string()),
    ("org_code", pa.string()),
    ("org_name", pa.string()),
    ("variable_type", pa.string()),
    ("variable_a", pa.string()),
    ("variable_b", pa.string()),
    ("measure_name", pa.string()),
    ("measure_statistic", pa.string()),
    ("value", pa.string()),
]
MONTHLY = '"sicbl22_code","date","name","value"'


def _annual(org_type: str, code: str, breakdown: str, label: str, **changes) -> dict:
    row = {
        "reporting_period": "2021-22",
        "start_date": dt.date(2021, 4, 1),
        "end_date": dt.date(2022, 3, 31),
        "org_type": org_type,
        "org_code": code,
        "org_name": f"Area {code}",
        "variable_type": breakdown,
        "variable_a": label,
        "variable_b": "NULL",
        "measure_name": "referrals_received",
        "measure_statistic": "count",
        "value": "255",
    }
    return row | changes


def test_annual_converts_deciles_to_the_ons_convention(tmp_path):
    decile = "Indices of Deprivation Decile"
    rows = [
        _annual("England", "ENG", "Total", "Total"),
        _annual("CCG", "02P", decile, "01 Least deprived", value="30"),
        _annual("CCG", "02P", decile, "10 Most deprived", value="*"),
        _annual("CCG", "02P", decile, "Not stated/Not known/Invalid", value="5"),
        _annual("CCG", "02P", decile, "Somewhere in the middle"),
        _annual("Provider", "RX4", "Total", "Total"),
        _annual("CCG", "UNKNOWN", "Total", "Total"),
        _annual("CCG", "02P", "Total", "Total", measure_statistic="percentage"),
        _annual("CCG", "02P", "Total", "Total", value="NULL"),
        _annual("CCG", "02P", "Total", "Total", reporting_period="2021/22"),
        _annual("CCG", "02P", "Total", "Total", value="-1"),
    ]
    write_parquet(tmp_path, tt.ANNUAL_FILE, ANNUAL_SCHEMA, rows)
    result = tt.read_annual(RawDir(tmp_path))
    frame = result.tables["tt_annual"]
    assert frame[["org_type", "breakdown"]].values.tolist() == [
        ["ccg", "imd_decile"],
        ["ccg", "imd_decile"],
        ["ccg", "imd_decile"],
        ["england", "total"],
    ]
    assert frame["imd_decile"].fillna(0).tolist() == [1, 10, 0, 0]
    assert frame["source_suppressed"].tolist() == [True, False, False, False]
    assert rejected(result) == {
        "unrecognised deprivation decile label: 'Somewhere in the middle'": 1,
        "organisation type not used by the atlas: Provider": 1,
        "organisation code UNKNOWN (activity not attributed to an area)": 1,
        "percentage (the atlas recomputes rates from counts)": 1,
        "value NULL (not applicable)": 1,
        "reporting period not in the form 2018-19": 1,
        "negative count in column 'value'": 1,
    }


def test_monthly_sub_icb_measures(tmp_path):
    write_records(
        tmp_path,
        tt.MONTHLY_FILE,
        MONTHLY,
        [
            {
                "sicbl22_code": "E38000130",
                "date": "July 2022",
                "name": "Count_ReferralsReceived",
                "value": 560,
            },
            {
                "sicbl22_code": "E38000130",
                "date": "July 2022",
                "name": "Percentage_Recovery",
                "value": "NA",
            },
            {
                "sicbl22_code": "02P",
                "date": "July 2022",
                "name": "Count_ReferralsReceived",
                "value": 1,
            },
            {
                "sicbl22_code": "E38000130",
                "date": "2022-07",
                "name": "Count_ReferralsReceived",
                "value": 1,
            },
            {"sicbl22_code": "E38000130", "date": "July 2022", "name": "Referrals", "value": 1},
            {
                "sicbl22_code": "E38000130",
                "date": "July 2022",
                "name": "Count_ReferralsReceived",
                "value": 561,
            },
        ],  # fmt: skip
    )
    result = tt.read_monthly(RawDir(tmp_path))
    frame = result.tables["tt_monthly_subicb"]
    assert frame[["measure", "value"]].fillna(-1).values.tolist() == [
        ["recovery_pct", -1],
        ["referrals_received", 560],
    ]
    assert rejected(result) == {
        "not a sub-ICB location code (E38)": 1,
        "month not in the form 'July 2022'": 1,
        "measure name without a Count_ or Percentage_ prefix": 1,
        "duplicate row (same sub-ICB, month and measure)": 1,
    }
