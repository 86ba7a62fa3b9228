"""Tables for people: the layouts shown beside maps and charts and offered as CSV.

Each function turns atlas rows into the columns a reader sees (names, units, limits, the
comparison in words, the note saying why a value is blank). They compute nothing: every
figure is the atlas's own.
"""

from __future__ import annotations

import pandas as pd

from gapmap.wording import (
    QUALITY_WORDS,
    comparison_column,
    joined,
    number_format,
    plural,
    spread_notes,
)


def display_table(table: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """The human table of a map: area, value with limits, England comparison, notes.

    Values and limits hold the figures every other output prints (``wording.number_format``);
    a row flagged for data quality reads its rule where the comparison would be, and a
    ratio similar to England though its interval leaves England out says why in its note.
    """
    unit = str(meta["unit"])
    fmt = number_format(meta)
    spread = spread_notes(table, meta.get("statistic"), fmt.decimals)
    out = pd.DataFrame(
        {
            "Area": table["area_name"],
            "Code": table["area_code"],
            f"Value ({unit})": table["value"].map(fmt.rounded).astype("Float64"),
            "Lower 95% limit": table["lower_95"].map(fmt.rounded).astype("Float64"),
            "Upper 95% limit": table["upper_95"].map(fmt.rounded).astype("Float64"),
            "Compared with England": comparison_column(table),
            **count_columns(table, meta),
            "Note": [
                joined(note, spread) for note, spread in zip(table["note"], spread, strict=True)
            ],
        }
    )
    return out.sort_values(f"Value ({unit})", ascending=False, na_position="last").reset_index(
        drop=True
    )


def count_columns(table: pd.DataFrame, meta: pd.Series) -> dict[str, pd.Series]:
    """The counts behind each value, named for what they are.

    A ratio's are the observed count and the count expected at England's rate (a modelled
    figure, to one decimal); a rate's or proportion's are whole counts, never "29700.0".
    """
    numerator = whole(pd.to_numeric(table["numerator"], errors="coerce"))
    denominator = pd.to_numeric(table["denominator"], errors="coerce")
    if str(meta.get("statistic", "")) == "ratio":
        return {"Observed": numerator, "Expected": denominator.round(1).astype("Float64")}
    return {"Numerator": numerator, "Denominator": whole(denominator)}


def decimal_places(frame: pd.DataFrame, most: int = 3) -> dict[str, int]:
    """Places each rounded float column is shown to, so 40.0 reads "40.0" beside "43.5".

    The grid drops trailing zeros; the figures are already rounded as every output prints
    them, so the places a column needs are the most any of its values has.
    """
    places = {}
    for column in frame.columns:
        if not pd.api.types.is_float_dtype(frame[column]):
            continue
        known = frame[column].dropna().astype(float)
        for digits in range(most + 1):
            if ((known * 10**digits).round() - known * 10**digits).abs().le(1e-6).all():
                break
        if digits:
            places[str(column)] = digits
    return places


def whole(counts: pd.Series) -> pd.Series:
    """Whole counts (to float error: a sum of populations) as integers, others to 0.1.

    Apportioned or modelled counts (an expected count) keep one decimal place.
    """
    known = counts.dropna().astype(float)
    if (known - known.round()).abs().le(1e-6).all():
        return counts.round().astype("Int64")
    return counts.round(1).astype("Float64")


#: Atlas columns that hold a figure in the indicator's unit, and those that hold counts.
FIGURE_COLUMNS = ("value", "lower_95", "upper_95", "lower_998", "upper_998", "england_value")
COUNT_COLUMNS = ("numerator", "denominator")


def rounded(frame: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """Atlas rows with each figure as every output prints it and counts as whole numbers.

    For the tables behind charts, offered as CSV: "1911.2", not "1911.198435120281".
    """
    fmt = number_format(meta)
    out = frame.copy()
    for column in FIGURE_COLUMNS:
        if column in out.columns:
            numbers = pd.to_numeric(out[column], errors="coerce")
            out[column] = numbers.map(fmt.rounded).astype("Float64")
    for column in COUNT_COLUMNS:
        if column in out.columns:
            out[column] = whole(pd.to_numeric(out[column], errors="coerce"))
    return out


def for_download(shown: pd.DataFrame, meta: pd.Series, period: str) -> pd.DataFrame:
    """A map table as a CSV, each row saying which indicator and period it is.

    A file that travels without the page still reads.
    """
    return shown.assign(Indicator=str(meta["name"]), Period=period)[
        ["Indicator", "Period", *shown.columns]
    ]


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


#: Levels as the data-quality table names them.
LEVEL_NAMES = {
    "sub_icb": "Sub-ICB location",
    "pcn": "Primary care network (PCN)",
    "icb": "ICB",
    "region": "NHS region",
    "ccg": "CCG",
}


def quality_table(
    caught: pd.DataFrame, areas: pd.DataFrame, indicators: pd.DataFrame
) -> pd.DataFrame:
    """Every area-period a data-quality rule caught, as the Methods page lists it.

    ``caught`` is the atlas's ``quality.parquet``; ``areas`` and ``indicators`` give names.
    The figure is a count, or a percentage for the health checks; the usual level is the
    median the rule set it against; "Left short" is how far the row's own total falls below
    its usual level.
    """
    if caught.empty:
        return pd.DataFrame()
    names = areas.drop_duplicates(["area_code", "vintage"]).set_index(["area_code", "vintage"])
    key = pd.MultiIndex.from_frame(caught[["area_code", "vintage"]].astype(str))
    area = names["area_name"].reindex(key).to_numpy()
    percent = caught["unit"].astype(str) == "percent"
    counts, shares = number_format(unit="", statistic="count"), number_format(unit="%")

    def shown(column: str) -> pd.arrays.FloatingArray:
        pairs = zip(caught[column], percent, strict=True)
        return pd.array([(shares if pc else counts).rounded(v) for v, pc in pairs], "Float64")

    out = pd.DataFrame(
        {
            "Rule": caught["rule"].map(QUALITY_WORDS).fillna(caught["rule"]),
            "Indicator": caught["indicator_id"].map(indicators["short_name"]),
            "Area": area,
            "Code": caught["area_code"],
            "Level": caught["level"].map(LEVEL_NAMES).fillna(caught["level"]),
            "Period": caught["period"],
            "Caught": caught["basis"],
            "Measured": caught["measure"],
            "Months caught": caught["months"],
            "Figure": shown("value"),
            "Usual level": shown("reference"),
            "Figure as % of usual": (100 * caught["share"]).map(shares.rounded).astype("Float64"),
            "Left short (%)": (100 * caught["short_share"]).map(shares.rounded).astype("Float64"),
            "In": caught["parts"],
            "Note": caught["note"],
        }
    )
    return out.sort_values(["Rule", "Indicator", "Level", "Period", "Area"]).reset_index(drop=True)


def quality_summary(caught: pd.DataFrame) -> str:
    """How many figures each rule flags, in a sentence for the Methods page."""
    if caught.empty:
        return "No figure in this atlas is flagged by a data-quality rule."
    counts = caught["rule"].value_counts()
    parts = [
        plural(int(counts[rule]), words.removeprefix("Data quality: "))
        for rule, words in QUALITY_WORDS.items()
        if rule in counts
    ]
    return (
        f"The rules flag {plural(len(caught), 'figure')} in this atlas: "
        f"{' and '.join(parts)}. Each is listed below, with its evidence."
    )
