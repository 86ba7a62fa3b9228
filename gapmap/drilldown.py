"""Inside the selected area: its neighbourhoods by deprivation decile and its GP practices.

The drill-down map on the Inequalities page draws the area's outline, its LSOAs coloured by
IoD2025 decile and its practices with their latest depression prevalence; the scatter charts of
the Physical health page highlight the area's practices.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gapmap.atlas import Atlas
from gapmap.state import Selection
from gapmap.view import View, latest_period
from gapmap.wording import lower_first

#: What the drill-down colours neighbourhoods by, and shows for practices.
LSOA_DECILES = ("imd_decile", "IoD2025")
PRACTICE_MEASURE = "depression_prevalence"


@dataclass(frozen=True)
class Drilldown:
    """The layers of the drill-down map, with the practices' indicator metadata."""

    #: LSOA polygons with ``imd_decile`` (1 = most deprived).
    shapes: pd.DataFrame
    #: Practices inside the area with their value, suppression flag and note.
    practices: pd.DataFrame
    #: The selected area's outline as a GeoJSON FeatureCollection.
    outline: dict
    practice_meta: pd.Series
    #: The period of the practices' values (the latest the atlas has).
    practice_period: str = ""

    @property
    def most_deprived(self) -> int:
        """How many of the neighbourhoods are in England's most deprived tenth (decile 1)."""
        return int((pd.to_numeric(self.shapes["imd_decile"], errors="coerce") == 1).sum())

    def summary(self) -> str:
        """A one-line count of what the map shows, for under it."""
        return (
            f"{len(self.shapes)} neighbourhoods, {self.most_deprived} of them in England's "
            f"most deprived tenth (decile 1); {len(self.practices)} GP practices"
            + (
                f" (hover over one for its {lower_first(str(self.practice_meta['short_name']))}"
                f" in {self.practice_period})."
                if self.practice_period
                else "."
            )
        )


def practice_codes(atlas: Atlas, selection: Selection) -> set[str]:
    """Codes of the GP practices inside the selected area (none without a link or area)."""
    if not selection.area:
        return set()
    return set(atlas.within(selection.area, selection.level, "practice")["area_code"])


def practices_with_values(atlas: Atlas, selection: Selection) -> tuple[pd.DataFrame, str]:
    """The selected area's practices with their latest :data:`PRACTICE_MEASURE`, and its period.

    Also what a primary care network shows instead of a map: it is a group of practices,
    and its drawn shape has no neighbourhoods of its own.
    """
    practices = atlas.within(str(selection.area), selection.level, "practice")
    period = latest_period(atlas, PRACTICE_MEASURE, "practice")
    if period:  # the practices open in that year (closed and merged ones have no value)
        measure = atlas.table(PRACTICE_MEASURE, "practice", period)
        practices = practices.merge(
            measure[["area_code", "value", "suppressed", "note"]], on="area_code", how="inner"
        )
    return practices, period or ""


def layers(atlas: Atlas, view: View) -> Drilldown | None:
    """The drill-down map's layers for the selected area; None where no LSOAs link to it.

    Reads LSOA polygons and the national boundaries, so it raises
    :class:`~gapmap.atlas.AtlasUnavailable` when they are missing.
    """
    selection = view.selection
    if not selection.area:
        return None
    lsoas = atlas.within(selection.area, selection.level, "lsoa")
    if lsoas.empty:
        return None
    deciles = atlas.table(LSOA_DECILES[0], "lsoa", LSOA_DECILES[1])[["area_code", "value"]]
    shapes = atlas.lsoa_shapes(list(lsoas["area_code"])).merge(
        deciles.rename(columns={"value": "imd_decile"}), on="area_code", how="left"
    )
    practices, period = practices_with_values(atlas, selection)
    features = [
        f
        for f in atlas.boundaries(str(view.vintage))["features"]
        if f["properties"]["area_code"] == selection.area
    ]
    return Drilldown(
        shapes=shapes,
        practices=practices,
        outline={"type": "FeatureCollection", "features": features},
        practice_meta=atlas.indicator(PRACTICE_MEASURE),
        practice_period=period,
    )
