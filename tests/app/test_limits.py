from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gapmap import limits
from methods.funnel import funnel_limits
from tests.app.chartkit import META, PCT, table


def test_has_funnel_and_rows() -> None:
    assert limits.has_funnel(META) and limits.has_funnel(PCT)
    assert not limits.has_funnel({"statistic": "score"}) and not limits.has_funnel({})
    assert limits.has_funnel(pd.Series(META))
    frame = table().assign(denominator=[100.0, 0.0, 50.0, None, 200.0])
    assert limits.funnel_rows(frame).tolist() == [True, False, True, False, True]
    assert limits.funnel_rows(frame.drop(columns="suppressed")).tolist()[3] is False


def test_funnel_baseline_ratio_england_or_pooled() -> None:
    frame = table().assign(value=[12.0, 8.0, 10.0, None, 9.5])
    assert limits.funnel_baseline(META, frame, 0.9) == 1.0
    assert limits.funnel_baseline(PCT, frame, 10.0) == 10.0
    # no England value: the plotted areas pooled, 440 of 450 people, as a percentage
    pooled = limits.funnel_baseline(PCT, frame, None)
    assert pooled == pytest.approx(440 / 450 * 100)
    assert limits.funnel_baseline(pd.Series({**PCT, "multiplier": np.nan}), frame, None) == (
        pytest.approx(440 / 450)
    )


def test_funnel_spans_the_areas_and_holds_their_own_limits() -> None:
    frame = table().assign(value=[12.0, 8.0, 10.0, None, 9.5])
    got = limits.funnel(frame, PCT, england_value=10.0)
    assert got["denominator"].is_monotonic_increasing
    assert got["denominator"].min() == 25.0 and got["denominator"].max() == pytest.approx(210.0)
    assert {50.0, 100.0, 200.0} <= set(got["denominator"])
    assert len(got) == limits.GRID_POINTS + 3
    at_areas = got.loc[got["denominator"].isin([50.0, 100.0, 200.0])].reset_index(drop=True)
    want = funnel_limits(
        [50.0, 100.0, 200.0], statistic="proportion", baseline=10.0, multiplier=100
    )
    pd.testing.assert_frame_equal(at_areas, want)
    assert (got["baseline"] == 10.0).all()


def test_funnel_empty_and_refused() -> None:
    empty = limits.funnel(table().iloc[[3]], META)
    assert empty.empty and "upper_998" in empty.columns
    with pytest.raises(ValueError):
        limits.funnel(table(), {"statistic": "score"})


def test_fit_pairs_areas_by_code() -> None:
    x = table().assign(value=[10.0, 20.0, 30.0, 40.0, 50.0])
    y = table().assign(value=[1.0, 2.0, 3.0, None, 5.0]).iloc[::-1]
    pairs = limits.paired(x, y)
    assert pairs["area_code"].tolist() == ["A1", "A2", "A3", "A5"]
    assert pairs["y"].tolist() == [1.0, 2.0, 3.0, 5.0]
    assert limits.fit(x, y) == pytest.approx((0.1, 0.0, 1.0))
    assert not limits.fit(x.head(2), y).drawn


def test_ratio_funnel_draws_the_overdispersion_limits_the_atlas_bands_with(atlas):
    """Areas the atlas calls similar lie inside the drawn 95% limits; flagged ones outside."""
    table = atlas.table("tt_gap_ratio_modelled", "sub_icb", "Jul 2022 - May 2023")
    meta = atlas.indicator("tt_gap_ratio_modelled")
    drawn = limits.funnel(table, meta).set_index("denominator")
    shown = table.loc[limits.funnel_rows(table)]
    lower = drawn.loc[shown["denominator"].astype(float), "lower_95"].to_numpy()
    upper = drawn.loc[shown["denominator"].astype(float), "upper_95"].to_numpy()
    value = shown["value"].astype(float).to_numpy()
    inside = (value >= lower) & (value <= upper)
    similar = (shown["comparison"] == "similar").to_numpy()
    # counts in the atlas are rounded to 5, so an area right on a limit may fall either side
    assert (inside == similar).mean() > 0.97
    assert 0 < (~similar).sum() < len(shown) / 2
