"""The build: raw public files -> the atlas under geodata/atlas/.

Reads every source (progress shown per source), builds geography and indicators, checks
that every source row is accounted for, writes the whole atlas to a temporary directory and
swaps it in. Nothing is written to the committed atlas until everything has succeeded.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_pipeline import atlas_files, ccg_vintages, geography, known_codes, peers, simplify
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
from data_pipeline.sources import (
    SourceResult,
    boundaries,
    ccg_geography,
    deprivation,
    fingertips,
    lookups,
    mhsds,
    population,
    population_ages,
    prescribing,
    qof_ccg,
    qof_practice,
    smi_checks,
    talking_therapies,
)
from data_pipeline.sources import talking_therapies_monthly as ttm

Reader = Callable[[RawDir], SourceResult]


@dataclass(frozen=True)
class Step:
    """One reader of the build, the tables it returns, and whether the atlas can do without it.

    ``required`` steps hold the geography, the denominators or files the CCG geography also
    reads: without them no page can be built. The others feed some indicators only; with
    ``--allow-missing`` a build goes on without them when their file is absent.
    ``when_present`` steps read an optional input (EPD months): when the raw directory has
    none, the reader returns no tables and the step is passed over, never reported missing.
    """

    name: str
    read: Reader
    tables: tuple[str, ...]
    required: bool = False
    when_present: bool = False

    @property
    def source(self) -> str:
        """The source family of the reader (``SOURCE`` of its module)."""
        return str(getattr(sys.modules[self.read.__module__], "SOURCE", "boundaries"))


def _boundary(table: str) -> Reader:
    return lambda raw: boundaries.read_boundary(raw, table)


BOUNDARY_TABLES = (
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

#: What the build reads, in order: only the files the atlas uses (other readers in
#: data_pipeline.sources serve checks and drill-downs, and are not loaded here).
STEPS: tuple[Step, ...] = (
    *(
        Step(f"boundaries: {t.removeprefix('boundary_')}", _boundary(t), (t,), required=True)
        for t in BOUNDARY_TABLES
    ),
    Step(
        "lookups: LSOA 2021 geography",
        lookups.read_lsoa21_geography,
        ("lsoa21_geography",),
        required=True,
    ),
    Step("lookups: LTLA to UTLA", lookups.read_ltla_utla_2023, ("ltla_utla_2023",), required=True),
    Step(
        "lookups: LSOA 2011 to 2021", lookups.read_lsoa11_lsoa21, ("lsoa11_lsoa21",), required=True
    ),
    Step(
        "lookups: LSOA 2011 to sub-ICB 2022",
        lookups.read_lsoa11_sicbl22,
        ("lsoa11_sicbl22",),
        required=True,
    ),
    Step("lookups: GP practices", lookups.read_gp_practices, ("gp_practices_2024",), required=True),
    Step(
        "lookups: CCG names, practice mappings and LSOA 2011 places",
        ccg_geography.read,
        ccg_geography.TABLES,
        required=True,
    ),
    Step("deprivation: IoD2025 LSOA", deprivation.read_iod2025_lsoa21, ("iod2025_lsoa21",)),
    # IMD 2019 deciles on LSOA 2011: the denominators of Talking Therapies by decile.
    Step("deprivation: IoD2019 LSOA", deprivation.read_iod2019_lsoa11, ("iod2019_lsoa11",)),
    # The CCG geography reads this workbook too (CCG names and codes of 2019).
    Step("deprivation: IoD2019 CCG", deprivation.read_iod2019_ccg, ("iod2019_ccg",), required=True),
    Step("deprivation: IoD2025 LTLA", deprivation.read_iod2025_ltla24, ("iod2025_ltla24",)),
    Step("deprivation: IoD2025 UTLA", deprivation.read_iod2025_utla, ("iod2025_utla",)),
    Step("deprivation: practice IMD", deprivation.read_practice_imd, ("practice_imd",)),
    Step(
        "deprivation: practice IMD 2025",
        deprivation.read_practice_imd_2025,
        ("practice_imd_2025",),
    ),
    Step(
        "population: LSOA mid-2020",
        population.read_lsoa11_2020,
        ("pop_lsoa11_2020",),
        required=True,
    ),
    Step(
        "population: LSOA adults 16+ mid-2020",
        population_ages.read_lsoa11_2020_adults,
        ("pop_lsoa11_2020_adults",),
    ),
    Step("QOF: CCG workbooks", qof_ccg.read, ("qof_ccg",)),
    Step("QOF: practice registers 2022-23", qof_practice.read_prevalence, ("qof_practice",)),
    Step(
        "QOF: practice registers 2024-25",
        qof_practice.prevalence_reader("2024-25"),
        (qof_practice.TABLES["2024-25"],),
    ),
    Step(
        "QOF: practice geography 2022-23",
        qof_practice.read_geography,
        ("qof_practice_geography",),
        required=True,
    ),
    Step("Talking Therapies: annual", talking_therapies.read_annual, ("tt_annual",)),
    Step(
        "Talking Therapies: monthly by sub-ICB",
        talking_therapies.read_monthly,
        ("tt_monthly_subicb",),
    ),
    Step("Talking Therapies: monthly, England and providers", ttm.read, ttm.TABLES),
    Step("MHSDS time series", mhsds.read_time_series, ("mhsds_monthly",)),
    Step("MHSDS England in contact", mhsds.read_in_contact, ("mhsds_england_in_contact",)),
    Step("SMI physical health checks", smi_checks.read, ("smi_checks",)),
    Step("prescribing: practices", prescribing.read_ad_practice, ("ad_practice",)),
    # The CCG geography reads the practice map too (practices move between CCGs).
    Step(
        "prescribing: practice to CCG",
        prescribing.read_practice_ccg,
        ("practice_ccg_2019",),
        required=True,
    ),
    Step("prescribing: LSOA 2025", prescribing.read_ad_lsoa, ("ad_lsoa",)),
    # Monthly EPD files, if fetched: a 12-month period of antidepressant items (epd.py).
    Step(
        "prescribing: EPD monthly",
        prescribing.read_epd_if_present,
        ("ad_practice_epd",),
        when_present=True,
    ),
    Step("Fingertips: LA depression", fingertips.read_la_depression, ("la_depression_prevalence",)),
    Step(
        "Fingertips: modelled CMD prevalence",
        fingertips.read_cmd_prevalence,
        ("cmd_prevalence_utla",),
    ),
    Step("Fingertips: LA self-harm", fingertips.read_la_self_harm, ("la_self_harm",)),
    Step(
        "Fingertips: SMI excess mortality",
        fingertips.read_la_smi_mortality,
        ("la_smi_excess_mortality",),
    ),
    Step("ONS Health Index", fingertips.read_health_index, ("health_index_ltla21",)),
    Step(
        "Fingertips: GP life expectancy",
        fingertips.read_gp_life_expectancy,
        ("gp_life_expectancy",),
    ),
    Step("Fingertips: smoking prevalence", fingertips.read_smoking, ("smoking_prevalence",)),
)


@dataclass(frozen=True)
class MissingSource:
    """A step left out of a build run with ``--allow-missing``, and the file it lacked."""

    step: str
    source: str
    file: str
    tables: tuple[str, ...]

    def record(self, avail: Availability) -> dict:
        """The manifest entry: what is missing and which indicators and levels it costs."""
        return {
            "step": self.step,
            "source": self.source,
            "file": self.file,
            "tables": list(self.tables),
            "indicators": avail.unavailable(self.tables),
        }


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
    areas = geography.build_areas(tables, hierarchy)
    progress("peers: nearest neighbours by deprivation and population")
    peer_table, peer_record = peers.build(tables, hierarchy, values, areas)
    for recon in recons:
        recon.check()
    out = None
    try:
        out = atlas_files.new_build_dir(atlas_dir)
        progress("boundaries: simplifying")
        layers = write_boundaries(
            tables, tables["ccg_register"], out / atlas_files.BOUNDARY_DIR_NAME
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
