"""A copy of the committed atlas with the issue-11 indicators added, for tests that need them.

The committed atlas predates modelled need. Until it is rebuilt, tests of the need basis and
of the "what the data say" panel run on this copy: the committed files, plus
``cmd_prevalence_modelled``, ``tt_gap_ratio_modelled``, ``tt_shortfall_modelled`` and
``recognition_ratio`` shaped as the data contract says (ids, levels, units, polarity,
``need_indicator``), with values made up deterministically from the committed ones, and
recorded prevalence neutral. The numbers mean nothing; only their shape is real.
"""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path

import pandas as pd

from gapmap.atlas import ATLAS_DIR

MODEL_PERIOD = "2017 model, IoD2025 predictors"
NEED_LEVELS = ("ltla", "utla", "sub_icb", "icb", "region", "england")
RECOGNITION_LEVELS = ("sub_icb", "icb", "region", "england")
NEUTRAL = ("depression_prevalence", "smi_prevalence")
CATALOGUE = {
    "cmd_prevalence_modelled": {
        "name": "Common mental disorders, modelled prevalence (% of adults 16+)",
        "short_name": "Modelled need (CMD)",
        "domain": "need",
        "unit": "%",
        "statistic": "modelled",
        "polarity": "neutral",
    },
    "tt_gap_ratio_modelled": {
        "name": "NHS Talking Therapies courses finished against modelled need "
        "(observed / expected)",
        "short_name": "Talking Therapies vs modelled need",
        "domain": "low_intensity",
        "unit": "ratio",
        "statistic": "ratio",
        "polarity": "high_is_good",
        "need_indicator": "cmd_prevalence_modelled",
    },
    "tt_shortfall_modelled": {
        "name": "Gap in people: courses that would be finished a year if activity matched "
        "England's relation to modelled need, minus those finished",
        "short_name": "Gap in people",
        "domain": "low_intensity",
        "unit": "people a year",
        "statistic": "difference",
        "polarity": "high_is_bad",
    },
    "recognition_ratio": {
        "name": "Recognition: recorded depression against modelled need (England = 1)",
        "short_name": "Recognition",
        "domain": "need",
        "unit": "ratio",
        "statistic": "ratio",
        "polarity": "neutral",
    },
}


def _factor(code: str) -> float:
    """A fixed factor between 0.7 and 1.3 per area code (the same on every run)."""
    return 0.7 + 0.6 * (zlib.crc32(code.encode()) % 1000) / 1000


def _compare(frame: pd.DataFrame, centre: pd.Series | float) -> pd.Series:
    """Better / worse / similar of a ratio's interval against ``centre``."""
    out = pd.Series("similar", index=frame.index, dtype="string")
    out[frame["lower_95"] > centre] = "higher"
    out[frame["upper_95"] < centre] = "lower"
    return out


def _judged(neutral: pd.Series) -> pd.Series:
    return neutral.replace({"higher": "better", "lower": "worse"})


def _gap_modelled(values: pd.DataFrame) -> pd.DataFrame:
    """tt_gap_ratio's rows with each area's value moved by a fixed factor (England stays 1)."""
    rows = values.loc[values["indicator_id"] == "tt_gap_ratio"].copy()
    factor = rows["area_code"].map(_factor).where(rows["level"] != "england", 1.0)
    for column in ("value", "lower_95", "upper_95", "lower_998", "upper_998"):
        rows[column] = rows[column] * factor
    rows["denominator"] = (rows["numerator"] / rows["value"]).round()
    rows["comparison"] = _judged(_compare(rows, 1.0))
    rows["comparison_998"] = rows["comparison"]
    return rows.assign(indicator_id="tt_gap_ratio_modelled")


def _shortfall(gap: pd.DataFrame) -> pd.DataFrame:
    """E - O of the modelled gap, its interval from the ratio's, its band copied."""
    rows = gap.copy()
    expected = rows["denominator"]
    rows["value"] = expected - rows["numerator"]
    rows["lower_95"] = expected - expected * gap["upper_95"]
    rows["upper_95"] = expected - expected * gap["lower_95"]
    rows["lower_998"], rows["upper_998"] = rows["lower_95"], rows["upper_95"]
    rows["comparison_998"] = rows["comparison"]  # the ratio's band, as the contract says
    return rows.assign(indicator_id="tt_shortfall_modelled")


def _need(values: pd.DataFrame) -> pd.DataFrame:
    """Modelled CMD prevalence from the IMD score, on the IMD score's boundaries."""
    imd = values.loc[
        (values["indicator_id"] == "imd_score")
        & values["level"].isin(NEED_LEVELS)
        & (values["period"] == "IoD2025")
    ].copy()
    value = 12.0 + 0.25 * imd["value"]
    imd["value"], imd["lower_95"], imd["upper_95"] = value, value - 0.8, value + 0.8
    imd["lower_998"], imd["upper_998"] = value - 1.3, value + 1.3
    imd["denominator"] = 100_000.0
    imd["numerator"] = (value * 1000).round()
    england = float(imd.loc[imd["level"] == "england", "value"].iloc[0])
    imd["comparison"] = _compare(imd, england).where(imd["level"] != "england", pd.NA)
    imd["comparison_998"] = imd["comparison"]
    return imd.assign(indicator_id="cmd_prevalence_modelled", period=MODEL_PERIOD)


def _recognition(values: pd.DataFrame) -> pd.DataFrame:
    """Recorded depression's latest sub-ICB-era rows, moved by a fixed factor, England = 1."""
    rows = values.loc[
        (values["indicator_id"] == "depression_prevalence")
        & values["level"].isin(RECOGNITION_LEVELS)
        & (values["period"] == "2022-23")
    ].copy()
    factor = rows["area_code"].map(_factor).where(rows["level"] != "england", 1.0)
    rows["value"] = factor
    rows["lower_95"], rows["upper_95"] = factor - 0.02, factor + 0.02
    rows["lower_998"], rows["upper_998"] = factor - 0.03, factor + 0.03
    rows["comparison"] = _compare(rows, 1.0)
    rows["comparison_998"] = rows["comparison"]
    return rows.assign(indicator_id="recognition_ratio")


def _catalogue_row(template: pd.Series, indicator_id: str, part: pd.DataFrame) -> dict:
    periods: dict[str, list[str]] = {}
    for (level, period), _ in part.groupby(["level", "period"]):
        periods.setdefault(str(level), []).append(str(period))
    return {
        **template.to_dict(),
        "need_indicator": None,
        **CATALOGUE[indicator_id],
        "id": indicator_id,
        "method": f"Made up for tests in the shape of {indicator_id}.",
        "levels": ",".join(sorted(periods)),
        "periods": json.dumps(periods),
        "vintages": ",".join(sorted(part["vintage"].unique())),
    }


def _neutral(values: pd.DataFrame, indicators: pd.DataFrame) -> None:
    """Recorded prevalence made neutral, as the rebuilt atlas will have it (in place)."""
    indicators.loc[indicators["id"].isin(NEUTRAL), "polarity"] = "neutral"
    mask = values["indicator_id"].isin(NEUTRAL)
    for column in ("comparison", "comparison_998"):
        values.loc[mask, column] = values.loc[mask, column].replace(
            {"worse": "higher", "better": "lower"}
        )


def write_modelled_atlas(target: Path) -> Path:
    """Copy the committed atlas to ``target`` and add the issue-11 indicators; ``target``."""
    shutil.copytree(ATLAS_DIR, target)
    values = pd.read_parquet(target / "values.parquet")
    indicators = pd.read_parquet(target / "indicators.parquet")
    gap = _gap_modelled(values)
    added = {
        "cmd_prevalence_modelled": _need(values),
        "tt_gap_ratio_modelled": gap,
        "tt_shortfall_modelled": _shortfall(gap),
        "recognition_ratio": _recognition(values),
    }
    template = indicators.loc[indicators["id"] == "tt_gap_ratio"].iloc[0]
    indicators["need_indicator"] = pd.Series(pd.NA, index=indicators.index, dtype="string")
    indicators.loc[indicators["id"] == "tt_gap_ratio", "need_indicator"] = "depression_prevalence"
    new = pd.DataFrame([_catalogue_row(template, i, part) for i, part in added.items()])
    indicators = pd.concat([indicators, new.astype(indicators.dtypes.to_dict())])
    values = pd.concat([values, *(p.astype(values.dtypes.to_dict()) for p in added.values())])
    _neutral(values, indicators)
    values.reset_index(drop=True).to_parquet(target / "values.parquet")
    indicators.reset_index(drop=True).to_parquet(target / "indicators.parquet")
    return target
