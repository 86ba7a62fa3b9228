"""The raw files only the CCG geography reads: CCG names, practice mappings, LSOA 2011 places.

The CCG registers, successors and LSOA weights (:mod:`data_pipeline.ccg_vintages`) are
derived from nine files. Three of them are read by other readers, whose tables are reused
(2019 CCG boundaries, IoD2019 CCG summaries, the practice to CCG map); this module reads the
other six. Every row of them is an input to the registers, successors or LSOA weights, so
rows in = rows used, except Welsh LSOAs, which are read but not used.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio

from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Reconciliation
from data_pipeline.sources import SourceResult
from data_pipeline.tabular import read_csv_text, require_columns

#: The label of these files' row accounts in the manifest.
SOURCE = "ccg_vintages"

CCG20_NAMES = "lookups/ccg20_names_codes.csv"
CCG21_NAMES = "lookups/ccg21_names_codes.csv"
QOF_MAPPING_2019_20 = (
    "lookups/qof_practice_nhs_geographies/qof_mapping_nhs_geographies_2019_2020.parquet"
)
QOF_MAPPING_2020_21 = (
    "lookups/qof_practice_nhs_geographies/qof_mapping_nhs_geographies_2020_2021.parquet"
)
LSOA11_CCG21 = "lookups/lsoa11_ccg21_lad21_lookup_apr2021.csv.gz"
LSOA11_BOUNDARIES = "boundaries/lsoa11_dec2011_ew_bsc_geographr.geojson"

#: Practice mapping tables, by file: the practices of each CCG in 2019-20 and 2020-21.
QOF_MAPPINGS = {
    "qof_practice_ccg_2019_20": QOF_MAPPING_2019_20,
    "qof_practice_ccg_2020_21": QOF_MAPPING_2020_21,
}
#: Every file this module reads, for the registry and row-accounting tests.
FILES = (CCG20_NAMES, CCG21_NAMES, *QOF_MAPPINGS.values(), LSOA11_CCG21, LSOA11_BOUNDARIES)
WELSH = "outside England (Welsh code)"
#: The tables :func:`read` returns.
TABLES = (
    "ccg20_names",
    "ccg21_names",
    *QOF_MAPPINGS,
    "lsoa11_ccg21",
    "lsoa11_boundaries",
)


def _columns_or_raise(present: Sequence[str], required: Sequence[str], relative: str) -> None:
    require_columns(pd.DataFrame(columns=list(present)), required, relative)


def _all_used(relative: str, rows: int) -> Reconciliation:
    recon = Reconciliation(SOURCE, relative, rows, rows)
    recon.check()
    return recon


def _read_csv(raw: RawDir, relative: str, columns: list[str]) -> pd.DataFrame:
    frame = read_csv_text(raw.path(relative), relative)
    require_columns(frame, columns, relative)
    return frame[columns]


def _read_parquet(raw: RawDir, relative: str, columns: list[str]) -> pd.DataFrame:
    path = raw.path(relative)
    try:
        names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise SourceError(
            relative, f"not readable as Parquet ({exc})", "download it again"
        ) from exc
    _columns_or_raise(names, columns, relative)
    return pd.read_parquet(path, columns=columns).astype("string")


def read_geojson(raw: RawDir, relative: str, columns: list[str], **kwargs) -> gpd.GeoDataFrame:
    """A GeoJSON file's ``columns`` and geometry; an unreadable file names itself."""
    path = raw.path(relative)
    try:
        fields = list(pyogrio.read_info(path)["fields"])
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise SourceError(
            relative, f"not readable as GeoJSON ({exc})", "download it again"
        ) from exc
    _columns_or_raise(fields, columns, relative)
    return gpd.read_file(path, engine="pyogrio", columns=columns, **kwargs)


def read_ccg_names(raw: RawDir) -> SourceResult:
    """ONS names and codes of the CCGs of April 2020 and 2021: ons_code, ods_code, name."""
    tables, recons = {}, []
    for table, relative, prefix in (
        ("ccg20_names", CCG20_NAMES, "CCG20"),
        ("ccg21_names", CCG21_NAMES, "CCG21"),
    ):
        frame = _read_csv(raw, relative, [f"{prefix}CD", f"{prefix}CDH", f"{prefix}NM"])
        tables[table] = frame.set_axis(["ons_code", "ods_code", "name"], axis=1)
        recons.append(_all_used(relative, len(frame)))
    return SourceResult(tables, recons, {"ccg20_names": CCG20_NAMES, "ccg21_names": CCG21_NAMES})


def read_qof_practice_ccgs(raw: RawDir) -> SourceResult:
    """The CCG of each GP practice in the QOF 2019-20 and 2020-21 mappings.

    Columns practice_code, ccg_code; practices without a CCG are left out of the table (they
    say nothing about where a CCG went) but counted as read.
    """
    tables, recons = {}, []
    for table, relative in QOF_MAPPINGS.items():
        frame = _read_parquet(raw, relative, ["PRACTICE_CODE", "CCG_ODS_CODE"])
        recons.append(_all_used(relative, len(frame)))
        frame = frame.set_axis(["practice_code", "ccg_code"], axis=1)
        frame = frame.apply(lambda s: s.str.strip())
        tables[table] = frame[frame["ccg_code"].fillna("") != ""]
    return SourceResult(tables, recons, dict(QOF_MAPPINGS))


def read_lsoa11_ccg21(raw: RawDir) -> SourceResult:
    """The official ONS lookup of each LSOA 2011 to its CCG of April 2021 (E38 code)."""
    frame = _read_csv(raw, LSOA11_CCG21, ["LSOA11CD", "CCG21CD"])
    table = frame.set_axis(["lsoa11_code", "ccg21_ons"], axis=1)
    return SourceResult({"lsoa11_ccg21": table}, [_all_used(LSOA11_CCG21, len(frame))])


def read_lsoa11_boundaries(raw: RawDir) -> SourceResult:
    """English LSOA 2011 polygons (code and shape), to place each LSOA in a 2019 CCG."""
    lsoa = read_geojson(raw, LSOA11_BOUNDARIES, ["lsoa11_code"], where="lsoa11_code LIKE 'E%'")
    features = int(pyogrio.read_info(raw.path(LSOA11_BOUNDARIES))["features"])
    recon = Reconciliation(SOURCE, LSOA11_BOUNDARIES, features, len(lsoa))
    recon.reject(WELSH, features - len(lsoa))
    recon.check()
    return SourceResult({"lsoa11_boundaries": lsoa}, [recon])


def read(raw: RawDir) -> SourceResult:
    """Every file of this module, as one result."""
    return (
        read_ccg_names(raw)
        .merge(read_qof_practice_ccgs(raw))
        .merge(read_lsoa11_ccg21(raw))
        .merge(read_lsoa11_boundaries(raw))
    )
