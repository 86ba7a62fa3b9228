"""Columns of the atlas's side tables: the contract the pipeline writes and the app reads.

One home for each table's columns, so a column added on one side cannot be missed on the
other. The indicator values and areas have their own contracts (``values.parquet``,
``areas.parquet``); these are the smaller tables beside them.
"""

from __future__ import annotations

from methods.disclosure import STAT_COLUMNS

#: ``areas.parquet``: the ward (2024) each LSOA 2021 lies in, blank on other levels. Wards
#: are what people call places ("West Bromwich Central"), so search finds councils by them.
WARD_COLUMNS = ("ward_code", "ward_name")
#: ``areas.parquet``: each LSOA 2021's ONS mid-2020 population (shared from 2011), the weight
#: every level's average scores use; blank on other levels. A user's own area uses it too.
LSOA_POPULATION = "population"

#: ``peers.parquet``: each area's nearest similar areas on one map, nearest first.
PEER_COLUMNS = ("area_code", "level", "vintage", "rank", "peer_code", "distance")

#: ``quality.parquet``: every row a data-quality rule caught, with the value the atlas shows
#: (``row_value``), what was measured (a count or a percentage: ``unit``), the usual level it
#: is set against, their ratio, how far short the row is left, and the organisations whose
#: months were caught.
QUALITY_COLUMNS = (
    "rule",
    "indicator_id",
    "area_code",
    "level",
    "vintage",
    "period",
    "row_value",
    "basis",
    "measure",
    "months",
    "unit",
    "value",
    "reference",
    "share",
    "short_share",
    "parts",
    "note",
)
#: The quality table's numeric columns (the rest are text).
QUALITY_NUMBERS = ("row_value", "value", "reference", "share", "short_share")

#: ``breaks.parquet``: where an indicator's series changes what it measures.
BREAK_COLUMNS = ("indicator_id", "level", "period", "change", "label", "apart")

#: ``deciles.parquet``: Talking Therapies by IMD decile within each ICB, and England's.
DECILE_COLUMNS = (
    *("indicator_id", "area_code", "level", "vintage", "period", "decile"),
    *("numerator", "denominator", *STAT_COLUMNS, "suppressed", "note"),
    "not_stated_share",
)
