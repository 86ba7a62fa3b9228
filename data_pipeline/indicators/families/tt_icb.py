"""NHS Talking Therapies at ICB, NHS region and England for the ICB years (2022-23 onwards).

From 2022-23 the annual report has no CCG or sub-ICB rows: it reports by ICB (ODS codes
such as ``QUA``), by commissioning region (``Y56`` ...) and for England. Each level's count
is the publisher's own row, so a region or England is never a sum of rounded ICB counts
(England also counts activity no ICB was given). Referrals and courses finished are per
100,000 adults aged 18+ (ONS mid-2020 from LSOA 2011), the basis of the CCG years, for
ICB, region and England alike; recovery is as NHS England defines it.

The report also breaks each area down by the national IMD decile of patients' home
neighbourhoods. :func:`indicator_counts` gives the same counts by decile, with the adults of
each decile as denominators, for the decile table (:mod:`data_pipeline.indicators.deciles`).
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES
from data_pipeline.indicators import observations
from data_pipeline.indicators.context import BuildContext

#: The levels an ICB-year section makes.
LEVELS = ("icb", "region", "england")
#: Rates per head: indicator -> the report's count.
RATES = {
    "tt_referrals_rate": "referrals_received",
    "tt_finished_treatment_rate": "finished_course_treatment",
}
RECOVERY = "tt_recovery_rate"
INDICATORS = (*RATES, RECOVERY)
MEASURES = ("referrals_received", "finished_course_treatment", "recovery", "not_at_caseness")
#: Tables the sections read besides the geography every build has.
TABLES = ("tt_annual", "pop_lsoa11_2020", "lsoa11_sicbl22")
#: Table of IMD 2019 deciles per LSOA 2011 (the decile denominators).
IMD_TABLE = "iod2019_lsoa11"
#: Decile key of the rows the report could not place in a decile ("Not stated/Not known").
NOT_STATED = 0


def icb_years(ctx: BuildContext) -> list[str]:
    """The financial years with ICB rows in the annual report, oldest first."""
    tt = ctx.tables["tt_annual"]
    return sorted(str(p) for p in tt.loc[tt["org_type"] == "icb", "period"].unique())


def _code_maps(ctx: BuildContext) -> dict[str, dict[str, str]]:
    """Organisation type -> ODS code -> the atlas's ONS code (2023 ICBs, NHS regions)."""
    icb = ctx.hierarchy[["icb_ods", "icb_code"]].drop_duplicates()
    geo = ctx.tables["qof_practice_geography"][["region_ods", "region_ons"]].drop_duplicates()
    region = {
        str(ods): ctx.recode.get(str(ons), str(ons))
        for ods, ons in zip(geo["region_ods"], geo["region_ons"], strict=True)
    }
    return {"icb": dict(zip(icb["icb_ods"], icb["icb_code"], strict=True)), "region": region}


def annual_rows(ctx: BuildContext, breakdown: str) -> pd.DataFrame:
    """The report's ICB, region and England rows of the ICB years, with ``area_code``.

    ``breakdown`` is ``"total"`` or ``"imd_decile"``; decile rows keep the not-stated decile
    as ``decile`` 0. Codes the geography does not know were counted out before the build
    (:mod:`data_pipeline.known_codes`); one that still does not map stops the build.
    """

    def make() -> pd.DataFrame:
        tt = ctx.tables["tt_annual"]
        rows = tt.loc[
            tt["period"].isin(icb_years(ctx))
            & tt["org_type"].isin(LEVELS)
            & (tt["breakdown"] == breakdown)
            & tt["measure"].isin(MEASURES)
        ]
        rows = ctx.usage.mark("tt_annual", rows)
        maps = _code_maps(ctx)
        codes = rows["org_code"].astype("string").copy()
        for org_type, mapping in maps.items():
            part = rows["org_type"] == org_type
            codes[part] = rows.loc[part, "org_code"].map(mapping)
        codes[rows["org_type"] == "england"] = ENGLAND
        if codes.isna().any():
            unknown = sorted(set(rows.loc[codes.isna(), "org_code"]))
            raise ValueError(f"annual Talking Therapies codes with no 2023 area: {unknown}")
        decile = rows["imd_decile"].astype("Int64").fillna(NOT_STATED)
        return rows.assign(area_code=codes, level=rows["org_type"], decile=decile)

    return ctx.once(f"tt_icb.rows.{breakdown}", make)


def lsoa_adults(ctx: BuildContext) -> pd.DataFrame:
    """Adults 18+ (ONS mid-2020) per LSOA 2011 with its 2023 ICB and region, and IMD decile.

    The decile (IMD 2019, 1 = most deprived) is NA when the build has no IoD2019 LSOA table.
    """

    def make() -> pd.DataFrame:
        pop = ctx.tables["pop_lsoa11_2020"][["lsoa11_code", "population_18_plus"]]
        link = ctx.tables["lsoa11_sicbl22"][["lsoa11_code", "sicbl22_code"]]
        link = link.assign(sub_icb_code=link["sicbl22_code"].map(lambda c: ctx.recode.get(c, c)))
        parents = ctx.hierarchy[["sub_icb_code", "icb_code", "region_code"]]
        linked = pop.merge(link[["lsoa11_code", "sub_icb_code"]], on="lsoa11_code", how="left")
        linked = linked.merge(parents, on="sub_icb_code", how="left")
        if linked["icb_code"].isna().any():
            lost = linked.loc[linked["icb_code"].isna(), "lsoa11_code"].head(5).tolist()
            raise ValueError(f"LSOAs 2011 with no 2023 ICB, e.g. {lost}")
        decile = pd.Series(pd.NA, index=linked.index, dtype="Int64")
        if IMD_TABLE in ctx.tables:
            imd = ctx.tables[IMD_TABLE].set_index("lsoa11_code")["imd_decile"]
            decile = linked["lsoa11_code"].map(imd).astype("Int64")
        return linked.assign(decile=decile, england=ENGLAND)

    return ctx.once("tt_icb.lsoa_adults", make)


def adults(ctx: BuildContext, by_decile: bool = False) -> pd.DataFrame:
    """Adults 18+ of every ICB, region and England (``level``, ``area_code``, ``adults``).

    ``by_decile`` splits each area by IMD decile (``decile``), for the decile table.
    """
    lsoa = lsoa_adults(ctx)
    frames = []
    for level, key in (("icb", "icb_code"), ("region", "region_code"), ("england", "england")):
        by = [key, "decile"] if by_decile else [key]
        sums = lsoa.groupby(by, as_index=False)["population_18_plus"].sum()
        frames.append(
            sums.rename(columns={key: "area_code", "population_18_plus": "adults"}).assign(
                level=level
            )
        )
    return pd.concat(frames, ignore_index=True)


def _wide(rows: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts and source-suppression flags with one column per measure."""
    indexed = rows.set_index([*keys, "measure"])
    values = indexed["value"].astype("Float64").unstack("measure")
    flags = indexed["source_suppressed"].astype("boolean").unstack("measure")
    values = values.reindex(columns=list(MEASURES))
    flags = flags.reindex(columns=list(MEASURES)).fillna(False).astype(bool)
    return values, flags


def indicator_counts(ctx: BuildContext, by_decile: bool = False) -> dict[str, pd.DataFrame]:
    """Indicator -> ``period``, ``level``, ``area_code`` (and ``decile``), counts, flags.

    Rates divide by the adults of the area (of the decile); recovery divides recoveries by
    courses finished that started at caseness (finished minus not at caseness).
    """
    keys = ["period", "level", "area_code", *(["decile"] if by_decile else [])]
    rows = annual_rows(ctx, "imd_decile" if by_decile else "total")
    values, flags = _wide(rows, keys)
    index = values.index.to_frame(index=False)
    people = adults(ctx, by_decile).set_index(keys[1:])["adults"]
    denominators = pd.Series(
        people.reindex(pd.MultiIndex.from_frame(index[keys[1:]])).to_numpy(), index=values.index
    )
    out = {}
    for indicator_id, measure in RATES.items():
        out[indicator_id] = index.assign(
            numerator=values[measure].to_numpy(),
            denominator=denominators.to_numpy(),
            source_suppressed=flags[measure].to_numpy(),
        )
    caseness = values["finished_course_treatment"] - values["not_at_caseness"]
    out[RECOVERY] = index.assign(
        numerator=values["recovery"].to_numpy(),
        denominator=caseness.to_numpy(),
        source_suppressed=flags[["recovery", "finished_course_treatment", "not_at_caseness"]]
        .any(axis=1)
        .to_numpy(),
    )
    return out


def build_sections(ctx: BuildContext) -> list[pd.DataFrame]:
    """Referrals, courses finished and recovery for every ICB year at ICB, region, England."""
    if not ctx.has(*TABLES, indicators=INDICATORS, levels=LEVELS):
        return []
    frames = []
    for indicator_id, counts in indicator_counts(ctx).items():
        counts = counts.assign(vintage=counts["level"].map(LEVEL_VINTAGES))
        frames.append(observations(counts, indicator_id=indicator_id))
    return frames
