"""The disclosure rule and the per-source releases it is applied by.

Example tests pin the rule's edges (0, 1, 7, 8, halves, England); property tests (hypothesis)
check what must hold for any counts: no count under the rule is shown from 1 to 7, every one
shown is a multiple of 5 within 2.5 of the truth, exact counts pass untouched, protecting twice
changes nothing, and no total gives back a part it hides.
"""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methods import disclosure


def _values(nums, dens, level="ccg", suppressed=None):
    n = len(nums)
    return pd.DataFrame(
        {
            "indicator_id": ["x"] * n,
            "period": ["p"] * n,
            "area_code": [f"A{i}" for i in range(n)],
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
    assert out.loc[1, ["value", "lower_95", "numerator", "denominator"]].isna().all()
    assert out.loc[1, "note"] == disclosure.SMALL_COUNT_NOTE
    assert out.loc[1, "comparison"] == "not_compared"
    # shown counts are rounded to 5
    assert out.loc[3, "numerator"] == 10 and out.loc[0, "numerator"] == 0


def test_exact_releases_are_shown_as_published():
    """QOF registers, list sizes, populations: NHS England and ONS release them exact."""
    out = disclosure.protect_counts(
        _values([3, 1234], [5, 5678]), disclosure.EXACT, disclosure.EXACT
    )
    assert out["numerator"].tolist() == [3, 1234]
    assert out["denominator"].tolist() == [5, 5678]
    assert not out["suppressed"].any()


def test_a_rounded_count_over_an_exact_population_keeps_the_population_whole():
    out = disclosure.protect_counts(
        _values([1234, 4], [250_001, 250_001]), disclosure.ROUNDED, disclosure.EXACT
    )
    assert out.loc[0, ["numerator", "denominator"]].tolist() == [1235, 250_001]
    assert out.loc[1, "suppressed"] and pd.isna(out.loc[1, "denominator"])


def test_releases_can_differ_row_by_row():
    release = pd.Series([disclosure.EXACT, disclosure.ROUNDED])
    out = disclosure.protect_counts(_values([3, 3], [100, 100]), release, disclosure.EXACT)
    assert out["suppressed"].tolist() == [False, True]


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


def test_every_source_has_a_known_release_and_unknown_ones_fail():
    assert {s.release for s in disclosure.SOURCES.values()} <= set(disclosure.RELEASES)
    assert disclosure.release_of("talking_therapies") == disclosure.ROUNDED
    assert disclosure.release_of("mhsds") == disclosure.ROUNDED
    assert disclosure.release_of("qof") == disclosure.EXACT
    with pytest.raises(ValueError, match="unknown release source 'nhs'"):
        disclosure.release_of("nhs")
    with pytest.raises(ValueError, match="unknown release"):
        disclosure.protect_counts(_values([1], [2]), "approximate")


def test_an_indicators_releases_come_from_its_source_keys():
    assert disclosure.count_releases("rate", "mhsds", "population") == ("rounded", "exact")
    assert disclosure.count_releases("proportion", "qof", "qof") == ("exact", "exact")
    # an expected count is not a count of people, whatever the key says
    assert disclosure.count_releases("ratio", "talking_therapies", None) == ("rounded", "exact")
    # an atlas written before releases were recorded: the safe side
    assert disclosure.count_releases("rate", None, float("nan")) == ("rounded", "rounded")


def test_a_total_that_would_give_back_a_hidden_part_is_hidden_up_to_england():
    # Sub-ICBs S0 (5: hidden) and S1 add up to ICB I, which with I2 adds up to region R.
    frame = pd.DataFrame(
        {
            "indicator_id": "x",
            "period": "p",
            "area_code": ["S0", "S1", "I", "I2", "R", "E"],
            "level": ["sub_icb", "sub_icb", "icb", "icb", "region", "england"],
            "numerator": pd.Series([5, 100, 105, 200, 305, 305], dtype="Float64"),
            "denominator": pd.Series([1e4] * 6, dtype="Float64"),
            "value": pd.Series([1.0] * 6, dtype="Float64"),
            "suppressed": False,
            "note": pd.Series([pd.NA] * 6, dtype="string"),
        }
    )
    parents = {
        ("sub_icb", "S0"): ("icb", "I"),
        ("sub_icb", "S1"): ("icb", "I"),
        ("icb", "I"): ("region", "R"),
        ("icb", "I2"): ("region", "R"),
        ("region", "R"): ("england", "E"),
    }
    protected = disclosure.protect_counts(frame, disclosure.ROUNDED, disclosure.EXACT)
    out = disclosure.hide_totals(protected, parents).set_index("area_code")
    assert out["suppressed"].tolist() == [True, False, True, False, True, False]
    assert out.loc["I", "note"] == disclosure.TOTAL_NOTE and pd.isna(out.loc["I", "numerator"])
    assert out.loc["E", "numerator"] == 305  # England is exact and stays


# ------------------------------------------------------------------------------ properties

COUNTS = st.one_of(st.integers(0, 12), st.integers(13, 500_000))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(COUNTS, st.integers(0, 400_000)), min_size=1, max_size=30))
def test_no_disclosive_count_survives_and_shown_counts_stay_near_the_truth(rows):
    nums = [n for n, _ in rows]
    dens = [n + extra for n, extra in rows]
    out = disclosure.protect(_values(nums, dens))
    for column, raw in (("numerator", nums), ("denominator", dens)):
        shown = out[column].astype("float64")
        kept = shown.notna()
        assert not ((shown >= 1) & (shown < disclosure.THRESHOLD)).any()
        assert (shown[kept] % 5 == 0).all()
        assert ((shown[kept] - pd.Series(raw)[kept]).abs() <= 2.5).all()
    # every suppressed row explains itself and shows nothing
    hidden = out["suppressed"]
    assert out.loc[hidden, "note"].notna().all()
    assert out.loc[hidden, ["value", "numerator", "denominator"]].isna().all().all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(COUNTS, min_size=1, max_size=20),
    st.sampled_from(sorted(disclosure.RELEASES)),
)
def test_protecting_twice_changes_nothing(nums, release):
    once = disclosure.protect_counts(_values(nums, [n + 100 for n in nums]), release, release)
    twice = disclosure.protect_counts(once, release, release)
    pd.testing.assert_frame_equal(once, twice)


@settings(max_examples=200, deadline=None)
@given(st.lists(COUNTS, min_size=1, max_size=20))
def test_exact_and_values_releases_never_change_a_count(nums):
    for release in (disclosure.EXACT, disclosure.VALUES):
        out = disclosure.protect_counts(_values(nums, nums), release, release)
        assert out["numerator"].tolist() == nums and not out["suppressed"].any()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.integers(0, 7), st.integers(8, 5_000)), min_size=1, max_size=6),
        min_size=1,
        max_size=6,
    )
)
def test_no_total_gives_back_a_hidden_part(groups):
    """ICBs of sub-ICBs under one region: no shown total minus its shown parts is 1 to 7."""
    codes, levels, nums, parents = [], [], [], {}
    for i, children in enumerate(groups):
        for j, count in enumerate(children):
            codes.append(f"S{i}.{j}")
            levels.append("sub_icb")
            nums.append(count)
            parents[("sub_icb", f"S{i}.{j}")] = ("icb", f"I{i}")
        codes.append(f"I{i}")
        levels.append("icb")
        nums.append(sum(children))
        parents[("icb", f"I{i}")] = ("region", "R")
    codes.append("R")
    levels.append("region")
    nums.append(sum(map(sum, groups)))
    frame = _values(nums, [10_000] * len(nums)).assign(area_code=codes, level=levels)
    out = disclosure.hide_totals(
        disclosure.protect_counts(frame, disclosure.ROUNDED, disclosure.EXACT), parents
    )
    shown = dict(zip(out["area_code"], out["numerator"].astype("float64"), strict=True))
    children_of: dict[str, list[str]] = {}
    for (_, child), (_, parent) in parents.items():
        children_of.setdefault(parent, []).append(child)
    for parent, children in children_of.items():
        parts = [shown[c] for c in children]
        if pd.isna(shown[parent]) or not any(pd.isna(p) for p in parts):
            continue
        derived = shown[parent] - sum(p for p in parts if not pd.isna(p))
        assert not 1 <= derived < disclosure.THRESHOLD, (parent, derived)
