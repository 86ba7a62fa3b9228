"""Pooling a group's counts, and the disclosure rule applied again to the sums."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from methods.disclosure import EXACT, ROUNDED, SMALL_COUNT_NOTE, THRESHOLD
from methods.pooling import POOLABLE, pool


def test_pooled_value_is_total_numerator_over_total_denominator():
    out = pool([10, 30, 100], [100, 100, 2000], multiplier=100)
    assert out.value == pytest.approx(140 / 2200 * 100)
    assert (out.numerator, out.denominator) == (140, 2200)
    assert not out.suppressed and out.note is None


def test_pooled_rounded_counts_are_shown_rounded_and_the_value_follows_from_them():
    out = pool([11, 13], [1001, 1003], multiplier=100)
    assert (out.numerator, out.denominator) == (25, 2005)  # 24 -> 25, 2004 -> 2005
    assert out.value == pytest.approx(25 / 2005 * 100)


def test_pooled_exact_counts_are_shown_exact():
    """QOF registers over list sizes: NHS England releases them exact, so are their sums."""
    out = pool(
        [3, 2], [1001, 1003], multiplier=100, numerator_release=EXACT, denominator_release=EXACT
    )
    assert (out.numerator, out.denominator) == (5, 2004)
    assert out.value == pytest.approx(5 / 2004 * 100)


def test_a_ratios_expected_count_is_not_rounded():
    out = pool([100, 205], [98.7, 200.1], numerator_release=ROUNDED, denominator_release=EXACT)
    assert out.denominator == pytest.approx(298.8)
    assert out.value == pytest.approx(305 / 298.8)


@pytest.mark.parametrize("total", [1, 5, 7])
def test_a_small_pooled_numerator_is_suppressed(total):
    out = pool([0, total], [500, 500])
    assert out.suppressed and out.value is None
    assert out.numerator is None and out.denominator is None
    assert out.note == SMALL_COUNT_NOTE


def test_zero_and_eight_are_not_disclosive():
    assert pool([0, 0], [500, 500]).value == 0.0
    assert pool([3, 5], [500, 500]).numerator == 10  # 8, rounded to 10


def test_pooling_needs_every_count():
    with pytest.raises(ValueError):
        pool([1.0, np.nan], [10.0, 10.0])
    with pytest.raises(ValueError):
        pool([0.0], [0.0])


def test_only_ratios_of_counts_pool():
    assert {"proportion", "rate", "ratio"} == POOLABLE


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.integers(0, 9), st.integers(10, 100_000)), st.integers(1, 500_000)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([1, 100, 1000, 100_000]),
)
def test_pooled_rounded_counts_never_disclose_and_value_gives_back_the_numerator(rows, mult):
    nums = [n for n, _ in rows]
    dens = [n + d for n, d in rows]
    out = pool(nums, dens, multiplier=mult)
    if out.suppressed:
        assert 1 <= sum(nums) < THRESHOLD or sum(dens) < THRESHOLD
        return
    for count in (out.numerator, out.denominator):
        assert count % 5 == 0 and not 1 <= count < THRESHOLD
    assert out.value * out.denominator / mult == pytest.approx(out.numerator, abs=1e-6)
