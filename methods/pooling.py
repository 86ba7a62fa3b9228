"""Pooling a group of areas' counts into one value, re-protected by the disclosure rule.

A group's value (a peer group, say) is the value of the people in it: the sum of the areas'
numerators over the sum of their denominators, times the indicator's multiplier. The sums are
derived figures, so where the counts come from a source under the rule (``rounded``, see
:mod:`methods.disclosure`) it is applied to them again: a pooled count of 1 to 7 suppresses
the value, and the others are shown rounded to 5. Sums of exact counts are shown exact. The
value is computed from the sums as shown, so value x denominator gives back the numerator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from methods.disclosure import ROUNDED, SMALL_COUNT_NOTE, shown_count

#: Statistics whose value is numerator / denominator (times the multiplier), so can be pooled.
POOLABLE = frozenset({"proportion", "rate", "ratio"})


@dataclass(frozen=True)
class Pooled:
    """A pooled value with the counts that may be shown, or why it is hidden."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None

    @property
    def suppressed(self) -> bool:
        """True when the disclosure rule hides the pooled value."""
        return self.value is None


def _shown(total: float, release: str) -> tuple[float, bool]:
    """One pooled count as shown under its release, and whether the rule hides it."""
    count = pd.Series([total], dtype="Float64")
    shown, small = shown_count(count, pd.Series([release == ROUNDED]))
    return float(shown.to_numpy(dtype="float64", na_value=np.nan)[0]), bool(small.iloc[0])


def pool(
    numerators: Sequence[float],
    denominators: Sequence[float],
    multiplier: float = 1.0,
    numerator_release: str = ROUNDED,
    denominator_release: str = ROUNDED,
) -> Pooled:
    """Sum the counts, protect the sums by their releases, and compute the value from them.

    The releases are those of :data:`methods.disclosure.RELEASES` (by default both under the
    rule); a ratio's expected count is not a count of people, so its caller passes
    ``exact`` for the denominator. Raises ``ValueError`` when a count is missing or the
    pooled denominator is not positive: a group is pooled only when every member has both.
    """
    num = np.asarray(numerators, dtype="float64")
    den = np.asarray(denominators, dtype="float64")
    if not (np.isfinite(num).all() and np.isfinite(den).all()) or not den.sum() > 0:
        raise ValueError("pooling needs both counts for every area and a positive denominator")
    total_num, hide_num = _shown(float(num.sum()), numerator_release)
    total_den, hide_den = _shown(float(den.sum()), denominator_release)
    if hide_num or hide_den or not total_den > 0:
        return Pooled(None, note=SMALL_COUNT_NOTE)
    return Pooled(total_num / total_den * multiplier, total_num, total_den)
