"""A user's own area as people read it: its figures as a table, a CSV and a profile.

Pure functions of :func:`gapmap.custom_area.figures`, so the page, the board pack and the
tests read the same words and numbers.
"""

from __future__ import annotations

import pandas as pd

from gapmap import wording
from gapmap.atlas import Atlas
from gapmap.custom_area import PART_LEVELS
from gapmap.periods import ordered

#: Columns of the CSV, beside the area's name and link.
CSV_COLUMNS = (
    "indicator_id", "period", "value", "lower_95", "upper_95", "lower_998", "upper_998",
    "numerator", "denominator", "england_value", "comparison", "comparison_998",
    "council", "council_value", "council_comparison", "parts_used", "parts_total", "note",
)  # fmt: skip


def latest(figures: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's newest period, in the catalogue's order (a profile's rows)."""
    if figures.empty:
        return figures
    rows = []
    for _, part in figures.groupby("indicator_id", sort=False):
        newest = ordered(part["period"])[-1]
        rows.append(part.loc[part["period"] == newest].iloc[0])
    return pd.DataFrame(rows).reset_index(drop=True)


def profile(atlas: Atlas, figures: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's newest figure (shown or withheld) in ``Atlas.profile``'s form.

    The same form as a fixed area's profile, so the same sentences can be written.
    """
    rows = latest(figures)
    rows = rows.loc[rows["value"].notna() | rows["note"].fillna("").str.startswith("Not shown")]
    meta = atlas.indicators[["short_name", "domain", "unit", "polarity"]]
    out = rows.join(meta, on="indicator_id").reset_index(drop=True)
    return out.assign(suppressed=out["value"].isna())


def _text(value: object, meta: pd.Series) -> str:
    """A value in its indicator's places, without the unit (the indicator's name has it)."""
    places = wording.decimal_places(str(meta["unit"]), str(meta["statistic"]), str(meta["id"]))
    return wording.fixed(value, places)


def _label(meta: pd.Series) -> str:
    """'Antidepressant items (per 1,000)': the unit once, so the numbers stay short."""
    unit = str(meta["unit"] or "").strip()
    shown = unit not in ("", "ratio", "score", "decile")
    return f"{meta['short_name']} ({unit})" if shown else str(meta["short_name"])


def _interval(row: pd.Series, meta: pd.Series) -> str:
    """'13.3 to 14.0': the limits in the value's places (the unit is in the row's name)."""
    low, high = wording.as_number(row.get("lower_95")), wording.as_number(row.get("upper_95"))
    if low is None or high is None:
        return ""
    return f"{_text(low, meta)} to {_text(high, meta)}"


def _from(row: pd.Series) -> str:
    used, total = row.get("parts_used"), row.get("parts_total")
    noun = PART_LEVELS[str(row["part_level"])]
    total = int(total) if wording.as_number(total) is not None else 0
    used = int(used) if wording.as_number(used) is not None else 0
    if not used:
        return ""
    return f"{used:,} of {total:,} {noun}s" if total != 1 else f"your one {noun}"


def _council_cell(row: pd.Series) -> dict[str, str]:
    name = row.get("council")
    if not isinstance(name, str):
        return {}
    word = row.get("council_comparison")
    text = "" if not isinstance(word, str) else wording.comparison_word(word, benchmark=name)
    return {f"Compared with {name}": text}


def shown(atlas: Atlas, figures: pd.DataFrame) -> pd.DataFrame:
    """The table people read: every indicator's newest figure in words, blanks blank."""
    rows = []
    for _, row in latest(figures).iterrows():
        meta = atlas.indicator(str(row["indicator_id"]))
        value = wording.as_number(row["value"])
        rows.append(
            {
                "Indicator": _label(meta),
                "Period": str(row["period"]),
                "Value": "" if value is None else _text(value, meta),
                "95% interval": _interval(row, meta),
                "England": ""
                if wording.as_number(row["england_value"]) is None
                else _text(row["england_value"], meta),
                "Compared with England": wording.comparison_word(row["comparison"])
                if value is not None and row["comparison"] != "not_compared"
                else "",
                **_council_cell(row),
                "From": _from(row),
                "Note": "" if pd.isna(row["note"]) else str(row["note"]),
            }
        )
    columns = ["Indicator", "Period", "Value", "95% interval", "England", "Compared with England"]
    councils = figures["council"].dropna().unique() if "council" in figures else []
    columns += [f"Compared with {name}" for name in councils]
    frame = pd.DataFrame(rows).reindex(columns=[*columns, "From", "Note"])
    return frame.fillna("")


def notes(table: pd.DataFrame) -> list[str]:
    """The table's notes as lines ('IMD decile: shown for the parts only …').

    For a page that shows them below the table rather than in a narrow column.
    """
    rows = table.loc[table["Note"] != ""]  # the indicator names carry their units
    return [f"{r['Indicator']}: {wording.lower_first(r['Note'])}" for _, r in rows.iterrows()]


def csv(atlas: Atlas, figures: pd.DataFrame, name: str, link: str) -> pd.DataFrame:
    """Every period of every indicator, rounded as printed, with the area's name and link."""
    out = figures.reindex(columns=list(CSV_COLUMNS))
    metas = [atlas.indicator(str(i)) for i in out["indicator_id"]]
    places = [
        wording.decimal_places(str(m["unit"]), str(m["statistic"]), str(m["id"])) for m in metas
    ]
    numbers = ("value", "lower_95", "upper_95", "lower_998", "upper_998", "england_value")
    for column in (*numbers, "council_value"):
        numbers = [wording.as_number(v) for v in out[column]]
        out[column] = pd.array(
            [None if n is None else round(n, p) for n, p in zip(numbers, places, strict=True)],
            dtype="Float64",
        )
    for column in ("comparison", "comparison_998", "council_comparison"):
        out[column] = [
            wording.comparison_word(c)
            if isinstance(c, str) and wording.as_number(v) is not None
            else ""
            for c, v in zip(out[column], out["value"], strict=True)
        ]
    out.insert(1, "indicator", out["indicator_id"].map(atlas.indicators["short_name"]))
    out.insert(0, "area", name)
    out["area_link"] = link
    return out
