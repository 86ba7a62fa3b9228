"""The build: raw public files -> the atlas under geodata/atlas/.

Reads every source (progress shown per source), builds geography and indicators, checks
that every source row is accounted for, writes the whole atlas to a temporary directory and
swaps it in. Nothing is written to the committed atlas until everything has succeeded.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_pipeline import atlas_files, ccg_vintages, geography, peers, simplify
from data_pipeline.ccg_vintages import NON_GEOGRAPHIC_CODES
from data_pipeline.indicators import (
    ENGLAND,
    finalise,
    load_catalogue,
    local_authority,
    small_areas,
    sub_icb,
)
from data_pipeline.indicators import ccg as ccg_indicators
from data_pipeline.indicators.catalogue_table import indicator_table
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Reconciliation, Usage
from data_pipeline.sources import (
    SourceResult,
    boundaries,
    deprivation,
    fingertips,
    lookups,
    mhsds,
    population,
    prescribing,
    qof_ccg,
    qof_practice,
    smi_checks,
    talking_therapies,
)

Reader = Callable[[RawDir], SourceResult]


def _boundary(table: str) -> Reader:
    return lambda raw: boundaries.read_boundary(raw, table)


#: What the build reads, in order: only the files the atlas uses (other readers in
#: data_pipeline.sources serve checks and drill-downs, and are not loaded here).
READERS: tuple[tuple[str, Reader], ...] = (
    *(
        (f"boundaries: {t.removeprefix('boundary_')}", _boundary(t))
        for t in (
            "boundary_region",
            "boundary_icb",
            "boundary_sub_icb",
            "boundary_ccg_2019",
            "boundary_ccg_2020",
            "boundary_ccg_2021",
            "boundary_ltla_2024",
            "boundary_utla_2023",
            "boundary_lsoa21",
        )
    ),
    ("lookups: LSOA 2021 geography", lookups.read_lsoa21_geography),
    ("lookups: LTLA to UTLA", lookups.read_ltla_utla_2023),
    ("lookups: LSOA 2011 to 2021", lookups.read_lsoa11_lsoa21),
    ("lookups: LSOA 2011 to sub-ICB 2022", lookups.read_lsoa11_sicbl22),
    ("lookups: GP practices", lookups.read_gp_practices),
    ("deprivation: IoD2025 LSOA", deprivation.read_iod2025_lsoa21),
    ("deprivation: IoD2019 CCG", deprivation.read_iod2019_ccg),
    ("deprivation: IoD2025 LTLA", deprivation.read_iod2025_ltla24),
    ("deprivation: IoD2025 UTLA", deprivation.read_iod2025_utla),
    ("deprivation: practice IMD", deprivation.read_practice_imd),
    ("population: LSOA mid-2020", population.read_lsoa11_2020),
    ("QOF: CCG workbooks", qof_ccg.read),
    ("QOF: practices 2022-23", qof_practice.read),
    ("Talking Therapies", talking_therapies.read),
    ("MHSDS time series", mhsds.read_time_series),
    ("MHSDS England in contact", mhsds.read_in_contact),
    ("SMI physical health checks", smi_checks.read),
    ("prescribing: practices", prescribing.read_ad_practice),
    ("prescribing: practice to CCG", prescribing.read_practice_ccg),
    ("prescribing: LSOA 2025", prescribing.read_ad_lsoa),
    ("Fingertips: LA depression", fingertips.read_la_depression),
    ("Fingertips: LA self-harm", fingertips.read_la_self_harm),
    ("Fingertips: SMI excess mortality", fingertips.read_la_smi_mortality),
    ("ONS Health Index", fingertips.read_health_index),
    ("Fingertips: GP life expectancy", fingertips.read_gp_life_expectancy),
    ("Fingertips: smoking prevalence", fingertips.read_smoking),
)

#: Tables whose rows the builders use selectively; rows no builder used are counted as
#: rejected, described by these columns.
TRACKED_TABLES = {
    "tt_annual": ["org_type", "breakdown", "measure"],
    "tt_monthly_subicb": ["measure"],
    "mhsds_monthly": ["breakdown", "measure_id"],
    "mhsds_england_in_contact": [],
    "smi_checks": ["measure", "quarter"],
    "smoking_prevalence": ["area_type", "period"],
}

#: National boundary layers written as GeoJSON, by the table the reader returns.
NATIONAL_LAYERS = {
    "boundary_region": "nhser-2024",
    "boundary_icb": "icb-2023",
    "boundary_sub_icb": "sub_icb-2023",
    "boundary_ccg_2019": "ccg-2019",
    "boundary_ccg_2020": "ccg-2020",
    "boundary_ccg_2021": "ccg-2021",
    "boundary_ltla_2024": "ltla-2024",
    "boundary_utla_2023": "utla-2023",
}
LSOA_LAYER = ("boundary_lsoa21", "lsoa-2021", 25.0, 5)
#: Size budget of each national GeoJSON layer: leaves room within the 0.6 MB map page for
#: the colours, values and tooltips the app adds to every feature.
NATIONAL_BUDGET_BYTES = 420_000


@dataclass
class BuildReport:
    """What a build did: where the atlas is, whether it changed, and the figures."""

    atlas_dir: Path
    changed: bool
    seconds: float
    manifest: dict = field(default_factory=dict)


def read_sources(raw: RawDir, progress: Callable[[str], None]) -> SourceResult:
    """Run every reader, saying what each one did."""
    result = SourceResult()
    total = len(READERS)
    for number, (name, reader) in enumerate(READERS, start=1):
        started = time.perf_counter()
        part = reader(raw)
        rows = sum(r.rows_in for r in part.reconciliations)
        rejected = sum(r.rows_rejected for r in part.reconciliations)
        progress(
            f"[{number:>2}/{total}] {name}: {rows:,} rows in, {rejected:,} rejected "
            f"({time.perf_counter() - started:.1f} s)"
        )
        result = result.merge(part)
    return result


#: Tables with NHS organisation codes that include non-geographic ones, and the column.
NHS_CODE_COLUMNS = {"tt_annual": "org_code", "mhsds_monthly": "org_code", "smi_checks": "org_code"}


def drop_non_geographic(tables: dict[str, pd.DataFrame], ledger: Ledger) -> dict:
    """Remove rows for UNKNOWN and commissioning hubs, counting them with their reason."""
    out = dict(tables)
    for table, column in NHS_CODE_COLUMNS.items():
        codes = out[table][column].astype("string").str.upper()
        for code, reason in NON_GEOGRAPHIC_CODES.items():
            ledger.drop(table, int((codes == code).sum()), reason)
        out[table] = out[table].loc[~codes.isin(list(NON_GEOGRAPHIC_CODES))]
    return out


def build_values(
    tables: dict[str, pd.DataFrame], ledger: Ledger, hierarchy, recode: dict[str, str]
) -> pd.DataFrame:
    """Every indicator's observations, finalised (statistics, comparison, disclosure)."""
    tables = drop_non_geographic(tables, ledger)
    usage = Usage(tables, TRACKED_TABLES)
    frames = [
        sub_icb.build(tables, hierarchy, recode, usage),
        ccg_indicators.build(tables, ledger, usage),
        local_authority.build(tables, ledger),
        small_areas.practice_observations(tables, usage),
        small_areas.lsoa_observations(tables),
    ]
    usage.settle(ledger)
    obs = pd.concat(frames, ignore_index=True)
    # England is built once per indicator and period; the first builder's figure stands.
    england = obs["level"] == "england"
    duplicate_england = england & obs.duplicated(["indicator_id", "period", "level"])
    obs = obs.loc[~duplicate_england]
    return finalise(obs, load_catalogue())


def write_boundaries(tables, register: pd.DataFrame, out: Path) -> dict[str, dict]:
    """Simplified layers: national ones as GeoJSON within budget, LSOAs as GeoParquet."""
    report = {}
    ccg19 = register.loc[register["vintage"] == "ccg-2019"]
    ons_of_2019 = dict(zip(ccg19["ods_code"], ccg19["ons_code"], strict=True))
    for table, vintage in NATIONAL_LAYERS.items():
        layer = tables[table][["area_code", "area_name", "geometry"]]
        if vintage == "ccg-2019":
            layer = layer.assign(area_code=layer["area_code"].map(ons_of_2019))
        fitted, tolerance = simplify.fit_to_budget(layer, max_bytes=NATIONAL_BUDGET_BYTES)
        size = simplify.write_geojson(fitted, out / f"{vintage}.geojson")
        report[vintage] = {"features": len(fitted), "bytes": size, "tolerance_m": tolerance}
    table, vintage, tolerance, decimals = LSOA_LAYER
    layer = tables[table][["area_code", "area_name", "geometry"]]
    lsoa = simplify.round_coordinates(simplify.simplify_coverage(layer, tolerance), decimals)
    size = simplify.write_geoparquet(gpd.GeoDataFrame(lsoa), out / f"{vintage}.parquet")
    report[vintage] = {"features": len(lsoa), "bytes": size, "tolerance_m": tolerance}
    return report


def manifest(raw: RawDir, recons: list[Reconciliation], layers: dict, values, areas) -> dict:
    """The build's record: inputs with checksums, row accounting, outputs."""
    return {
        "atlas_version": 1,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "raw_files": raw.checksums(),
        "sources": [r.as_dict() for r in sorted(recons, key=lambda r: (r.source, r.file))],
        "boundaries": layers,
        "outputs": {
            "areas": int(len(areas)),
            "values": int(len(values)),
            "indicators": int(values["indicator_id"].nunique()),
            "suppressed_values": int(values["suppressed"].sum()),
        },
    }


def build(
    raw_option: str | Path | None,
    atlas_dir: Path = atlas_files.ATLAS_DIR,
    progress: Callable[[str], None] = print,
    swap: bool = True,
) -> BuildReport:
    """Build the atlas from the raw directory; swap it in unless ``swap`` is False."""
    started = time.perf_counter()
    raw = RawDir.resolve(raw_option)
    result = read_sources(raw, progress)
    progress("geography: CCG vintages and successors")
    ccg_tables = ccg_vintages.read(raw)
    tables = {**result.tables, **ccg_tables.tables}
    recons = result.reconciliations + ccg_tables.reconciliations
    ledger = Ledger(recons, {**result.table_files, **ccg_tables.table_files})
    recode = geography.recode_to_2023(
        tables["qof_practice_geography"],
        tables["boundary_sub_icb"],
        tables["lsoa21_geography"],
        tables["boundary_region"],
    )
    hierarchy = geography.sub_icb_hierarchy(
        tables["lsoa21_geography"], tables["qof_practice_geography"], recode
    )
    progress("indicators: building and finalising")
    values = build_values(tables, ledger, hierarchy, recode)
    areas = geography.build_areas(tables, hierarchy)
    progress("peers: nearest neighbours by deprivation and population")
    peer_table, peer_record = peers.build(tables, hierarchy, values, areas)
    for recon in recons:
        recon.check()
    out = atlas_files.new_build_dir(atlas_dir)
    try:
        progress("boundaries: simplifying")
        layers = write_boundaries(
            tables, tables["ccg_register"], out / atlas_files.BOUNDARY_DIR_NAME
        )
        catalogue = indicator_table(load_catalogue(), values)
        atlas_files.write_table(areas, out / "areas.parquet")
        atlas_files.write_table(values, out / "values.parquet")
        atlas_files.write_table(catalogue, out / "indicators.parquet")
        atlas_files.write_table(peer_table, out / "peers.parquet")
        record = manifest(raw, recons, layers, values, areas)
        record["outputs"]["peers"] = int(len(peer_table))
        record["peers"] = peer_record
        record["build_seconds"] = round(time.perf_counter() - started, 1)
        (out / "manifest.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    except BaseException:
        import shutil

        shutil.rmtree(out, ignore_errors=True)
        raise
    if not swap:
        return BuildReport(out, False, time.perf_counter() - started, record)
    changed = atlas_files.swap_in(out, atlas_dir)
    return BuildReport(atlas_dir, changed, time.perf_counter() - started, record)


__all__ = ["ENGLAND", "BuildReport", "build"]
