"""What the build reads, step by step: each reader, its tables, and whether it is needed.

A step whose file is absent stops the build, unless the step is optional and the build runs
with ``--allow-missing``; then it is recorded as a :class:`MissingSource` with what it costs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from data_pipeline.indicators.availability import Availability
from data_pipeline.raw import RawDir
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
