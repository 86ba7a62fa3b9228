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

from data_pipeline import atlas_files, ccg_vintages, geography, simplify
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
from data_pipeline.reconcile import Ledger, Reconciliation
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
    secondary_other,
    smi_checks,
    talking_therapies,
)

Reader = Callable[[RawDir], SourceResult]
READERS: tuple[tuple[str, Reader], ...] = (
    ("boundaries", boundaries.read),
    ("lookups", lookups.read),
    ("deprivation", deprivation.read),
    ("population", population.read),
    ("qof_ccg", qof_ccg.read),
    ("qof_practice", qof_practice.read),
    ("talking_therapies", talking_therapies.read),
    ("mhsds", mhsds.read),
    ("smi_checks", smi_checks.read),
    ("prescribing", prescribing.read),
    ("fingertips", fingertips.read),
    ("secondary_other", secondary_other.read),
)

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
    for number, (name, reader) in enumerate(READERS, start=1):
        started = time.perf_counter()
        progress(f"[{number}/{len(READERS)}] {name}: reading")
        part = reader(raw)
        rows = sum(r.rows_in for r in part.reconciliations)
        rejected = sum(r.rows_rejected for r in part.reconciliations)
        progress(
            f"[{number}/{len(READERS)}] {name}: {rows:,} rows in, {rejected:,} rejected, "
            f"{len(part.tables)} tables ({time.perf_counter() - started:.1f} s)"
        )
        result = result.merge(part)
    return result


def build_values(tables: dict[str, pd.DataFrame], ledger: Ledger, hierarchy) -> pd.DataFrame:
    """Every indicator's observations, finalised (statistics, comparison, disclosure)."""
    frames = [
        sub_icb.build(tables, hierarchy),
        ccg_indicators.build(tables, ledger),
        local_authority.build(tables, ledger),
        small_areas.practice_observations(tables),
        small_areas.lsoa_observations(tables),
    ]
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
        fitted, tolerance = simplify.fit_to_budget(layer)
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
    ccg_tables = ccg_vintages.build_ccg_geography(raw)
    tables = {**result.tables, **ccg_tables.tables}
    recons = result.reconciliations + ccg_tables.reconciliations
    ledger = Ledger(recons, {**result.table_files, **ccg_tables.table_files})
    hierarchy = geography.sub_icb_hierarchy(tables["lsoa21_geography"], tables["gp_practices_2024"])
    progress("indicators: building and finalising")
    values = build_values(tables, ledger, hierarchy)
    areas = geography.build_areas(tables, hierarchy)
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
        record = manifest(raw, recons, layers, values, areas)
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
