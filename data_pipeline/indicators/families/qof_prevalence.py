"""Recorded prevalence from QOF registers: depression (18+) and severe mental illness.

Sub-ICB, ICB, region and England from the practice registers of each QOF year (2022-23 and
2024-25, :data:`TABLES`): the practices of 2022-23 placed by QOF's own mapping, those of
2024-25 by the early-2024 practice lookup, both on the 2023 sub-ICBs; England counts every
practice of the file (the publisher's total), placed or not, and names any it could not
place. Primary care networks add up their practices' registers and lists, each year's
practices in that year's PCN (:mod:`data_pipeline.indicators.levels.pcn`). SMI prevalence
of 2024-25 also for districts and counties, from the practices whose premises are in them.
CCG periods from the QOF CCG workbooks of each year; GP practices their own registers;
districts the depression prevalence OHID publishes. The registers also give other
families their need and denominators (:func:`register_counts`, :func:`sub_icb_counts`,
:func:`ccg_registers`). Recognition (``recognition_ratio``) sets the
depression register against the register expected from modelled common mental disorders at
England's ratio of the two.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, PRACTICE_VINTAGES, place_practices, practice_places
from data_pipeline.indicators import concat_observations, observations
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import modelled_need
from data_pipeline.indicators.levels import pcn
from data_pipeline.indicators.levels.ccg import (
    CCG_LEVELS,
    PERIOD_VINTAGE,
    ccg_obs,
    england_obs,
    next_april,
    ratios_by_period,
)
from data_pipeline.indicators.levels.local_authority import LTLA, UTLA, published
from data_pipeline.indicators.levels.small_areas import PRACTICE_LEVELS
from data_pipeline.indicators.levels.standardised import standardised_obs
from data_pipeline.indicators.levels.sub_icb import SUB_ICB_LEVELS, practice_sub_icb
from data_pipeline.indicators.rollup import COUNT_COLUMNS, roll_up, strict_sum
from data_pipeline.sources.qof_practice import TABLES

#: The QOF year the gap and recognition ratios pair with (Talking Therapies, modelled need).
PERIOD = "2022-23"
#: The newest QOF year of practice registers.
LATEST = "2024-25"
#: Indicator id -> QOF register group.
GROUPS = {"depression_prevalence": "DEP", "smi_prevalence": "MH"}
RECOGNITION = "recognition_ratio"


def practice_registers(ctx: BuildContext, group: str, period: str) -> pd.DataFrame:
    """One QOF year's practice rows of a register group, with their 2023 sub-ICB.

    The sub-ICB is in ``area_code``; ``reason`` says why a practice has none (2024-25 only:
    a practice of 2022-23 that QOF's mapping cannot place stops the build).
    """
    if period == PERIOD:
        return practice_sub_icb(ctx.tables, group, ctx.sub_icb_ods).assign(reason=pd.NA)
    qof = ctx.tables[TABLES[period]]
    qof = qof.loc[qof["group"] == group]
    placed = place_practices(qof["practice_code"], ctx.tables["gp_practices_2024"], ctx.sub_icb_ods)
    linked = qof.merge(placed, on="practice_code", how="left")
    return linked.rename(columns={"sub_icb_code": "area_code"})


def unplaced_practices(ctx: BuildContext, period: str) -> pd.DataFrame:
    """The practices of a QOF year in no sub-ICB (``practice_code``, ``reason``), made once.

    They are named in the manifest, in the account of the year's file.
    """

    def make() -> pd.DataFrame:
        if period == PERIOD:  # QOF's own mapping places every practice, or the build stops
            return pd.DataFrame({"practice_code": [], "reason": []}, dtype="string")
        codes = ctx.tables[TABLES[period]]["practice_code"]
        placed = place_practices(codes, ctx.tables["gp_practices_2024"], ctx.sub_icb_ods)
        out = placed.loc[placed["sub_icb_code"].isna(), ["practice_code", "reason"]]
        out = out.sort_values("practice_code").reset_index(drop=True)
        if len(out):
            pairs = zip(out["practice_code"], out["reason"], strict=True)
            listed = "; ".join(f"{code} ({reason})" for code, reason in pairs)
            ctx.ledger.note(
                TABLES[period],
                f"{len(out)} practices in no sub-ICB, ICB or region (counted in England "
                f"only): {listed}",
            )
        return out

    return ctx.once(f"qof_prevalence.unplaced.{period}", make)


def _england_note(unplaced: pd.DataFrame) -> str | None:
    if unplaced.empty:
        return None
    codes = ", ".join(unplaced["practice_code"])
    return (
        f"England counts every practice in the QOF file; {len(unplaced)} practices ({codes}) "
        "are not in the early-2024 practice lookup, so in no sub-ICB, ICB or region."
    )


def register_counts(ctx: BuildContext, group: str, period: str) -> pd.DataFrame:
    """A QOF year's register (``numerator``) and list size (``denominator``) by NHS area.

    Rows for every 2023 sub-ICB, ICB and NHS region (``level``, ``vintage``, ``area_code``)
    summed from the practices placed in them, and England from every practice of the file,
    with a ``note`` naming practices it could not place. DEP is counted against adults
    (18+), MH against all registered patients. Families that pair a count with the
    registers of the same year (a ratio's need, a rate's denominator) take them from here.
    """

    def make() -> pd.DataFrame:
        linked = practice_registers(ctx, group, period)
        placed = linked.loc[linked["area_code"].notna()]
        sub = placed.groupby("area_code", as_index=False).agg(
            numerator=("register", "sum"),
            denominator=("list_size", "sum"),
            source_suppressed=("source_suppressed", "any"),
        )
        rolled = roll_up(sub, ctx.hierarchy, england=False)
        counts = linked.rename(columns={"register": "numerator", "list_size": "denominator"})
        england = strict_sum(counts.assign(_all=ENGLAND), "_all", COUNT_COLUMNS)
        england = england.assign(
            level="england", vintage="england", note=_england_note(unplaced_practices(ctx, period))
        )
        return pd.concat([rolled, england], ignore_index=True)

    return ctx.once(f"qof_prevalence.counts.{group}.{period}", make)


def sub_icb_counts(ctx: BuildContext, group: str, period: str = PERIOD) -> pd.DataFrame:
    """A QOF year's register and list size by sub-ICB (2023 code) for one register group.

    The 2022-23 DEP list sizes are the adults (18+) and the MH ones all registered patients:
    the denominators of the sub-ICB Talking Therapies and secondary care rates.
    """
    counts = register_counts(ctx, group, period)
    sub = counts.loc[counts["level"] == "sub_icb"]
    return sub[["area_code", "numerator", "denominator", "source_suppressed"]].reset_index(
        drop=True
    )


def _sub_icb(ctx: BuildContext) -> list[pd.DataFrame]:
    """Each QOF year's prevalence by sub-ICB, ICB, region and England."""
    frames = []
    for period, table in TABLES.items():
        if ctx.has(table, indicators=tuple(GROUPS), levels=SUB_ICB_LEVELS):
            frames += [
                observations(
                    register_counts(ctx, group, period), indicator_id=indicator_id, period=period
                )
                for indicator_id, group in GROUPS.items()
            ]
    return frames


#: Registers placed on councils by where practices stand: SMI for districts and counties;
#: depression for counties (OHID publishes districts' depression, read as published).
LOCATED = {"smi_prevalence": ("ltla", "utla"), "depression_prevalence": ("utla",)}


def _local_authority(ctx: BuildContext) -> list[pd.DataFrame]:
    """2024-25 registers for councils (:data:`LOCATED`), by where practices stand.

    A practice counts wholly in the district (2024) and county or unitary authority (2023)
    whose area holds its premises (the LSOA 2021 of its postcode in the 2024 lookup).
    """
    return [
        frame
        for indicator_id, levels in LOCATED.items()
        for frame in _located(ctx, indicator_id, levels)
    ]


def _located(ctx: BuildContext, indicator_id: str, levels: tuple[str, ...]) -> list[pd.DataFrame]:
    """One register summed over the practices standing in each council of ``levels``."""
    table = TABLES[LATEST]
    if not ctx.has(table, indicators=(indicator_id,), levels=levels):
        return []
    qof = ctx.tables[table]
    qof = qof.loc[qof["group"] == GROUPS[indicator_id]]
    located = qof.merge(practice_places(ctx.tables), on="practice_code", how="left")
    frames = []
    columns = {"ltla": ("ltla24_code", LTLA), "utla": ("utla23_code", UTLA)}
    for column, level in (columns[name] for name in levels):
        sums = (
            located.dropna(subset=[column])
            .groupby(column, as_index=False)
            .agg(
                numerator=("register", "sum"),
                denominator=("list_size", "sum"),
                source_suppressed=("source_suppressed", "any"),
            )
        )
        frames.append(
            observations(
                sums.rename(columns={column: "area_code"}),
                indicator_id=indicator_id,
                period=LATEST,
                **level,
            )
        )
    return frames


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
    """Each practice's own registers over its list, every QOF year, on that year's practices."""
    frames = []
    columns = {"practice_code": "area_code", "register": "numerator", "list_size": "denominator"}
    for period, table in TABLES.items():
        if not ctx.has(table, indicators=tuple(GROUPS), levels=PRACTICE_LEVELS):
            continue
        qof = ctx.tables[table]
        const = {"period": period, "level": "practice", "vintage": PRACTICE_VINTAGES[period]}
        frames += [
            observations(
                qof.loc[qof["group"] == group].rename(columns=columns),
                indicator_id=indicator_id,
                **const,
            )
            for indicator_id, group in GROUPS.items()
        ]
    return frames


def build(ctx: BuildContext) -> pd.DataFrame:
    """QOF prevalence at every level (sub-ICB first, then CCG: their England figures stand)."""
    frames = [*_sub_icb(ctx), *_ccg(ctx), *_districts(ctx), *_local_authority(ctx)]
    practice = _practice(ctx)
    frames += [*practice, *pcn.from_practices(ctx, practice, "sum")]
    frames += [*_recognition_sub_icb(ctx), *_recognition_ccg(ctx)]
    return concat_observations(frames)
