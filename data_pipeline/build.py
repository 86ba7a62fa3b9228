"""The build: raw public files -> the atlas under geodata/atlas/.

Reads every source (progress shown per source), builds geography and indicators, checks
that every source row is accounted for, writes the whole atlas to a temporary directory and
swaps it in. Nothing is written to the committed atlas until everything has succeeded.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_pipeline import (
    atlas_files,
    ccg_vintages,
    geography,
    known_codes,
    pcn,
    pcn_shapes,
    peers,
    simplify,
)
from data_pipeline.ccg_vintages import NON_GEOGRAPHIC_CODES
from data_pipeline.errors import MissingFileError, SourceError
from data_pipeline.freshness import record as freshness_record
from data_pipeline.indicators import (
    ENGLAND,
    deciles,
    finalise,
    load_catalogue,
    optional_periods,
    series_breaks,
)
from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.catalogue_table import indicator_table
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import build_families, prescribing_epd
from data_pipeline.indicators.rollup import parent_pairs
from data_pipeline.quality import mark as quality_mark
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Reconciliation, Usage
from data_pipeline.sources import SourceResult
from data_pipeline.sources import talking_therapies_monthly as ttm
from data_pipeline.steps import STEPS, MissingSource

#: Tables whose rows the builders use selectively; rows no builder used are counted as
#: rejected, described by these columns.
TRACKED_TABLES = {
    "tt_annual": ["org_type", "breakdown", "measure"],
    "tt_monthly_subicb": ["measure"],
    **ttm.TRACKED,
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


def read_sources(
    raw: RawDir, progress: Callable[[str], None], allow_missing: bool = False
) -> tuple[SourceResult, list[MissingSource]]:
    """Run every reader, saying what each one did.

    With ``allow_missing``, a step that is not required and whose file is absent is left
    out (and returned in the list of missing sources); anything else wrong stops the build.
    """
    result, missing = SourceResult(), []
    total = len(STEPS)
    for number, step in enumerate(STEPS, start=1):
        started = time.perf_counter()
        try:
            part = step.read(raw)
        except MissingFileError as exc:
            if step.required:
                raise MissingFileError(
                    exc.file,
                    f"{exc.problem}; the atlas cannot be built without it ({step.name} holds "
                    "geography or denominators that every page needs)",
                    exc.remedy,
                ) from exc
            if not allow_missing:
                raise MissingFileError(
                    exc.file,
                    exc.problem,
                    f"{exc.remedy}; or build without it with --allow-missing",
                ) from exc
            missing.append(MissingSource(step.name, step.source, exc.file, step.tables))
            progress(f"[{number:>2}/{total}] {step.name}: MISSING {exc.file}, left out")
            continue
        if step.when_present and not part.tables:
            progress(f"[{number:>2}/{total}] {step.name}: none in the raw directory, not used")
            continue
        if set(part.tables) != set(step.tables):
            raise RuntimeError(
                f"step {step.name!r} returned tables {sorted(part.tables)}, "
                f"declared {sorted(step.tables)}"
            )
        for recon in part.reconciliations:
            if recon.rows_in == 0:
                raise SourceError(recon.file, "the file has no data rows", "download it again")
        rows = sum(r.rows_in for r in part.reconciliations)
        rejected = sum(r.rows_rejected for r in part.reconciliations)
        progress(
            f"[{number:>2}/{total}] {step.name}: {rows:,} rows in, {rejected:,} rejected "
            f"({time.perf_counter() - started:.1f} s)"
        )
        result = result.merge(part)
    return result, missing


#: Tables with NHS organisation codes that include non-geographic ones, and the column.
NHS_CODE_COLUMNS = {"tt_annual": "org_code", "mhsds_monthly": "org_code", "smi_checks": "org_code"}


def drop_non_geographic(tables: dict[str, pd.DataFrame], ledger: Ledger) -> dict:
    """Remove rows for UNKNOWN and commissioning hubs, counting them with their reason."""
    out = dict(tables)
    for table, column in NHS_CODE_COLUMNS.items():
        if table not in out:
            continue
        codes = out[table][column].astype("string").str.upper()
        for code, reason in NON_GEOGRAPHIC_CODES.items():
            ledger.drop(table, int((codes == code).sum()), reason)
        out[table] = out[table].loc[~codes.isin(list(NON_GEOGRAPHIC_CODES))]
    return out


def build_values(
    tables: dict[str, pd.DataFrame],
    ledger: Ledger,
    hierarchy,
    recode: dict[str, str],
    avail: Availability | None = None,
    extra: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every indicator's observations, finalised (statistics, comparison, disclosure).

    ``avail`` records the sections skipped for want of a source (``--allow-missing``);
    ``extra`` receives the tables built beside the values (``deciles``, ``quality``).
    """
    avail = avail or Availability(tables)
    tables = drop_non_geographic(tables, ledger)
    tables = known_codes.reject_unknown(tables, ledger, hierarchy, recode)
    tracked = {name: columns for name, columns in TRACKED_TABLES.items() if name in tables}
    ctx = BuildContext(tables, ledger, Usage(tables, tracked), avail, hierarchy, recode)
    # One family builds each indicator, keyed from the catalogue. Where two of its levels
    # make the same England row, the first level's figure stands (the 2023 NHS geography,
    # then CCGs, then the rest).
    frames = build_families(ctx)
    decile_table = deciles.build(ctx)
    if extra is not None:
        extra["deciles"] = decile_table
    ctx.usage.settle(ledger)
    obs = pd.concat(list(frames.values()), ignore_index=True)
    england = obs["level"] == "england"
    duplicate_england = england & obs.duplicated(["indicator_id", "period", "level"])
    obs = obs.loc[~duplicate_england]
    obs, caught = quality_mark.mark(obs, ctx)
    if extra is not None:
        extra["quality"] = caught
    return finalise(obs, load_catalogue(), parent_of=parent_pairs(hierarchy))


def write_boundaries(
    tables, register: pd.DataFrame, out: Path, areas: pd.DataFrame
) -> dict[str, dict]:
    """Simplified layers: national ones as GeoJSON within budget, LSOAs as GeoParquet.

    Primary care networks, which have no boundaries, are drawn from LSOAs
    (:mod:`data_pipeline.pcn_shapes`), one layer per QOF year's PCNs.
    """
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
    report.update(pcn_shapes.write_layers(tables, areas, out)[0])
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
    allow_missing: bool = False,
) -> BuildReport:
    """Build the atlas from the raw directory; swap it in unless ``swap`` is False.

    With ``allow_missing``, sources whose file is absent are left out, named in
    ``manifest.json`` (``missing_sources``) and in the report; their indicators are absent.
    Whatever stops the build, a half-written atlas is removed and the previous one stays.
    """
    started = time.perf_counter()
    raw = RawDir.resolve(raw_option)
    result, missing = read_sources(raw, progress, allow_missing)
    progress("geography: CCG vintages and successors")
    tables = {**result.tables, **ccg_vintages.derive(result.tables)}
    recons = result.reconciliations
    ledger = Ledger(recons, result.table_files)
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
    avail = Availability(tables)
    extra: dict[str, pd.DataFrame] = {}
    values = build_values(tables, ledger, hierarchy, recode, avail, extra)
    progress("series breaks: checked against the values")
    lost = avail.unavailable([table for gone in missing for table in gone.tables])
    break_table = series_breaks.table(values, lost=lost)
    areas = pcn.with_pcns(tables, geography.build_areas(tables, hierarchy))
    progress("peers: nearest neighbours by deprivation and population")
    peer_table, peer_record = peers.build(tables, hierarchy, values, areas)
    for recon in recons:
        recon.check()
    out = None
    try:
        out = atlas_files.new_build_dir(atlas_dir)
        progress("boundaries: simplifying, and drawing primary care networks from LSOAs")
        layers = write_boundaries(
            tables, tables["ccg_register"], out / atlas_files.BOUNDARY_DIR_NAME, areas
        )
        described = optional_periods.amend(load_catalogue(), prescribing_epd.built(tables, values))
        catalogue = indicator_table(described, values)
        atlas_files.write_table(areas, out / "areas.parquet")
        atlas_files.write_table(values, out / "values.parquet")
        atlas_files.write_table(catalogue, out / "indicators.parquet")
        atlas_files.write_table(peer_table, out / "peers.parquet")
        atlas_files.write_table(break_table, out / "breaks.parquet")
        atlas_files.write_table(extra["deciles"], out / "deciles.parquet")
        record = manifest(raw, recons, layers, values, areas)
        record["outputs"]["peers"] = int(len(peer_table))
        record["outputs"]["breaks"] = int(len(break_table))
        record["outputs"]["deciles"] = int(len(extra["deciles"]))
        record["outputs"]["quality"] = quality_mark.save(values, extra["quality"], out)
        record["peers"] = peer_record
        record["pcn"] = pcn.describe(tables, areas)
        record["freshness"] = freshness_record(raw.checksums(), described, values)
        if missing:
            record["missing_sources"] = [m.record(avail) for m in missing]
        record["build_seconds"] = round(time.perf_counter() - started, 1)
        (out / "manifest.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if not swap:
            return BuildReport(out, False, time.perf_counter() - started, record)
        progress("swapping the new atlas in")
        changed = atlas_files.swap_in(out, atlas_dir)
    except BaseException:
        # Failed, or interrupted (SIGTERM, Ctrl-C): remove the half-written atlas.
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return BuildReport(atlas_dir, changed, time.perf_counter() - started, record)


__all__ = ["ENGLAND", "BuildReport", "build"]
