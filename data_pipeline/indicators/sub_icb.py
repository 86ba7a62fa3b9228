"""Indicators for the NHS geographies of 2023: sub-ICB locations, ICBs, NHS regions.

Counts are built at sub-ICB level from the latest sources and added up to ICB, region and
England (:mod:`rollup`); scores are population-weighted from LSOA 2021. Periods are the
latest each source offers: QOF 2022-23, Talking Therapies July 2022 - May 2023, MHSDS
August - November 2022, SMI health checks 2022-23 and 2023-24, prescribing 2025 Q1-Q2.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES, split_population, weighted_mean
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.availability import SUB_ICB_FAMILY
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.ratio import observed_over_expected
from data_pipeline.indicators.rollup import roll_up
from data_pipeline.reconcile import Usage

LEVELS = ("sub_icb", "icb", "region")
TT_PERIOD = "Jul 2022 - May 2023"
MHSDS_SNAPSHOT = pd.Timestamp("2022-11-01")
MHSDS_MONTHS = (pd.Timestamp("2022-08-01"), pd.Timestamp("2022-11-01"))
PRESCRIBING_PERIOD = "2025 Q1-Q2"
FIRST_SUB_ICB_YEAR = "2022-23"  # earlier SMI check years are on CCG codes
FAMILY = SUB_ICB_FAMILY


def lsoa_parents(lsoa21_geography: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Each LSOA 2021 with its sub-ICB, ICB and NHS region."""
    return lsoa21_geography[["lsoa21_code", "sub_icb_code"]].merge(
        hierarchy[["sub_icb_code", "icb_code", "region_code"]], on="sub_icb_code", how="left"
    )


def score_levels(lsoa_values: pd.DataFrame, parents: pd.DataFrame, value: str) -> pd.DataFrame:
    """Population-weighted ``value`` for every sub-ICB, ICB, region and England."""
    linked = lsoa_values.merge(parents, on="lsoa21_code", how="inner").assign(england=ENGLAND)
    frames = []
    for level, key in (*((lvl, f"{lvl}_code") for lvl in LEVELS), ("england", "england")):
        means = weighted_mean(linked, value, "population", key)
        frames.append(
            means.rename(columns={key: "area_code", value: "value"})[["area_code", "value"]].assign(
                level=level, vintage=LEVEL_VINTAGES[level]
            )
        )
    return pd.concat(frames, ignore_index=True)


def _practice_counts(tables: dict[str, pd.DataFrame], group: str, ods_map) -> pd.DataFrame:
    """QOF 2022-23 register and list size by sub-ICB (2023 code) for one register group."""
    qof = tables["qof_practice"]
    qof = qof.loc[qof["group"] == group]
    geo = tables["qof_practice_geography"][["practice_code", "sub_icb_ods"]]
    linked = qof.merge(geo, on="practice_code", how="left")
    linked["sub_icb_ons"] = linked["sub_icb_ods"].map(ods_map)
    if linked["sub_icb_ons"].isna().any():
        missing = linked.loc[linked["sub_icb_ons"].isna(), "practice_code"].tolist()
        raise ValueError(f"QOF practices without a sub-ICB: {missing[:5]}")
    sums = linked.groupby("sub_icb_ons", as_index=False).agg(
        numerator=("register", "sum"),
        denominator=("list_size", "sum"),
        source_suppressed=("source_suppressed", "any"),
    )
    return sums.rename(columns={"sub_icb_ons": "area_code"})


def _tt_monthly(tables, usage: Usage, measure: str, recode, months=None) -> pd.DataFrame:
    """Talking Therapies monthly counts summed per sub-ICB (strictly: a gap makes NA)."""
    tt = tables["tt_monthly_subicb"]
    tt = tt.loc[tt["measure"] == measure]
    if months is not None:
        tt = tt.loc[tt["month"].between(*months)]
    tt = usage.mark("tt_monthly_subicb", tt)
    tt = tt.assign(sicbl_code=tt["sicbl_code"].map(lambda c: recode.get(c, c)))
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


def _mhsds(tables, usage: Usage, ods_map: dict[str, str], measure: str, months) -> pd.DataFrame:
    """MHSDS sub-ICB counts for ``measure`` summed over ``months`` (inclusive)."""
    mh = tables["mhsds_monthly"]
    mh = mh.loc[
        (mh["breakdown"] == "sub_icb")
        & (mh["measure_id"] == measure)
        & mh["month"].between(*months)
        & (mh["period_months"] == 1)
    ]
    mh = usage.mark("mhsds_monthly", mh)
    mh = mh.assign(area_code=mh["org_code"].map(ods_map))
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


def _rate_obs(counts, denominators, hierarchy, partial_england=False, **const):
    """Join numerators to denominators at sub-ICB and roll both up."""
    base = denominators[["area_code", "denominator"]].merge(
        counts[["area_code", "numerator", "source_suppressed"]], on="area_code", how="left"
    )
    base["source_suppressed"] = base["source_suppressed"].fillna(False).astype(bool)
    rolled = roll_up(base, hierarchy, partial_england=partial_england)
    return observations(rolled, **const)


def _ratio_obs(observed: pd.DataFrame, need: pd.DataFrame, hierarchy, **const) -> pd.DataFrame:
    """O/E at sub-ICB with E from need at the England rate; O and E add up to parents."""
    base = need[["area_code", "need"]].merge(
        observed[["area_code", "numerator", "source_suppressed"]], on="area_code", how="left"
    )
    base["source_suppressed"] = base["source_suppressed"].fillna(False).astype(bool)
    return observations(roll_up(observed_over_expected(base), hierarchy), **const)


def _deprivation(ctx: BuildContext, parents: pd.DataFrame) -> list[pd.DataFrame]:
    """IoD2025 IMD and mental-health need scores, population-weighted from LSOA 2021."""
    if not ctx.has("iod2025_lsoa21", indicators=("imd_score", "mh_need_score"), levels=FAMILY):
        return []
    tables = ctx.tables
    pop21 = split_population(tables["pop_lsoa11_2020"], tables["lsoa11_lsoa21"])
    iod = tables["iod2025_lsoa21"].merge(pop21, on="lsoa21_code", how="inner")
    return [
        observations(
            score_levels(iod, parents, column), indicator_id=indicator_id, period="IoD2025"
        )
        for indicator_id, column in (
            ("imd_score", "imd_score"),
            ("mh_need_score", "mental_health_indicator"),
        )
    ]


def _talking_therapies(ctx: BuildContext, dep: pd.DataFrame) -> list[pd.DataFrame]:
    """Referrals and access per adult on the QOF list, and the access/need gap ratio."""
    tt_indicators = ("tt_referrals_rate", "tt_access_rate", "tt_gap_ratio")
    if not ctx.has("tt_monthly_subicb", "qof_practice", indicators=tt_indicators, levels=FAMILY):
        return []
    tables, usage, recode, hierarchy = ctx.tables, ctx.usage, ctx.recode, ctx.hierarchy
    adults = dep[["area_code", "denominator"]]
    obs = []
    for indicator_id, measure in (
        ("tt_referrals_rate", "referrals_received"),
        ("tt_access_rate", "accessing_services"),
    ):
        counts = _tt_monthly(tables, usage, measure, recode).rename(columns={"value": "numerator"})
        obs.append(
            _rate_obs(counts, adults, hierarchy, indicator_id=indicator_id, period=TT_PERIOD)
        )
    access = _tt_monthly(tables, usage, "accessing_services", recode).rename(
        columns={"value": "numerator"}
    )
    need = dep.rename(columns={"numerator": "need"})
    obs.append(_ratio_obs(access, need, hierarchy, indicator_id="tt_gap_ratio", period=TT_PERIOD))
    return obs


def _secondary_care(ctx: BuildContext, smi: pd.DataFrame) -> list[pd.DataFrame]:
    """MHSDS people in contact, admissions and detentions per head of the QOF list."""
    snapshot = (MHSDS_SNAPSHOT, MHSDS_SNAPSHOT)
    mhsds_indicators = ("mhsds_in_contact_rate", "mhsds_admissions_rate", "mhsds_detentions_rate")
    if not ctx.has("mhsds_monthly", "qof_practice", indicators=mhsds_indicators, levels=FAMILY):
        return []
    everyone = smi[["area_code", "denominator"]]
    obs = []
    for indicator_id, measure, months, period in (
        ("mhsds_in_contact_rate", "MHS01", snapshot, "Nov 2022"),
        ("mhsds_admissions_rate", "MHS07", snapshot, "Nov 2022"),
        ("mhsds_detentions_rate", "MHS81", MHSDS_MONTHS, "Aug - Nov 2022"),
    ):
        counts = _mhsds(ctx.tables, ctx.usage, ctx.sub_icb_ods, measure, months)
        obs.append(
            _rate_obs(counts, everyone, ctx.hierarchy, indicator_id=indicator_id, period=period)
        )
    return obs


def _secondary_reliance(ctx: BuildContext) -> list[pd.DataFrame]:
    """People in contact with secondary care over those accessing Talking Therapies (O/E)."""
    if not ctx.has(
        "mhsds_monthly",
        "tt_monthly_subicb",
        indicators=("secondary_reliance_ratio",),
        levels=FAMILY,
    ):
        return []
    snapshot = (MHSDS_SNAPSHOT, MHSDS_SNAPSHOT)
    contacts = _mhsds(ctx.tables, ctx.usage, ctx.sub_icb_ods, "MHS01", snapshot)
    tt_same_months = _tt_monthly(
        ctx.tables, ctx.usage, "accessing_services", ctx.recode, MHSDS_MONTHS
    )
    return [
        _ratio_obs(
            contacts,
            tt_same_months.rename(columns={"value": "need"}),
            ctx.hierarchy,
            indicator_id="secondary_reliance_ratio",
            period="Nov 2022",
        )
    ]


def build(ctx: BuildContext) -> pd.DataFrame:
    """All sub-ICB / ICB / region / England observations.

    Sections whose source tables are absent (a build with ``--allow-missing``) are skipped
    and recorded in ``ctx.avail``.
    """
    tables, hierarchy, ods_map = ctx.tables, ctx.hierarchy, ctx.sub_icb_ods
    parents = lsoa_parents(tables["lsoa21_geography"], hierarchy)
    obs = _deprivation(ctx, parents)
    dep = smi = None
    if ctx.has(
        "qof_practice", indicators=("depression_prevalence", "smi_prevalence"), levels=FAMILY
    ):
        dep = _practice_counts(tables, "DEP", ods_map)
        smi = _practice_counts(tables, "MH", ods_map)
        for indicator_id, counts in (("depression_prevalence", dep), ("smi_prevalence", smi)):
            obs.append(
                observations(
                    roll_up(counts, hierarchy), indicator_id=indicator_id, period="2022-23"
                )
            )
    obs += _talking_therapies(ctx, dep)
    if ctx.has("smi_checks", indicators=("smi_health_checks_pct",), levels=FAMILY):
        obs.append(_smi_checks(tables, ctx.usage, ods_map, hierarchy))
    obs += _secondary_care(ctx, smi)
    obs += _secondary_reliance(ctx)
    if ctx.has("ad_lsoa", indicators=("antidepressant_items_per_1000",), levels=FAMILY):
        obs.append(_prescribing(tables, hierarchy, ctx.recode))
    return concat_observations(obs)


def _smi_checks(tables, usage: Usage, ods_map: dict[str, str], hierarchy) -> pd.DataFrame:
    """All six checks / SMI register, quarter 4 of each year on sub-ICB codes (2022-23 on)."""
    smi = tables["smi_checks"]
    smi = smi.loc[(smi["quarter"] == 4) & (smi["fin_year"] >= FIRST_SUB_ICB_YEAR)]
    smi = smi.loc[smi["measure"].isin(["All6PHC", "SMIRegister"])]
    smi = usage.mark("smi_checks", smi)
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
        frames.append(
            observations(
                roll_up(base, hierarchy), indicator_id="smi_health_checks_pct", period=str(year)
            )
        )
    return pd.concat(frames, ignore_index=True)


def _prescribing(tables, hierarchy: pd.DataFrame, recode: dict[str, str]) -> pd.DataFrame:
    """Antidepressant items per 1,000 registered patients, 2025 Q1-Q2, LSOA 2011 to sub-ICB."""
    ad = tables["ad_lsoa"]
    per_lsoa = ad.groupby("lsoa11_code", as_index=False).agg(
        items=("items", "sum"), patients=("patients", "mean")
    )
    link = tables["lsoa11_sicbl22"][["lsoa11_code", "sicbl22_code"]]
    link = link.assign(sicbl22_code=link["sicbl22_code"].map(lambda c: recode.get(c, c)))
    linked = per_lsoa.merge(link, on="lsoa11_code", how="inner")
    base = (
        linked.groupby("sicbl22_code", as_index=False)
        .agg(numerator=("items", "sum"), denominator=("patients", "sum"))
        .rename(columns={"sicbl22_code": "area_code"})
    )
    return observations(
        roll_up(base, hierarchy),
        indicator_id="antidepressant_items_per_1000",
        period=PRESCRIBING_PERIOD,
    )
