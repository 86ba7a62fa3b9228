"""One comparison rule: the scalar form agrees with the column form on every case."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methods.benchmark import DIRECTIONS, compare, compare_one


@pytest.mark.parametrize(
    ("lower", "upper", "polarity", "expected"),
    [
        (12.0, 14.0, "high_is_bad", "worse"),
        (12.0, 14.0, "high_is_good", "better"),
        (12.0, 14.0, "neutral", "higher"),
        (6.0, 8.0, "high_is_bad", "better"),
        (6.0, 8.0, "neutral", "lower"),
        (9.0, 11.0, "high_is_bad", "similar"),
        (10.0, 11.0, "high_is_bad", "similar"),  # touching the benchmark is not excluding it
        (None, None, "high_is_bad", "not_compared"),
        (9.0, None, "high_is_good", "not_compared"),
    ],
)
def test_compare_one_against_a_benchmark_of_ten(lower, upper, polarity, expected):
    assert compare_one(lower, upper, 10.0, polarity) == expected
    assert compare_one(lower, upper, None, polarity) == "not_compared"
    assert compare_one(lower, upper, float("nan"), polarity) == "not_compared"


def test_unknown_polarity_is_refused_by_both_forms():
    with pytest.raises(ValueError, match="polarity"):
        compare_one(1.0, 2.0, 3.0, "up")
    with pytest.raises(ValueError, match="polarity"):
        compare(pd.Series([1.0]), pd.Series([2.0]), 3.0, "up")


limit = st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(limit, limit, limit, st.sampled_from(sorted(DIRECTIONS)))
def test_scalar_and_column_forms_give_the_same_label(lower, upper, benchmark, polarity):
    column = compare(
        pd.Series([lower], dtype="Float64"),
        pd.Series([upper], dtype="Float64"),
        float("nan") if benchmark is None else benchmark,
        polarity,
    )
    assert compare_one(lower, upper, benchmark, polarity) == column.iloc[0]
