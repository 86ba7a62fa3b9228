"""Tables for people: the layouts shown beside maps and charts and offered as CSV.

Each function turns atlas rows into the columns a reader sees (names, units, limits, the
comparison in words, the note saying why a value is blank). They compute nothing: every
figure is the atlas's own.
"""

from __future__ import annotations

import pandas as pd

from gapmap.wording import COMPARISON_WORDS, number_format


def display_table(table: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """The human table of a map: area, value with limits, England comparison, notes.

    Values and limits hold the figures every other output prints (``wording.number_format``).
    """
    unit = str(meta["unit"])
    fmt = number_format(meta)
    out = pd.DataFrame(
        {
            "Area": table["area_name"],
            "Code": table["area_code"],
            f"Value ({unit})": table["value"].map(fmt.rounded).astype("Float64"),
            "Lower 95% limit": table["lower_95"].map(fmt.rounded).astype("Float64"),
            "Upper 95% limit": table["upper_95"].map(fmt.rounded).astype("Float64"),
            "Compared with England": table["comparison"].map(COMPARISON_WORDS),
            "Numerator": table["numerator"],
            "Denominator": table["denominator"],
            "Note": table["note"],
        }
    )
    return out.sort_values(f"Value ({unit})", ascending=False, na_position="last").reset_index(
        drop=True
    )


def neighbourhood_table(shapes: pd.DataFrame) -> pd.DataFrame:
    """The drill-down map's neighbourhoods as a table, most deprived first.

    The map colours each LSOA by its IMD decile; this is the same information for people
    who cannot see the colours or use a mouse.
    """
    decile = pd.to_numeric(shapes["imd_decile"], errors="coerce").astype("Int64")
    out = pd.DataFrame(
        {
            "Neighbourhood (LSOA)": shapes["area_name"],
            "Code": shapes["area_code"],
            "IMD decile (1 = most deprived)": decile,
        }
    )
    return out.sort_values(
        ["IMD decile (1 = most deprived)", "Code"], na_position="last"
    ).reset_index(drop=True)


def practice_table(practices: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """The drill-down map's GP practices as a table, with the value their tooltips show.

    Suppressed values stay blank, with the reason in the note.
    """
    hidden = practices["suppressed"].fillna(False).astype(bool)
    value = pd.to_numeric(practices["value"], errors="coerce").where(~hidden)
    shown = value.map(number_format(meta).rounded).astype("Float64")
    out = pd.DataFrame(
        {
            "GP practice": practices["area_name"],
            "Code": practices["area_code"],
            f"{meta['short_name']} ({meta['unit']})": shown,
            "Note": practices["note"],
        }
    )
    return out.sort_values("GP practice").reset_index(drop=True)
