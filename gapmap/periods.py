"""Period labels and dates as the app prints them.

The ordering of period labels lives in :mod:`methods.periods`, shared with the pipeline;
it is re-exported here so the read side imports its period words from one module.
"""

from __future__ import annotations

from datetime import date

from methods.periods import MONTH_NAMES, MONTHS, newest, ordered, sort_key

__all__ = ["MONTHS", "MONTH_NAMES", "long_date", "newest", "ordered", "sort_key"]


def long_date(day: date) -> str:
    """'23 November 2026', the same in every locale."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
