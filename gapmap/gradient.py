"""The deprivation gradient across GP practices: pooled by decile or quintile, SII and RII.

The Inequalities page groups England's practices by the deprivation of their patients'
neighbourhoods (the IMD edition current in the indicator's year, weighted by that year's
list size) and fits the slope index of inequality; here are the pairing of a year with
its edition and list size, the practice frame it starts from, the pooled groups and
indices, the fitted line the chart draws, and the sentence that says what they mean.
"""

from __future__ import annotations

import re

import pandas as pd

from gapmap import inequality, tables
from gapmap.atlas import Atlas
from gapmap.wording import number_format, with_unit

#: Practice indicators the gradient can be drawn for, in the order the page offers them.
PRACTICE_INDICATORS = (
    "depression_prevalence",
    "smi_prevalence",
    "smoking_prevalence",
    "life_expectancy_female",
    "life_expectancy_male",
)
#: Each practice's deprivation score and list size.
PRACTICE_IMD = "practice_imd_score"
LIST_SIZE = "list_size"
#: Draws of the simulated SII/RII limits (OHID's method).
REPETITIONS = 20_000


def choices(atlas: Atlas) -> list[str]:
    """The practice indicators this atlas has values of, for the page's indicator menu."""
    present = set(atlas.indicator_ids("practice"))
    return [i for i in PRACTICE_INDICATORS if i in present]


def _end_year(period: str) -> int | None:
    """The calendar year a period ends in ("2024-25" -> 2025, "IMD 2019" -> 2019)."""
    digits = re.findall(r"\d{2,4}", period)
    if not digits:
        return None
    last = digits[-1]
    return int(last) + 2000 if len(last) == 2 else int(last)


def deprivation_for(atlas: Atlas, period: str) -> tuple[str, str] | None:
    """(IMD edition, list-size year) to pair with an indicator's practice ``period``.

    The edition is the newest published by the end of the period's year (IMD 2019 for
    2022-23, IMD 2025 for 2024-25), falling back to the oldest the atlas has; the list size
    is the same year's where the atlas has it, else the nearest earlier (else the oldest).
    None when the atlas has no practice deprivation or list sizes at all.
    """
    present = set(atlas.indicator_ids("practice"))
    editions = atlas.periods(PRACTICE_IMD, "practice") if PRACTICE_IMD in present else []
    sizes = atlas.periods(LIST_SIZE, "practice") if LIST_SIZE in present else []
    if not editions or not sizes:
        return None
    end = _end_year(period) or 0
    current = [e for e in editions if (_end_year(e) or 0) <= end]
    edition = current[-1] if current else editions[0]
    earlier = [s for s in sizes if (_end_year(s) or 0) <= end]
    size = period if period in sizes else (earlier[-1] if earlier else sizes[0])
    return edition, size


def quantile_word(n: int) -> str:
    """'decile' for ten groups, else 'quintile' (the page offers ten or five)."""
    return "decile" if n == 10 else "quintile"


def practice_frame(atlas: Atlas, indicator_id: str, period: str) -> pd.DataFrame:
    """Practices' values of an indicator with their deprivation score and list size.

    Columns: area_code, value, numerator, denominator, imd_score, weight (list size): the
    input :func:`gapmap.inequality.by_quantile` expects, from the edition and list size
    :func:`deprivation_for` pairs with ``period``. Suppressed practices are left out.
    """
    paired = deprivation_for(atlas, period)
    if paired is None:
        raise ValueError("the atlas has no practice deprivation scores or list sizes")
    edition, year = paired
    values = atlas.table(indicator_id, "practice", period)
    imd = atlas.table(PRACTICE_IMD, "practice", edition)[["area_code", "value"]]
    size = atlas.table(LIST_SIZE, "practice", year)[["area_code", "value"]]
    out = (
        values[["area_code", "value", "numerator", "denominator", "suppressed"]]
        .merge(imd.rename(columns={"value": "imd_score"}), on="area_code")
        .merge(size.rename(columns={"value": "weight"}), on="area_code")
    )
    return out.loc[~out["suppressed"]].drop(columns="suppressed").reset_index(drop=True)


def quantile_summary(
    atlas: Atlas, indicator_id: str, period: str, n: int
) -> tuple[pd.DataFrame, dict]:
    """Practices' values pooled by national deprivation decile/quintile, and the SII/RII.

    Rates and proportions are pooled from counts (with limits, so the indices' limits are
    simulated); other values are averaged and the indices' limits are analytic.
    """
    meta = atlas.indicator(indicator_id)
    frame = practice_frame(atlas, indicator_id, period)
    multiplier = float(meta["multiplier"]) if pd.notna(meta["multiplier"]) else 1.0
    statistic = "rate" if meta["statistic"] == "rate" else "proportion"
    if meta["statistic"] not in ("rate", "proportion"):
        frame = frame.assign(numerator=pd.NA, denominator=pd.NA)
    groups = inequality.by_quantile(
        frame, "value", "imd_score", "weight", n, statistic=statistic, multiplier=multiplier
    )
    limits = groups["lower_95"].notna().all() and groups["upper_95"].notna().all()
    result = inequality.sii_rii(
        groups,
        multiplier=multiplier,
        method="simulation" if limits else "analytic",
        repetitions=REPETITIONS,
    )
    return groups.rename(columns={"quantile": quantile_word(n)}), result


def fitted_line(result: dict) -> tuple[float, float]:
    """(slope, intercept) of the fitted gradient over rank 0 (most) to 1 (least deprived)."""
    most = float(result["value_most_deprived"])
    return float(result["value_least_deprived"]) - most, most


def sii_sentence(result: dict, meta: pd.Series, word: str, edition: str) -> str:
    """The slope and relative indices of inequality in words, with their intervals.

    The SII and its interval read in the indicator's own number format (``meta`` carries its
    id, so SMI prevalence keeps two decimals), a percentage's gap in percentage points; the
    RII is a ratio and reads as one.
    """
    fmt = number_format(meta)
    gap_unit = "percentage points" if fmt.unit == "%" else fmt.unit
    sii = result["sii"]
    span = fmt.interval(result.get("sii_lower"), result.get("sii_upper"), unit=False)
    span = f" (95% confidence interval {span})" if span else ""
    side = "more" if sii > 0 else "less"
    rii = number_format(unit="ratio", statistic="ratio").number(result["rii"])
    return (
        f"**Slope index of inequality: {with_unit(fmt.number(sii), gap_unit)}**{span}. Across "
        f"the deprivation gradient, the most deprived end has "
        f"{with_unit(fmt.number(abs(sii)), gap_unit)} {side} than the least deprived end. "
        f"**Relative index: {rii}** — the gap as a share of the England average "
        f"({fmt.text(result['mean'])}), from {word}s of GP practices grouped by the "
        f"deprivation of their patients' neighbourhoods ({edition})."
    )


def quantile_table(groups: pd.DataFrame, meta: pd.Series, word: str) -> pd.DataFrame:
    """The practices' quantile groups as a download, each figure as every output prints it.

    Each group's practices, patients, value with limits and range of deprivation scores.

    The cumulative population ranks behind the slope index stay out: they are the method's
    working, not a figure a reader looks up.
    """
    shown = tables.rounded(groups, meta)
    score = number_format(unit="score")
    return pd.DataFrame(
        {
            f"Deprivation {word} (1 = most deprived)": groups["decile"].astype("Int64"),
            "GP practices": groups["n_areas"].astype("Int64"),
            "Registered patients": groups["population"].round().astype("Int64"),
            "Numerator": shown["numerator"],
            "Denominator": shown["denominator"],
            f"Value ({meta['unit']})": shown["value"],
            "Lower 95% limit": shown["lower_95"],
            "Upper 95% limit": shown["upper_95"],
            "Deprivation score from": groups["deprivation_min"].map(score.rounded),
            "Deprivation score to": groups["deprivation_max"].map(score.rounded),
        }
    )
