"""The atlas's ``indicators`` table: catalogue metadata plus what the build produced."""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd

from data_pipeline.indicators import Indicator


def indicator_table(catalogue: dict[str, Indicator], values: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator that has values: metadata, levels and periods by level."""
    rows = []
    for indicator_id, part in values.groupby("indicator_id", sort=True):
        meta = asdict(catalogue[str(indicator_id)])
        periods = {
            str(level): sorted(map(str, p["period"].unique()))
            for level, p in part.groupby("level", sort=True)
        }
        meta["sources"] = "; ".join(meta["sources"])
        meta["levels"] = ",".join(sorted(periods))
        meta["periods"] = json.dumps(periods, sort_keys=True)
        meta["vintages"] = ",".join(sorted(map(str, part["vintage"].unique())))
        rows.append(meta)
    table = pd.DataFrame(rows)
    for column in table.columns:
        if column != "multiplier":
            table[column] = table[column].astype("string")
    return table
