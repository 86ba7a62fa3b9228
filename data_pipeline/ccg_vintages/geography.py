"""The CCG geography tables, derived from the tables the source readers return.

:func:`derive` is pure: it takes the readers' tables (nine raw files' worth, see
:mod:`data_pipeline.sources.ccg_geography`) and returns ``ccg_register``,
``ccg_successors``, ``ccg_code_map`` and ``lsoa11_ccg``. A content inconsistency (a CCG split
between two successors, a code no register knows) stops the build as a
:class:`~data_pipeline.errors.SourceError` naming the files involved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import pandas as pd

from data_pipeline.ccg_vintages.code_map import code_map
from data_pipeline.ccg_vintages.codes import (
    BASIS_2020,
    BASIS_2021,
    VINTAGES,
    ccg_register,
    register_codes,
)
from data_pipeline.ccg_vintages.lsoa_assignment import lsoa11_ccg
from data_pipeline.ccg_vintages.successors import (
    check_transition,
    load_reference,
    practice_successors,
    successor_table,
)
from data_pipeline.errors import SourceError
from data_pipeline.raw import RawDir
from data_pipeline.sources import SourceResult, boundaries, ccg_geography, deprivation, prescribing

CCG19_BOUNDARIES = prescribing.CCG_2019_FILE
CCG20_NAMES, CCG21_NAMES = ccg_geography.CCG20_NAMES, ccg_geography.CCG21_NAMES
QOF_MAPPING_2019_20 = ccg_geography.QOF_MAPPING_2019_20
QOF_MAPPING_2020_21 = ccg_geography.QOF_MAPPING_2020_21
LSOA11_CCG21, LSOA11_BOUNDARIES = ccg_geography.LSOA11_CCG21, ccg_geography.LSOA11_BOUNDARIES
IOD19_CCG = deprivation.IOD2019_CCG
PRACTICE_CCG_EARLY_2020 = prescribing.CCG_MAP_FILE
REFERENCE = "(reference) ccg_successors.csv"
#: Tables of other readers that the CCG geography reuses.
SHARED_TABLES = ("boundary_ccg_2019", "iod2019_ccg", "practice_ccg_2019")

T = TypeVar("T")


def _derive(files: Sequence[str], step: Callable[..., T], *args) -> T:
    """Run a pure step; a content inconsistency becomes a SourceError naming the files."""
    try:
        return step(*args)
    except ValueError as exc:
        raise SourceError(
            ", ".join(files),
            str(exc),
            "use the published files unchanged; if a newer edition was used on purpose, "
            "update data_pipeline/reference/ccg_successors.csv to match",
        ) from exc


def _register(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    boundary = tables["boundary_ccg_2019"]
    iod = tables["iod2019_ccg"]
    return _derive(
        [CCG19_BOUNDARIES, IOD19_CCG, CCG20_NAMES, CCG21_NAMES],
        ccg_register,
        pd.DataFrame({"ods_code": boundary["area_code"], "name": boundary["area_name"]}),
        pd.DataFrame({"ons_code": iod["ccg19_code"], "name": iod["ccg19_name"]}),
        tables["ccg20_names"],
        tables["ccg21_names"],
    )


def _successors(tables: Mapping[str, pd.DataFrame], register: pd.DataFrame) -> pd.DataFrame:
    """Curated transitions plus those of 2020 and 2021 read from GP practice registrations."""
    codes = {v: set(register_codes(register, v)["ods_code"]) for v in VINTAGES}
    early2020 = tables["practice_ccg_2019"].rename(columns={"ccg_ods": "ccg_code"})
    early2020 = early2020[early2020["ccg_code"].isin(codes["ccg-2019"])]
    qof1920, qof2021 = tables["qof_practice_ccg_2019_20"], tables["qof_practice_ccg_2020_21"]
    derived = []
    for files, old, new, start, basis, before, after in (
        ([PRACTICE_CCG_EARLY_2020, QOF_MAPPING_2019_20], early2020, qof1920,
         VINTAGES["ccg-2020"], BASIS_2020, "ccg-2019", "ccg-2020"),
        ([QOF_MAPPING_2019_20, QOF_MAPPING_2020_21], qof1920, qof2021,
         VINTAGES["ccg-2021"], BASIS_2021, "ccg-2020", "ccg-2021"),
    ):  # fmt: skip
        step = _derive(files, practice_successors, old, new, start, basis)
        _derive(files, check_transition, step, codes[before], codes[after])
        derived.append(step)
    return _derive([REFERENCE], successor_table, load_reference(), derived, register)


def derive(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """ccg_register, ccg_successors, ccg_code_map and lsoa11_ccg from the readers' tables."""
    register = _register(tables)
    successors = _successors(tables, register)
    mapping = _derive([REFERENCE, CCG20_NAMES, CCG21_NAMES], code_map, register, successors)
    ccg19 = tables["boundary_ccg_2019"].rename(columns={"area_code": "ods_code"})
    table = _derive(
        [LSOA11_BOUNDARIES, CCG19_BOUNDARIES, LSOA11_CCG21],
        lsoa11_ccg,
        tables["lsoa11_boundaries"][["lsoa11_code", "geometry"]],
        ccg19[["ods_code", "geometry"]],
        tables["lsoa11_ccg21"],
        register,
        mapping,
    )
    return {
        "ccg_register": register,
        "ccg_successors": successors,
        "ccg_code_map": mapping,
        "lsoa11_ccg": table,
    }


def read_inputs(raw: RawDir) -> SourceResult:
    """Every reader table the CCG geography needs (for checks that build it on its own)."""
    return (
        boundaries.read_boundary(raw, "boundary_ccg_2019")
        .merge(deprivation.read_iod2019_ccg(raw))
        .merge(prescribing.read_practice_ccg(raw))
        .merge(ccg_geography.read(raw))
    )


def build_ccg_geography(raw: RawDir) -> dict[str, pd.DataFrame]:
    """Read the raw files (through the source readers) and derive the CCG geography."""
    return derive(read_inputs(raw).tables)
