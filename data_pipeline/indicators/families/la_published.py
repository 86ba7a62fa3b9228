"""Indicators published for local authorities only.

Self-harm admissions, excess mortality in adults with severe mental illness, and ONS
Health Index inputs. Values, limits and the publisher's comparison with England are kept
as published (OHID Fingertips, ONS Health Index) for districts (2024) or counties and
unitaries (2023).
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.levels.local_authority import LTLA, on_boundaries, published

#: ONS Health Index inputs published in the atlas, by indicator id.
HEALTH_INDEX = {"hi_suicides": "Suicides", "hi_self_harm": "Self-harm"}
#: Why the Health Index inputs have no England value (the England row of each year says so).
HEALTH_INDEX_ENGLAND_NOTE = (
    "No England value: the Health Index file has district values only ({districts} districts "
    "of 2021, {first} to {last}) and no England row, and its rates come without the counts "
    "and populations an England rate could be built from, so no district is compared with "
    "England."
)


def _fingertips(ctx: BuildContext) -> list[pd.DataFrame]:
    """Self-harm admissions (districts) and SMI excess mortality (counties and UAs)."""
    frames = []
    for indicator_id, table, tier in (
        ("self_harm_admissions_rate", "la_self_harm", "ltla"),
        ("smi_excess_mortality_ratio", "la_smi_excess_mortality", "utla"),
    ):
        if ctx.has(table, indicators=(indicator_id,), levels=(tier, "england")):
            frames.append(published(ctx, table, tier, "significance", indicator_id=indicator_id))
    return frames


def _health_index(ctx: BuildContext) -> list[pd.DataFrame]:
    """The Health Index inputs the atlas shows, every year, by 2024 district."""
    table = "health_index_ltla21"
    if not ctx.has(table, indicators=tuple(HEALTH_INDEX), levels=("ltla", "england")):
        return []
    index = ctx.tables[table]
    note = HEALTH_INDEX_ENGLAND_NOTE.format(
        districts=index["ltla21_code"].nunique(),
        first=int(index["year"].min()),
        last=int(index["year"].max()),
    )
    chosen = index["indicator"].isin(HEALTH_INDEX.values())
    ctx.ledger.drop(
        table, int((~chosen).sum()), "Health Index input not among the atlas's indicators"
    )
    index = index.loc[chosen].rename(columns={"ltla21_code": "area_code"})
    index = on_boundaries(ctx, index, table, "ltla")
    frames = []
    for indicator_id, name in HEALTH_INDEX.items():
        part = index.loc[index["indicator"] == name]
        periods = part["year"].astype("string")
        frames.append(observations(part.assign(period=periods, **LTLA), indicator_id=indicator_id))
        england = pd.DataFrame(
            {
                "area_code": ENGLAND,
                "period": sorted(set(periods)),
                "note": note,
            }
        )
        frames.append(
            observations(england, indicator_id=indicator_id, level="england", vintage="england")
        )
    return frames


def build(ctx: BuildContext) -> pd.DataFrame:
    """Every local-authority-only indicator (sections without their table are skipped)."""
    return concat_observations([*_fingertips(ctx), *_health_index(ctx)])
