"""Data quality: figures that are artefacts of collection are kept, marked and not compared.

An NHS provider that sends part of its records for a month (NHS Digital reported a cyber
incident affecting submissions from August 2022), or a collection that records nobody
checked in an area that usually checks many, produces a figure that is not a finding. The
rules (:mod:`.rules`) catch these in each source's own series (:mod:`.evidence`); the build
marks the atlas rows made from them (:mod:`.mark`): each keeps its value, gets the rule's id
in the ``quality`` column and a note with the evidence, is not compared with England, and is
left out of every benchmark (England sums, the overdispersion estimate, expected counts,
peer groups and funnel limits).

This module is what :func:`data_pipeline.indicators.finalise` needs; it imports nothing
from the indicators, so the catalogue can import it.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.quality.rules import IMPLAUSIBLE_ZERO, INCOMPLETE_SUBMISSION, RULES

#: The values column holding a flagged row's rule id (NA when the row is fine).
QUALITY = "quality"


def unflagged(frame: pd.DataFrame) -> pd.Series:
    """True for rows without a data-quality flag (every row of a frame without the column)."""
    if QUALITY not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame[QUALITY].isna()


def withhold(values: pd.DataFrame) -> pd.DataFrame:
    """Flagged rows are not compared, at 95% or 99.8%; a frame without flags gets the column."""
    out = values.copy()
    if QUALITY not in out.columns:
        out[QUALITY] = pd.Series(pd.NA, index=out.index, dtype="string")
    out[QUALITY] = out[QUALITY].astype("string")
    flagged = out[QUALITY].notna()
    out.loc[flagged, ["comparison", "comparison_998"]] = "not_compared"
    return out


__all__ = [
    "IMPLAUSIBLE_ZERO",
    "INCOMPLETE_SUBMISSION",
    "QUALITY",
    "RULES",
    "unflagged",
    "withhold",
]
