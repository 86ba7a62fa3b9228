"""Pooling a group's counts, and the disclosure rule applied again to the sums."""

from __future__ import annotations

import numpy as np
import pytest

from methods.disclosure import SMALL_COUNT_NOTE
from methods.pooling import POOLABLE, pool


def test_pooled_value_is_total_numerator_over_total_denominator():
    out = pool([10, 30, 100], [100, 100, 2000], multiplier=100)
    assert out.value == pytest.approx(140 / 2200 * 100)
    assert (out.numerator, out.denominator) == (140, 2200)
    assert not out.suppressed and out.note is None


def test_pooled_counts_are_shown_rounded_but_the_value_uses_the_exact_sums():
    out = pool([11, 13], [1001, 1003], multiplier=100)
    assert (out.numerator, out.denominator) == (25, 2005)  # 24 -> 25, 2004 -> 2005
    assert out.value == pytest.approx(24 / 2004 * 100)


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
