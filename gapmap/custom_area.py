"""A user's own area read against the atlas: its parts, its figures, and what is withheld.

The arithmetic and the protection live in :mod:`methods.custom_area`; this module finds the
parts in the atlas (an LSOA, a practice, the LSOAs of a ward, the practice at a postcode),
picks each indicator's rows for them, and sets the result beside England as any area's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from gapmap import wording
from gapmap.atlas import Atlas
from gapmap.periods import ordered
from methods import benchmark
from methods import custom_area as custom
from methods.atlas_tables import LSOA_POPULATION
from methods.disclosure import STAT_COLUMNS, THRESHOLD

#: The levels a user's area is made of, and what each part is called.
PART_LEVELS = {"lsoa": "neighbourhood", "practice": "GP practice"}
#: Parent columns of a part's row: the fixed areas anyone can set a user's area against.
REFERENCE_COLUMNS = (
    "parent_pcn",
    "parent_ltla",
    "parent_utla",
    "parent_sub_icb",
    "parent_icb",
    "parent_region",
)
#: The words for a withheld figure (the reason follows).
WITHHELD = f"Not shown: fewer than {THRESHOLD} people or events could be worked out"
#: Most characters of a user's name for their area.
MAX_NAME = 60
DEFAULT_NAME = "Your area"


@dataclass(frozen=True)
class Members:
    """The parts of a user's area, and every code that could not be used, with the reason."""

    lsoas: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = field(default=())

    @property
    def empty(self) -> bool:
        """True when nothing usable was given."""
        return not self.lsoas and not self.practices

    def link(self) -> str:
        """The short, stable text that puts this area in a link."""
        return custom.encode(self.lsoas, self.practices)

    def parts(self, level: str) -> tuple[str, ...]:
        """The codes of one kind of part (``lsoa`` or ``practice``)."""
        return self.lsoas if level == "lsoa" else self.practices


def clean_name(text: object) -> str:
    """A user's name for their area, as plain text of at most :data:`MAX_NAME` characters."""
    words = " ".join(str(text or "").split())
    kept = "".join(ch for ch in words if ch.isprintable())[:MAX_NAME].strip()
    return kept or DEFAULT_NAME


def _codes(atlas: Atlas, level: str) -> set[str]:
    return set(atlas.areas.loc[atlas.areas["level"] == level, "area_code"].astype(str))


def members(atlas: Atlas, codes: custom.Codes) -> Members:
    """The atlas's parts for a pasted list: every code used, or named with its reason."""
    lsoa_known, practice_known = _codes(atlas, "lsoa"), _codes(atlas, "practice")
    rejected = list(codes.rejected)
    lsoas = [c for c in codes.lsoas if c in lsoa_known]
    rejected += [(c, "not an LSOA 2021 in England") for c in codes.lsoas if c not in lsoa_known]
    practices = [c for c in codes.practices if c in practice_known]
    rejected += [
        (c, "not a GP practice in the QOF years the atlas holds")
        for c in codes.practices
        if c not in practice_known
    ]
    lsoa_rows = atlas.areas.loc[atlas.areas["level"] == "lsoa"]
    for ward in codes.wards:
        found = lsoa_rows.loc[lsoa_rows["ward_code"] == ward, "area_code"].astype(str)
        lsoas += list(found)
        if found.empty:
            rejected.append((ward, "not a 2024 ward in England"))
    practice_rows = atlas.areas.loc[atlas.areas["level"] == "practice"]
    for postcode in codes.postcodes:
        found = practice_rows.loc[practice_rows["postcode"] == postcode, "area_code"].astype(str)
        practices += list(found)
        if found.empty:
            rejected.append(
                (
                    postcode,
                    "no GP practice at this postcode; the atlas has no directory of home "
                    "postcodes, so give the neighbourhood's LSOA code (the Neighbourhoods "
                    "page finds it)",
                )
            )
    return Members(
        tuple(sorted(set(lsoas))), tuple(sorted(set(practices))), tuple(dict(rejected).items())
    )


def from_link(atlas: Atlas, text: str) -> Members:
    """The area a link names; codes the atlas does not know are named, the rest kept."""
    lsoas, practices = custom.decode(text)
    return members(atlas, custom.Codes(lsoas=lsoas, practices=practices))


def rule_for(meta: pd.Series) -> str:
    """How an indicator is put together for an area made of parts."""
    statistic, unit = str(meta["statistic"]), str(meta["unit"])
    if statistic in ("proportion", "rate"):
        return custom.COUNTS
    if statistic == "modelled":
        return custom.MODELLED
    if statistic == "score" and unit == "patients":
        return custom.TOTAL
    if statistic == "score" and unit != "decile":
        return custom.WEIGHTED
    return custom.PARTS


def _weights(atlas: Atlas, level: str) -> pd.Series:
    """Each part's weight for averaging scores: LSOA population, practice list size."""
    if level == "lsoa":
        rows = atlas.areas.loc[atlas.areas["level"] == "lsoa"]
        if LSOA_POPULATION not in rows.columns:
            return pd.Series(dtype="Float64")
        return rows.set_index("area_code")[LSOA_POPULATION].astype("Float64")
    sizes = atlas.values.loc[
        (atlas.values["indicator_id"] == "list_size") & (atlas.values["level"] == "practice")
    ]
    latest = sizes.assign(
        _o=sizes["period"].map({p: i for i, p in enumerate(ordered(sizes["period"]))})
    )
    latest = latest.sort_values("_o").drop_duplicates("area_code", keep="last")
    return latest.set_index("area_code")["value"].astype("Float64")


#: The areas a user's area is set against: the published ones, then the user's earlier ones.
References = tuple[dict[str, set[str]], dict[str, set[str]]]


def references(
    atlas: Atlas, area: Members, level: str, earlier: Mapping[str, Members] | None = None
) -> References:
    """The areas anyone can set a user's area against, each as its parts of ``level``.

    The published ones are the councils, NHS areas and networks its parts lie in (all their
    parts); then the user's earlier areas. Practices are listed once, on their newest year.
    """
    rows = atlas.areas.loc[atlas.areas["level"] == level]
    rows = rows.sort_values("vintage").drop_duplicates("area_code", keep="last")
    mine = rows.loc[rows["area_code"].isin(area.parts(level))]
    out: dict[str, set[str]] = {}
    for column in REFERENCE_COLUMNS:
        if column not in rows.columns:
            continue
        for parent in mine[column].dropna().unique():
            parent_row = atlas.area(str(parent))
            name = str(parent_row["area_name"]) if parent_row is not None else ""
            key = f"{name} ({parent})" if name else str(parent)
            out[key] = set(rows.loc[rows[column] == parent, "area_code"].astype(str))
    before = {
        f"your earlier area '{name}'": set(other.parts(level))
        for name, other in (earlier or {}).items()
    }
    return out, before


def figures(
    atlas: Atlas, area: Members, earlier: Mapping[str, Members] | None = None
) -> pd.DataFrame:
    """Every indicator and period the area's parts have, put together, beside England.

    One row per indicator and period: value and limits, counts, the comparison with
    England, how many parts were used of how many, and a note for anything withheld or
    shown only for the parts.
    """
    rows = []
    for level in PART_LEVELS:
        parts = area.parts(level)
        if not parts:
            continue
        weights = _weights(atlas, level)
        refs = references(atlas, area, level, earlier)
        level_values = atlas.values.loc[atlas.values["level"] == level]
        for (indicator_id, period), part in level_values.groupby(["indicator_id", "period"]):
            meta = atlas.indicator(str(indicator_id))
            mine = part.loc[part["area_code"].isin(parts)]
            if mine.empty:
                continue
            rows.append(
                _row(atlas, meta, str(period), level, mine, part, weights, refs, len(parts))
            )
    columns = [
        "indicator_id", "period", "part_level", "value", "lower_95", "upper_95", "lower_998",
        "upper_998", "numerator", "denominator", "comparison", "comparison_998",
        "england_value", "parts_used", "parts_total", "note",
    ]  # fmt: skip
    return with_council(atlas, area, pd.DataFrame(rows, columns=columns))


def council(atlas: Atlas, area: Members) -> tuple[str, str] | None:
    """The district most of the area's parts lie in (code, name), to set the area beside."""
    rows = atlas.areas.loc[
        ((atlas.areas["level"] == "lsoa") & atlas.areas["area_code"].isin(area.lsoas))
        | ((atlas.areas["level"] == "practice") & atlas.areas["area_code"].isin(area.practices))
    ]
    rows = rows.sort_values("vintage").drop_duplicates(["area_code", "level"], keep="last")
    counts = rows["parent_ltla"].dropna().value_counts()
    if counts.empty:
        return None
    code = str(counts.index[0])
    found = atlas.area(code, level="ltla")
    return (code, str(found["area_name"])) if found is not None else None


def with_council(atlas: Atlas, area: Members, figures: pd.DataFrame) -> pd.DataFrame:
    """The figures with their district's value and the comparison with it (95%).

    Only where the figure has an interval and the district has a value for the same
    indicator and period; otherwise blank.
    """
    parent = council(atlas, area)
    out = figures.assign(council=None, council_value=None, council_comparison=None)
    if parent is None or figures.empty:
        return out
    code, name = parent
    theirs = atlas.values.loc[
        (atlas.values["level"] == "ltla") & (atlas.values["area_code"] == code)
    ]
    values = theirs.set_index(["indicator_id", "period"])["value"]
    for index, row in figures.iterrows():
        value = values.get((row["indicator_id"], row["period"]))
        if value is None or pd.isna(value) or pd.isna(row["lower_95"]):
            continue
        polarity = str(atlas.indicator(str(row["indicator_id"]))["polarity"])
        out.at[index, "council"] = name
        out.at[index, "council_value"] = float(value)
        out.at[index, "council_comparison"] = benchmark.compare_one(
            row["lower_95"], row["upper_95"], float(value), polarity
        )
    return out.assign(council=out["council"].fillna(name))


def _row(
    atlas: Atlas,
    meta: pd.Series,
    period: str,
    level: str,
    mine: pd.DataFrame,
    everyone: pd.DataFrame,
    weights: pd.Series,
    refs: References,
    parts_total: int,
) -> dict[str, object]:
    rule = rule_for(meta)
    mine = mine.assign(weight=mine["area_code"].map(weights))
    result = custom.add_up(mine, rule, float(meta["multiplier"]), str(meta["statistic"]))
    england = atlas.england(str(meta["id"]), period)
    england_value = None if england is None else england["value"]
    row: dict[str, object] = {
        "indicator_id": meta["id"],
        "period": period,
        "part_level": level,
        "england_value": england_value,
        "parts_total": parts_total,
        "comparison": "not_compared",
        "comparison_998": "not_compared",
        **result,
    }
    row.pop("suppressed_part", None)
    if rule == custom.PARTS:
        row["note"] = _for_the_parts(mine, level, meta)
        return row
    if result.get("suppressed_part"):
        row["note"] = "Not shown: a part's figure is suppressed at source."
        return row
    if rule == custom.COUNTS:
        reason = _withheld(mine, everyone, refs)
        if reason:
            blank = dict.fromkeys((*STAT_COLUMNS, "numerator", "denominator"))
            return {**row, **blank, "note": f"{WITHHELD}: {reason}."}
        polarity = str(meta["polarity"])
        for key, suffix in (("comparison", "95"), ("comparison_998", "998")):
            row[key] = benchmark.compare_one(
                row.get(f"lower_{suffix}"), row.get(f"upper_{suffix}"), england_value, polarity
            )
    return row


def _withheld(mine: pd.DataFrame, everyone: pd.DataFrame, refs: References) -> str:
    """Why the area's counts may not be shown (numerator or denominator), or ''."""
    for column in ("numerator", "denominator"):
        counts = everyone.dropna(subset=[column]).set_index("area_code")[column].astype(float)
        reason = custom.differencing_risk(mine["area_code"], counts.to_dict(), *refs)
        if reason:
            return reason
    return ""


def _for_the_parts(mine: pd.DataFrame, level: str, meta: pd.Series) -> str:
    """A figure that does not add up, described across the parts instead."""
    values = mine["value"].dropna().astype(float)
    noun = PART_LEVELS[level] + ("s" if len(values) != 1 else "")

    def text(value: float) -> str:
        return wording.format_number(value, str(meta["unit"]), str(meta["statistic"]))

    if values.empty:
        return f"Shown for the parts only; none of your {noun} has a figure."
    if len(values) == 1:
        return f"Shown for the parts only: {text(values.iloc[0])} for your one {noun}."
    return (
        f"Shown for the parts only, as it does not add up: from {text(values.min())} to "
        f"{text(values.max())}, median {text(values.median())}, across {len(values):,} {noun}."
    )


def parts_table(atlas: Atlas, area: Members) -> pd.DataFrame:
    """The area's parts: code, name, kind and the council and sub-ICB each lies in."""
    rows = atlas.areas.loc[atlas.areas["level"].isin(list(PART_LEVELS))]
    rows = rows.sort_values("vintage").drop_duplicates(["area_code", "level"], keep="last")
    chosen = rows.loc[
        ((rows["level"] == "lsoa") & rows["area_code"].isin(area.lsoas))
        | ((rows["level"] == "practice") & rows["area_code"].isin(area.practices))
    ]
    names = atlas.areas.drop_duplicates("area_code", keep="last").set_index("area_code")
    return pd.DataFrame(
        {
            "Code": chosen["area_code"].astype(str).to_numpy(),
            "Name": chosen["area_name"].astype(str).to_numpy(),
            "Kind": chosen["level"].map(PART_LEVELS).to_numpy(),
            "District": chosen["parent_ltla"].map(names["area_name"]).to_numpy(),
            "Sub-ICB location": chosen["parent_sub_icb"].map(names["area_name"]).to_numpy(),
        }
    )


def summary(members: Members) -> str:
    """What the area is made of: '12 neighbourhoods and 3 GP practices.'."""
    pieces = []
    if members.lsoas:
        pieces.append(wording.plural(len(members.lsoas), "neighbourhood"))
    if members.practices:
        pieces.append(wording.plural(len(members.practices), "GP practice"))
    return " and ".join(pieces) + "."
