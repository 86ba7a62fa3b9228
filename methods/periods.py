"""Ordering period labels in time ("2014-15", "Jul 2022 - May 2023", "2016-04"...).

Shared by the pipeline (which period of a source is the newest, for the manifest's freshness
record) and the app (period choices, trends), so both sides order periods the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Month names as printed, January first.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Three-letter month abbreviations (lower case) to month numbers.
MONTHS = {name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)}


def sort_key(period: str) -> tuple[int, int, str]:
    """(year, month, label) for the start of a period label.

    Financial years ("2018-19") start in April; months ("2016-04", "Nov 2022") and quarters
    ("2025 Q1-Q2") in their own month; a bare year ("2020", "IoD2025") in January. Labels with
    no year sort last.
    """
    text = str(period)
    year = re.search(r"(?:19|20)\d\d", text)
    if not year:
        return (9999, 0, text)
    start = int(year.group(0))
    month = 1
    pair = re.match(r"^(\d{4})-(\d{2})\b", text)
    if pair:
        second = int(pair.group(2))
        month = 4 if second == (start + 1) % 100 else second
    named = re.match(r"^([A-Za-z]{3})\b", text)
    if named and named.group(1).lower() in MONTHS:
        month = MONTHS[named.group(1).lower()]
    quarter = re.search(r"\bQ([1-4])", text)
    if quarter:
        month = 3 * int(quarter.group(1)) - 2
    return (start, month, text)


def ordered(periods: Iterable[str]) -> list[str]:
    """Distinct periods from oldest to newest."""
    return sorted({str(p) for p in periods}, key=sort_key)


def newest(periods: Iterable[str]) -> str | None:
    """The most recent of ``periods`` (None when there are none)."""
    chosen = ordered(periods)
    return chosen[-1] if chosen else None
