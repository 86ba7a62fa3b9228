"""CCG code vintages: registers, successor map, LSOA population weights, harmonisation.

Clinical commissioning groups merged in April 2015, 2017, 2018, 2019, 2020 and 2021, and
every source reports on its own year's set (QOF 2019-20 on the 135 CCGs of April 2020, NHS
Talking Therapies 2018-19 on the 195 of April 2018, MHSDS month by month...). A merged CCG
is the union of its predecessors, so any period can be put onto one later set: counts are
summed and averages population-weighted. A few CCGs instead traded territory while keeping
their ODS code (South Cumbria moved from 01H to 01K in April 2017; West Birmingham and
Glossop moved in July 2022); those are recorded too, so that harmonising can refuse figures
whose area no longer matches.

- :mod:`.codes`: the vintages and the register (``ccg_register``);
- :mod:`.successors`: old code -> new code at each April (``ccg_successors``);
- :mod:`.code_map`: every known code -> its code in each vintage (``ccg_code_map``);
- :mod:`.lsoa_assignment`: each LSOA 2011 -> its CCG of 2019, 2020, 2021 (``lsoa11_ccg``);
- :mod:`.population`: CCG populations from LSOA populations;
- :mod:`.harmonise`: figures put onto one CCG set;
- :mod:`.geography`: the four tables derived from the source readers' tables.

Everything is a pure function of DataFrames; the raw files are read in
:mod:`data_pipeline.sources` (:mod:`~data_pipeline.sources.ccg_geography` and the readers
whose tables are reused).
"""

from data_pipeline.ccg_vintages.code_map import code_map, to_vintage
from data_pipeline.ccg_vintages.codes import (
    BOUNDARY_CHANGE,
    MIN_PRACTICE_SHARE,
    NON_GEOGRAPHIC_CODES,
    VINTAGES,
    ccg_register,
    normalise_name,
    register_2019,
)
from data_pipeline.ccg_vintages.geography import (
    CCG19_BOUNDARIES,
    CCG20_NAMES,
    CCG21_NAMES,
    IOD19_CCG,
    LSOA11_BOUNDARIES,
    LSOA11_CCG21,
    PRACTICE_CCG_EARLY_2020,
    QOF_MAPPING_2019_20,
    QOF_MAPPING_2020_21,
    build_ccg_geography,
    derive,
)
from data_pipeline.ccg_vintages.harmonise import boundary_moved, harmonise
from data_pipeline.ccg_vintages.lsoa_assignment import (
    assign_points,
    largest_overlap,
    lsoa11_ccg,
    lsoa_points,
)
from data_pipeline.ccg_vintages.population import ccg_population, lsoa11_population
from data_pipeline.ccg_vintages.successors import (
    check_transition,
    load_reference,
    practice_successors,
    successor_table,
)

__all__ = [
    "BOUNDARY_CHANGE",
    "CCG19_BOUNDARIES",
    "CCG20_NAMES",
    "CCG21_NAMES",
    "IOD19_CCG",
    "LSOA11_BOUNDARIES",
    "LSOA11_CCG21",
    "MIN_PRACTICE_SHARE",
    "NON_GEOGRAPHIC_CODES",
    "PRACTICE_CCG_EARLY_2020",
    "QOF_MAPPING_2019_20",
    "QOF_MAPPING_2020_21",
    "VINTAGES",
    "assign_points",
    "boundary_moved",
    "build_ccg_geography",
    "ccg_population",
    "ccg_register",
    "check_transition",
    "code_map",
    "derive",
    "harmonise",
    "largest_overlap",
    "load_reference",
    "lsoa11_ccg",
    "lsoa11_population",
    "lsoa_points",
    "normalise_name",
    "practice_successors",
    "register_2019",
    "successor_table",
    "to_vintage",
]
