import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from methods import disclosure


def _values(nums, dens, level="ccg", suppressed=None):
    n = len(nums)
    return pd.DataFrame(
        {
            "level": [level] * n,
            "numerator": pd.Series(nums, dtype="Float64"),
            "denominator": pd.Series(dens, dtype="Float64"),
            "value": pd.Series([1.0] * n, dtype="Float64"),
            "lower_95": pd.Series([0.5] * n, dtype="Float64"),
            "upper_95": pd.Series([1.5] * n, dtype="Float64"),
            "lower_998": pd.Series([0.4] * n, dtype="Float64"),
            "upper_998": pd.Series([1.6] * n, dtype="Float64"),
            "comparison": pd.Series(["worse"] * n, dtype="string"),
            "suppressed": suppressed if suppressed is not None else [False] * n,
            "note": pd.Series([pd.NA] * n, dtype="string"),
        }
    )


def test_small_counts_suppress_the_whole_row_with_a_note():
    out = disclosure.protect(_values([0, 1, 7, 8, 12], [100, 100, 100, 100, 3]))
    assert out["suppressed"].tolist() == [False, True, True, False, True]
    assert out.loc[1, ["value", "lower_95", "numerator"]].isna().all()
    assert out.loc[1, "note"] == disclosure.SMALL_COUNT_NOTE
    assert out.loc[1, "comparison"] == "not_compared"
    # shown counts are rounded to 5
    assert out.loc[3, "numerator"] == 10 and out.loc[0, "numerator"] == 0


def test_england_keeps_exact_counts():
    out = disclosure.protect(_values([3, 1234], [100, 5678], level="england"))
    assert out["numerator"].tolist() == [3, 1234]
    assert not out["suppressed"].any()


def test_source_suppression_keeps_its_note():
    vals = _values([pd.NA], [100], suppressed=[True])
    vals.loc[0, "note"] = disclosure.SOURCE_NOTE
    out = disclosure.protect(vals)
    assert out.loc[0, "note"] == disclosure.SOURCE_NOTE and pd.isna(out.loc[0, "value"])


def test_round_to_five_rounds_halves_up():
    s = pd.Series([0, 2, 2.5, 3, 7.5, 12, 13], dtype="Float64")
    assert disclosure.round_to_five(s).tolist() == [0, 0, 5, 5, 10, 10, 15]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=30))
def test_no_disclosive_count_survives(counts):
    out = disclosure.protect(_values(counts, [c + 50 for c in counts]))
    shown = out["numerator"].dropna()
    assert not ((shown >= 1) & (shown < 8)).any()
    assert (shown % 5 == 0).all()
    # every suppressed row explains itself
    assert out.loc[out["suppressed"], "note"].notna().all()
