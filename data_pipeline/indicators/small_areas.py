"""Indicators for GP practices (points) and LSOA 2021 (drill-down inside one area).

Neither level has England rows of its own: practices and LSOAs are compared with the
England value built at the sub-ICB family for the same indicator and period.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import LEVEL_VINTAGES
from data_pipeline.indicators import observations

PRACTICE = {"level": "practice", "vintage": LEVEL_VINTAGES["practice"]}
LSOA = {"level": "lsoa", "vintage": LEVEL_VINTAGES["lsoa"]}


def practice_observations(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """QOF 2022-23 prevalence, IMD 2019 of the registered population, and list size."""
    qof = tables["qof_practice"]
    frames = []
    for indicator_id, group in (("depression_prevalence", "DEP"), ("smi_prevalence", "MH")):
        part = qof.loc[qof["group"] == group]
        frames.append(
            observations(
                part.rename(
                    columns={
                        "practice_code": "area_code",
                        "register": "numerator",
                        "list_size": "denominator",
                    }
                ),
                indicator_id=indicator_id,
                period="2022-23",
                **PRACTICE,
            )
        )
    totals = qof.loc[qof["group"] == "MH", ["practice_code", "list_size"]]
    frames.append(
        observations(
            totals.rename(columns={"practice_code": "area_code", "list_size": "value"}),
            indicator_id="list_size",
            period="2022-23",
            **PRACTICE,
        )
    )
    imd = tables["practice_imd"]
    imd = imd.loc[(imd["year"] == 2019) & imd["practice_code"].isin(set(qof["practice_code"]))]
    frames.append(
        observations(
            imd.rename(columns={"practice_code": "area_code", "imd_score": "value"}),
            indicator_id="practice_imd_score",
            period="IMD 2019",
            **PRACTICE,
        )
    )
    return pd.concat(frames, ignore_index=True)


def lsoa_observations(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """IoD2025 score, decile and mental-health indicator for every English LSOA 2021."""
    iod = tables["iod2025_lsoa21"].rename(columns={"lsoa21_code": "area_code"})
    frames = [
        observations(
            iod.rename(columns={column: "value"})[["area_code", "value"]],
            indicator_id=indicator_id,
            period="IoD2025",
            **LSOA,
        )
        for indicator_id, column in (
            ("imd_score", "imd_score"),
            ("imd_decile", "imd_decile"),
            ("mh_need_score", "mental_health_indicator"),
        )
    ]
    return pd.concat(frames, ignore_index=True)
