"""Primary care networks: practice figures added up to the PCN the practice belonged to.

A PCN's figure is made from its practices' observations of the same QOF year (the year is
that of the practices' vintage), each practice in the PCN its year's membership gives
(:func:`data_pipeline.pcn.membership`). Counts that add up (registers, list sizes) are
summed strictly, as sub-ICBs sum theirs (:func:`~data_pipeline.indicators.rollup.strict_sum`):
one missing practice count leaves the PCN's blank. A practice score (IMD) becomes the
list-size-weighted mean of the practices that have one. Statistics, England comparison and
disclosure are then applied by :func:`~data_pipeline.indicators.finalise`, as for every
level. Practices in no PCN are counted in England only, and named in the notes of the
year's QOF file.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline import pcn
from data_pipeline.geography import weighted_mean
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.rollup import strict_sum

#: The levels a PCN section makes, for :meth:`BuildContext.has`.
PCN_LEVELS = (pcn.LEVEL,)
SUMMED = ("numerator", "denominator", "value")


def members(ctx: BuildContext, period: str) -> pd.DataFrame:
    """A QOF year's practice -> PCN membership, made once; practices in none are noted."""

    def make() -> pd.DataFrame:
        table = pcn.QOF_TABLES[period]
        out = pcn.membership(ctx.tables, period)
        lost = out.loc[out["pcn_code"].isna()]
        for reason, part in lost.groupby("reason", sort=True):
            ctx.ledger.note(
                table,
                f"{len(part)} practices rejected from the primary care networks, {reason} "
                f"(their registers still count in their sub-ICB, if placed, and England): "
                f"{', '.join(part['practice_code'])}",
            )
        return out

    return ctx.once(f"pcn.members.{period}", make)


def list_sizes(ctx: BuildContext, period: str) -> pd.DataFrame:
    """``practice_code``, ``list_size`` (all ages, the QOF MH list) of a QOF year."""
    qof = ctx.tables[pcn.QOF_TABLES[period]]
    sizes = qof.loc[qof["group"] == "MH", ["practice_code", "list_size"]]
    return sizes.drop_duplicates("practice_code")


def _qof_year(vintage: str) -> str:
    """The QOF year of a practice vintage ('practice-2024-25' -> '2024-25')."""
    return str(vintage).removeprefix("practice-")


def _summed(linked: pd.DataFrame) -> pd.DataFrame:
    """Strict sums of the count columns (and a summed value) by PCN."""
    return strict_sum(linked, "pcn_code", SUMMED)


def _weighted(ctx: BuildContext, linked: pd.DataFrame, period: str) -> pd.DataFrame:
    """The list-size-weighted mean value of each PCN's practices that have one."""
    weighted = linked.merge(list_sizes(ctx, period), on="practice_code", how="left")
    weighted["value"] = weighted["value"].astype("Float64")
    weighted["list_size"] = weighted["list_size"].astype("Float64")
    means = weighted_mean(weighted, "value", "list_size", "pcn_code")
    return means.rename(columns={"pcn_code": "area_code"})[["area_code", "value"]]


def from_practices(ctx: BuildContext, frames: list[pd.DataFrame], how: str) -> list[pd.DataFrame]:
    """PCN observations from practice observations: ``how`` is ``sum`` or ``weighted``.

    Each indicator, period and practice vintage becomes one PCN frame on the vintage of the
    same QOF year (:data:`data_pipeline.pcn.PCN_VINTAGES`).
    """
    if how not in ("sum", "weighted"):
        raise ValueError(f"unknown PCN aggregation {how!r}")
    practice = concat_observations(frames)
    practice = practice.loc[practice["level"] == "practice"]
    out = []
    keys = ["indicator_id", "period", "vintage"]
    for (indicator_id, period, vintage), part in practice.groupby(keys, sort=True):
        year = _qof_year(str(vintage))
        if year not in pcn.PCN_VINTAGES:
            continue
        linked = part.rename(columns={"area_code": "practice_code"}).merge(
            members(ctx, year).dropna(subset=["pcn_code"]), on="practice_code", how="inner"
        )
        sums = _summed(linked) if how == "sum" else _weighted(ctx, linked, year)
        out.append(
            observations(
                sums,
                indicator_id=indicator_id,
                period=period,
                level=pcn.LEVEL,
                vintage=pcn.PCN_VINTAGES[year],
            )
        )
    return out
