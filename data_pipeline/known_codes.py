"""Rows whose area code the atlas's geography does not know are counted out before building.

A reader can check a code's form (``E01`` and six digits, three ODS characters); only the
lookups can say whether the code exists in the vintage the source is meant to be on. A code
that does not (mistyped, from an older or newer vintage, an area since abolished) would
otherwise be joined to nothing and vanish, or stop the build deep inside an indicator builder
without naming the file. Each rule here moves such rows from "used" to "rejected" in the
account of the file they came from, with a reason that names the lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from data_pipeline.reconcile import Ledger
from data_pipeline.sources.deprivation import IOD2025_LSOA
from data_pipeline.sources.qof_ccg import WORKBOOKS as QOF_CCG_WORKBOOKS

#: The first financial year whose SMI health-check rows are on 2023 sub-ICB codes.
FIRST_SUB_ICB_YEAR = "2022-23"
#: Why a practice-level value is counted out: the atlas's GP practices (map points, with
#: their sub-ICB, ICB and region) are those QOF 2022-23 maps; a practice that closed or
#: merged before it, or was not in it, has no place on the map to show a value at.
PRACTICE_NOT_IN_ATLAS = (
    "practice not among the atlas's GP practices (those of the QOF 2022-23 practice "
    "mapping; closed, merged or not in QOF that year), so it has no place to be shown"
)


@dataclass
class Geography:
    """The code sets the rules check against, built from the lookup tables on demand."""

    tables: dict[str, pd.DataFrame]
    hierarchy: pd.DataFrame
    recode: dict[str, str]
    _cache: dict[str, frozenset[str]] = field(default_factory=dict)

    def codes(self, name: str) -> frozenset[str]:
        """One named code set (see :data:`CODE_SETS`)."""
        if name not in self._cache:
            self._cache[name] = frozenset(CODE_SETS[name](self).dropna().astype(str))
        return self._cache[name]


#: Known codes, by name: what the lookup tables and the sub-ICB hierarchy hold.
CODE_SETS: dict[str, Callable[[Geography], pd.Series]] = {
    "lsoa21": lambda g: g.tables["lsoa21_geography"]["lsoa21_code"],
    "qof_practices": lambda g: g.tables["qof_practice_geography"]["practice_code"],
    "ccg_any_year": lambda g: g.tables["ccg_code_map"]["code"],
    "sub_icb_2023_ons": lambda g: g.hierarchy["sub_icb_code"],
    "sub_icb_2023_ods": lambda g: g.hierarchy["sub_icb_ods"],
    "icb_2023_ods": lambda g: g.hierarchy["icb_ods"],
    "nhs_region_ods": lambda g: g.tables["qof_practice_geography"]["region_ods"],
}
#: The table each code set needs.
CODE_SET_TABLES = {
    "lsoa21": "lsoa21_geography",
    "qof_practices": "qof_practice_geography",
    "ccg_any_year": "ccg_code_map",
    "nhs_region_ods": "qof_practice_geography",
}


def _everything(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=frame.index)


@dataclass(frozen=True)
class Rule:
    """Rows of ``table`` (those ``applies`` selects) must have ``column`` in ``known``."""

    table: str
    column: str
    known: str
    reason: str
    applies: Callable[[pd.DataFrame], pd.Series] = _everything
    #: Turns a source code into the code of the lookup's vintage (e.g. sub-ICB mergers).
    recoded: bool = False
    #: The source file of each row, for tables read from several files.
    file_of: Callable[[pd.DataFrame], pd.Series] | None = None
    #: The file, for tables whose reader reads several files but keeps rows of one.
    file: str | None = None
    #: Name the unknown codes in the reason (for a handful of codes a reader should see).
    name_codes: bool = False

    def why(self, codes: pd.Series) -> str:
        """The reason, naming the codes when the rule says so."""
        if not self.name_codes:
            return self.reason
        return f"{self.reason}: {', '.join(sorted(set(codes.astype(str))))}"


RULES: tuple[Rule, ...] = (
    Rule(
        "iod2025_lsoa21",
        "lsoa21_code",
        "lsoa21",
        "LSOA code not in the 2021 LSOA lookup (a 2011 code, or mistyped)",
        file=IOD2025_LSOA,
    ),
    Rule(
        "qof_practice",
        "practice_code",
        "qof_practices",
        "practice code not in the QOF 2022-23 practice mapping",
    ),
    Rule(
        "gp_life_expectancy",
        "practice_code",
        "qof_practices",
        PRACTICE_NOT_IN_ATLAS,
        name_codes=True,
    ),
    Rule(
        "smoking_prevalence",
        "area_code",
        "qof_practices",
        PRACTICE_NOT_IN_ATLAS,
        applies=lambda f: f["area_type"] == "GPs",
        name_codes=True,
    ),
    Rule(
        "tt_monthly_subicb",
        "sicbl_code",
        "sub_icb_2023_ons",
        "sub-ICB code not in the 2022 sub-ICB lookup",
        recoded=True,
    ),
    Rule(
        "smi_checks",
        "org_code",
        "ccg_any_year",
        "CCG code not in any CCG register of 2013-2021",
        applies=lambda f: f["fin_year"] < FIRST_SUB_ICB_YEAR,
    ),
    Rule(
        "smi_checks",
        "org_code",
        "sub_icb_2023_ods",
        f"code is not a 2023 sub-ICB location, as rows from {FIRST_SUB_ICB_YEAR} must be "
        "(a CCG code of an earlier year?)",
        applies=lambda f: f["fin_year"] >= FIRST_SUB_ICB_YEAR,
    ),
    Rule(
        "qof_ccg",
        "ccg_ods",
        "ccg_any_year",
        "CCG code not in any CCG register of 2013-2021",
        applies=lambda f: f["org_type"] == "ccg",
        file_of=lambda f: f["year"].map(QOF_CCG_WORKBOOKS),
    ),
    Rule(
        "tt_annual",
        "org_code",
        "ccg_any_year",
        "CCG code not in any CCG register of 2013-2021",
        applies=lambda f: f["org_type"] == "ccg",
    ),
    Rule(
        "tt_annual",
        "org_code",
        "icb_2023_ods",
        "ICB code not among the 2023 ICBs (ODS codes of the LSOA lookup)",
        applies=lambda f: f["org_type"] == "icb",
    ),
    Rule(
        "tt_annual",
        "org_code",
        "nhs_region_ods",
        "commissioning region code not among the NHS England regions (ODS codes of the "
        "QOF practice mapping)",
        applies=lambda f: f["org_type"] == "region",
    ),
    Rule(
        "mhsds_monthly",
        "org_code",
        "ccg_any_year",
        "CCG code not in any CCG register of 2013-2021",
        applies=lambda f: f["breakdown"] == "ccg",
    ),
    Rule(
        "mhsds_monthly",
        "org_code",
        "sub_icb_2023_ods",
        "sub-ICB code not among the 2023 sub-ICB locations",
        applies=lambda f: f["breakdown"] == "sub_icb",
    ),
)


def reject_unknown(
    tables: dict[str, pd.DataFrame],
    ledger: Ledger,
    hierarchy: pd.DataFrame,
    recode: dict[str, str],
) -> dict[str, pd.DataFrame]:
    """Return ``tables`` without the rows whose codes no lookup knows, counted in ``ledger``.

    Rules whose table (or lookup) is absent are skipped: a build without that source has
    nothing to check.
    """
    geography = Geography(tables, hierarchy, recode)
    out = dict(tables)
    for rule in RULES:
        lookup = CODE_SET_TABLES.get(rule.known)
        if rule.table not in out or (lookup is not None and lookup not in tables):
            continue
        frame = out[rule.table]
        codes = frame[rule.column].astype("string").str.strip()
        if rule.recoded:
            codes = codes.map(lambda c: recode.get(c, c))
        known = list(geography.codes(rule.known))
        unknown = rule.applies(frame).fillna(False).astype(bool) & ~codes.isin(known)
        if not unknown.any():
            continue
        reason = rule.why(codes.loc[unknown])
        if rule.file_of is None:
            ledger.drop(rule.table, int(unknown.sum()), reason, file=rule.file)
        else:
            for file, count in rule.file_of(frame.loc[unknown]).value_counts().sort_index().items():
                ledger.drop(rule.table, int(count), reason, file=str(file))
        out[rule.table] = frame.loc[~unknown]
    return out
