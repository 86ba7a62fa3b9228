"""Area boundaries of England: NHS regions, ICBs, sub-ICBs, CCGs, local authorities, LSOAs.

Each published GeoJSON becomes one table with the same three columns (``area_code``,
``area_name``, ``geometry`` in EPSG:4326), one row per English area, every geometry valid
and polygonal, so the atlas can treat every level alike. Scottish, Welsh and Northern Irish
features in the UK-wide files are counted as rejected, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.simplify import OUTPUT_CRS, make_polygonal
from data_pipeline.sources import SourceResult

SOURCE = "boundaries"
OUTSIDE_ENGLAND = "outside England (Scottish/Welsh/NI code)"
NO_CODE = "no area code"
NO_GEOMETRY = "no geometry"
NOT_POLYGONAL = "geometry has no polygonal area"
#: The sub-ICB name ends with its ODS code: "NHS South Yorkshire ICB - 02P".
ODS_SUFFIX = r"\s-\s*([A-Z0-9]{3,5})\s*$"


@dataclass(frozen=True)
class BoundaryFile:
    """One published boundary file and the properties that hold each area's code and name.

    ``english_codes`` is False for a file keyed by ODS codes, which carry no country
    prefix (the 2019 CCG file: CCGs only ever existed in England).
    """

    table: str
    file: str
    code: str
    name: str
    english_codes: bool = True


BOUNDARY_FILES: tuple[BoundaryFile, ...] = (
    BoundaryFile(
        "boundary_region",
        "boundaries/NHS_England_Regions_January_2024_EN_BSC.geojson",
        "NHSER24CD",
        "NHSER24NM",
    ),
    BoundaryFile(
        "boundary_icb",
        "boundaries/Integrated_Care_Boards_April_2023_EN_BSC.geojson",
        "ICB23CD",
        "ICB23NM",
    ),
    BoundaryFile(
        "boundary_sub_icb",
        "boundaries/NHS_SubICB_April_2023_EN_BSC.geojson",
        "SICBL23CD",
        "SICBL23NM",
    ),
    BoundaryFile(
        "boundary_ccg_2021", "boundaries/ccg_apr2021_en_bsc.geojson", "CCG21CD", "CCG21NM"
    ),
    BoundaryFile(
        "boundary_ccg_2020", "boundaries/ccg_apr2020_en_buc.geojson", "ccg20cd", "ccg20nm"
    ),
    BoundaryFile(
        "boundary_ccg_2019",
        "boundaries/ccg_2019_openprescribing_ods_codes.geojson",
        "code",
        "name",
        english_codes=False,
    ),
    BoundaryFile(
        "boundary_ltla_2024",
        "boundaries/Local_Authority_Districts_May_2024_Boundaries__UK_BSC.geojson",
        "LAD24CD",
        "LAD24NM",
    ),
    BoundaryFile(
        "boundary_utla_2023",
        "boundaries/Counties_and_Unitary_Authorities_December_2023_Boundaries_UK_BSC.geojson",
        "CTYUA23CD",
        "CTYUA23NM",
    ),
    BoundaryFile(
        "boundary_ltla_2019",
        "boundaries/ltla19_dec2019_uk_buc_geographr.geojson",
        "ltla19_code",
        "ltla19_name",
    ),
    BoundaryFile(
        "boundary_lsoa21",
        "boundaries/lsoa21_dec2021_ew_bsc_v4_geographr.geojson",
        "lsoa21_code",
        "lsoa21_name",
    ),
)
TABLES = {spec.table: spec for spec in BOUNDARY_FILES}


def _unreadable(spec: BoundaryFile, exc: Exception, raw: RawDir) -> SourceError:
    """A SourceError for a file GDAL cannot read, without the machine's path in it."""
    detail = str(exc).replace(str(raw.root), "").strip()
    return SourceError(
        spec.file,
        f"the file cannot be read as GeoJSON ({detail})",
        "download it again; it must be the published GeoJSON, unchanged",
    )


def _read_features(raw: RawDir, spec: BoundaryFile) -> gpd.GeoDataFrame:
    """Read only the code and name properties and the geometry of ``spec``'s file.

    The property list is checked first: GDAL silently ignores a requested column that
    does not exist, which would turn a renamed header into a table of missing codes.
    """
    path = raw.path(spec.file)
    try:
        fields = [str(f) for f in pyogrio.read_info(path)["fields"]]
        for column in (spec.code, spec.name):
            if column not in fields:
                raise SourceError(
                    spec.file,
                    f"expected feature property is missing; the file has {fields}",
                    "use the published file unchanged, or restore the property name",
                    column=column,
                )
        features = pyogrio.read_dataframe(path, columns=[spec.code, spec.name], use_arrow=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, RuntimeError) as exc:
        raise _unreadable(spec, exc, raw) from exc
    if features.crs is None:
        features = features.set_crs(OUTPUT_CRS)
    elif features.crs.to_epsg() != 4326:
        features = features.to_crs(OUTPUT_CRS)
    return features


def _codes(values: pd.Series) -> pd.Series:
    """Codes as trimmed text; blanks become missing."""
    text = values.astype("string").str.strip()
    return text.mask(text == "").astype("str")


def _dissolve_duplicates(frame: gpd.GeoDataFrame, recon: Reconciliation) -> gpd.GeoDataFrame:
    """One row per area: features that share a code are parts of one area, so unite them."""
    repeated = frame["area_code"].duplicated(keep=False)
    if not repeated.any():
        return frame
    recon.notes.append(
        f"{int(repeated.sum())} features share {frame.loc[repeated, 'area_code'].nunique()} "
        "area codes; their geometries were united into one area each"
    )
    united = (
        frame.loc[repeated]
        .groupby("area_code", sort=True)
        .agg(
            area_name=("area_name", "first"),
            geometry=("geometry", lambda geoms: shapely.union_all(np.asarray(geoms, dtype=object))),
        )
    )
    united = gpd.GeoDataFrame(united.reset_index(), geometry="geometry", crs=frame.crs)
    return pd.concat([frame.loc[~repeated], united], ignore_index=True)


def read_boundary(raw: RawDir, table: str) -> SourceResult:
    """Read one boundary table (see :data:`BOUNDARY_FILES`) with its row accounting.

    Returns
    -------
    SourceResult
        ``{table: GeoDataFrame[area_code, area_name, geometry]}`` (plus ``ods_code`` for
        ``boundary_sub_icb``), EPSG:4326, sorted by ``area_code``.
    """
    spec = TABLES[table]
    recon = Reconciliation(SOURCE, spec.file)
    features = _read_features(raw, spec)
    recon.rows_in = len(features)
    frame = gpd.GeoDataFrame(
        {
            "area_code": _codes(features[spec.code]),
            "area_name": features[spec.name].astype("str").str.strip(),
        },
        geometry=np.asarray(features.geometry.values, dtype=object),
        crs=features.crs,
    )
    frame = recon.reject_mask(frame, frame["area_code"].isna(), NO_CODE)
    if spec.english_codes:
        frame = recon.reject_mask(frame, ~frame["area_code"].str.startswith("E"), OUTSIDE_ENGLAND)
    frame = recon.reject_mask(frame, frame.geometry.isna() | frame.geometry.is_empty, NO_GEOMETRY)
    repaired = make_polygonal(frame.geometry.values)
    fixed = int((~frame.geometry.is_valid).sum())
    if fixed:
        recon.notes.append(f"{fixed} invalid geometries repaired with make_valid")
    frame = frame.set_geometry(gpd.GeoSeries(repaired, index=frame.index, crs=frame.crs).values)
    frame = recon.reject_mask(frame, frame.geometry.is_empty, NOT_POLYGONAL)
    recon.rows_used = len(frame)
    frame = _dissolve_duplicates(frame, recon)
    frame = frame.sort_values("area_code").reset_index(drop=True)
    if table == "boundary_sub_icb":
        frame = _with_ods_code(frame, recon)
    if not spec.english_codes:
        recon.notes.append("keyed by ODS code: area_code is the ODS code, not an E38 code")
    recon.check()
    return SourceResult({table: frame}, [recon])


def _with_ods_code(frame: gpd.GeoDataFrame, recon: Reconciliation) -> gpd.GeoDataFrame:
    """Add the sub-ICB's ODS code, published only as the suffix of its name."""
    ods = frame["area_name"].str.extract(ODS_SUFFIX, expand=False).astype("str")
    if ods.isna().any():
        recon.notes.append(f"{int(ods.isna().sum())} sub-ICB names end without an ODS code")
    frame = frame.assign(ods_code=ods)
    return frame[["area_code", "area_name", "ods_code", "geometry"]]


def read(raw: RawDir) -> SourceResult:
    """Read every boundary table in :data:`BOUNDARY_FILES`."""
    result = SourceResult()
    for spec in BOUNDARY_FILES:
        result = result.merge(read_boundary(raw, spec.table))
    return result
