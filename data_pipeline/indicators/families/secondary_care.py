"""Secondary mental health care (MHSDS) and the secondary reliance ratio.

People in contact, admissions, detentions and the monthly series of people in contact.
Sub-ICB, ICB, region and England per head of the practices' lists (QOF 2022-23) in
August - November 2022; CCG periods at each year end per head of the CCG's population, and
every month on the 2021 CCGs for the trend charts. The reliance ratio is people in contact
over those expected from the QOF severe mental illness register of the same year.

England is the publisher's own figure where it gives one: people in contact at the end of
November 2022 from NHS England's national monthly series, over England's registered
patients (the areas' basis), not the sum of the sub-ICBs. The time series has no England
row for people in hospital after July 2022 and none for detentions at all; there England
adds up the sub-ICBs and its note says so (:data:`ENGLAND_NOTES`).
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
    year_end_month,
)
from data_pipeline.indicators.levels.standardised import standardised_obs
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, rate_obs, with_england

MHSDS_SNAPSHOT = pd.Timestamp("2022-11-01")
MHSDS_MONTHS = (pd.Timestamp("2022-08-01"), pd.Timestamp("2022-11-01"))
SNAPSHOT = (MHSDS_SNAPSHOT, MHSDS_SNAPSHOT)
#: CCG year-end indicators by MHSDS measure.
CCG_MEASURES = (("mhsds_in_contact_rate", "MHS01"), ("mhsds_admissions_rate", "MHS07"))
RELIANCE = "secondary_reliance_ratio"
NATIONAL = "mhsds_england_in_contact"
#: Why England is what it is, for the sub-ICB measures the time series gives no England for.
ENGLAND_NOTES = {
    "MHS07": (
        "The source has no England figure for people in hospital after July 2022 (its "
        "England rows stop in July; its sub-ICB rows start in August): England here adds "
        "up the sub-ICBs, over their registered patients. People the publisher placed in no "
        "sub-ICB are not counted."
    ),
    "MHS81": (
        "The source publishes detentions by sub-ICB and by provider only, from August "
        "2022, with no England figure: England here adds up the {areas} sub-ICBs with a "
        "figure for every month, over their registered patients. {missing} sub-ICBs with a "
        "month the publisher withheld (1 to 7 detentions) are left out, and so are "
        "detentions it placed in no sub-ICB."
    ),
}


def _sub_icb_counts(ctx: BuildContext, measure: str, months) -> pd.DataFrame:
    """MHSDS sub-ICB counts for ``measure`` summed over ``months`` (inclusive)."""
    mh = ctx.tables["mhsds_monthly"]
    mh = mh.loc[
        (mh["breakdown"] == "sub_icb")
        & (mh["measure_id"] == measure)
        & mh["month"].between(*months)
        & (mh["period_months"] == 1)
    ]
    mh = ctx.usage.mark("mhsds_monthly", mh)
    mh = mh.assign(area_code=mh["org_code"].map(ctx.sub_icb_ods))
    if mh["area_code"].isna().any():
        unknown = sorted(set(mh.loc[mh["area_code"].isna(), "org_code"]))
        raise ValueError(f"MHSDS sub-ICB codes not on the 2023 boundaries: {unknown}")
    grouped = mh.groupby("area_code")
    out = pd.DataFrame(
        {
            "numerator": grouped["value"].sum(min_count=1),
            "source_suppressed": grouped["value"].apply(lambda s: s.isna().any()),
        }
    )
    out["numerator"] = out["numerator"].mask(out["source_suppressed"])
    return out.reset_index()


def national_in_contact(ctx: BuildContext, month: pd.Timestamp) -> float | None:
    """NHS England's own count of people in contact at the end of ``month`` (None: none)."""
    if NATIONAL not in ctx.tables:
        return None
    series = ctx.tables[NATIONAL]
    rows = ctx.usage.mark(NATIONAL, series.loc[series["month"] == month])
    values = rows["value"].dropna()
    return float(values.iloc[0]) if len(values) else None


def _in_contact_note(published: float | None, areas: float) -> str:
    """Where England's people in contact come from, with the sub-ICBs' own total beside it."""
    if published is None:
        return (
            "No England figure: NHS England's national series of people in contact is "
            f"missing from this build, and the sub-ICBs add up to only {areas:,.0f}."
        )
    return (
        f"England is NHS England's published count of people in contact at the end of "
        f"{MHSDS_SNAPSHOT:%B %Y} ({published:,.0f}, national monthly series) over England's "
        f"registered patients; the sub-ICB rows of the time series add up to {areas:,.0f}."
    )


def _england(ctx: BuildContext, obs: pd.DataFrame, measure: str, lists: float) -> pd.DataFrame:
    """England's row for one sub-ICB measure: the publisher's own figure, or why not."""
    if measure == "MHS01":
        areas = float(obs.loc[obs["level"] == "sub_icb", "numerator"].sum())
        published = national_in_contact(ctx, MHSDS_SNAPSHOT)
        return with_england(obs, published, lists, _in_contact_note(published, areas))
    england = obs["level"] == "england"
    local = obs.loc[obs["level"] == "sub_icb", "numerator"]
    note = ENGLAND_NOTES[measure].format(
        areas=int(local.notna().sum()), missing=int(local.isna().sum())
    )
    return obs.assign(note=obs["note"].mask(england, note))


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """People in contact, admissions and detentions per head of the QOF list."""
    indicators = ("mhsds_in_contact_rate", "mhsds_admissions_rate", "mhsds_detentions_rate")
    if not ctx.has("mhsds_monthly", "qof_practice", indicators=indicators, levels=SUB_ICB_LEVELS):
        return []
    everyone = qof_prevalence.sub_icb_counts(ctx, "MH")[["area_code", "denominator"]]
    lists = float(everyone["denominator"].sum())
    obs = []
    for indicator_id, measure, months, period in (
        ("mhsds_in_contact_rate", "MHS01", SNAPSHOT, "Nov 2022"),
        ("mhsds_admissions_rate", "MHS07", SNAPSHOT, "Nov 2022"),
        ("mhsds_detentions_rate", "MHS81", MHSDS_MONTHS, "Aug - Nov 2022"),
    ):
        counts = _sub_icb_counts(ctx, measure, months)
        rates = rate_obs(
            counts,
            everyone,
            ctx.hierarchy,
            partial_england=measure == "MHS81",  # withheld months: England from the rest
            indicator_id=indicator_id,
            period=period,
        )
        obs.append(_england(ctx, rates, measure, lists))
    return obs


def _sub_icb_reliance(ctx: BuildContext) -> list[pd.DataFrame]:
    """People in contact (November 2022) against those expected from the SMI register (2022-23)."""
    if not ctx.has("mhsds_monthly", "qof_practice", indicators=(RELIANCE,), levels=SUB_ICB_LEVELS):
        return []
    contacts = _sub_icb_counts(ctx, "MHS01", SNAPSHOT)
    register = qof_prevalence.sub_icb_counts(ctx, "MH")[["area_code", "numerator"]]
    base = contacts.merge(
        register.rename(columns={"numerator": "need"}), on="area_code", how="right"
    )
    ratio = standardised_obs(base, ctx.hierarchy, indicator_id=RELIANCE, period="Nov 2022")
    published = national_in_contact(ctx, MHSDS_SNAPSHOT)
    if published is None:
        return [ratio]
    note = (
        f"England's observed is NHS England's published count of people in contact "
        f"({published:,.0f}); its expected equals it, so England's ratio is 1."
    )
    return [with_england(ratio, published, published, note)]


def _ccg_year_ends(ctx: BuildContext, ccg_rows, england_rows):
    """People in contact and admissions at each year end; contacts by period for the ratio.

    The contacts are the CCGs' (``ccg``, ``observed``) and England's own count, by period.
    """
    ccg, usage = ctx.ccg, ctx.usage
    frames, contacts, england = [], {}, {}
    for period, vintage in PERIOD_VINTAGE.items():
        month = year_end_month(period)
        for indicator_id, measure in CCG_MEASURES:
            chosen = (ccg_rows["month"] == month) & (ccg_rows["measure_id"] == measure)
            rows = usage.mark("mhsds_monthly", ccg_rows.loc[chosen])
            if rows.empty:
                continue
            counts = ccg.harmonise(
                rows.rename(columns={"org_code": "ccg"}), vintage, month, count_cols=["value"]
            )
            const = {"indicator_id": indicator_id, "period": period}
            frames.append(ccg_obs(ccg.per_head(counts, "value", vintage), ccg, vintage, **const))
            chosen = (england_rows["month"] == month) & (england_rows["measure_id"] == measure)
            eng = usage.mark("mhsds_monthly", england_rows.loc[chosen])
            population = ccg.england_population["population"]
            frames.append(england_obs(eng["value"].sum(min_count=1), population, **const))
            if measure == "MHS01":
                contacts[period] = counts.rename(columns={"value": "observed"})[["ccg", "observed"]]
                england[period] = eng["value"].sum(min_count=1)
    return frames, (contacts, england)


def _ccg_monthly(ctx: BuildContext, ccg_rows, national: bool) -> list[pd.DataFrame]:
    """MHS01 for every month on the 2021 CCGs (= 2022 sub-ICB codes), for trend charts."""
    ccg, vintage = ctx.ccg, "ccg-2021"
    const = {"indicator_id": "mhsds_in_contact_monthly"}
    rows = ctx.usage.mark("mhsds_monthly", ccg_rows.loc[ccg_rows["measure_id"] == "MHS01"])
    frames = []
    for month, part in rows.groupby("month", sort=True):
        counts = ccg.harmonise(
            part.rename(columns={"org_code": "ccg"}), vintage, month, count_cols=["value"]
        )
        label = pd.Timestamp(month).strftime("%Y-%m")
        obs = ccg.per_head(counts, "value", vintage)
        frames.append(ccg_obs(obs, ccg, vintage, period=label, **const))
    if not national:  # the national series is missing from this build
        return frames
    # England from the national series: final figures for every month, to 2024.
    series = ctx.usage.mark("mhsds_england_in_contact", ctx.tables["mhsds_england_in_contact"])
    population = ccg.england_population["population"]
    for month, value in zip(series["month"], series["value"], strict=True):
        label = pd.Timestamp(month).strftime("%Y-%m")
        frames.append(england_obs(value, population, period=label, **const))
    return frames


def _ccg(ctx: BuildContext) -> list[pd.DataFrame]:
    """CCG year ends and months, and the reliance ratio where Talking Therapies has the year."""
    indicators = ("mhsds_in_contact_rate", "mhsds_admissions_rate", "mhsds_in_contact_monthly")
    frames, contacts = [], ({}, {})
    if ctx.has("mhsds_monthly", indicators=indicators, levels=CCG_LEVELS):
        national = ctx.has(
            "mhsds_england_in_contact",
            indicators=("mhsds_in_contact_monthly",),
            levels=("england",),
        )
        mh = ctx.tables["mhsds_monthly"]
        monthly = mh["period_months"] == 1
        ccg_rows = mh.loc[(mh["breakdown"] == "ccg") & monthly]
        england_rows = mh.loc[(mh["breakdown"] == "england") & monthly]
        frames, contacts = _ccg_year_ends(ctx, ccg_rows, england_rows)
        frames += _ccg_monthly(ctx, ccg_rows, national)
    # The ratio needs two sources: with either missing, there are no periods to pair.
    if ctx.has("mhsds_monthly", "qof_ccg", indicators=(RELIANCE,), levels=CCG_LEVELS):
        need = {
            period: counts.rename(columns={"register": "need"})
            for period, counts in qof_prevalence.ccg_registers(ctx, "MH").items()
        }
        observed, england = contacts
        frames += ratios_by_period(observed, need, ctx.ccg, RELIANCE, england=england)
    return frames


def build(ctx: BuildContext) -> pd.DataFrame:
    """Secondary care at every level (sub-ICB first: its England figure stands)."""
    return concat_observations([*_sub_icb(ctx), *_sub_icb_reliance(ctx), *_ccg(ctx)])
