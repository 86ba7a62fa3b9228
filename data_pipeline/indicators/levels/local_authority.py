"""Local authorities, lower tier (2024) and upper tier (2023).

Districts and unitaries carry most series; counties and unitaries those published only at
upper tier. These come as published values (OHID Fingertips, ONS Health Index, IoD2025
summaries), keyed by the codes of their own year. A code that is not on the atlas's
boundaries (a district abolished in a reorganisation) cannot be mapped and is counted as
rejected, never dropped.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES
from data_pipeline.indicators import observations
from data_pipeline.indicators.context import BuildContext

LTLA = {"level": "ltla", "vintage": LEVEL_VINTAGES["ltla"]}
UTLA = {"level": "utla", "vintage": LEVEL_VINTAGES["utla"]}
#: The boundary table and the wording of each tier, for codes not on the boundaries.
BOUNDARIES = {
    "ltla": ("boundary_ltla_2024", "2024 district"),
    "utla": ("boundary_utla_2023", "2023 county/UA"),
}


def financial_year(period: pd.Series) -> pd.Series:
    """'2022/23' -> '2022-23', the atlas's way of writing a financial year."""
    return period.astype("string").str.replace("/", "-", regex=False)


def on_boundaries(ctx: BuildContext, frame: pd.DataFrame, table: str, tier: str) -> pd.DataFrame:
    """Keep England and areas on the ``tier``'s boundaries; count the rest as rejected."""
    boundary, level_name = BOUNDARIES[tier]
    codes = set(ctx.tables[boundary]["area_code"])
    known = frame["area_code"].isin(codes) | (frame["area_code"] == ENGLAND)
    ctx.ledger.drop(
        table,
        int((~known).sum()),
        f"area code not on the {level_name} boundaries (boundary changed since)",
    )
    return frame.loc[known]


def published(ctx: BuildContext, table: str, tier: str, compared: str, **const) -> pd.DataFrame:
    """A Fingertips-style table of ``tier`` areas and England as observations.

    Financial years are written the atlas's way and the publisher's comparison with England
    (column ``compared``) is kept, to be used where the atlas cannot compute its own.
    """
    frame = ctx.tables[table]
    frame = frame.assign(
        period=financial_year(frame["period"]), published_comparison=frame[compared]
    )
    frame = on_boundaries(ctx, frame, table, tier)
    england = frame["area_code"] == ENGLAND
    area = frame.loc[~england].assign(**(LTLA if tier == "ltla" else UTLA))
    nation = frame.loc[england].assign(level="england", vintage="england")
    return observations(pd.concat([area, nation], ignore_index=True), **const)
