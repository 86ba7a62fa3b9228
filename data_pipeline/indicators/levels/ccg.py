"""Clinical commissioning groups, 2014-15 to 2021-22: vintages and successors.

Each source reports on its own year's CCG set; every period is put onto one set
(:data:`PERIOD_VINTAGE`) by :func:`data_pipeline.ccg_vintages.harmonise`: counts summed,
scores population-weighted. Each period then joins to boundaries of that vintage.
Populations are ONS mid-2020 estimates from LSOA 2011, aggregated to each vintage.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.ccg_vintages import ccg_population, harmonise
from data_pipeline.geography import ENGLAND
from data_pipeline.indicators import observations
from data_pipeline.indicators.ratio import observed_over_expected

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
#: The levels a CCG section makes (each period with its England row).
CCG_LEVELS = ("ccg", "england")
#: The note of a CCG the source has no row for in a period (it is kept, blank, not dropped).
ABSENT_NOTE = (
    "Not in the source: it has no row for this CCG in this period, nor for any CCG it was "
    "formed from."
)


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
    """Registers, code map and populations shared by every family's CCG sections."""

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

    def ons_codes(self, vintage: str) -> list[str]:
        """The E38 codes of every CCG of ``vintage``."""
        return sorted(self._register(vintage)["ons_code"].dropna())

    def to_ons(self, ods: pd.Series, vintage: str) -> pd.Series:
        """ODS code of a CCG of ``vintage`` -> its E38 code."""
        reg = self._register(vintage)
        return ods.map(dict(zip(reg["ods_code"], reg["ons_code"], strict=True))).astype("string")

    def per_head(self, counts: pd.DataFrame, column: str, vintage: str, adults: bool = False):
        """``counts[column]`` by ``ccg`` over the CCG's population (aged 18+ if ``adults``)."""
        pop = self.population[vintage].set_index("ods_code")
        pop = pop["population_18_plus" if adults else "population"]
        return pd.DataFrame(
            {
                "ccg": counts["ccg"],
                "numerator": counts[column],
                "denominator": counts["ccg"].map(pop),
            }
        )


def ccg_obs(frame: pd.DataFrame, ctx: CcgContext, vintage: str, **const) -> pd.DataFrame:
    """Observations for harmonised rows keyed by ``ccg`` (ODS of ``vintage``).

    Every CCG of the vintage gets a row: one the source has no row for (Buckinghamshire in
    the QOF 2017-18 workbook) is kept blank with :data:`ABSENT_NOTE`, not silently dropped.
    """
    out = frame.assign(area_code=ctx.to_ons(frame["ccg"], vintage), level="ccg", vintage=vintage)
    if out["area_code"].isna().any():
        raise ValueError(f"CCG codes outside {vintage}: {out.loc[out['area_code'].isna(), 'ccg']}")
    absent = sorted(set(ctx.ons_codes(vintage)) - set(out["area_code"]))
    if absent:
        blank = pd.DataFrame(
            {"area_code": absent, "level": "ccg", "vintage": vintage, "note": ABSENT_NOTE}
        )
        out = pd.concat([out, blank], ignore_index=True)
    return observations(out, **const)


def england_obs(numerator: float, denominator: float, **const) -> pd.DataFrame:
    """The England row of a CCG period, from England's own counts."""
    frame = pd.DataFrame(
        {"area_code": [ENGLAND], "numerator": [numerator], "denominator": [denominator]}
    )
    return observations(frame, level="england", vintage="england", **const)


def ratios_by_period(
    observed: dict[str, pd.DataFrame],
    need: dict[str, pd.DataFrame],
    ctx,
    indicator_id: str,
    england: dict[str, float] | None = None,
) -> list[pd.DataFrame]:
    """O/E for every period that has both ``observed`` and ``need`` (each keyed by ``ccg``).

    A ratio pairs two sources: a period one of them lacks has no ratio. ``england`` gives
    England's own observed count by period, where the publisher has one.
    """
    frames = []
    for period in sorted(set(observed) & set(need)):
        frames += ratio_obs(
            observed[period],
            need[period],
            ctx,
            PERIOD_VINTAGE[period],
            england_observed=(england or {}).get(period),
            indicator_id=indicator_id,
            period=period,
        )
    return frames


def ratio_obs(
    observed: pd.DataFrame, need: pd.DataFrame, ctx, vintage, england_observed=None, **const
) -> list:
    """O/E with E from need at the all-areas rate, and the England row (ratio 1).

    England's observed (and so its expected) is the publisher's own count where given
    (``england_observed``), else the sum of the CCGs that have both.
    """
    both = need.merge(observed, on="ccg", how="inner")
    obs = observed_over_expected(both.rename(columns={"observed": "numerator"}))
    usable = obs["numerator"].notna() & obs["denominator"].notna()
    own = england_observed is not None and pd.notna(england_observed)
    total = float(england_observed) if own else obs.loc[usable, "numerator"].sum()
    return [
        ccg_obs(obs, ctx, vintage, **const),
        england_obs(total, total if own else obs.loc[usable, "denominator"].sum(), **const),
    ]
