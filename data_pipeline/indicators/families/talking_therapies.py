"""NHS Talking Therapies: referrals, access, finished treatment, recovery and the gap ratio.

Sub-ICB, ICB, region and England from the monthly sub-ICB counts of July 2022 - May 2023,
per adult on the practices' lists (QOF 2022-23); CCG periods from the annual reports, per
adult of the CCG's population. The gap ratio is observed over expected access (sub-ICB) or
finished treatments (CCG), expected from the QOF depression register.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators import concat_observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import qof_prevalence
from data_pipeline.indicators.levels.ccg import (
    CCG_LEVELS,
    PERIOD_VINTAGE,
    ccg_obs,
    england_obs,
    ratios_by_period,
    year_start,
)
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, rate_obs
from data_pipeline.indicators.levels.sub_icb import ratio_obs as sub_icb_ratio

TT_PERIOD = "Jul 2022 - May 2023"
TT_MEASURES = ("referrals_received", "finished_course_treatment", "recovery", "not_at_caseness")


def sub_icb_counts(ctx: BuildContext, measure: str, months=None) -> pd.DataFrame:
    """Monthly counts of ``measure`` summed per sub-ICB (strictly: a gap makes NA)."""
    tt = ctx.tables["tt_monthly_subicb"]
    tt = tt.loc[tt["measure"] == measure]
    if months is not None:
        tt = tt.loc[tt["month"].between(*months)]
    tt = ctx.usage.mark("tt_monthly_subicb", tt)
    tt = tt.assign(sicbl_code=tt["sicbl_code"].map(lambda c: ctx.recode.get(c, c)))
    grouped = tt.groupby("sicbl_code")
    out = pd.DataFrame(
        {
            "value": grouped["value"].sum(min_count=1),
            "n_months": grouped["month"].nunique(),
            "source_suppressed": grouped["value"].apply(lambda s: s.isna().any()),
        }
    )
    expected = tt["month"].nunique()
    out["value"] = out["value"].mask(out["source_suppressed"] | (out["n_months"] < expected))
    return out.reset_index().rename(columns={"sicbl_code": "area_code"})


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """Referrals and access per adult on the QOF list, and the access/need gap ratio."""
    indicators = ("tt_referrals_rate", "tt_access_rate", "tt_gap_ratio")
    if not ctx.has(
        "tt_monthly_subicb", "qof_practice", indicators=indicators, levels=SUB_ICB_LEVELS
    ):
        return []
    dep = qof_prevalence.sub_icb_counts(ctx, "DEP")
    adults = dep[["area_code", "denominator"]]
    obs = []
    for indicator_id, measure in (
        ("tt_referrals_rate", "referrals_received"),
        ("tt_access_rate", "accessing_services"),
    ):
        counts = sub_icb_counts(ctx, measure).rename(columns={"value": "numerator"})
        obs.append(
            rate_obs(counts, adults, ctx.hierarchy, indicator_id=indicator_id, period=TT_PERIOD)
        )
    access = sub_icb_counts(ctx, "accessing_services").rename(columns={"value": "numerator"})
    need = dep.rename(columns={"numerator": "need"})
    obs.append(
        sub_icb_ratio(access, need, ctx.hierarchy, indicator_id="tt_gap_ratio", period=TT_PERIOD)
    )
    return obs


def _ccg_period(ctx: BuildContext, period: str, part: pd.DataFrame, eng: pd.Series):
    """One year's CCG observations and its finished treatments (``ccg``, count)."""
    ccg, vintage = ctx.ccg, PERIOD_VINTAGE[period]
    wide = part.pivot_table(
        index="org_code", columns="measure", values="value", aggfunc="first", dropna=False
    ).reset_index()
    wide = wide.rename(columns={"org_code": "ccg"})
    counts = ccg.harmonise(wide, vintage, year_start(period), count_cols=list(TT_MEASURES))
    frames = []
    for indicator_id, measure in (
        ("tt_referrals_rate", "referrals_received"),
        ("tt_finished_treatment_rate", "finished_course_treatment"),
    ):
        const = {"indicator_id": indicator_id, "period": period}
        obs = ccg.per_head(counts, measure, vintage, adults=True)
        frames.append(ccg_obs(obs, ccg, vintage, **const))
        adults = ccg.england_population["population_18_plus"]
        frames.append(england_obs(eng[measure], adults, **const))
    caseness = counts["finished_course_treatment"] - counts["not_at_caseness"]
    obs = pd.DataFrame(
        {"ccg": counts["ccg"], "numerator": counts["recovery"], "denominator": caseness}
    )
    const = {"indicator_id": "tt_recovery_rate", "period": period}
    frames.append(ccg_obs(obs, ccg, vintage, **const))
    eng_caseness = eng["finished_course_treatment"] - eng["not_at_caseness"]
    frames.append(england_obs(eng["recovery"], eng_caseness, **const))
    return frames, counts[["ccg", "finished_course_treatment"]]


def _ccg_sections(ctx: BuildContext) -> tuple[list[pd.DataFrame], dict[str, pd.DataFrame]]:
    """Referrals, finished treatment and recovery per year; and finished counts by period."""
    tt = ctx.tables["tt_annual"]
    total = tt.loc[(tt["breakdown"] == "total") & tt["measure"].isin(TT_MEASURES)]
    ccg = ctx.usage.mark("tt_annual", total.loc[total["org_type"] == "ccg"])
    england = ctx.usage.mark("tt_annual", total.loc[total["org_type"] == "england"])
    frames, finished = [], {}
    for period, part in ccg.groupby("period", sort=True):
        period = str(period)
        if period not in PERIOD_VINTAGE:
            continue
        eng = england.loc[england["period"] == period].set_index("measure")["value"]
        period_frames, finished[period] = _ccg_period(ctx, period, part, eng)
        frames += period_frames
    return frames, finished


def ccg_sections(ctx: BuildContext) -> tuple[list[pd.DataFrame], dict[str, pd.DataFrame]]:
    """The CCG observations and finished treatments by period, made once per build."""
    return ctx.once("talking_therapies.ccg", lambda: _ccg_sections(ctx))


def ccg_finished(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """Period -> finished courses of treatment by CCG (``ccg``, ``finished_course_treatment``).

    The observed of the CCG gap ratio and the need of the CCG secondary reliance ratio.
    """
    return ccg_sections(ctx)[1]


def _ccg(ctx: BuildContext) -> list[pd.DataFrame]:
    indicators = ("tt_referrals_rate", "tt_finished_treatment_rate", "tt_recovery_rate")
    if not ctx.has("tt_annual", indicators=indicators, levels=CCG_LEVELS):
        return []
    return list(ccg_sections(ctx)[0])


def _ccg_gap(ctx: BuildContext) -> list[pd.DataFrame]:
    """Finished treatments over those expected from the depression register, per year."""
    if not ctx.has("qof_ccg", "tt_annual", indicators=("tt_gap_ratio",), levels=CCG_LEVELS):
        return []
    observed = {
        period: counts.rename(columns={"finished_course_treatment": "observed"})
        for period, counts in ccg_finished(ctx).items()
    }
    need = {
        period: counts.rename(columns={"register": "need"})
        for period, counts in qof_prevalence.ccg_depression_registers(ctx).items()
    }
    return ratios_by_period(observed, need, ctx.ccg, "tt_gap_ratio")


def build(ctx: BuildContext) -> pd.DataFrame:
    """Talking Therapies at every level (sub-ICB first: its England figure stands)."""
    return concat_observations([*_sub_icb(ctx), *_ccg(ctx), *_ccg_gap(ctx)])
