"""Places people name: wards, and the councils and NHS areas they lie in.

Nobody searches for "Sandwell 017A"; people type the name of their town or ward ("West
Bromwich"). The atlas carries the 2024 ward of every LSOA 2021 (``ward_code``,
``ward_name`` on the LSOA rows of ``areas``), so a ward found by name leads to the district,
the county or unitary authority and the sub-ICB location its LSOAs are in.
"""

from __future__ import annotations

import pandas as pd

from methods.atlas_tables import WARD_COLUMNS

#: The areas a ward leads to, with the column of the LSOA rows that names each.
WARD_PARENTS = (("ltla", "parent_ltla"), ("utla", "parent_utla"), ("sub_icb", "parent_sub_icb"))
#: Shortest text searched for among ward names (two letters match too much).
MIN_WARD_QUERY = 3


def _no_places(areas: pd.DataFrame) -> pd.DataFrame:
    return areas.iloc[0:0].assign(via=pd.Series(dtype="string"))


def ward_areas(areas: pd.DataFrame, needle: str) -> pd.DataFrame:
    """Councils and sub-ICB locations of the wards whose name contains ``needle`` (lower case).

    Rows of ``areas`` (districts, counties and unitaries, sub-ICB locations), each area once,
    with ``via`` naming the ward that leads to it ("West Bromwich Central (ward)"): a ward
    named exactly ``needle`` first, then by ward name. A ward whose LSOAs lie in several
    areas of a level leads to each of them. An atlas without wards finds nothing here.
    """
    if not set(WARD_COLUMNS) <= set(areas.columns) or len(needle) < MIN_WARD_QUERY:
        return _no_places(areas)
    lsoa = areas.loc[areas["level"] == "lsoa"]
    names = lsoa["ward_name"].str.lower()
    matched = lsoa.loc[names.str.contains(needle, regex=False).fillna(False).astype(bool)]
    if matched.empty:
        return _no_places(areas)
    pairs = pd.concat(
        [
            matched[["ward_name", column]]
            .rename(columns={column: "area_code"})
            .dropna()
            .assign(level=level)
            for level, column in WARD_PARENTS
        ],
        ignore_index=True,
    )
    pairs = pairs.assign(_other=pairs["ward_name"].str.lower().ne(needle))
    pairs = pairs.sort_values(["_other", "ward_name"]).drop_duplicates(["area_code", "level"])
    levels = [level for level, _ in WARD_PARENTS]
    targets = areas.loc[areas["level"].isin(levels)].drop(columns=list(WARD_COLUMNS))
    targets = targets.sort_values("vintage").drop_duplicates(["area_code", "level"], keep="last")
    found = pairs.merge(targets, on=["area_code", "level"], how="inner")
    found["via"] = (found["ward_name"] + " (ward)").astype("string")
    return found.drop(columns=["ward_name", "_other"]).reindex(columns=[*areas.columns, "via"])
