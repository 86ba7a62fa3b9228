"""Local authorities, lower tier (2024) and upper tier (2023).

Districts and unitaries carry most series; counties and unitaries those published only at
upper tier. These come as published values (OHID Fingertips, ONS Health Index, IoD2025
summaries), keyed by the codes of their own year. A code that is not on the atlas's
boundaries (a district abolished in a reorganisation) cannot be mapped and is counted as
rejected, never dropped.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES, weighted_mean
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


def lsoa_councils(lsoa21_geography: pd.DataFrame, ltla_utla: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA 2021 with its district (2024) and county or unitary authority (2023).

    District codes of 2024 and 2023 are the same set (checked when the lookups are read), so
    a 2024 district finds its upper tier in the 2023 lookup.
    """
    return lsoa21_geography[["lsoa21_code", "ltla24_code"]].merge(
        ltla_utla[["ltla23_code", "utla23_code"]],
        left_on="ltla24_code",
        right_on="ltla23_code",
        how="left",
    )[["lsoa21_code", "ltla24_code", "utla23_code"]]


#: Each council tier: its column in :func:`lsoa_councils` and its level and vintage.
TIERS = (("ltla24_code", LTLA), ("utla23_code", UTLA))


def council_counts(lsoa: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """LSOA 2021 counts (``lsoa21_code``, numerator, denominator) added up to both tiers."""
    linked = lsoa.merge(councils, on="lsoa21_code", how="inner")
    frames = []
    for key, tier in TIERS:
        sums = linked.groupby(key, as_index=False)[["numerator", "denominator"]].sum()
        frames.append(sums.rename(columns={key: "area_code"}).assign(**tier))
    return pd.concat(frames, ignore_index=True)


def council_scores(lsoa: pd.DataFrame, councils: pd.DataFrame, value: str) -> pd.DataFrame:
    """Population-weighted mean of an LSOA 2021 score (``value``, ``population``) at both tiers.

    The same weighting as the sub-ICB level (:func:`.sub_icb.score_levels`).
    """
    linked = lsoa.merge(councils, on="lsoa21_code", how="inner")
    frames = []
    for key, tier in TIERS:
        means = weighted_mean(linked, value, "population", key)
        frames.append(
            means.rename(columns={key: "area_code", value: "value"})[["area_code", "value"]].assign(
                **tier
            )
        )
    return pd.concat(frames, ignore_index=True)
