"""Peer groups on the read side: which areas to compare with, and the group's value.

The pipeline lists each area's nearest statistical neighbours by deprivation and population
(``peers.parquet``, see :mod:`data_pipeline.peers` and Methods & data); the user may instead
choose their own list, kept in the URL (:mod:`gapmap.state`). Here the choice becomes a set
of codes on the map being shown, and a single value for the group: pooled from the areas'
counts where every one of them has counts, else the median of their values. Pooling, and
re-protecting the pooled counts by the disclosure rule where the indicator's source is under
it (its ``release``), is :mod:`methods.pooling`'s; the area
is compared with the group's value by :mod:`methods.benchmark`'s rule, as with England.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gapmap.atlas import Atlas
from gapmap.limits import unflagged
from gapmap.state import Selection
from gapmap.tables import whole
from gapmap.wording import COMPARISON_KEYS, compared_with, number_format
from methods.benchmark import compare_one
from methods.disclosure import count_releases
from methods.pooling import POOLABLE, pool

#: Neighbours per area, as the pipeline builds them (checked against the atlas manifest).
K = 10
COMPARED_WORDS = {key: compared_with(key, "peers") for key in COMPARISON_KEYS}


@dataclass(frozen=True)
class PeerGroup:
    """The areas the selected area is compared with, on one map (level and vintage)."""

    codes: tuple[str, ...]
    chosen: bool

    @property
    def label(self) -> str:
        """'10 similar areas' or '3 areas you chose'."""
        n = len(self.codes)
        if self.chosen:
            return f"{n} area{'' if n == 1 else 's'} you chose"
        return f"{n} similar area{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class PeerValue:
    """The peer group's value of one indicator, and how it was made."""

    value: float | None
    method: str  # "pooled", "median" or "none"
    n: int  # areas it is made from
    numerator: float | None = None  # pooled counts, protected
    denominator: float | None = None
    note: str | None = None
    flagged: int = 0  # peers left out for data quality

    @property
    def how(self) -> str:
        """'pooled counts of 10 areas', 'median of 9 areas' or 'no value', and any left out."""
        if self.method == "pooled":
            made = f"pooled counts of {self.n} area{'' if self.n == 1 else 's'}"
        elif self.method == "median":
            made = f"median of {self.n} area{'' if self.n == 1 else 's'}"
        else:
            made = "no value"
        if self.flagged:
            made += f", {self.flagged} left out for data quality"
        return made


def group(atlas: Atlas, selection: Selection, vintage: str | None = None) -> PeerGroup:
    """The selection's peer group on ``vintage`` (by default, the map it is looking at).

    Similar areas are the pipeline's nearest neighbours of the selected area on that
    vintage; chosen areas are kept where they are on it. The selected area is never its
    own peer.
    """
    if vintage is None:
        vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    if not selection.area or vintage is None:
        return PeerGroup((), selection.peers is not None)
    if selection.peers is None:
        return PeerGroup(tuple(atlas.peers(selection.area, selection.level, vintage)), False)
    on_map = set(atlas.areas_at(selection.level, vintage)["area_code"])
    codes = tuple(c for c in selection.peers if c in on_map and c != selection.area)
    return PeerGroup(codes, True)


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def peer_value(table: pd.DataFrame, codes: tuple[str, ...] | list[str], meta) -> PeerValue:
    """The group's value of an indicator from its rows of ``table`` (one period, one level).

    Pooled (sum of numerators over sum of denominators, times the multiplier) when the
    indicator is a proportion, rate or ratio and every peer has both counts unsuppressed;
    otherwise the median of the peers' unsuppressed values. Where the indicator's counts are
    under the disclosure rule, a pooled count of 1 to 7 suppresses the value and the others
    are shown rounded to 5; exact counts pool exact. The value follows from the pooled counts.
    """
    # A peer flagged for data quality (an incomplete submission) never sets the group's value.
    ours = table["area_code"].isin(list(codes))
    rows = table.loc[ours & unflagged(table)]
    flagged = int((ours & ~unflagged(table)).sum())
    if rows.empty:
        return PeerValue(None, "none", 0, flagged=flagged)
    suppressed = rows["suppressed"].fillna(False).astype(bool).to_numpy()
    numerator, denominator = _floats(rows["numerator"]), _floats(rows["denominator"])
    counted = ~suppressed & np.isfinite(numerator) & np.isfinite(denominator) & (denominator > 0)
    if str(meta["statistic"]) in POOLABLE and counted.all():
        multiplier = meta.get("multiplier")
        multiplier = 1.0 if multiplier is None or pd.isna(multiplier) else float(multiplier)
        releases = count_releases(
            str(meta["statistic"]), meta.get("release"), meta.get("denominator_release")
        )
        pooled = pool(numerator, denominator, multiplier, *releases)
        return PeerValue(
            pooled.value,
            "pooled",
            len(rows),
            pooled.numerator,
            pooled.denominator,
            pooled.note,
            flagged,
        )
    values = _floats(rows["value"])[~suppressed]
    values = values[np.isfinite(values)]
    if not len(values):
        return PeerValue(None, "none", 0, flagged=flagged)
    return PeerValue(float(np.median(values)), "median", len(values), flagged=flagged)


def compared(lower: object, upper: object, value: float | None, polarity: str) -> str:
    """The area against its peer group's value, in words, by the rule used against England.

    The area differs from its peers when its 95% interval excludes the group's value
    (:func:`methods.benchmark.compare_one`): better or worse where the indicator has a good
    direction, higher or lower where not.
    """
    return COMPARED_WORDS[compare_one(lower, upper, value, polarity)]


def caption(peer_group: PeerGroup) -> str:
    """What the peer group is and how its value is made, for under a table or chart."""
    if not peer_group.codes:
        if peer_group.chosen:
            return "No areas chosen to compare with yet: pick them under 'Compare with'."
        return "This area has no similar areas listed (no deprivation score or population)."
    if peer_group.chosen:
        kind = f"the {peer_group.label}"
    else:
        kind = (
            f"its {peer_group.label}, the nearest by average deprivation score and population "
            "among areas of the same kind"
        )
    return (
        f"Peers: {kind}. The peer value pools the areas' counts (total numerator over total "
        "denominator) where every peer has them, and is otherwise their median; pooled counts "
        "from sources that round and suppress small numbers are rounded to 5 and hidden when "
        "1 to 7. 'Compared with peers' asks whether the area's 95% confidence interval "
        "excludes the peer value."
    )


def _england_imd(atlas: Atlas, period: str | None) -> float | None:
    row = atlas.england("imd_score", period) if period else None
    return None if row is None else row["value"]


def summary_table(atlas: Atlas, selection: Selection) -> pd.DataFrame:
    """The selected area, each of its peers, the peer group and England, for one indicator.

    Empty when no area is selected. Values are the atlas's (suppressed ones blank, with the
    reason); the peer group's row is made by :func:`peer_value`.
    """
    if not selection.area:
        return pd.DataFrame()
    meta = atlas.indicator(selection.indicator)
    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    peer_group = group(atlas, selection, vintage)
    table = atlas.table(selection.indicator, selection.level, selection.period)
    imd_period = atlas.period_on("imd_score", selection.level, vintage)
    imd = (
        atlas.table("imd_score", selection.level, imd_period, vintage)
        .set_index("area_code")
        .loc[:, "value"]
        if imd_period
        else pd.Series(dtype="float64")
    )
    by_code = table.set_index("area_code")
    rows = []
    for role, code in [("Selected area", selection.area)] + [
        (f"Peer {i}", c) for i, c in enumerate(peer_group.codes, start=1)
    ]:
        if code not in by_code.index:
            continue
        row = by_code.loc[code]
        hidden = bool(row["suppressed"]) if pd.notna(row["suppressed"]) else False
        rows.append(
            {
                "Role": role,
                "Area": row["area_name"],
                "Code": code,
                "Value": None if hidden else row["value"],
                "Lower 95%": None if hidden else row["lower_95"],
                "Upper 95%": None if hidden else row["upper_95"],
                "Numerator": row["numerator"],
                "Denominator": row["denominator"],
                "Average IMD score": imd.get(code),
                "Note": row["note"],
            }
        )
    pooled = peer_value(table, peer_group.codes, meta)
    rows.append(
        {
            "Role": f"Peer group ({pooled.how})",
            "Area": peer_group.label.capitalize(),
            "Code": None,
            "Value": pooled.value,
            "Numerator": pooled.numerator,
            "Denominator": pooled.denominator,
            "Note": pooled.note,
        }
    )
    england = atlas.england(selection.indicator, selection.period)
    if england is not None:
        rows.append(
            {
                "Role": "England",
                "Area": "England",
                "Code": england["area_code"],
                "Value": england["value"],
                "Lower 95%": england["lower_95"],
                "Upper 95%": england["upper_95"],
                "Numerator": england["numerator"],
                "Denominator": england["denominator"],
                "Average IMD score": _england_imd(atlas, imd_period),
                "Note": england["note"],
            }
        )
    return _as_printed(pd.DataFrame(rows), meta)


def _as_printed(out: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """The peer table's figures as every output prints them, counts as whole numbers."""
    figures = {"Value": number_format(meta), "Average IMD score": number_format(unit="score")}
    for column in ("Value", "Lower 95%", "Upper 95%", "Average IMD score"):
        fmt = figures.get(column, figures["Value"])
        numbers = pd.to_numeric(out[column], errors="coerce")
        out[column] = numbers.map(fmt.rounded).astype("Float64")
    for column in ("Numerator", "Denominator"):
        out[column] = whole(pd.to_numeric(out[column], errors="coerce"))
    return out.rename(columns={"Value": f"Value ({meta['unit']})"})
