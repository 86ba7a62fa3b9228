"""NHS Talking Therapies (IAPT): annual counts by area and deprivation decile, monthly by sub-ICB.

Two raw files:

- ``services/nhstt_measures_annual.parquet``: the annual-report measures, 2017-18 to
  2024-25, long format, about 4.5 million rows for every organisation type and breakdown.
  Only the England, commissioning-region, CCG and ICB rows of the Total and deprivation-decile
  breakdowns, as counts, are used; the rest are counted out in SQL, so the whole file never
  enters memory.
- ``services/nhstt_monthly_by_subicb_jul2022-may2023_healthyr.csv``: monthly activity by
  sub-ICB location, July 2022 to May 2023.

``services/nhstt_annual_measures_totals_*.csv.gz`` is not read: it is a row filter of the
Parquet file (the Total breakdown only), so reading it would count the same activity twice.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import pandas as pd

from data_pipeline import duck
from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import SUPPRESSED, numeric, read_csv_text, require_columns

SOURCE = "talking_therapies"
ANNUAL_FILE = "services/nhstt_measures_annual.parquet"
MONTHLY_FILE = "services/nhstt_monthly_by_subicb_jul2022-may2023_healthyr.csv"

ANNUAL_COLUMNS = (
    "reporting_period",
    "org_type",
    "org_code",
    "org_name",
    "variable_type",
    "variable_a",
    "measure_name",
    "measure_statistic",
    "value",
)
#: Organisation types the atlas maps; Provider and STP rows are counted out.
ORG_TYPES = {"England": "england", "Commissioning Region": "region", "CCG": "ccg", "ICB": "icb"}
#: Breakdowns the atlas uses: the whole population, and patients' deprivation decile.
BREAKDOWNS = {"Total": "total", "Indices of Deprivation Decile": "imd_decile"}
#: Count measures published in every year 2017-18 to 2024-25. The annual file has no
#: "entering treatment" (first treatment) count in any year; access comes from the monthly file.
COUNT_MEASURES = (
    "referrals_received",
    "finished_course_treatment",
    "at_caseness",
    "not_at_caseness",
    "recovery",
    "reliable_recovery",
    "improvement",
    "deterioration",
    "no_reliable_change",
)

#: Why a row of the annual file is not used (NULL when it is). The first matching rule wins,
#: so each row is counted once, under the broadest reason that applies.
_ANNUAL_REASON = """
CASE
  WHEN org_type IS NULL OR NOT list_contains($org_types, org_type)
    THEN 'organisation type not used by the atlas: ' || coalesce(org_type, '(blank)')
  WHEN variable_type IS NULL OR NOT list_contains($breakdowns, variable_type)
    THEN 'breakdown not used by the atlas: ' || coalesce(variable_type, '(blank)')
  WHEN org_code IS NULL OR trim(org_code) IN ('', 'UNKNOWN')
    THEN 'organisation code UNKNOWN (activity not attributed to an area)'
  WHEN measure_statistic = 'percentage'
    THEN 'percentage (the atlas recomputes rates from counts)'
  WHEN measure_statistic IS DISTINCT FROM 'count'
    THEN 'statistic not used by the atlas: ' || coalesce(measure_statistic, '(blank)')
  WHEN measure_name IS NULL OR NOT list_contains($measures, measure_name)
    THEN 'measure not used by the atlas: ' || coalesce(measure_name, '(blank)')
  WHEN value = 'NULL'
    THEN 'value NULL (not applicable)'
END
"""

_DECILE_LABEL = re.compile(r"^\s*(\d{1,2})\s+(least|less|more|most)\s+deprived\s*$", re.I)
_NOT_STATED = re.compile(r"not stated|not known|invalid|unknown", re.I)
_PERIOD = r"^\d{4}-\d{2}$"

ANNUAL_OUT = [
    "period",
    "org_type",
    "org_code",
    "org_name",
    "breakdown",
    "imd_decile",
    "measure",
    "value",
    SUPPRESSED,
]
MONTHLY_OUT = ["sicbl_code", "month", "measure", "value", SUPPRESSED]


def _query(con, sql: str, params: dict[str, Any], relative: str):
    return duck.query(
        con, sql, params, relative, "download it again; it must be the published Parquet file"
    )


def _reason_counts(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], relative: str
) -> dict[str | None, int]:
    """Rows per rejection reason (``None`` = usable), counted in SQL without loading the file."""
    sql = f"SELECT {_ANNUAL_REASON} AS reason, count(*) FROM read_parquet($path) GROUP BY ALL"
    return dict(_query(con, sql, params, relative).fetchall())


def _usable_rows(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], relative: str
) -> pd.DataFrame:
    """The rows no rule rejects: England/region/CCG/ICB counts, Total and IMD breakdowns."""
    sql = (
        "SELECT reporting_period, org_type, org_code, org_name, variable_type, variable_a, "
        f"measure_name, value FROM read_parquet($path) WHERE ({_ANNUAL_REASON}) IS NULL"
    )
    return _query(con, sql, params, relative).df()


def _decile_flip(labels: pd.Series, relative: str) -> bool:
    """Whether the file numbers deciles from least deprived (so ONS decile = 11 - number).

    The ONS convention is decile 1 = most deprived. NHS files often count the other way
    ("01 Least deprived" ... "10 Most deprived"); the labels, not the numbers, settle it.
    """
    parsed = labels.str.extract(_DECILE_LABEL.pattern, flags=re.I).dropna()
    words = parsed[1].str.lower()
    most = set(pd.to_numeric(parsed.loc[words.eq("most"), 0]))
    least = set(pd.to_numeric(parsed.loc[words.eq("least"), 0]))
    if most == {10} and least <= {1}:
        return True
    if most == {1} and least <= {10}:
        return False
    raise SourceError(
        relative,
        "the deprivation-decile labels do not say which end is most deprived "
        f"(found {sorted(set(labels))[:4]})",
        "check the published labels, e.g. '01 Least deprived' ... '10 Most deprived'",
        column="variable_a",
    )


def _imd_decile(frame: pd.DataFrame, recon: Reconciliation) -> pd.DataFrame:
    """Add ``imd_decile`` (ONS: 1 = most deprived); not-stated deciles stay as <NA>.

    Rows with an unknown decile are kept: together with the ten deciles they add up to the
    Total, so they show how much activity the decile view cannot place.
    """
    is_imd = frame["variable_type"].eq("Indices of Deprivation Decile")
    label = frame["variable_a"].astype("string").fillna("")
    number = pd.to_numeric(label.str.extract(_DECILE_LABEL.pattern, flags=re.I)[0])
    not_stated = label.str.contains(_NOT_STATED, na=False)
    bad = is_imd & number.isna() & ~not_stated
    for text in sorted(set(label[bad])):
        recon.reject(
            f"unrecognised deprivation decile label: {text!r}", int((bad & label.eq(text)).sum())
        )
    frame = frame.loc[~bad]
    is_imd, number = is_imd[~bad], number[~bad]
    if bool((is_imd & number.notna()).any()):
        flip = _decile_flip(label[~bad][is_imd], recon.file)
        number = 11 - number if flip else number
    decile = number.where(is_imd).astype("Int64")
    return frame.assign(imd_decile=decile)


def _annual_tidy(frame: pd.DataFrame, recon: Reconciliation) -> pd.DataFrame:
    """Validate the usable rows and give them the atlas's column names and types."""
    bad_period = ~frame["reporting_period"].astype("string").str.fullmatch(_PERIOD).fillna(False)
    frame = recon.reject_mask(frame, bad_period, "reporting period not in the form 2018-19")
    frame = _imd_decile(frame, recon)
    frame = numeric(frame, "value", recon, count=True)
    out = pd.DataFrame(
        {
            "period": frame["reporting_period"].astype("string"),
            "org_type": frame["org_type"].map(ORG_TYPES).astype("string"),
            "org_code": frame["org_code"].astype("string").str.strip(),
            "org_name": frame["org_name"].astype("string"),
            "breakdown": frame["variable_type"].map(BREAKDOWNS).astype("string"),
            "imd_decile": frame["imd_decile"],
            "measure": frame["measure_name"].astype("string"),
            "value": frame["value"],
            SUPPRESSED: frame[SUPPRESSED].astype(bool),
        }
    )
    keys = ["period", "org_type", "org_code", "breakdown", "imd_decile", "measure"]
    duplicated = out.duplicated(keys, keep="first")
    out = recon.reject_mask(out, duplicated, "duplicate row (same period, area, decile, measure)")
    return out.sort_values(keys, na_position="last").reset_index(drop=True)[ANNUAL_OUT]


def read_annual(raw: RawDir) -> SourceResult:
    """Table ``tt_annual``: annual counts by England, region, CCG and ICB, total and by decile."""
    path = raw.path(ANNUAL_FILE)
    recon = Reconciliation(SOURCE, ANNUAL_FILE)
    params = {
        "path": str(path),
        "org_types": list(ORG_TYPES),
        "breakdowns": list(BREAKDOWNS),
        "measures": list(COUNT_MEASURES),
    }
    con = duckdb.connect()
    try:
        schema = _query(
            con, "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}, ANNUAL_FILE
        ).fetchall()
        require_columns(
            pd.DataFrame(columns=[row[0] for row in schema]), ANNUAL_COLUMNS, ANNUAL_FILE
        )
        counts = _reason_counts(con, params, ANNUAL_FILE)
        usable = _usable_rows(con, params, ANNUAL_FILE)
    finally:
        con.close()
    recon.rows_in = sum(counts.values())
    for reason, n in counts.items():
        if reason is not None:
            recon.reject(reason, n)
    table = _annual_tidy(usable, recon)
    recon.rows_used = len(table)
    recon.notes.append(
        "deprivation deciles are labelled '01 Least deprived' ... '10 Most deprived' in the "
        "file and converted to the ONS convention (imd_decile 1 = most deprived); the "
        "'Not stated/Not known/Invalid' decile is kept with imd_decile <NA>"
    )
    recon.notes.append(
        "CCG rows run 2017-18 to 2021-22 and ICB rows 2022-23 onwards; there is no sub-ICB level"
    )
    recon.check()
    return SourceResult({"tt_annual": table}, [recon])


def snake_measure(name: str) -> str | None:
    """``Count_ReferralsReceived`` -> ``referrals_received``; ``Percentage_X`` -> ``x_pct``.

    Returns ``None`` for a name with neither prefix, so the caller can count it out.
    """
    prefix, _, rest = name.strip().partition("_")
    if not rest or prefix not in {"Count", "Percentage"}:
        return None
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[a-zA-Z])(?=[0-9])", "_", rest).lower()
    return snake + ("_pct" if prefix == "Percentage" else "")


def read_monthly(raw: RawDir) -> SourceResult:
    """Table ``tt_monthly_subicb``: monthly activity by sub-ICB location, Jul 2022 - May 2023."""
    path = raw.path(MONTHLY_FILE)
    recon = Reconciliation(SOURCE, MONTHLY_FILE)
    frame = read_csv_text(path, MONTHLY_FILE)
    require_columns(frame, ["sicbl22_code", "date", "name", "value"], MONTHLY_FILE)
    recon.rows_in = len(frame)
    code = frame["sicbl22_code"].astype("string").str.strip()
    frame = recon.reject_mask(
        frame, ~code.str.fullmatch(r"E38\d{6}"), "not a sub-ICB location code (E38)"
    )
    month = pd.to_datetime(frame["date"].str.strip(), format="%B %Y", errors="coerce")
    frame = recon.reject_mask(
        frame.assign(month=month), month.isna(), "month not in the form 'July 2022'"
    )
    measure = frame["name"].map(snake_measure)
    frame = recon.reject_mask(
        frame.assign(measure=measure),
        measure.isna(),
        "measure name without a Count_ or Percentage_ prefix",
    )
    frame = numeric(frame, "value", recon)
    out = pd.DataFrame(
        {
            "sicbl_code": frame["sicbl22_code"].astype("string").str.strip(),
            "month": frame["month"].astype("datetime64[ns]"),
            "measure": frame["measure"].astype("string"),
            "value": frame["value"],
            SUPPRESSED: frame[SUPPRESSED].astype(bool),
        }
    )
    keys = ["sicbl_code", "month", "measure"]
    out = recon.reject_mask(
        out, out.duplicated(keys), "duplicate row (same sub-ICB, month and measure)"
    )
    out = out.sort_values(keys).reset_index(drop=True)[MONTHLY_OUT]
    recon.rows_used = len(out)
    recon.notes.append("'NA' values are kept as missing and flagged source_suppressed")
    recon.check()
    return SourceResult({"tt_monthly_subicb": out}, [recon])


def read(raw: RawDir) -> SourceResult:
    """Both Talking Therapies tables, with one reconciliation per file."""
    return read_annual(raw).merge(read_monthly(raw))
