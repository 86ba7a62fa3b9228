"""NHS Talking Therapies monthly statistics, England and providers, January 2021 onwards.

Three raw files, from NHS England's monthly activity and performance statistics as collected
by the nhstt package:

- ``services/nhstt_monthly_activity_performance_england_provider_*.parquet``: every measure
  for England and for each provider, month by month, long format (about 1.9 million rows).
  It is read with DuckDB: rows are classified in SQL and only the England and provider counts
  of the measures the atlas uses reach pandas. There are no ICB or sub-ICB rows.
- ``services/nhstt_metadata_measures_monthly.parquet``: the measure definitions. Each measure
  used is named from here (``Count_AccessingServices`` -> ``accessing_services``), because the
  activity file's own names change over time for the same measure id.
- ``services/nhstt_metadata_providers.parquet``: providers with their address postcode and
  ICB, which the indicator builder uses to place each provider in one ICB.

``services/nhstt_monthly_activity_performance_england_only_*.csv.gz`` is not read: it is a
row filter of the Parquet file (the England rows), so reading it would count England twice.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from data_pipeline import duck
from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.sources.talking_therapies import snake_measure
from data_pipeline.tabular import SUPPRESSED, require_columns

SOURCE = "talking_therapies_monthly"
ACTIVITY_FILE = (
    "services/nhstt_monthly_activity_performance_england_provider_2021-01_to_2026-03.parquet"
)
MEASURES_FILE = "services/nhstt_metadata_measures_monthly.parquet"
PROVIDERS_FILE = "services/nhstt_metadata_providers.parquet"

ACTIVITY_COLUMNS = (
    "reporting_period",
    "group_type",
    "org_code2",
    "measure_id",
    "measure_name",
    "measure_statistic",
    "value",
)
MEASURE_COLUMNS = ("measure_id", "measure_name", "description")
PROVIDER_COLUMNS = ("org_code", "org_name", "status", "postcode", "icb_code", "icb_name")

#: The counts the atlas uses, by measure id: referrals, entering treatment (first treatment,
#: "accessing services") and its waits, courses finished, and the recovery rate's counts.
MEASURE_IDS = ("M001", "M031", "M036", "M037", "M076", "M179", "M191")
#: Group types kept: England's own figures and each provider's.
GROUPS = ("England", "Provider")
_PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"

#: Why an activity row is not used (NULL when it is). The first matching rule wins.
_REASON = """
CASE
  WHEN group_type IS NULL OR NOT list_contains($groups, group_type)
    THEN 'group type not used by the atlas: ' || coalesce(group_type, '(blank)')
  WHEN measure_id IS NULL OR NOT list_contains($measures, measure_id)
    THEN 'measure not used by the atlas (it uses ' || array_to_string($measures, ', ') || ')'
  WHEN measure_statistic IS DISTINCT FROM 'count'
    THEN 'statistic not used by the atlas: ' || coalesce(measure_statistic, '(blank)')
  WHEN group_type = 'Provider' AND (org_code2 IS NULL OR trim(org_code2) = '')
    THEN 'blank provider code'
  WHEN group_type = 'Provider' AND NOT list_contains($providers, trim(org_code2))
    THEN 'provider not in the provider list (no address or ICB to place it by)'
END
"""

#: The tables :func:`read` returns, and those whose rows the indicator builder must account
#: for (rows it leaves unused are counted as rejected, by measure).
TABLES = ("tt_providers", "tt_monthly_england", "tt_monthly_provider")
TRACKED = {"tt_monthly_england": ["measure"], "tt_monthly_provider": ["measure"]}
ENGLAND_OUT = ["month", "measure_id", "measure", "value", SUPPRESSED]
PROVIDER_OUT = ["month", "provider_code", "measure_id", "measure", "value", SUPPRESSED]
PROVIDERS_OUT = ["provider_code", "provider_name", "status", "postcode", "icb_ods", "icb_name"]


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any], relative: str):
    return duck.query(
        con, sql, params, relative, "download it again; it must be the published Parquet file"
    )


def _columns(con: duckdb.DuckDBPyConnection, path: str, relative: str) -> list[str]:
    sql = "DESCRIBE SELECT * FROM read_parquet($path)"
    return [row[0] for row in _query(con, sql, {"path": path}, relative).fetchall()]


def _parquet(raw: RawDir, relative: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """A small Parquet file whole, after checking it has ``columns``."""
    try:
        frame = pd.read_parquet(raw.path(relative))
    except (OSError, ValueError) as exc:
        raise SourceError(
            relative,
            f"the file cannot be read as Parquet ({exc.__class__.__name__})",
            "download it again; it must be the published Parquet file",
        ) from exc
    require_columns(frame, columns, relative)
    return frame


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def read_measures(raw: RawDir) -> tuple[dict[str, str], Reconciliation]:
    """Measure id -> its name from the definitions file (snake case), for the ids used."""
    recon = Reconciliation(SOURCE, MEASURES_FILE)
    frame = _parquet(raw, MEASURES_FILE, MEASURE_COLUMNS)
    recon.rows_in = len(frame)
    ids = _text(frame["measure_id"])
    frame = recon.reject_mask(frame, ~ids.isin(MEASURE_IDS), "measure not used by the atlas")
    frame = recon.reject_mask(
        frame, _text(frame["measure_id"]).duplicated(), "duplicate measure id"
    )
    published = _text(frame["measure_name"]).fillna("")
    names = {
        measure_id: snake_measure(name)
        for measure_id, name in zip(_text(frame["measure_id"]), published, strict=True)
        if name.startswith("Count_")
    }
    missing = [m for m in MEASURE_IDS if not names.get(m)]
    if missing:
        raise SourceError(
            MEASURES_FILE,
            f"no 'Count_' definition for measure id(s) {missing}",
            "use the published definitions file of the same release as the activity file",
            column="measure_id",
        )
    recon.rows_used = len(frame)
    for measure_id, text in zip(_text(frame["measure_id"]), frame["description"], strict=True):
        recon.notes.append(f"{measure_id} {names[measure_id]}: {text}")
    recon.check()
    return names, recon


def read_providers(raw: RawDir) -> SourceResult:
    """Table ``tt_providers``: provider code, name, status, address postcode and ICB as listed.

    The ICB is the list's own (some are ICBs formed by the 2026 mergers); the indicator builder
    places providers in the 2023 ICBs.
    """
    recon = Reconciliation(SOURCE, PROVIDERS_FILE)
    frame = _parquet(raw, PROVIDERS_FILE, PROVIDER_COLUMNS)
    recon.rows_in = len(frame)
    code = _text(frame["org_code"])
    frame = recon.reject_mask(frame, code.isna() | code.eq(""), "blank provider code")
    frame = recon.reject_mask(frame, _text(frame["org_code"]).duplicated(), "duplicate provider")
    out = pd.DataFrame(
        {
            "provider_code": _text(frame["org_code"]),
            "provider_name": _text(frame["org_name"]),
            "status": _text(frame["status"]),
            "postcode": _text(frame["postcode"]).str.upper(),
            "icb_ods": _text(frame["icb_code"]),
            "icb_name": _text(frame["icb_name"]),
        }
    )
    out = out.sort_values("provider_code").reset_index(drop=True)[PROVIDERS_OUT]
    recon.rows_used = len(out)
    recon.notes.append(
        f"{int(out['icb_ods'].isna().sum())} providers have no ICB in the list and "
        f"{int(out['postcode'].isna().sum())} no postcode"
    )
    recon.check()
    return SourceResult({"tt_providers": out}, [recon])


def _published_names(con, params: dict[str, Any]) -> list[str]:
    """How the activity file names each measure used, and when (names change over time)."""
    sql = (
        "SELECT measure_id, measure_name, min(reporting_period), max(reporting_period) "
        f"FROM read_parquet($path) WHERE ({_REASON}) IS NULL GROUP BY ALL ORDER BY 1, 3"
    )
    rows = _query(con, sql, params, ACTIVITY_FILE).fetchall()
    return [f"{m} published as '{name}' from {first} to {last}" for m, name, first, last in rows]


def _read_activity(path: str, providers: list[str]):
    """Rows per rejection reason (``None`` = usable), the usable rows, and naming notes."""
    params = {
        "path": path,
        "groups": list(GROUPS),
        "measures": list(MEASURE_IDS),
        "providers": providers,
    }
    con = duckdb.connect()
    try:
        columns = _columns(con, path, ACTIVITY_FILE)
        require_columns(pd.DataFrame(columns=columns), ACTIVITY_COLUMNS, ACTIVITY_FILE)
        sql = f"SELECT {_REASON} AS reason, count(*) FROM read_parquet($path) GROUP BY ALL"
        counts = dict(_query(con, sql, params, ACTIVITY_FILE).fetchall())
        sql = (
            "SELECT reporting_period, group_type, trim(org_code2) AS org_code2, measure_id, "
            f"value FROM read_parquet($path) WHERE ({_REASON}) IS NULL"
        )
        usable = _query(con, sql, params, ACTIVITY_FILE).df()
        names = _published_names(con, params)
    finally:
        con.close()
    return counts, usable, names


def _tidy(frame: pd.DataFrame, names: dict[str, str], recon: Reconciliation) -> pd.DataFrame:
    """Validate the usable rows: month, numbers (NaN = suppressed), no duplicates."""
    period = frame["reporting_period"].astype("string").str.strip()
    bad = ~period.str.fullmatch(_PERIOD).fillna(False)
    frame = recon.reject_mask(frame, bad, "reporting period not in the form 2026-03")
    value = pd.to_numeric(frame["value"], errors="coerce").astype("Float64")
    frame = frame.assign(value=value, **{SUPPRESSED: value.isna()})
    frame = recon.reject_mask(frame, value < 0, "negative count in column 'value'")
    out = pd.DataFrame(
        {
            "month": pd.to_datetime(frame["reporting_period"] + "-01", format="%Y-%m-%d"),
            "group": frame["group_type"].astype("string"),
            "provider_code": frame["org_code2"].astype("string"),
            "measure_id": frame["measure_id"].astype("string"),
            "measure": frame["measure_id"].map(names).astype("string"),
            "value": frame["value"],
            SUPPRESSED: frame[SUPPRESSED].astype(bool),
        }
    )
    keys = ["group", "provider_code", "month", "measure_id"]
    keyed = out.assign(provider_code=out["provider_code"].where(out["group"] == "Provider", ""))
    return recon.reject_mask(
        out, keyed.duplicated(keys), "duplicate row (same month, organisation and measure)"
    )


def read_activity(raw: RawDir, providers: pd.DataFrame, names: dict[str, str]) -> SourceResult:
    """Tables ``tt_monthly_england`` and ``tt_monthly_provider``: the counts used, by month."""
    path = raw.path(ACTIVITY_FILE)
    recon = Reconciliation(SOURCE, ACTIVITY_FILE)
    counts, usable, published = _read_activity(str(path), providers["provider_code"].tolist())
    recon.rows_in = sum(counts.values())
    for reason, n in counts.items():
        if reason is not None:
            recon.reject(reason, n)
    tidy = _tidy(usable, names, recon)
    england = tidy.loc[tidy["group"] == "England"]
    provider = tidy.loc[tidy["group"] == "Provider"]
    england = england.sort_values(["month", "measure_id"]).reset_index(drop=True)[ENGLAND_OUT]
    provider = provider.sort_values(["provider_code", "month", "measure_id"])
    provider = provider.reset_index(drop=True)[PROVIDER_OUT]
    recon.rows_used = len(england) + len(provider)
    recon.notes.append(
        "England rows are the publisher's national figures (exact); provider counts are "
        "published rounded to the nearest 5, with small counts suppressed (kept as missing, "
        "flagged source_suppressed)"
    )
    recon.notes.extend(published)
    recon.check()
    return SourceResult(
        {"tt_monthly_england": england, "tt_monthly_provider": provider},
        [recon],
        {"tt_monthly_england": ACTIVITY_FILE, "tt_monthly_provider": ACTIVITY_FILE},
    )


def read(raw: RawDir) -> SourceResult:
    """England and provider counts by month, and the provider list, one record per file."""
    names, measures_recon = read_measures(raw)
    providers = read_providers(raw)
    activity = read_activity(raw, providers.tables["tt_providers"], names)
    merged = providers.merge(activity)
    merged.reconciliations.append(measures_recon)
    return merged
