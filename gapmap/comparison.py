"""The selected area against England and its peer group, one row per indicator.

The Secondary care and Physical health pages show the selected area's latest value of a
family of indicators beside England's and its peers'. Each indicator is read on its own
latest period and boundaries, so the peer group is the selection's on that map.
"""

from __future__ import annotations

import pandas as pd

from gapmap import peers
from gapmap.atlas import Atlas
from gapmap.state import Selection
from gapmap.view import Panel, latest_panel
from gapmap.wording import (
    NumberFormat,
    comparison_word,
    joined,
    number_format,
    quality_word,
    spread_note,
)

SECONDARY_INDICATORS = (
    "mhsds_in_contact_rate",
    "mhsds_admissions_rate",
    "mhsds_detentions_rate",
    "secondary_reliance_ratio",
    "tt_gap_ratio",
)
PHYSICAL_INDICATORS = (
    "smi_health_checks_pct",
    "smi_excess_mortality_ratio",
    "smoking_prevalence",
    "life_expectancy_female",
    "life_expectancy_male",
)


def _row(atlas: Atlas, selection: Selection, figure: Panel, row: pd.Series) -> dict:
    """One indicator's line: the area (blank when suppressed), England and the peer group.

    Numbers are rounded as the indicator's own format prints them (:mod:`gapmap.wording`),
    so the CSV holds the very figures the page shows.
    """
    meta = figure.meta
    fmt = number_format(meta)
    group = peers.group(atlas, selection, figure.vintage)
    pooled = peers.peer_value(figure.table, group.codes, meta)
    hidden = bool(row["suppressed"])
    note, limits = row.get("note"), (row["lower_95"], row["upper_95"], fmt.decimals)
    return {
        "Indicator": meta["short_name"],
        "Period": figure.period,
        "Unit": meta["unit"],
        "Area": None if hidden else fmt.rounded(row["value"]),
        "Lower 95%": None if hidden else fmt.rounded(row["lower_95"]),
        "Upper 95%": None if hidden else fmt.rounded(row["upper_95"]),
        "England": None if figure.england is None else fmt.rounded(figure.england["value"]),
        "Peer group": fmt.rounded(pooled.value),
        "Peer value is": pooled.how,
        "Compared with England": comparison_word(row["comparison"], row.get("quality")),
        "Compared with peers": quality_word(row.get("quality"))
        or peers.compared(
            None if hidden else row["lower_95"],
            None if hidden else row["upper_95"],
            pooled.value,
            str(meta["polarity"]),
        ),
        "Note": joined(
            note,
            "" if hidden else spread_note(meta["statistic"], row["comparison"], *limits),
        ),
        DECIMALS: fmt.decimals,
    }


#: A column the table carries for :func:`shown` (each row's decimals), not shown or saved.
DECIMALS = "_decimals"


def comparison_table(
    atlas: Atlas, selection: Selection, indicators: tuple[str, ...]
) -> pd.DataFrame:
    """The selected area's latest value of each indicator beside England and its peer group.

    The peer group is the selection's (:func:`gapmap.peers.group`) on each indicator's own
    map; its value is pooled from counts or the median (:func:`gapmap.peers.peer_value`),
    and the column saying which travels with the table. Indicators the level lacks, or the
    area has no row of, are left out. Numbers are the figures as shown; the page shows
    :func:`shown` and the download is :func:`for_csv`.
    """
    rows = []
    for indicator_id in indicators:
        figure = latest_panel(atlas, indicator_id, selection.level)
        row = None if figure is None else figure.row(selection.area)
        if row is not None:
            rows.append(_row(atlas, selection, figure, row))
    return pd.DataFrame(rows)


def for_csv(table: pd.DataFrame) -> pd.DataFrame:
    """The table as downloaded: numbers as shown, without the formatting column."""
    return table.drop(columns=DECIMALS, errors="ignore")


def shown(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the page shows it, each row's numbers in its indicator's format.

    The interval is one cell ("3,310.8 to 3,373.6"); what is missing is blank.
    """
    out = table.drop(columns=["Lower 95%", "Upper 95%", DECIMALS], errors="ignore").copy()
    intervals, numbers = [], {c: [] for c in ("Area", "England", "Peer group")}
    for _, row in table.iterrows():
        fmt = NumberFormat(str(row["Unit"] or ""), int(row[DECIMALS]))
        intervals.append(fmt.interval(row["Lower 95%"], row["Upper 95%"], unit=False))
        for column, cells in numbers.items():
            cells.append(fmt.number(row[column]))
    for column, cells in numbers.items():
        out[column] = cells
    out.insert(out.columns.get_loc("Area") + 1, "95% confidence interval", intervals)
    return out
