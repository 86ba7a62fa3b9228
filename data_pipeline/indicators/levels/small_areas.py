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
