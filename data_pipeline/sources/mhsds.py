"""Mental Health Services Data Set: monthly secondary-care activity by CCG / sub-ICB.

Two raw files:

- ``secondary_care/mhsds_time_series_apr2016_to_nov2022_ccg_subicb_provider.csv.gz``: the
  official MHSDS time series (about 466k rows, every breakdown). It is read with DuckDB, all
  columns as text; rows are classified in SQL and only the area-level rows of the measures
  the atlas uses reach pandas.
- ``services/mhsds_people_in_contact_england_monthly_2016-2024_healthyr.csv``: England's
  monthly count of people in contact with services, which runs on past the time series.

The time-series file mixes reporting-period lengths (monthly snapshots, rolling 3-month and
12-month counts), so each row keeps ``period_months`` beside its start ``month``.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from data_pipeline import duck
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, read_csv_text, require_columns

SOURCE = "mhsds"
TIME_SERIES_FILE = "secondary_care/mhsds_time_series_apr2016_to_nov2022_ccg_subicb_provider.csv.gz"
IN_CONTACT_FILE = "services/mhsds_people_in_contact_england_monthly_2016-2024_healthyr.csv"

TIME_SERIES_COLUMNS = (
    "REPORTING_PERIOD_START",
    "REPORTING_PERIOD_END",
    "BREAKDOWN",
    "PRIMARY_LEVEL",
    "PRIMARY_LEVEL_DESCRIPTION",
    "SECONDARY_LEVEL",
    "MEASURE_ID",
    "MEASURE_VALUE",
)
#: Area breakdowns kept. "GP Practice or Residence" is the responsible commissioner;
#: "of Residence" is used by the publisher only for MHS91/95/100-108.
BREAKDOWNS = {
    "England": "england",
    "Region": "region",
    "ICB": "icb",
    "CCG - GP Practice or Residence": "ccg",
    "CCG of Residence": "ccg_residence",
    "Sub ICB - GP Practice or Residence": "sub_icb",
    "Sub ICB of Residence": "sub_icb_residence",
}
#: Measures kept: caseload, inpatients, activity, Mental Health Act use and long stays.
MEASURES = {
    "MHS01": "people in contact with secondary mental health services at month end",
    "MHS07": "people with an open hospital spell at month end",
    "MHS08": "people subject to the Mental Health Act at month end (sub-ICB from Aug 2022)",
    "MHS09": "people subject to detention at month end (sub-ICB from Aug 2022)",
    "MHS29": "contacts in the month",
    "MHS32": "referrals starting in the month",
    "MHS81": "detentions in the month (sub-ICB from Aug 2022)",
    "MHS83": "uses of section 136 in the month (sub-ICB from Aug 2022)",
    **{
        f"MHS{n}": "discharges after a long adult/older-adult/CYP acute stay (count)"
        for n in range(100, 106)
    },
    **{
        f"MHS{n}a": "the same long stays per 100,000 population (a rate, not a count)"
        for n in range(100, 106)
    },
}

#: Why a row is not used (NULL when it is); the first matching rule wins.
_REASON = """
CASE
  WHEN BREAKDOWN IS NULL OR NOT list_contains($breakdowns, BREAKDOWN)
    THEN 'breakdown not used by the atlas: ' || coalesce(BREAKDOWN, '(blank)')
  WHEN MEASURE_ID IS NULL OR NOT list_contains($measures, MEASURE_ID)
    THEN 'measure not used by the atlas: ' || coalesce(MEASURE_ID, '(blank)')
  WHEN coalesce(SECONDARY_LEVEL, 'NONE') <> 'NONE'
    THEN 'secondary breakdown not used by the atlas'
  WHEN PRIMARY_LEVEL IS NULL OR trim(PRIMARY_LEVEL) = ''
    THEN 'blank organisation code'
END
"""

TIME_SERIES_OUT = [
    "month",
    "period_months",
    "breakdown",
    "org_code",
    "org_name",
    "measure_id",
    "value",
    SUPPRESSED,
]
IN_CONTACT_MEASURE = "People in contact with services at the end of the reporting period"


def _query(con, sql: str, params: dict[str, Any], relative: str):
    return duck.query(
        con, sql, params, relative, "download it again; it must be the published gzipped CSV"
    )


def _read_time_series(path: str) -> tuple[dict[str | None, int], pd.DataFrame]:
    """Rows per rejection reason (``None`` = usable) and the usable rows, via DuckDB."""
    source = "read_csv($path, all_varchar = true, header = true)"
    params = {"path": path, "breakdowns": list(BREAKDOWNS), "measures": list(MEASURES)}
    con = duckdb.connect()
    try:
        names = [
            row[0]
            for row in _query(
                con, f"DESCRIBE SELECT * FROM {source}", {"path": path}, TIME_SERIES_FILE
            ).fetchall()
        ]
        require_columns(pd.DataFrame(columns=names), TIME_SERIES_COLUMNS, TIME_SERIES_FILE)
        counts = dict(
            _query(
                con,
                f"SELECT {_REASON} AS reason, count(*) FROM {source} GROUP BY ALL",
                params,
                TIME_SERIES_FILE,
            ).fetchall()
        )
        usable = _query(
            con,
            "SELECT REPORTING_PERIOD_START, REPORTING_PERIOD_END, BREAKDOWN, PRIMARY_LEVEL, "
            "PRIMARY_LEVEL_DESCRIPTION, MEASURE_ID, MEASURE_VALUE "
            f"FROM {source} WHERE ({_REASON}) IS NULL",
            params,
            TIME_SERIES_FILE,
        ).df()
    finally:
        con.close()
    return counts, usable


def _period(frame: pd.DataFrame, recon: Reconciliation) -> pd.DataFrame:
    """Add ``month`` (period start) and ``period_months`` (1 monthly, 3 rolling quarter...)."""
    start = pd.to_datetime(frame["REPORTING_PERIOD_START"], format="%d/%m/%Y", errors="coerce")
    end = pd.to_datetime(frame["REPORTING_PERIOD_END"], format="%d/%m/%Y", errors="coerce")
    after = end + pd.Timedelta(days=1)
    months = (after.dt.year - start.dt.year) * 12 + (after.dt.month - start.dt.month)
    whole = start.dt.is_month_start & after.dt.is_month_start & (months >= 1)
    bad = start.isna() | end.isna() | ~whole.fillna(False)
    out = frame.assign(month=start, period_months=months.astype("Int64"))
    return recon.reject_mask(
        out, bad, "reporting period is not whole months in the form dd/mm/yyyy"
    )


def _code_vintages(table: pd.DataFrame) -> list[str]:
    """Runs of months with the same number of CCG / sub-ICB codes for MHS01 (incl. UNKNOWN).

    The code set changes each April as CCGs merge, so a run marks one boundary vintage.
    """
    mhs01 = table[table["measure_id"].eq("MHS01") & table["breakdown"].isin(["ccg", "sub_icb"])]
    per_month = mhs01.groupby(["breakdown", "month"])["org_code"].nunique().reset_index()
    notes, run = [], None
    for row in per_month.sort_values("month").itertuples(index=False):
        key = (row.breakdown, row.org_code)
        if run and run[0] == key:
            run[2] = row.month
        else:
            if run:
                notes.append(run)
            run = [key, row.month, row.month]
    if run:
        notes.append(run)
    return [
        f"{b} codes for MHS01 (incl. UNKNOWN): {n} from {s:%b %Y} to {e:%b %Y}"
        for (b, n), s, e in notes
    ]


def read_time_series(raw: RawDir) -> SourceResult:
    """Table ``mhsds_monthly``: kept measures for England, region, ICB, CCG and sub-ICB."""
    path = raw.path(TIME_SERIES_FILE)
    recon = Reconciliation(SOURCE, TIME_SERIES_FILE)
    counts, frame = _read_time_series(str(path))
    recon.rows_in = sum(counts.values())
    for reason, n in counts.items():
        if reason is not None:
            recon.reject(reason, n)
    frame = _period(frame, recon)
    frame = numeric(frame, "MEASURE_VALUE", recon, count=True)
    out = pd.DataFrame(
        {
            "month": frame["month"].astype("datetime64[ns]"),
            "period_months": frame["period_months"],
            "breakdown": frame["BREAKDOWN"].map(BREAKDOWNS).astype("string"),
            "org_code": frame["PRIMARY_LEVEL"].astype("string").str.strip(),
            "org_name": frame["PRIMARY_LEVEL_DESCRIPTION"].astype("string"),
            "measure_id": frame["MEASURE_ID"].astype("string"),
            "value": frame["MEASURE_VALUE"],
            SUPPRESSED: frame[SUPPRESSED].astype(bool),
        }
    )
    keys = ["month", "period_months", "breakdown", "org_code", "measure_id"]
    out = recon.reject_mask(
        out, out.duplicated(keys), "duplicate row (same period, area and measure)"
    )
    out = out.sort_values(keys).reset_index(drop=True)[TIME_SERIES_OUT]
    recon.rows_used = len(out)
    recon.notes.append(
        "org_code UNKNOWN rows are kept: CCG values including UNKNOWN add up to England"
    )
    recon.notes.append(
        "sub-national values are rounded to the nearest 5; July 2022 has no CCG or sub-ICB "
        "rows for the monthly measures (CCG to Jun 2022, sub-ICB from Aug 2022)"
    )
    recon.notes.append("MHS100a-MHS105a are rates per 100,000 population, not counts")
    recon.notes.extend(_code_vintages(out))
    recon.check()
    return SourceResult({"mhsds_monthly": out}, [recon])


def read_in_contact(raw: RawDir) -> SourceResult:
    """Table ``mhsds_england_in_contact``: people in contact with services, England, monthly."""
    path = raw.path(IN_CONTACT_FILE)
    recon = Reconciliation(SOURCE, IN_CONTACT_FILE)
    frame = read_csv_text(path, IN_CONTACT_FILE)
    require_columns(frame, ["date", "measure", "count"], IN_CONTACT_FILE)
    recon.rows_in = len(frame)
    measure = frame["measure"].astype("string").str.strip().fillna("(blank)")
    other = measure.ne(IN_CONTACT_MEASURE)
    for name in sorted(set(measure[other])):
        recon.reject(f"measure not used by the atlas: {name}", int(measure.eq(name).sum()))
    frame = frame.loc[~other]
    day = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    frame = recon.reject_mask(
        frame.assign(month=day.dt.to_period("M").dt.to_timestamp()),
        day.isna(),
        "date not in the form yyyy-mm-dd",
    )
    frame = numeric(frame, "count", recon, count=True)
    out = pd.DataFrame(
        {
            "month": frame["month"].astype("datetime64[ns]"),
            "value": frame["count"],
            SUPPRESSED: frame[SUPPRESSED].astype(bool),
        }
    )
    out = recon.reject_mask(out, out.duplicated(["month"]), "duplicate month")
    out = out.sort_values("month").reset_index(drop=True)
    recon.rows_used = len(out)
    recon.notes.append("dates are month ends in the file; month is the first of that month")
    recon.check()
    return SourceResult({"mhsds_england_in_contact": out}, [recon])


def read(raw: RawDir) -> SourceResult:
    """Both MHSDS tables, with one reconciliation per file."""
    return read_time_series(raw).merge(read_in_contact(raw))
