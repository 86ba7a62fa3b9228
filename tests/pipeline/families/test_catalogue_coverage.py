"""The real build makes every indicator of the catalogue (each by its own family: the build
refuses an indicator made by another, see tests/unit/test_families.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline.indicators import load_families

pytestmark = [pytest.mark.slow, pytest.mark.raw]


def test_every_catalogue_indicator_is_in_the_rebuilt_atlas(rebuild):
    values = pd.read_parquet(rebuild.atlas / "values.parquet", columns=["indicator_id"])
    assert set(values["indicator_id"]) == set(load_families())
