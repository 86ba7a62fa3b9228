"""NHS Talking Therapies: referrals, access, finished treatment, recovery and the gap ratios.

Sub-ICB, ICB, region and England from the monthly sub-ICB counts of July 2022 - May 2023,
per adult on the practices' lists (QOF 2022-23); CCG periods from the annual reports, per
adult of the CCG's population; ICB years 2022-23 onwards from the annual report's ICB,
region and England rows, per adult of the ONS population (:mod:`.tt_icb`). The gap ratios
count one activity throughout, courses of treatment finished: CCG years 2017-18 to 2021-22
and ICB years from 2022-23 (annual report), and the 11 months of the monthly sub-ICB file.
Expected courses come from the QOF depression register (``tt_gap_ratio``) or modelled common
mental disorders (``tt_gap_ratio_modelled``, with the gap in people a year,
``tt_shortfall_modelled``).

England of the sub-ICB months is NHS England's own national count for the same months (the
monthly statistics' England rows), over England's registered adults, not the sum of the
sub-ICBs: activity the publisher placed in no sub-ICB is England's too.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.indicators import concat_observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import modelled_need, qof_prevalence, tt_icb
from data_pipeline.indicators.levels.ccg import (
    CCG_LEVELS,
    PERIOD_VINTAGE,
    ccg_obs,
    england_obs,
    ratios_by_period,
    year_start,
)
from data_pipeline.indicators.levels.standardised import shortfall_obs, standardised_obs
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, rate_obs, with_england

TT_PERIOD = "Jul 2022 - May 2023"
#: The 11 months of the sub-ICB period put on a yearly footing (the gap in people a year).
TT_PER_YEAR = 12 / 11
#: The indicators measured against modelled need: the ratio, then the gap in people.
MODELLED = ("tt_gap_ratio_modelled", "tt_shortfall_modelled")
#: The levels an ICB-year section makes.
ICB_LEVELS = ("icb", "region", "england")
TT_MEASURES = ("referrals_received", "finished_course_treatment", "recovery", "not_at_caseness")
#: NHS England's own monthly figures for England (the monthly statistics' England rows).
NATIONAL = "tt_monthly_england"
#: How a note names each count England's own figure is taken for.
NATIONAL_WORDS = {
    "referrals_received": "referrals received",
    "accessing_services": "referrals entering treatment",
    "finished_course_treatment": "courses of treatment finished",
}


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


def national_count(ctx: BuildContext, measure: str) -> float | None:
    """NHS England's own count of ``measure`` over the sub-ICB file's months (None: none)."""
    if NATIONAL not in ctx.tables:
        return None
    months = set(ctx.tables["tt_monthly_subicb"]["month"])
    national = ctx.tables[NATIONAL]
    rows = national.loc[(national["measure"] == measure) & national["month"].isin(months)]
    rows = ctx.usage.mark(NATIONAL, rows)
    if rows["month"].nunique() != len(months) or rows["value"].isna().any():
        return None
    return float(rows["value"].sum())


def _national_note(published: float | None, areas: float, what: str) -> str:
    """Where England's count comes from, with the sub-ICBs' own total beside it."""
    if published is None:
        return (
            f"England adds up the sub-ICBs ({what}): NHS England's national monthly figures "
            "are missing from this build."
        )
    return (
        f"England is NHS England's published national count of {what} for these months "
        f"({published:,.0f}, monthly statistics), not the sum of the sub-ICB rows "
        f"({areas:,.0f})."
    )


def _with_national(ctx: BuildContext, obs: pd.DataFrame, measure: str, denominator=None):
    """``obs`` with England's own count of ``measure`` (a ratio: over itself, so 1)."""
    what = NATIONAL_WORDS[measure]
    areas = float(obs.loc[obs["level"] == "sub_icb", "numerator"].sum())
    published = national_count(ctx, measure)
    note = _national_note(published, areas, what)
    if published is None:  # keep the roll-up's own note (which areas it adds up) if any
        england = (obs["level"] == "england") & obs["note"].isna()
        return obs.assign(note=obs["note"].mask(england, note))
    return with_england(obs, published, published if denominator is None else denominator, note)


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """Referrals and access per adult on the QOF list; England's own counts per its adults."""
    indicators = ("tt_referrals_rate", "tt_access_rate")
    if not ctx.has(
        "tt_monthly_subicb", "qof_practice", indicators=indicators, levels=SUB_ICB_LEVELS
    ):
        return []
    adults = qof_prevalence.sub_icb_counts(ctx, "DEP")[["area_code", "denominator"]]
    england_adults = float(adults["denominator"].sum())
    obs = []
    for indicator_id, measure in (
        ("tt_referrals_rate", "referrals_received"),
        ("tt_access_rate", "accessing_services"),
    ):
        counts = sub_icb_counts(ctx, measure).rename(columns={"value": "numerator"})
        rates = rate_obs(counts, adults, ctx.hierarchy, indicator_id=indicator_id, period=TT_PERIOD)
        obs.append(_with_national(ctx, rates, measure, england_adults))
    return obs


def _sub_icb_finished(ctx: BuildContext) -> pd.DataFrame:
    """Courses finished in the 11 months by sub-ICB (``area_code``, ``numerator``)."""
    counts = sub_icb_counts(ctx, "finished_course_treatment")
    return counts.rename(columns={"value": "numerator"})


def _sub_icb_gap(ctx: BuildContext) -> list[pd.DataFrame]:
    """Courses finished against the depression register, July 2022 - May 2023."""
    if not ctx.has(
        "tt_monthly_subicb", "qof_practice", indicators=("tt_gap_ratio",), levels=SUB_ICB_LEVELS
    ):
        return []
    need = qof_prevalence.sub_icb_counts(ctx, "DEP")[["area_code", "numerator"]]
    base = _sub_icb_finished(ctx).merge(
        need.rename(columns={"numerator": "need"}), on="area_code", how="right"
    )
    const = {"indicator_id": "tt_gap_ratio", "period": TT_PERIOD}
    ratio = standardised_obs(base, ctx.hierarchy, partial_england=True, **const)
    return [_with_national(ctx, ratio, "finished_course_treatment")]


def _sub_icb_modelled(ctx: BuildContext) -> list[pd.DataFrame]:
    """Courses finished against modelled need, and the gap in people a year (11 months)."""
    if not ctx.has(
        "tt_monthly_subicb",
        *modelled_need.TABLES,
        indicators=MODELLED,
        levels=SUB_ICB_LEVELS,
    ):
        return []
    need = modelled_need.modelled_adults(ctx, "sub_icb")[["area_code", "cmd_count"]]
    base = _sub_icb_finished(ctx).merge(
        need.rename(columns={"cmd_count": "need"}), on="area_code", how="right"
    )
    ratio = standardised_obs(
        base, ctx.hierarchy, partial_england=True, indicator_id=MODELLED[0], period=TT_PERIOD
    )
    ratio = _with_national(ctx, ratio, "finished_course_treatment")
    return [ratio, shortfall_obs(ratio, MODELLED[1], per_year=TT_PER_YEAR)]


def icb_finished(ctx: BuildContext) -> dict[str, tuple[pd.DataFrame, float]]:
    """Year -> courses finished by ICB (``area_code`` E54, ``numerator``) and England's own.

    The annual report's ICB rows (ODS codes Qxx) put onto the 2023 ICBs' ONS codes; England
    is the report's England row, which also counts activity no ICB was given.
    """

    def make() -> dict[str, tuple[pd.DataFrame, float]]:
        tt = ctx.tables["tt_annual"]
        finished = tt.loc[
            (tt["breakdown"] == "total") & (tt["measure"] == "finished_course_treatment")
        ]
        icb = ctx.usage.mark("tt_annual", finished.loc[finished["org_type"] == "icb"])
        england = ctx.usage.mark("tt_annual", finished.loc[finished["org_type"] == "england"])
        pairs = ctx.hierarchy[["icb_ods", "icb_code"]].drop_duplicates()
        ons = dict(zip(pairs["icb_ods"], pairs["icb_code"], strict=True))
        codes = icb["org_code"].map(ons)
        if codes.isna().any():
            unknown = sorted(set(icb["org_code"][codes.isna()]))
            raise ValueError(f"ICB codes not among the 2023 ICBs: {unknown}")
        icb = icb.assign(area_code=codes.astype("string"), numerator=icb["value"])
        out = {}
        for period, part in icb.groupby("period", sort=True):
            eng = england.loc[england["period"] == period, "value"]
            frame = part[["area_code", "numerator", "source_suppressed"]].reset_index(drop=True)
            out[str(period)] = (frame, float(eng.iloc[0]) if len(eng) else None)
        return out

    return ctx.once("talking_therapies.icb_finished", make)


def _icb_ratio(ctx: BuildContext, period: str, need: pd.DataFrame, indicator_id: str):
    """One ICB year's courses finished against ``need`` (``area_code``, ``need``) by ICB."""
    observed, england = icb_finished(ctx)[period]
    base = observed.merge(need, on="area_code", how="right")
    return standardised_obs(
        base,
        ctx.hierarchy,
        base_level="icb",
        england_observed=england,
        indicator_id=indicator_id,
        period=period,
    )


def _icb_modelled(ctx: BuildContext) -> list[pd.DataFrame]:
    """Every ICB year against modelled need, and the gap in people; region from ICBs."""
    if not ctx.has("tt_annual", *modelled_need.TABLES, indicators=MODELLED, levels=ICB_LEVELS):
        return []
    need = modelled_need.modelled_adults(ctx, "icb")[["area_code", "cmd_count"]]
    need = need.rename(columns={"cmd_count": "need"})
    frames = []
    for period in icb_finished(ctx):
        ratio = _icb_ratio(ctx, period, need, MODELLED[0])
        frames += [ratio, shortfall_obs(ratio, MODELLED[1])]
    return frames


def _icb_gap(ctx: BuildContext) -> list[pd.DataFrame]:
    """Each ICB year that has a QOF year, against the depression register of that year."""
    frames = []
    for period in (qof_prevalence.PERIOD, qof_prevalence.LATEST):
        table = qof_prevalence.TABLES[period]
        if not ctx.has("tt_annual", table, indicators=("tt_gap_ratio",), levels=ICB_LEVELS):
            continue
        if period in icb_finished(ctx):
            frames.append(_icb_ratio(ctx, period, _icb_registers(ctx, period), "tt_gap_ratio"))
    return frames


def _icb_registers(ctx: BuildContext, period: str) -> pd.DataFrame:
    """A QOF year's depression register by ICB (``area_code``, ``need``)."""
    counts = qof_prevalence.register_counts(ctx, "DEP", period)
    icb = counts.loc[counts["level"] == "icb"]
    return pd.DataFrame(
        {"area_code": icb["area_code"].astype("string"), "need": icb["numerator"].to_numpy()}
    )


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
    need = {
        period: counts.rename(columns={"register": "need"})
        for period, counts in qof_prevalence.ccg_depression_registers(ctx).items()
    }
    return ratios_by_period(_ccg_observed(ctx), need, ctx.ccg, "tt_gap_ratio")


def _ccg_observed(ctx: BuildContext) -> dict[str, pd.DataFrame]:
    """Period -> finished treatments by CCG as a ratio's ``observed``."""
    return {
        period: counts.rename(columns={"finished_course_treatment": "observed"})
        for period, counts in ccg_finished(ctx).items()
    }


def _ccg_modelled(ctx: BuildContext) -> list[pd.DataFrame]:
    """Finished treatments against modelled need per CCG year, and the gap in people."""
    if not ctx.has("tt_annual", *modelled_need.TABLES, indicators=MODELLED, levels=CCG_LEVELS):
        return []
    observed = _ccg_observed(ctx)
    need = {}
    for period in observed:
        modelled = modelled_need.modelled_adults(ctx, PERIOD_VINTAGE[period])
        need[period] = modelled[["ccg", "cmd_count"]].rename(columns={"cmd_count": "need"})
    frames = []
    for ratio in ratios_by_period(observed, need, ctx.ccg, MODELLED[0]):
        frames += [ratio, shortfall_obs(ratio, MODELLED[1])]
    return frames


def build(ctx: BuildContext) -> pd.DataFrame:
    """Talking Therapies at every level (sub-ICB first: its England figure stands)."""
    sections = (
        _sub_icb,
        _sub_icb_gap,
        _sub_icb_modelled,
        tt_icb.build_sections,
        _icb_modelled,
        _icb_gap,
        _ccg,
        _ccg_gap,
        _ccg_modelled,
    )
    return concat_observations([frame for section in sections for frame in section(ctx)])
