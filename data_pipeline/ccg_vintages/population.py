"""CCG populations: LSOA 2011 populations summed over the LSOAs of each CCG of a vintage.

Rates divide by these, and averages of merged CCGs are weighted by them.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.ccg_vintages.codes import VINTAGES


def lsoa11_population(sape: pd.DataFrame) -> pd.DataFrame:
    """Population and population aged 18+ per LSOA from a single-year-of-age table.

    ``sape`` has lsoa11_code, total_population and one column per age '0' ... '89' and
    '90+', as in the ONS mid-2020 small-area estimates.
    """
    adults = [*(str(age) for age in range(18, 90)), "90+"]
    missing = [c for c in ["lsoa11_code", "total_population", *adults] if c not in sape.columns]
    if missing:
        raise ValueError(f"population table lacks columns {missing[:5]}")
    values = sape[["total_population", *adults]].apply(pd.to_numeric, errors="raise")
    return pd.DataFrame(
        {
            "lsoa11_code": sape["lsoa11_code"].astype("string"),
            "population": values["total_population"].astype("Float64"),
            "population_18_plus": values[adults].sum(axis=1).astype("Float64"),
        }
    )


def ccg_population(
    lsoa11_ccg: pd.DataFrame, pop_lsoa11: pd.DataFrame, vintage: str
) -> pd.DataFrame:
    """Population and population 18+ of each CCG of ``vintage``, summed over its LSOAs.

    Keyed by ods_code for "ccg-2019" (the 2019 boundaries carry ODS codes only) and by
    ons_code for the others. Every LSOA of ``lsoa11_ccg`` must have a population.
    """
    column, key = {
        "ccg-2019": ("ccg2019_ods", "ods_code"),
        "ccg-2020": ("ccg2020_ons", "ons_code"),
        "ccg-2021": ("ccg2021_ons", "ons_code"),
    }.get(vintage, (None, None))
    if column is None:
        raise ValueError(f"unknown CCG vintage {vintage!r}; use one of {list(VINTAGES)}")
    merged = lsoa11_ccg[["lsoa11_code", column]].merge(pop_lsoa11, on="lsoa11_code", how="left")
    if merged["population"].isna().any():
        raise ValueError(
            f"{int(merged['population'].isna().sum())} LSOAs have no population estimate"
        )
    out = merged.groupby(column, as_index=False)[["population", "population_18_plus"]].sum()
    out = out.rename(columns={column: key}).astype(
        {key: "string", "population": "Float64", "population_18_plus": "Float64"}
    )
    return out.sort_values(key, ignore_index=True)
