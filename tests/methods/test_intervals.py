import numpy as np
import pandas as pd
import PHStatsMethods as phs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methods import benchmark, intervals, standardise


def _frame(nums, dens):
    return pd.DataFrame({"area": [f"A{i}" for i in range(len(nums))], "n": nums, "d": dens})


def test_proportion_equals_phstatsmethods_wilson():
    df = _frame([48, 10000 - 1, 7, 0, 350], [10000, 10000, 10000, 20, 1000])
    ours = intervals.proportion(df["n"].astype("Float64"), df["d"].astype("Float64"), 100)
    ref = phs.ph_proportion(df, "n", "d", "area", confidence=[0.95, 0.998], multiplier=100)
    np.testing.assert_allclose(ours["value"].to_numpy(float), ref["Value"], rtol=1e-12)
    np.testing.assert_allclose(ours["lower_95"].to_numpy(float), ref["lower_95_ci"], rtol=1e-12)
    np.testing.assert_allclose(ours["upper_95"].to_numpy(float), ref["upper_95_ci"], rtol=1e-12)
    np.testing.assert_allclose(ours["lower_998"].to_numpy(float), ref["lower_99_8_ci"], rtol=1e-12)
    np.testing.assert_allclose(ours["upper_998"].to_numpy(float), ref["upper_99_8_ci"], rtol=1e-12)


def test_rate_equals_phstatsmethods_byars_and_exact():
    df = _frame([3, 9, 10, 650, 12345], [5000, 5000, 80000, 250000, 1_000_000])
    ours = intervals.rate(df["n"].astype("Float64"), df["d"].astype("Float64"), 100_000)
    ref = phs.ph_rate(df, "n", "d", "area", confidence=[0.95, 0.998], multiplier=100_000)
    for ours_col, ref_col in [
        ("value", "Value"),
        ("lower_95", "lower_95_ci"),
        ("upper_95", "upper_95_ci"),
        ("lower_998", "lower_99_8_ci"),
        ("upper_998", "upper_99_8_ci"),
    ]:
        np.testing.assert_allclose(ours[ours_col].to_numpy(float), ref[ref_col], rtol=1e-12)


def test_zero_count_rate_has_exact_upper_limit_and_zero_lower():
    out = intervals.rate(
        pd.Series([0.0], dtype="Float64"), pd.Series([1000.0], dtype="Float64"), 1000
    )
    assert out["lower_95"].iloc[0] == 0
    assert out["upper_95"].iloc[0] == pytest.approx(phs.exact_upper(0, 0.95))


def test_missing_values_stay_missing():
    num = pd.Series([np.nan, 5.0], dtype="Float64")
    den = pd.Series([100.0, 0.0], dtype="Float64")
    out = intervals.proportion(num, den)
    assert out.isna().all().all()


def test_ratio_matches_isratio_limits():
    # PHStatsMethods' ISRatio with one stratum is O/E with Byar's limits on O.
    df = pd.DataFrame(
        {
            "area": ["A", "B"],
            "obs": [120, 6],
            "pop": [1000, 100],
            "rn": [100, 100],
            "rd": [1000, 1000],
        }
    )
    ref = phs.ph_ISRatio(df, "obs", "pop", "rn", "rd", "area", confidence=[0.95, 0.998])
    expected = df["pop"] * df["rn"] / df["rd"]
    ours = intervals.ratio(df["obs"].astype("Float64"), expected.astype("Float64"))
    np.testing.assert_allclose(ours["value"].to_numpy(float), ref["Value"], rtol=1e-12)
    np.testing.assert_allclose(ours["lower_95"].to_numpy(float), ref["lower_95_ci"], rtol=1e-12)
    np.testing.assert_allclose(ours["upper_998"].to_numpy(float), ref["upper_99_8_ci"], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50_000), st.floats(1, 1e6, allow_nan=False)),
        min_size=1,
        max_size=40,
    )
)
def test_gap_ratio_weighted_by_expected_is_one(pairs):
    obs = pd.Series([p[0] for p in pairs], dtype="Float64")
    need = pd.Series([p[1] for p in pairs], dtype="Float64")
    if obs.sum() == 0:
        return
    exp = standardise.expected_from_need(obs, need)
    ratios = obs / exp
    assert float((ratios * exp).sum() / exp.sum()) == pytest.approx(1.0, rel=1e-9)


def test_compare_honours_polarity():
    lo = pd.Series([1.0, 5.0, 9.0, np.nan], dtype="Float64")
    hi = pd.Series([3.0, 7.0, 12.0, np.nan], dtype="Float64")
    assert benchmark.compare(lo, hi, 6.0, "high_is_bad").tolist() == [
        "better",
        "similar",
        "worse",
        "not_compared",
    ]
    assert benchmark.compare(lo, hi, 6.0, "high_is_good").tolist() == [
        "worse",
        "similar",
        "better",
        "not_compared",
    ]
    assert benchmark.compare(lo, hi, 6.0, "neutral").tolist() == [
        "lower",
        "similar",
        "higher",
        "not_compared",
    ]
    with pytest.raises(ValueError):
        benchmark.compare(lo, hi, 6.0, "sideways")
