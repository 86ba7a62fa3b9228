"""GP practices (points) and LSOA 2021 (drill-down inside one area).

Neither level has England rows of its own: practices and LSOAs are compared with the
England value built at the sub-ICB level for the same indicator and period.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import LEVEL_VINTAGES
from data_pipeline.indicators import observations

PRACTICE = {"level": "practice", "vintage": LEVEL_VINTAGES["practice"]}
LSOA = {"level": "lsoa", "vintage": LEVEL_VINTAGES["lsoa"]}
#: The levels a practice section makes, for :meth:`BuildContext.has`.
PRACTICE_LEVELS = ("practice",)
#: The levels an LSOA section makes, for :meth:`BuildContext.has`.
LSOA_LEVELS = ("lsoa",)


def practice_values(frame: pd.DataFrame, column: str, **const) -> pd.DataFrame:
    """A practice table's ``column`` as the published value of each practice."""
    values = frame.rename(columns={"practice_code": "area_code", column: "value"})
    return observations(values, **const, **PRACTICE)


def lsoa11_to_lsoa21(
    frame: pd.DataFrame, lookup: pd.DataFrame, columns: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts of LSOA 2011 (``lsoa11_code``, ``columns``) put onto LSOA 2021.

    ONS's best-fit lookup gives each 2011 LSOA its successors (change code U unchanged, S
    split, M merged, X complex). Each 2011 LSOA's counts are shared equally among its
    successors and added up in each 2021 LSOA: unchanged ones keep their counts, merged ones
    add up their parts, split ones give each part an equal share of every count (so each
    part carries its parent's rate), complex ones both. There is no 2021 population to share
    by; ONS splits an LSOA into parts of about equal size. Every count is kept: the 2021 sums
    add up to the 2011 totals. Returns the 2021 counts (``lsoa21_code``, ``columns``) and
    the rows of ``frame`` whose 2011 code the lookup does not know.
    """
    pairs = lookup[["lsoa11_code", "lsoa21_code"]].drop_duplicates()
    share = 1.0 / pairs.groupby("lsoa11_code")["lsoa21_code"].transform("size")
    known = frame["lsoa11_code"].isin(set(pairs["lsoa11_code"]))
    shared = pairs.assign(share=share).merge(frame.loc[known], on="lsoa11_code", how="inner")
    for column in columns:
        shared[column] = shared[column] * shared["share"]
    out = shared.groupby("lsoa21_code", as_index=False)[columns].sum()
    return out.sort_values("lsoa21_code").reset_index(drop=True), frame.loc[~known]
