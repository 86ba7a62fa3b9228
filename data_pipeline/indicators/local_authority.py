"""Indicators for local authorities, lower tier (2024) and upper tier (2023).

Districts and unitaries carry most series; counties and unitaries those published only at
upper tier. These come as published values (OHID Fingertips, ONS Health Index, IoD2025
summaries), keyed by the codes of their own year. A code that is not on the atlas's
boundaries (a district abolished in a reorganisation) cannot be mapped and is counted as
rejected, never dropped.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.reconcile import Ledger

LTLA = {"level": "ltla", "vintage": LEVEL_VINTAGES["ltla"]}
UTLA = {"level": "utla", "vintage": LEVEL_VINTAGES["utla"]}
#: ONS Health Index inputs published in the atlas, by indicator id.
HEALTH_INDEX = {"hi_suicides": "Suicides", "hi_self_harm": "Self-harm"}


def financial_year(period: pd.Series) -> pd.Series:
    """'2022/23' -> '2022-23', the atlas's way of writing a financial year."""
    return period.astype("string").str.replace("/", "-", regex=False)


def _on_boundaries(
    frame: pd.DataFrame, codes: set[str], table: str, ledger: Ledger, level_name: str
) -> pd.DataFrame:
    """Keep England and areas on the atlas's boundaries; count the rest as rejected."""
    known = frame["area_code"].isin(codes) | (frame["area_code"] == ENGLAND)
    ledger.drop(
        table,
        int((~known).sum()),
        f"area code not on the {level_name} boundaries (boundary changed since)",
    )
    return frame.loc[known]


def _published(frame: pd.DataFrame, level: dict, **const) -> pd.DataFrame:
    england = frame["area_code"] == ENGLAND
    area = frame.loc[~england].assign(**level)
    nation = frame.loc[england].assign(level="england", vintage="england")
    return observations(pd.concat([area, nation], ignore_index=True), **const)


def build(ctx: BuildContext) -> pd.DataFrame:
    """All local-authority observations (sections without their table are skipped)."""
    tables, ledger, avail = ctx.tables, ctx.ledger, ctx.avail
    ltla_codes = set(tables["boundary_ltla_2024"]["area_code"])
    utla_codes = set(tables["boundary_utla_2023"]["area_code"])
    frames = []

    if avail.has("iod2025_ltla24", indicators=("imd_score",), levels=("ltla",)):
        ltla_imd = tables["iod2025_ltla24"].rename(
            columns={"ltla24_code": "area_code", "imd_average_score": "value"}
        )
        frames.append(
            observations(ltla_imd.assign(**LTLA), indicator_id="imd_score", period="IoD2025")
        )
    if avail.has("iod2025_utla", indicators=("imd_score",), levels=("utla",)):
        utla_imd = tables["iod2025_utla"].rename(
            columns={"utla_code": "area_code", "imd_average_score": "value"}
        )
        frames.append(
            observations(utla_imd.assign(**UTLA), indicator_id="imd_score", period="IoD2025")
        )

    district = ("ltla", "england")
    if avail.has(
        "la_depression_prevalence", indicators=("depression_prevalence",), levels=district
    ):
        dep = tables["la_depression_prevalence"]
        dep = dep.assign(period=financial_year(dep["period"]), published_comparison=dep["compared"])
        dep = _on_boundaries(dep, ltla_codes, "la_depression_prevalence", ledger, "2024 district")
        frames.append(_published(dep, LTLA, indicator_id="depression_prevalence"))

    if avail.has("la_self_harm", indicators=("self_harm_admissions_rate",), levels=district):
        harm = tables["la_self_harm"]
        harm = harm.assign(
            period=financial_year(harm["period"]), published_comparison=harm["significance"]
        )
        harm = _on_boundaries(harm, ltla_codes, "la_self_harm", ledger, "2024 district")
        frames.append(_published(harm, LTLA, indicator_id="self_harm_admissions_rate"))

    if avail.has(
        "la_smi_excess_mortality",
        indicators=("smi_excess_mortality_ratio",),
        levels=("utla", "england"),
    ):
        smi = tables["la_smi_excess_mortality"]
        smi = smi.assign(
            period=financial_year(smi["period"]), published_comparison=smi["significance"]
        )
        smi = _on_boundaries(smi, utla_codes, "la_smi_excess_mortality", ledger, "2023 county/UA")
        frames.append(_published(smi, UTLA, indicator_id="smi_excess_mortality_ratio"))

    if avail.has("health_index_ltla21", indicators=tuple(HEALTH_INDEX), levels=("ltla",)):
        index = tables["health_index_ltla21"]
        chosen = index["indicator"].isin(HEALTH_INDEX.values())
        ledger.drop(
            "health_index_ltla21",
            int((~chosen).sum()),
            "Health Index input not among the atlas's indicators",
        )
        index = index.loc[chosen].rename(columns={"ltla21_code": "area_code"})
        index = _on_boundaries(index, ltla_codes, "health_index_ltla21", ledger, "2024 district")
        for indicator_id, name in HEALTH_INDEX.items():
            part = index.loc[index["indicator"] == name]
            frames.append(
                observations(
                    part.assign(period=part["year"].astype("string"), **LTLA),
                    indicator_id=indicator_id,
                )
            )
    return concat_observations(frames)
