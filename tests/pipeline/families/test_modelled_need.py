"""Modelled need on the real files: the model is pinned by its calibration and validation.

Upper-tier aggregates reproduce OHID's published estimates; the leave-one-out error is the
one the Methods page reports; every level adds up to England; intervals hold the estimate.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_pipeline.indicators.availability import Availability
from data_pipeline.indicators.cmd_model import CANDIDATES, PREDICTORS, cross_validate
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import modelled_need as mn
from data_pipeline.raw import RawDir
from data_pipeline.reconcile import Ledger, Usage
from data_pipeline.sources import (
    deprivation,
    fingertips,
    lookups,
    population,
    population_ages,
)
from tests.bad_inputs.test_corpus import reference
from tests.conftest import raw_root

pytestmark = [
    pytest.mark.raw,
    pytest.mark.skipif(
        not (raw_root() / fingertips.CMD_PREVALENCE).is_file(), reason="needs the raw files"
    ),
]
METHODS = Path(__file__).resolve().parents[3] / "content" / "methods.md"
READERS = (
    lookups.read_ltla_utla_2023,
    lookups.read_lsoa11_lsoa21,
    deprivation.read_iod2025_lsoa21,
    fingertips.read_cmd_prevalence,
    population.read_lsoa11_2020,
    population_ages.read_lsoa11_2020_adults,
)


@pytest.fixture(scope="module")
def ctx() -> BuildContext:
    """The real lookups (read once per session) and the model's own inputs."""
    known = reference(raw_root())
    raw = RawDir(raw_root())
    tables = dict(known.tables)
    for reader in READERS:
        tables.update(reader(raw).tables)
    return BuildContext(
        tables,
        Ledger([], {}),
        Usage(tables, {}),
        Availability(tables),
        known.hierarchy,
        known.recode,
    )


@pytest.fixture(scope="module")
def obs(ctx) -> pd.DataFrame:
    return mn.build(ctx)


def test_every_lsoa_has_an_estimate_with_an_interval_around_it(obs):
    lsoa = obs.loc[obs["level"] == "lsoa"]
    assert len(lsoa) == 33_755 and lsoa["area_code"].is_unique
    assert lsoa["value"].notna().all()
    assert lsoa["value"].between(5, 45).all()
    assert (obs["lower_95"] <= obs["value"]).all() and (obs["value"] <= obs["upper_95"]).all()
    assert (lsoa["upper_95"] - lsoa["lower_95"]).median() > 0.2
    assert set(obs["level"]) == set(mn.AREA_LEVELS)
    assert (obs["period"] == mn.PERIOD).all()


def test_upper_tier_aggregates_equal_the_calibration_target(ctx):
    need = mn._model(ctx)
    lsoa = need.lsoa
    weighted = (lsoa["prevalence"] * lsoa["adults"]).groupby(lsoa["group"]).sum()
    means = weighted / lsoa["adults"].groupby(lsoa["group"]).sum()
    assert len(means) == 151 and set(means.index) == set(need.target.index)
    assert np.abs(means - need.target.reindex(means.index)).max() < 1e-9


def test_sandwell_is_ohids_figure(obs):
    published = obs.set_index(["level", "area_code"])["value"]
    for level in ("ltla", "utla"):
        assert published[(level, "E08000028")] == pytest.approx(21.47, abs=0.005)


def test_each_level_adds_up_to_england(obs):
    england = obs.loc[obs["level"] == "england", "value"].iloc[0]
    assert 16.5 < england < 17.5
    for level, part in obs.loc[obs["level"] != "england"].groupby("level"):
        mean = (part["value"] * part["denominator"]).sum() / part["denominator"].sum()
        assert mean == pytest.approx(england, abs=1e-9), level
        assert part["numerator"].sum() == pytest.approx(
            obs.loc[obs["level"] == "england", "numerator"].iloc[0], rel=1e-3
        )


def test_modelled_adults_at_every_level_and_ccg_vintage(ctx, obs):
    england = mn.modelled_adults(ctx, "england").iloc[0]
    assert england["cmd_count"] == pytest.approx(
        obs.loc[obs["level"] == "england", "numerator"].iloc[0], abs=0.5
    )
    for level in (*mn.AREA_LEVELS, *mn.CCG_COLUMNS):
        frame = mn.modelled_adults(ctx, level)
        assert {"area_code", "level", "vintage", "adults", "cmd_count"} <= set(frame.columns)
        assert frame["area_code"].notna().all() and frame["area_code"].is_unique, level
        assert frame["cmd_count"].sum() == pytest.approx(england["cmd_count"], rel=1e-9), level
        assert frame["adults"].sum() == pytest.approx(england["adults"], rel=1e-9), level
    ccg = mn.modelled_adults(ctx, "ccg-2019")
    assert len(ccg) == 191 and ccg["ccg"].notna().all() and (ccg["level"] == "ccg").all()
    assert len(mn.modelled_adults(ctx, "ccg-2021")) == 106
    with pytest.raises(ValueError, match="no modelled need"):
        mn.modelled_adults(ctx, "practice")


def _methods_rmse(name: str) -> str:
    """The LOO RMSE the Methods page prints for a predictor set (its table row)."""
    text = METHODS.read_text(encoding="utf-8")
    row = re.search(rf"^\| {re.escape(name)} \| ([0-9.]+) \|", text, re.MULTILINE)
    assert row, f"no row for {name!r} in the Methods page's cross-validation table"
    return row.group(1)


def test_cross_validated_error_is_the_one_the_methods_page_reports(ctx):
    need = mn._model(ctx)
    chosen = next(name for name, columns in CANDIDATES.items() if columns == PREDICTORS)
    inputs = mn.model_inputs(ctx)
    summary = cross_validate(inputs, need.target, PREDICTORS)
    assert summary["n_groups"] == 151
    assert f"{summary['rmse_pp']:.2f}" == _methods_rmse(chosen)
    baseline = cross_validate(inputs, need.target, CANDIDATES["MH indicator"])
    assert summary["rmse_pp"] < 0.5 * baseline["rmse_pp"]
    assert f"{baseline['rmse_pp']:.2f}" == _methods_rmse("MH indicator")


def test_coefficients_have_sensible_signs(ctx):
    coef = mn._model(ctx).model.coefficients
    assert coef["mental_health_indicator"] > 0 and coef["imd_score"] > 0
    assert coef["share_65_plus"] < 0


def test_the_build_is_deterministic(ctx, obs):
    again = BuildContext(
        ctx.tables, ctx.ledger, ctx.usage, Availability(ctx.tables), ctx.hierarchy, ctx.recode
    )
    pd.testing.assert_frame_equal(mn.build(again), obs)


def test_the_93495_file_is_read_whole(ctx):
    published = ctx.tables["cmd_prevalence_utla"].set_index("area_code")["value"]
    assert len(published) == 152
    assert published.min() == pytest.approx(0.116, abs=5e-4)
    assert published["E09000012"] == pytest.approx(0.244, abs=5e-4)  # Hackney, the highest
