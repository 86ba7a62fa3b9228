"""Recorded prevalence from QOF registers: depression (18+) and severe mental illness.

Sub-ICB, ICB, region and England from the practice registers of 2022-23; CCG periods from
the QOF CCG workbooks of each year; GP practices their own registers; districts the
depression prevalence OHID publishes. The registers also give other families their need
and denominators (:func:`sub_icb_counts`, :func:`ccg_registers`). Recognition
(``recognition_ratio``) sets the depression register against the register expected from
modelled common mental disorders at England's ratio of the two.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import modelled_need
from data_pipeline.indicators.levels.ccg import (
    CCG_LEVELS,
    PERIOD_VINTAGE,
    ccg_obs,
    england_obs,
    next_april,
    ratios_by_period,
)
from data_pipeline.indicators.levels.local_authority import published
from data_pipeline.indicators.levels.small_areas import PRACTICE, PRACTICE_LEVELS
from data_pipeline.indicators.levels.standardised import standardised_obs
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, counts_obs, practice_sub_icb

PERIOD = "2022-23"
#: Indicator id -> QOF register group.
GROUPS = {"depression_prevalence": "DEP", "smi_prevalence": "MH"}
RECOGNITION = "recognition_ratio"


def sub_icb_counts(ctx: BuildContext, group: str) -> pd.DataFrame:
    """QOF 2022-23 register and list size by sub-ICB (2023 code) for one register group.

    The DEP list sizes are the adults (18+) and the MH ones all registered patients: the
    denominators of the sub-ICB Talking Therapies and secondary care rates.
    """

    def make() -> pd.DataFrame:
        linked = practice_sub_icb(ctx.tables, group, ctx.sub_icb_ods)
        return linked.groupby("area_code", as_index=False).agg(
            numerator=("register", "sum"),
            denominator=("list_size", "sum"),
            source_suppressed=("source_suppressed", "any"),
        )

    return ctx.once(f"qof_prevalence.sub_icb.{group}", make)


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    if not ctx.has("qof_practice", indicators=tuple(GROUPS), levels=SUB_ICB_LEVELS):
        return []
    return [
        counts_obs(
            sub_icb_counts(ctx, group), ctx.hierarchy, indicator_id=indicator_id, period=PERIOD
        )
        for indicator_id, group in GROUPS.items()
    ]


def _ccg_sections(ctx: BuildContext) -> tuple[list[pd.DataFrame], dict[str, pd.DataFrame]]:
    """Prevalence per year on each period's CCG set, and the DEP registers by period."""
    ccg = ctx.ccg
    qof = ctx.usage.mark("qof_ccg", ctx.tables["qof_ccg"])
    frames, registers = [], {}
    for (year, group), part in qof.groupby(["year", "group"], sort=True):
        vintage = PERIOD_VINTAGE[str(year)]
        wide = part.rename(columns={"ccg_ods": "ccg"})[["ccg", "register", "list_size"]]
        counts = ccg.harmonise(
            wide, vintage, next_april(str(year)), count_cols=["register", "list_size"]
        )
        indicator_id = "depression_prevalence" if group == "DEP" else "smi_prevalence"
        const = {"indicator_id": indicator_id, "period": str(year)}
        obs = counts.rename(columns={"register": "numerator", "list_size": "denominator"})
        frames.append(ccg_obs(obs, ccg, vintage, **const))
        frames.append(england_obs(wide["register"].sum(), wide["list_size"].sum(), **const))
        registers[f"{group}/{year}"] = counts[["ccg", "register"]]
    return frames, registers


def ccg_sections(ctx: BuildContext) -> tuple[list[pd.DataFrame], dict[str, pd.DataFrame]]:
    """The CCG observations and registers (``ccg``, ``register``) by group/period, made once."""
    return ctx.once("qof_prevalence.ccg", lambda: _ccg_sections(ctx))


def ccg_registers(ctx: BuildContext, group: str) -> dict[str, pd.DataFrame]:
    """Period -> the CCG registers of ``group`` (``ccg``, ``register``) on the period's CCGs.

    The depression register is the need of the CCG gap ratio; the SMI register that of the
    secondary-care reliance ratio.
    """
    prefix = f"{group}/"
    return {
        key.removeprefix(prefix): frame
        for key, frame in ccg_sections(ctx)[1].items()
        if key.startswith(prefix)
    }


def ccg_depression_registers(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """Period -> the CCG depression registers: the need of the CCG gap ratio."""
    return ccg_registers(ctx, "DEP")


def _ccg(ctx: BuildContext) -> list[pd.DataFrame]:
    if not ctx.has("qof_ccg", indicators=tuple(GROUPS), levels=CCG_LEVELS):
        return []
    return list(ccg_sections(ctx)[0])


def _recognition_sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """The 2022-23 depression register against the one expected from modelled need."""
    if not ctx.has(
        "qof_practice", *modelled_need.TABLES, indicators=(RECOGNITION,), levels=SUB_ICB_LEVELS
    ):
        return []
    register = sub_icb_counts(ctx, "DEP")[["area_code", "numerator", "source_suppressed"]]
    need = modelled_need.modelled_adults(ctx, "sub_icb")[["area_code", "cmd_count"]]
    base = register.merge(need.rename(columns={"cmd_count": "need"}), on="area_code", how="right")
    return [standardised_obs(base, ctx.hierarchy, indicator_id=RECOGNITION, period=PERIOD)]


def _recognition_ccg(ctx: BuildContext) -> list[pd.DataFrame]:
    """Each QOF year's CCG depression registers against modelled need on that year's CCGs."""
    if not ctx.has("qof_ccg", *modelled_need.TABLES, indicators=(RECOGNITION,), levels=CCG_LEVELS):
        return []
    observed, need = {}, {}
    for period, registers in ccg_depression_registers(ctx).items():
        modelled = modelled_need.modelled_adults(ctx, PERIOD_VINTAGE[period])
        observed[period] = registers.rename(columns={"register": "observed"})
        need[period] = modelled[["ccg", "cmd_count"]].rename(columns={"cmd_count": "need"})
    return ratios_by_period(observed, need, ctx.ccg, RECOGNITION)


def _districts(ctx: BuildContext) -> list[pd.DataFrame]:
    """Depression prevalence as OHID publishes it for districts (Fingertips 848)."""
    if not ctx.has(
        "la_depression_prevalence",
        indicators=("depression_prevalence",),
        levels=("ltla", "england"),
    ):
        return []
    return [
        published(
            ctx,
            "la_depression_prevalence",
            "ltla",
            "compared",
            indicator_id="depression_prevalence",
        )
    ]


def _practice(ctx: BuildContext) -> list[pd.DataFrame]:
    """Each practice's own registers over its list, 2022-23."""
    if not ctx.has("qof_practice", indicators=tuple(GROUPS), levels=PRACTICE_LEVELS):
        return []
    qof = ctx.tables["qof_practice"]
    columns = {"practice_code": "area_code", "register": "numerator", "list_size": "denominator"}
    return [
        observations(
            qof.loc[qof["group"] == group].rename(columns=columns),
            indicator_id=indicator_id,
            period=PERIOD,
            **PRACTICE,
        )
        for indicator_id, group in GROUPS.items()
    ]


def build(ctx: BuildContext) -> pd.DataFrame:
    """QOF prevalence at every level (sub-ICB first, then CCG: their England figures stand)."""
    frames = [*_sub_icb(ctx), *_ccg(ctx), *_districts(ctx), *_practice(ctx)]
    frames += [*_recognition_sub_icb(ctx), *_recognition_ccg(ctx)]
    return concat_observations(frames)
