"""Physical health checks for people with severe mental illness: all six checks done.

Quarter 4 of each year: CCG periods (to 2021-22) harmonised onto each period's CCG set;
sub-ICB years (2022-23 on) added up to ICB, region and England.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators import concat_observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.levels.ccg import (
    CCG_LEVELS,
    PERIOD_VINTAGE,
    ccg_obs,
    england_obs,
    year_start,
)
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, counts_obs

INDICATOR = "smi_health_checks_pct"
MEASURES = ["All6PHC", "SMIRegister"]
FIRST_SUB_ICB_YEAR = "2022-23"  # earlier years are on CCG codes


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """All six checks / SMI register, quarter 4 of each year on sub-ICB codes (2022-23 on)."""
    if not ctx.has("smi_checks", indicators=(INDICATOR,), levels=SUB_ICB_LEVELS):
        return []
    ods_map = ctx.sub_icb_ods
    smi = ctx.tables["smi_checks"]
    smi = smi.loc[(smi["quarter"] == 4) & (smi["fin_year"] >= FIRST_SUB_ICB_YEAR)]
    smi = ctx.usage.mark("smi_checks", smi.loc[smi["measure"].isin(MEASURES)])
    if not smi["org_code"].isin(ods_map).all():
        unknown = sorted(set(smi.loc[~smi["org_code"].isin(ods_map), "org_code"]))
        raise ValueError(f"SMI check codes not on the 2023 sub-ICB boundaries: {unknown}")
    frames = []
    for year, part in smi.groupby("fin_year"):
        wide = part.pivot_table(
            index="org_code", columns="measure", values="value", aggfunc="sum", dropna=False
        )
        flags = part.groupby("org_code")["source_suppressed"].any()
        base = pd.DataFrame(
            {
                "area_code": wide.index.map(ods_map),
                "numerator": wide["All6PHC"].to_numpy(),
                "denominator": wide["SMIRegister"].to_numpy(),
                "source_suppressed": flags.reindex(wide.index).to_numpy(),
            }
        )
        frames.append(counts_obs(base, ctx.hierarchy, indicator_id=INDICATOR, period=str(year)))
    return [pd.concat(frames, ignore_index=True)]


def _ccg(ctx: BuildContext) -> list[pd.DataFrame]:
    """All six checks / SMI register at quarter 4, years on CCG codes (to 2021-22)."""
    if not ctx.has("smi_checks", indicators=(INDICATOR,), levels=CCG_LEVELS):
        return []
    ccg = ctx.ccg
    smi = ctx.tables["smi_checks"]
    q4 = smi.loc[
        (smi["quarter"] == 4)
        & smi["fin_year"].isin(list(PERIOD_VINTAGE))
        & smi["measure"].isin(MEASURES)
    ]
    ctx.usage.mark("smi_checks", q4)
    frames = []
    for period, part in q4.groupby("fin_year", sort=True):
        vintage = PERIOD_VINTAGE[str(period)]
        wide = part.pivot_table(
            index="org_code", columns="measure", values="value", aggfunc="first", dropna=False
        ).reset_index()
        wide = wide.rename(columns={"org_code": "ccg"})
        counts = ccg.harmonise(wide, vintage, year_start(str(period)), count_cols=MEASURES)
        obs = counts.rename(columns={"All6PHC": "numerator", "SMIRegister": "denominator"})
        const = {"indicator_id": INDICATOR, "period": str(period)}
        frames.append(ccg_obs(obs, ccg, vintage, **const))
        frames.append(england_obs(wide["All6PHC"].sum(), wide["SMIRegister"].sum(), **const))
    return frames


def build(ctx: BuildContext) -> pd.DataFrame:
    """SMI health checks at every level (sub-ICB first: its England figure stands)."""
    return concat_observations([*_sub_icb(ctx), *_ccg(ctx)])
