"""Every neighbourhood (LSOA) of England: its colours, its search, its profile, its table.

The Neighbourhoods page draws all 33,755 LSOAs at once. This module decides what it shows
and holds no Streamlit: which indicators can colour the map (whatever the atlas holds at LSOA
level), each neighbourhood's colour and legend class (:func:`gapmap.maps.classify`, as on
every other map), what a search finds, what the map frames, the profile of one
neighbourhood and the table that stands in for the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gapmap import palette, search, state
from gapmap.atlas import Atlas
from gapmap.maps.classes import Classified, classify, colouring, indicator_name
from gapmap.tables import display_table, for_download
from gapmap.wording import (
    COMPARISON_LABELS,
    escape_md,
    lower_first,
    number_format,
)

LEVEL = "lsoa"
#: The page's own keys in the link (see :data:`gapmap.state.PAGE_KEYS`).
LSOA_KEY, INDICATOR_KEY, WITHIN_KEY = state.NEIGHBOURHOOD_KEYS
#: The parents a neighbourhood's profile names, in order, with the words it uses for them.
PARENTS = (
    ("parent_ltla", "ltla", "local authority"),
    ("parent_utla", "utla", "county or unitary authority"),
    ("parent_sub_icb", "sub_icb", "sub-ICB location"),
    ("parent_icb", "icb", "ICB"),
)
#: Map levels whose areas the atlas links neighbourhoods to, so the map can be limited to
#: one of them (regions are not linked: their neighbourhoods are found through ICBs).
CONTAINING = tuple(level for _, level, _ in PARENTS)
#: The size of the map on screen (pixels), for framing an area.
MAP_SIZE = (490, 620)
#: Most neighbourhoods a search lists.
MOST_FOUND = 8
#: Most rows of the map's table shown on the page unasked (the CSV always holds every row).
TABLE_ROWS = 2_000
#: The tooltip's first column: the neighbourhood's name and code.
NAME_COLUMN = "Neighbourhood"


def indicator_choices(atlas: Atlas) -> list[str]:
    """The indicators the atlas holds for neighbourhoods, in catalogue order."""
    return [i for i in atlas.indicator_ids(LEVEL) if atlas.periods(i, LEVEL)]


def chosen_indicator(atlas: Atlas, asked: object) -> str | None:
    """The asked-for indicator where the atlas has it for neighbourhoods, else the first."""
    choices = indicator_choices(atlas)
    if not choices:
        return None
    return str(asked) if asked in choices else choices[0]


@dataclass(frozen=True)
class Shading:
    """One indicator's latest values for every neighbourhood, with colours and legend."""

    indicator: str
    period: str
    meta: pd.Series
    #: The atlas rows (one per neighbourhood), with names.
    table: pd.DataFrame
    classes: Classified

    @property
    def name(self) -> str:
        """The indicator's name as maps show it."""
        return indicator_name(self.meta)

    def rgba(self, codes: pd.Series | list[str]) -> np.ndarray:
        """Fill colours (red, green, blue, alpha; 0-255) for ``codes``, in their order.

        A neighbourhood without a value gets the no-data grey every map uses.
        """
        fill = self.classes.fill
        hexes = [fill.get(str(code), palette.NO_DATA) for code in codes]
        lookup = {colour: _rgb(colour) for colour in set(hexes)}
        out = np.full((len(hexes), 4), 255, dtype=np.uint8)
        if hexes:
            out[:, :3] = np.array([lookup[c] for c in hexes], dtype=np.uint8)
        return out

    def hover_text(self, codes: pd.Series | list[str]) -> list[str]:
        """What hovering over each neighbourhood says of its value, in ``codes`` order."""
        fmt = number_format(self.meta)
        rows = self.table.drop_duplicates("area_code").set_index("area_code")
        rows = rows.reindex([str(code) for code in codes])
        hidden = rows["suppressed"].astype("boolean").fillna(False)
        out = []
        for value, comparison, secret in zip(
            rows["value"], rows["comparison"], hidden, strict=True
        ):
            if secret:
                out.append("suppressed")
                continue
            text = fmt.text(value, missing="no data")
            compared = lower_first(_compared(comparison))
            out.append(f"{text} ({compared})" if compared and text != "no data" else text)
        return out


def _compared(comparison: object) -> str:
    """The comparison with England in words, or "" where none was made."""
    key = "" if comparison is None or comparison is pd.NA else str(comparison)
    return "" if key == "not_compared" else COMPARISON_LABELS.get(key, "")


def shading(atlas: Atlas, indicator: str) -> Shading:
    """Every neighbourhood's latest value of ``indicator``, coloured as the other maps colour."""
    period = atlas.periods(indicator, LEVEL)[-1]
    meta = atlas.indicator(indicator)
    table = atlas.table(indicator, LEVEL, period)
    classes = classify(table, meta, colour_by=colouring(meta))
    return Shading(indicator, period, meta, table, classes)


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


# ---------------------------------------------------------------------------- areas


@dataclass(frozen=True)
class Place:
    """An area the map can be limited to or framed on: its level, code and name."""

    level: str
    code: str
    name: str


def place(atlas: Atlas, level: str | None, code: str | None) -> Place | None:
    """An area that holds neighbourhoods (or a neighbourhood itself), else None."""
    if not code or (level not in CONTAINING and level != LEVEL):
        return None
    row = atlas.area(code, level=level)
    return None if row is None else Place(str(level), code, str(row["area_name"]))


def home_area(atlas: Atlas, selection: state.Selection, lsoa: str | None) -> Place | None:
    """The area the toggle limits the map to.

    The sidebar's selected area where it holds neighbourhoods, else the local authority of
    the selected neighbourhood; None when there is neither.
    """
    chosen = place(atlas, selection.level, selection.area)
    if chosen is not None:
        return chosen
    row = atlas.area(lsoa, level=LEVEL) if lsoa else None
    if row is None or pd.isna(row["parent_ltla"]):
        return None
    return place(atlas, "ltla", str(row["parent_ltla"]))


def codes_in(atlas: Atlas, area: Place | None) -> list[str]:
    """The codes of the neighbourhoods inside ``area`` (all of England when None)."""
    lsoas = atlas.areas_at(LEVEL)
    if area is None:
        return sorted(lsoas["area_code"])
    if area.level == LEVEL:
        return [area.code]
    return sorted(atlas.within(area.code, area.level, LEVEL)["area_code"])


def view_state(
    bounds: tuple[float, float, float, float], size: tuple[int, int] = MAP_SIZE
) -> dict[str, float]:
    """The map's centre and zoom that fit ``bounds`` (west, south, east, north) in ``size``.

    Web Mercator with 512-pixel tiles, as deck.gl and MapLibre draw; a tenth is left as a
    margin, and a single small neighbourhood is not zoomed in on further than street level.
    """
    west, south, east, north = bounds
    width, height = size

    def mercator(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(east - west, 1e-6) / 360
    span_y = max(mercator(north) - mercator(south), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(0.9 * width / 512 / span_x), math.log2(0.9 * height / 512 / span_y))
    middle = (mercator(north) + mercator(south)) / 2
    latitude = math.degrees(2 * math.atan(math.exp(middle)) - math.pi / 2)
    return {
        "longitude": (west + east) / 2,
        "latitude": latitude,
        "zoom": round(min(zoom, 14.0), 2),
        "pitch": 0.0,
        "bearing": 0.0,
    }


# --------------------------------------------------------------------------- search


def find_lsoas(atlas: Atlas, text: str) -> pd.DataFrame:
    """Neighbourhoods whose code is ``text`` or whose name contains it; exact matches first."""
    needle = str(text).strip().lower()
    lsoas = atlas.areas_at(LEVEL)
    if len(needle) < 2:
        return lsoas.iloc[0:0]
    names = lsoas["area_name"].str.lower()
    exact = lsoas["area_code"].str.lower().eq(needle) | names.eq(needle)
    hits = lsoas.loc[exact | names.str.contains(needle, regex=False)]
    return hits.assign(_e=~exact[hits.index]).sort_values(["_e", "area_name"]).drop(columns="_e")


def choices(atlas: Atlas, text: str) -> list[search.Choice]:
    """What a search offers: exact neighbourhoods, then areas (as on My area), then the rest.

    A postcode district finds the council and sub-ICB location it lies in; a name finds
    councils and NHS areas before the neighbourhoods named after them.
    """
    lsoas = find_lsoas(atlas, text)
    needle = str(text).strip().lower()
    exact = lsoas["area_code"].str.lower().eq(needle) | lsoas["area_name"].str.lower().eq(needle)

    def as_choice(row) -> search.Choice:
        label = escape_md(f"{row.area_name} ({row.area_code}, neighbourhood)")
        return search.Choice(LEVEL, row.area_code, label, f"find-lsoa-{row.area_code}")

    first = [as_choice(row) for row in lsoas.loc[exact].itertuples()]
    rest = [as_choice(row) for row in lsoas.loc[~exact].head(MOST_FOUND).itertuples()]
    areas = [c for c in search.choices(atlas, text) if c.level in CONTAINING]
    return first + areas + rest


# -------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class Profile:
    """One neighbourhood: its name, the areas it lies in, and each of its values."""

    code: str
    name: str
    #: (what the area is, its level, code and name), local authority first.
    parents: list[tuple[str, Place]]
    #: One row per indicator: what it is, its value, interval, comparison, England, period.
    values: pd.DataFrame

    def lines(self) -> list[str]:
        """Each value as a line of Markdown: name and period, value, interval, England.

        "**IMD decile** (IoD2025): decile 2"; "**Modelled need …** (…): 23.7% (95% interval
        23.3% to 24.0%), higher than England (16.9%)". Blanks are left out, never printed.
        """
        out = []
        for row in self.values.to_dict("records"):
            text = f"**{escape_md(row['Indicator'])}** ({escape_md(row['Period'])}): "
            text += escape_md(row["Value"])
            if row["95% interval"]:
                text += f" (95% interval {escape_md(row['95% interval'])})"
            england = escape_md(row["England"])
            if row["Compared with England"]:
                text += f", {escape_md(lower_first(row['Compared with England']))}"
                text += f" ({england})" if england else ""
            elif england:
                text += f"; England {england}"
            out.append(text)
        return out


def profile(atlas: Atlas, code: str | None) -> Profile | None:
    """The profile of neighbourhood ``code``; None when the atlas has no such neighbourhood."""
    row = atlas.area(code, level=LEVEL) if code else None
    if row is None:
        return None
    parents = []
    seen = set()
    for column, level, word in PARENTS:
        parent = row.get(column)
        if parent is None or pd.isna(parent) or (parent, level) in seen:
            continue
        if level == "utla" and parent == row.get("parent_ltla"):
            continue  # a unitary authority is its own district
        found = place(atlas, level, str(parent))
        if found is not None:
            parents.append((word, found))
            seen.add((parent, level))
    return Profile(str(code), str(row["area_name"]), parents, profile_values(atlas, str(code)))


PROFILE_COLUMNS = (
    "Indicator",
    "Period",
    "Value",
    "95% interval",
    "Compared with England",
    "England",
)


def profile_values(atlas: Atlas, code: str) -> pd.DataFrame:
    """Each indicator's latest value for one neighbourhood, as text people read.

    Blanks read as blanks ("" ), a suppressed value says so, and the comparison with England
    is given only where the atlas made one.
    """
    rows = atlas.profile(code, LEVEL)
    out = []
    for record in rows.to_dict("records"):
        meta = atlas.indicator(record["indicator_id"])
        fmt = number_format(meta)
        hidden = bool(record.get("suppressed")) if pd.notna(record.get("suppressed")) else False
        value = "suppressed" if hidden else fmt.text(record["value"], missing="no data")
        out.append(
            {
                "Indicator": indicator_name(meta),
                "Period": str(record["period"]),
                "Value": value,
                "95% interval": ""
                if hidden
                else fmt.interval(record["lower_95"], record["upper_95"]),
                "Compared with England": _compared(record.get("comparison")),
                "England": fmt.text(record.get("england_value")),
            }
        )
    return pd.DataFrame(out, columns=list(PROFILE_COLUMNS))


# ---------------------------------------------------------------------------- table


def count_text(n: int, area: Place | None) -> str:
    """What the map draws, in words: '33,755 neighbourhoods' (and where, when limited)."""
    where = "in England" if area is None else f"in {area.name}"
    return f"{n:,} neighbourhood{'' if n == 1 else 's'} drawn {where}"


def table(atlas: Atlas, shaded: Shading, codes: list[str] | None = None) -> pd.DataFrame:
    """The map as a table: each neighbourhood drawn, its local authority and its value.

    The same figures in the same number format as every other map table
    (:func:`gapmap.tables.display_table`); ``codes`` limits it to the neighbourhoods drawn.
    """
    rows = shaded.table
    if codes is not None:
        rows = rows.loc[rows["area_code"].isin(set(codes))]
    shown = display_table(rows, shaded.meta).rename(
        columns={"Area": "Neighbourhood (LSOA)", "Code": "LSOA code"}
    )
    councils = (
        atlas.areas_at("ltla").sort_values("vintage").drop_duplicates("area_code", keep="last")
    )
    councils = councils.set_index("area_code")["area_name"]
    lsoas = atlas.areas_at(LEVEL).set_index("area_code")["parent_ltla"]
    council = shown["LSOA code"].map(lsoas).map(councils).astype("string").fillna("")
    shown.insert(2, "Local authority", council)
    return shown


def download(shaded: Shading, shown: pd.DataFrame) -> pd.DataFrame:
    """The table as a CSV, each row saying which indicator and period it is."""
    return for_download(shown, shaded.meta, shaded.period)
