"""A private copy of the committed atlas, which holds both need bases, for tests that serve it.

Tests of the need basis and of the "what the data say" panel once ran on a copy with made-up
issue-11 indicators; the committed atlas now has the real ones (modelled need, the gap against
it, the gap in people and recognition), so the copy is the committed atlas itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from gapmap.atlas import ATLAS_DIR

MODEL_PERIOD = "2017 model, IoD2025 predictors"


def write_modelled_atlas(target: Path) -> Path:
    """Copy the committed atlas to ``target`` and return ``target``."""
    shutil.copytree(ATLAS_DIR, target)
    return target
