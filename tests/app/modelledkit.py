"""A private copy of the committed atlas, which holds both need bases, for tests that serve it.

Tests of the need basis and of the "what the data say" panel once ran on a copy with made-up
issue-11 indicators; the committed atlas now has the real ones (modelled need, the gap against
it, the gap in people and recognition), so the copy is the committed atlas itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from gapmap.atlas import ATLAS_DIR

MODEL_PERIOD = "2017 model, IoD2025 predictors"


def write_modelled_atlas(target: Path) -> Path:
    """Copy the committed atlas to ``target`` and return ``target``."""
    shutil.copytree(ATLAS_DIR, target)
    return target


#: What an atlas built before modelled need lacks.
MODELLED_INDICATORS = (
    "cmd_prevalence_modelled",
    "tt_gap_ratio_modelled",
    "tt_shortfall_modelled",
    "recognition_ratio",
)


def write_recorded_only_atlas(target: Path) -> Path:
    """The committed atlas without modelled need: the shape of an atlas built before it.

    Real figures only (rows and catalogue entries are removed, nothing is made up), so the
    app's fallback — recorded need as the only basis — can still be tested.
    """
    shutil.copytree(ATLAS_DIR, target)
    values = pd.read_parquet(target / "values.parquet")
    indicators = pd.read_parquet(target / "indicators.parquet")
    values = values.loc[~values["indicator_id"].isin(MODELLED_INDICATORS)]
    indicators = indicators.loc[~indicators["id"].isin(MODELLED_INDICATORS)].drop(
        columns="need_indicator"
    )
    values.reset_index(drop=True).to_parquet(target / "values.parquet")
    indicators.reset_index(drop=True).to_parquet(target / "indicators.parquet")
    return target
