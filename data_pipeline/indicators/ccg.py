"""Indicators for clinical commissioning groups, 2014-15 to 2021-22.

Each source reports on its own year's CCG set; every period is put onto one set
(:data:`PERIOD_VINTAGE`) by :func:`data_pipeline.ccg_vintages.harmonise`: counts summed,
scores population-weighted. Each period then joins to boundaries of that vintage.
Populations are ONS mid-2020 estimates from LSOA 2011, aggregated to each vintage.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.ccg_vintages import ccg_population, harmonise
from data_pipeline.geography import ENGLAND
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.availability import CCG_FAMILY
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.ratio import observed_over_expected
from data_pipeline.reconcile import Usage
from data_pipeline.sources.prescribing import PRACTICE_FILES

#: The CCG set each financial year is harmonised onto (the set in force at its end, or the
#: nearest later set we have boundaries for).
PERIOD_VINTAGE = {
    "2014-15": "ccg-2019",
    "2015-16": "ccg-2019",
    "2016-17": "ccg-2019",
    "2017-18": "ccg-2019",
    "2018-19": "ccg-2019",
    "2019-20": "ccg-2020",
    "2020-21": "ccg-2020",
    "2021-22": "ccg-2021",
}
TT_MEASURES = ("referrals_received", "finished_course_treatment", "recovery", "not_at_caseness")
PRESCRIBING_PERIODS = {"2017-18": "2017-18", "2018-19-partial": "2018-19 (partial extract)"}


def year_end_month(period: str) -> pd.Timestamp:
    """March at the end of a financial year: '2018-19' -> 2019-03-01."""
    return pd.Timestamp(int(period[:4]) + 1, 3, 1)


def year_start(period: str) -> pd.Timestamp:
    """1 April at the start of a financial year, when that year's CCG set came in."""
    return pd.Timestamp(int(period[:4]), 4, 1)


def next_april(period: str) -> pd.Timestamp:
    """1 April after a financial year: QOF workbooks are published on the next year's CCGs."""
    return pd.Timestamp(int(period[:4]) + 1, 4, 1)


class CcgContext:
    """Registers, code map and populations shared by the CCG builders."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.register = tables["ccg_register"]
        self.codes_map = tables["ccg_code_map"]
        self.successors = tables["ccg_successors"]
        pop = tables["pop_lsoa11_2020"]
        self.population: dict[str, pd.DataFrame] = {}
        for vintage in sorted(set(PERIOD_VINTAGE.values())):
            part = ccg_population(tables["lsoa11_ccg"], pop, vintage)
            if "ons_code" in part.columns:
                part = part.merge(self._register(vintage)[["ods_code", "ons_code"]], on="ons_code")
            else:
                part = part.merge(self._register(vintage)[["ods_code", "ons_code"]], on="ods_code")
            self.population[vintage] = part
        self.england_population = pop[["population", "population_18_plus"]].sum()

    def harmonise(self, frame: pd.DataFrame, target: str, as_of, **kwargs) -> pd.DataFrame:
        """Put ``frame`` (CCG codes in column ``ccg``, as of ``as_of``) onto ``target``."""
        return harmonise(
            frame,
            "ccg",
            target,
            codes_map=self.codes_map,
            successors=self.successors,
            as_of=pd.Timestamp(as_of),
            **kwargs,
        )

    def _register(self, vintage: str) -> pd.DataFrame:
        return self.register.loc[self.register["vintage"] == vintage]

    def to_ons(self, ods: pd.Series, vintage: str) -> pd.Series:
        """ODS code of a CCG of ``vintage`` -> its E38 code."""
        reg = self._register(vintage)
        return ods.map(dict(zip(reg["ods_code"], reg["ons_code"], strict=True))).astype("string")


def _ccg_obs(frame: pd.DataFrame, ctx: CcgContext, vintage: str, **const) -> pd.DataFrame:
    """Observations for harmonised rows keyed by ``ccg`` (ODS of ``vintage``)."""
    out = frame.assign(area_code=ctx.to_ons(frame["ccg"], vintage), level="ccg", vintage=vintage)
    if out["area_code"].isna().any():
        raise ValueError(f"CCG codes outside {vintage}: {out.loc[out['area_code'].isna(), 'ccg']}")
    return observations(out, **const)


def _england(numerator: float, denominator: float, **const) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"area_code": [ENGLAND], "numerator": [numerator], "denominator": [denominator]}
    )
    return observations(frame, level="england", vintage="england", **const)


def qof(tables, ctx: CcgContext, usage: Usage) -> tuple[list[pd.DataFrame], dict]:
    """QOF depression and SMI prevalence per year; returns the DEP registers for the gap."""
    qof = usage.mark("qof_ccg", tables["qof_ccg"])
    frames, dep_registers = [], {}
    for (year, group), part in qof.groupby(["year", "group"], sort=True):
        vintage = PERIOD_VINTAGE[str(year)]
        wide = part.rename(columns={"ccg_ods": "ccg"})[["ccg", "register", "list_size"]]
        counts = ctx.harmonise(
            wide, vintage, next_april(str(year)), count_cols=["register", "list_size"]
        )
        indicator_id = "depression_prevalence" if group == "DEP" else "smi_prevalence"
        obs = counts.rename(columns={"register": "numerator", "list_size": "denominator"})
        frames.append(_ccg_obs(obs, ctx, vintage, indicator_id=indicator_id, period=str(year)))
        frames.append(
            _england(
                wide["register"].sum(),
                wide["list_size"].sum(),
                indicator_id=indicator_id,
                period=str(year),
            )
        )
        if group == "DEP":
            dep_registers[str(year)] = counts[["ccg", "register"]]
    return frames, dep_registers


def talking_therapies(tables, ctx, ledger, usage) -> tuple[list[pd.DataFrame], dict]:
    """Referrals, finished treatment and recovery per year; returns finished counts."""
    tt = tables["tt_annual"]
    total = tt.loc[(tt["breakdown"] == "total") & tt["measure"].isin(TT_MEASURES)]
    ccg = usage.mark("tt_annual", total.loc[total["org_type"] == "ccg"])
    england = usage.mark("tt_annual", total.loc[total["org_type"] == "england"])
    frames, finished = [], {}
    for period, part in ccg.groupby("period", sort=True):
        period = str(period)
        vintage = PERIOD_VINTAGE.get(period)
        if vintage is None:
            continue
        wide = part.pivot_table(
            index="org_code", columns="measure", values="value", aggfunc="first", dropna=False
        ).reset_index()
        wide = wide.rename(columns={"org_code": "ccg"})
        counts = ctx.harmonise(wide, vintage, year_start(period), count_cols=list(TT_MEASURES))
        pop = ctx.population[vintage].set_index("ods_code")["population_18_plus"]
        eng = england.loc[england["period"] == period].set_index("measure")["value"]
        for indicator_id, measure in (
            ("tt_referrals_rate", "referrals_received"),
            ("tt_finished_treatment_rate", "finished_course_treatment"),
        ):
            obs = pd.DataFrame(
                {
                    "ccg": counts["ccg"],
                    "numerator": counts[measure],
                    "denominator": counts["ccg"].map(pop),
                }
            )
            frames.append(_ccg_obs(obs, ctx, vintage, indicator_id=indicator_id, period=period))
            frames.append(
                _england(
                    eng[measure],
                    ctx.england_population["population_18_plus"],
                    indicator_id=indicator_id,
                    period=period,
                )
            )
        caseness = counts["finished_course_treatment"] - counts["not_at_caseness"]
        obs = pd.DataFrame(
            {"ccg": counts["ccg"], "numerator": counts["recovery"], "denominator": caseness}
        )
        frames.append(_ccg_obs(obs, ctx, vintage, indicator_id="tt_recovery_rate", period=period))
        frames.append(
            _england(
                eng["recovery"],
                eng["finished_course_treatment"] - eng["not_at_caseness"],
                indicator_id="tt_recovery_rate",
                period=period,
            )
        )
        finished[period] = counts[["ccg", "finished_course_treatment"]]
    return frames, finished


def _ratio(observed: pd.DataFrame, need: pd.DataFrame, ctx, vintage, **const) -> list:
    """O/E with E from need at the all-areas rate, and the England row (ratio 1)."""
    both = need.merge(observed, on="ccg", how="inner")
    obs = observed_over_expected(both.rename(columns={"observed": "numerator"}))
    usable = obs["numerator"].notna() & obs["denominator"].notna()
    return [
        _ccg_obs(obs, ctx, vintage, **const),
        _england(obs.loc[usable, "numerator"].sum(), obs.loc[usable, "denominator"].sum(), **const),
    ]


def mhsds(tables, ctx, ledger, usage, national: bool = True) -> tuple[list[pd.DataFrame], dict]:
    """People in contact and inpatients at each year end; monthly contacts on CCG 2021."""
    mh = tables["mhsds_monthly"]
    ccg = mh.loc[(mh["breakdown"] == "ccg") & (mh["period_months"] == 1)]
    england = mh.loc[(mh["breakdown"] == "england") & (mh["period_months"] == 1)]
    frames, contacts = [], {}
    for period, vintage in PERIOD_VINTAGE.items():
        month = year_end_month(period)
        pop = ctx.population[vintage].set_index("ods_code")["population"]
        for indicator_id, measure in (
            ("mhsds_in_contact_rate", "MHS01"),
            ("mhsds_admissions_rate", "MHS07"),
        ):
            rows = usage.mark(
                "mhsds_monthly", ccg.loc[(ccg["month"] == month) & (ccg["measure_id"] == measure)]
            )
            if rows.empty:
                continue
            counts = ctx.harmonise(
                rows.rename(columns={"org_code": "ccg"}), vintage, month, count_cols=["value"]
            )
            obs = pd.DataFrame(
                {
                    "ccg": counts["ccg"],
                    "numerator": counts["value"],
                    "denominator": counts["ccg"].map(pop),
                }
            )
            frames.append(_ccg_obs(obs, ctx, vintage, indicator_id=indicator_id, period=period))
            eng = usage.mark(
                "mhsds_monthly",
                england.loc[(england["month"] == month) & (england["measure_id"] == measure)],
            )
            frames.append(
                _england(
                    eng["value"].sum(min_count=1),
                    ctx.england_population["population"],
                    indicator_id=indicator_id,
                    period=period,
                )
            )
            if measure == "MHS01":
                contacts[period] = counts.rename(columns={"value": "observed"})[["ccg", "observed"]]
    series = tables["mhsds_england_in_contact"] if national else None
    frames.extend(_monthly_contacts(ccg, series, ctx, usage))
    return frames, contacts


def _monthly_contacts(ccg, england_series, ctx, usage) -> list[pd.DataFrame]:
    """MHS01 for every month on the 2021 CCGs (= 2022 sub-ICB codes), for trend charts."""
    vintage = "ccg-2021"
    rows = usage.mark("mhsds_monthly", ccg.loc[ccg["measure_id"] == "MHS01"])
    pop = ctx.population[vintage].set_index("ods_code")["population"]
    frames = []
    for month, part in rows.groupby("month", sort=True):
        counts = ctx.harmonise(
            part.rename(columns={"org_code": "ccg"}), vintage, month, count_cols=["value"]
        )
        label = pd.Timestamp(month).strftime("%Y-%m")
        obs = pd.DataFrame(
            {
                "ccg": counts["ccg"],
                "numerator": counts["value"],
                "denominator": counts["ccg"].map(pop),
            }
        )
        frames.append(
            _ccg_obs(obs, ctx, vintage, indicator_id="mhsds_in_contact_monthly", period=label)
        )
    if england_series is None:  # the national series is missing from this build
        return frames
    # England from the national series: final figures for every month, to 2024.
    national = usage.mark("mhsds_england_in_contact", england_series)
    for month, value in zip(national["month"], national["value"], strict=True):
        frames.append(
            _england(
                value,
                ctx.england_population["population"],
                indicator_id="mhsds_in_contact_monthly",
                period=pd.Timestamp(month).strftime("%Y-%m"),
            )
        )
    return frames


def smi_checks(tables, ctx, ledger, usage) -> list[pd.DataFrame]:
    """All six checks / SMI register at quarter 4, years on CCG codes (to 2021-22)."""
    smi = tables["smi_checks"]
    q4 = smi.loc[
        (smi["quarter"] == 4)
        & smi["fin_year"].isin(list(PERIOD_VINTAGE))
        & smi["measure"].isin(["All6PHC", "SMIRegister"])
    ]
    usage.mark("smi_checks", q4)
    frames = []
    for period, part in q4.groupby("fin_year", sort=True):
        vintage = PERIOD_VINTAGE[str(period)]
        wide = part.pivot_table(
            index="org_code", columns="measure", values="value", aggfunc="first", dropna=False
        ).reset_index()
        wide = wide.rename(columns={"org_code": "ccg"})
        counts = ctx.harmonise(
            wide, vintage, year_start(str(period)), count_cols=["All6PHC", "SMIRegister"]
        )
        obs = counts.rename(columns={"All6PHC": "numerator", "SMIRegister": "denominator"})
        frames.append(
            _ccg_obs(obs, ctx, vintage, indicator_id="smi_health_checks_pct", period=str(period))
        )
        frames.append(
            _england(
                wide["All6PHC"].sum(),
                wide["SMIRegister"].sum(),
                indicator_id="smi_health_checks_pct",
                period=str(period),
            )
        )
    return frames


def prescribing(tables, ctx, ledger) -> list[pd.DataFrame]:
    """Antidepressant items per 1,000, practices summed to their 2019 CCG."""
    ad = tables["ad_practice"].merge(tables["practice_ccg_2019"], on="practice_code", how="left")
    frames = []
    vintage = "ccg-2019"
    pop = ctx.population[vintage].set_index("ods_code")["population"]
    for extract, period in PRESCRIBING_PERIODS.items():
        part = ad.loc[ad["extract"] == extract]
        unmapped = part["ccg_ods"].isna()
        ledger.drop(
            "ad_practice",
            int(unmapped.sum()),
            "prescriber has no 2019 CCG (closed, or not a GP practice)",
            file=PRACTICE_FILES[extract],
        )
        sums = part.loc[~unmapped].groupby("ccg_ods", as_index=False)["items"].sum(min_count=1)
        sums = sums.rename(columns={"ccg_ods": "ccg"})
        counts = ctx.harmonise(sums, vintage, "2019-04-01", count_cols=["items"])
        obs = pd.DataFrame(
            {
                "ccg": counts["ccg"],
                "numerator": counts["items"],
                "denominator": counts["ccg"].map(pop),
            }
        )
        frames.append(
            _ccg_obs(obs, ctx, vintage, indicator_id="antidepressant_items_per_1000", period=period)
        )
        frames.append(
            _england(
                obs["numerator"].sum(),
                ctx.england_population["population"],
                indicator_id="antidepressant_items_per_1000",
                period=period,
            )
        )
    return frames


def imd(tables, ctx) -> list[pd.DataFrame]:
    """IoD2019 CCG average scores, population-weighted onto each period's CCG set."""
    iod = tables["iod2019_ccg"]
    reg = ctx.register.loc[ctx.register["vintage"] == "ccg-2019"]
    ods = iod["ccg19_code"].map(dict(zip(reg["ons_code"], reg["ods_code"], strict=True)))
    frame = pd.DataFrame({"ccg": ods, "score": iod["imd_average_score"]})
    weights = ctx.population["ccg-2019"].set_index("ods_code")["population"]
    frame["weight"] = frame["ccg"].map(weights)
    england = (frame["score"] * frame["weight"]).sum() / frame["weight"].sum()
    frames = []
    for period, vintage in PERIOD_VINTAGE.items():
        means = ctx.harmonise(frame, vintage, "2019-04-01", mean_cols=["score"], weight="weight")
        frames.append(
            _ccg_obs(
                means.rename(columns={"score": "value"}),
                ctx,
                vintage,
                indicator_id="imd_score",
                period=period,
            )
        )
        frames.append(
            observations(
                pd.DataFrame({"area_code": [ENGLAND], "value": [england]}),
                level="england",
                vintage="england",
                indicator_id="imd_score",
                period=period,
            )
        )
    return frames


def build(build_ctx: BuildContext) -> pd.DataFrame:
    """All CCG observations, with England rows for each indicator and period.

    Sections whose source tables are absent (a build with ``--allow-missing``) are skipped
    and recorded in ``avail``.
    """
    tables, ledger, usage, avail = (
        build_ctx.tables,
        build_ctx.ledger,
        build_ctx.usage,
        build_ctx.avail,
    )
    family = CCG_FAMILY
    ctx = CcgContext(tables)
    frames = []
    if avail.has("iod2019_ccg", indicators=("imd_score",), levels=family):
        frames += imd(tables, ctx)
    dep, finished, contacts = {}, {}, {}
    if avail.has("qof_ccg", indicators=("depression_prevalence", "smi_prevalence"), levels=family):
        qof_frames, dep = qof(tables, ctx, usage)
        frames += qof_frames
    tt_indicators = ("tt_referrals_rate", "tt_finished_treatment_rate", "tt_recovery_rate")
    if avail.has("tt_annual", indicators=tt_indicators, levels=family):
        tt_frames, finished = talking_therapies(tables, ctx, ledger, usage)
        frames += tt_frames
    mh_indicators = ("mhsds_in_contact_rate", "mhsds_admissions_rate", "mhsds_in_contact_monthly")
    if avail.has("mhsds_monthly", indicators=mh_indicators, levels=family):
        national = avail.has(
            "mhsds_england_in_contact",
            indicators=("mhsds_in_contact_monthly",),
            levels=("england",),
        )
        mh_frames, contacts = mhsds(tables, ctx, ledger, usage, national=national)
        frames += mh_frames
    # The ratios need two sources each: with either missing, there are no periods to pair.
    avail.has("qof_ccg", "tt_annual", indicators=("tt_gap_ratio",), levels=family)
    for period in sorted(set(dep) & set(finished)):
        vintage = PERIOD_VINTAGE[period]
        frames += _ratio(
            finished[period].rename(columns={"finished_course_treatment": "observed"}),
            dep[period].rename(columns={"register": "need"}),
            ctx,
            vintage,
            indicator_id="tt_gap_ratio",
            period=period,
        )
    avail.has("mhsds_monthly", "tt_annual", indicators=("secondary_reliance_ratio",), levels=family)
    for period in sorted(set(contacts) & set(finished)):
        vintage = PERIOD_VINTAGE[period]
        frames += _ratio(
            contacts[period],
            finished[period].rename(columns={"finished_course_treatment": "need"}),
            ctx,
            vintage,
            indicator_id="secondary_reliance_ratio",
            period=period,
        )
    if avail.has("smi_checks", indicators=("smi_health_checks_pct",), levels=family):
        frames += smi_checks(tables, ctx, ledger, usage)
    if avail.has(
        "ad_practice",
        "practice_ccg_2019",
        indicators=("antidepressant_items_per_1000",),
        levels=family,
    ):
        frames += prescribing(tables, ctx, ledger)
    return concat_observations(frames)
