"""The NHS areas a council lies in, and their figures where the council has none.

Talking Therapies, secondary care and most NHS figures exist only for NHS areas, and
community groups think in councils. A council's neighbourhoods (LSOAs 2021) say which
sub-ICB locations it lies in and how much of it each covers; each is named with the councils
it includes, so a figure borrowed from it is read for what it is: "NHS Black Country, which
includes Sandwell, Dudley, Walsall and Wolverhampton". Pure functions of the atlas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from gapmap import narrative
from gapmap.atlas import Atlas
from gapmap.wording import and_list, escape_md, number_word

#: Council levels, each with the column of the LSOA rows naming it.
COUNCIL_COLUMNS = {"ltla": "parent_ltla", "utla": "parent_utla"}
#: Share of a council's neighbourhoods above which an NHS area is said to include all of it.
WHOLE = 0.995
#: Most councils a label names before counting the rest.
MOST_NAMED = 6
_ODS_SUFFIX = re.compile(r"\s+ICB\s+-\s+\w+$")


@dataclass(frozen=True)
class NhsArea:
    """A sub-ICB location a council lies in, with what it includes."""

    code: str
    name: str
    #: Share of the council's neighbourhoods (LSOAs) in this area.
    share: float
    #: Councils of the same tier wholly in the area, the council asked about first.
    whole: tuple[str, ...]
    #: Councils of the same tier partly in it.
    part: tuple[str, ...]

    @property
    def label(self) -> str:
        """'NHS Black Country, which includes Sandwell, Dudley, Walsall and Wolverhampton'."""
        named = list(self.whole) + [f"part of {name}" for name in self.part]
        if len(named) > MOST_NAMED:
            rest = len(named) - (MOST_NAMED - 1)
            named = named[: MOST_NAMED - 1] + [f"{number_word(rest)} other councils"]
        return escape_md(f"{self.name}, which includes {and_list(named)}")


def short_names(names: pd.Series) -> pd.Series:
    """Sub-ICB names without 'ICB - <ODS code>' where that still tells them apart.

    'NHS Black Country ICB - D2P2L' is the only sub-ICB location of its ICB: 'NHS Black
    Country'. The three of Buckinghamshire, Oxfordshire and Berkshire West keep their codes.
    """
    short = names.astype("string").str.replace(_ODS_SUFFIX, "", regex=True).str.strip()
    shared = short.duplicated(keep=False)
    return short.mask(shared, names.astype("string"))


def _names(atlas: Atlas, codes: list[str], level: str) -> dict[str, str]:
    rows = atlas.areas.loc[(atlas.areas["level"] == level) & atlas.areas["area_code"].isin(codes)]
    return dict(zip(rows["area_code"], rows["area_name"], strict=False))


def _sub_icb_names(atlas: Atlas) -> dict[str, str]:
    rows = atlas.areas.loc[atlas.areas["level"] == "sub_icb"]
    rows = rows.sort_values("vintage").drop_duplicates("area_code", keep="last")
    return dict(zip(rows["area_code"], short_names(rows["area_name"]), strict=True))


def containing(atlas: Atlas, code: str, level: str) -> list[NhsArea]:
    """The sub-ICB locations a council's neighbourhoods lie in, most of it first.

    Empty for a level that is not a council, or a council without neighbourhoods.
    """
    column = COUNCIL_COLUMNS.get(level)
    if column is None:
        return []
    lsoa = atlas.areas.loc[atlas.areas["level"] == "lsoa", [column, "parent_sub_icb"]].dropna()
    mine = lsoa.loc[lsoa[column] == code, "parent_sub_icb"]
    if mine.empty:
        return []
    shares = mine.value_counts(normalize=True)
    shares = shares.sort_index().sort_values(ascending=False, kind="stable")
    sub_names = _sub_icb_names(atlas)
    out = []
    for sub, share in shares.items():
        inside = lsoa.loc[lsoa["parent_sub_icb"] == sub, column].value_counts()
        totals = lsoa.loc[lsoa[column].isin(inside.index), column].value_counts()
        whole_share = inside / totals.reindex(inside.index)
        names = _names(atlas, list(inside.index), level)
        wholly = sorted(
            (c for c in inside.index if whole_share[c] >= WHOLE and c != code), key=names.get
        )
        partly = sorted(
            (c for c in inside.index if whole_share[c] < WHOLE and c != code), key=names.get
        )
        own = [names.get(code, code)] if code in inside.index else []
        whole = own if share >= WHOLE else []
        part = own if share < WHOLE else []
        out.append(
            NhsArea(
                code=str(sub),
                name=str(sub_names.get(sub, sub)),
                share=float(share),
                whole=tuple(whole + [names[c] for c in wholly]),
                part=tuple(part + [names[c] for c in partly]),
            )
        )
    return out


def spread_sentence(atlas: Atlas, code: str, level: str) -> str | None:
    """Where a council lies across NHS areas, in words; None if it lies in none we know."""
    areas = containing(atlas, code, level)
    if not areas:
        return None
    name = escape_md(_names(atlas, [code], level).get(code, code))
    if len(areas) == 1:
        return f"{name} lies wholly in {escape_md(areas[0].name)}."
    parts = [f"{escape_md(a.name)} ({a.share:.0%} of its neighbourhoods)" for a in areas]
    return (
        f"{name} lies in {number_word(len(areas))} NHS areas (sub-ICB locations): "
        f"{and_list(parts)}. Figures for each are for the whole NHS area, not for {name}."
    )


def nhs_figures(atlas: Atlas, code: str, level: str) -> pd.DataFrame:
    """The latest figure of each indicator a council has none of, from each NHS area it lies in.

    Rows of :meth:`Atlas.profile` for the sub-ICB locations of :func:`containing`, most of
    the council first, with ``nhs_area`` (the area's label), ``nhs_name`` (its name) and
    ``share`` (of the council's neighbourhoods in it).
    """
    own = set(atlas.profile(code, level)["indicator_id"]) if level in COUNCIL_COLUMNS else set()
    frames = []
    for area in containing(atlas, code, level):
        rows = atlas.profile(area.code, "sub_icb")
        rows = rows.loc[~rows["indicator_id"].isin(own)]
        frames.append(rows.assign(nhs_area=area.label, nhs_name=area.name, share=area.share))
    if not frames:
        return pd.DataFrame(columns=["indicator_id", "area_code", "nhs_area", "nhs_name", "share"])
    return pd.concat(frames, ignore_index=True)


def paragraphs(atlas: Atlas, code: str, level: str) -> list[str]:
    """A council's NHS figures in words: where it lies, then each NHS area's findings.

    Each NHS area is introduced by its label in bold, and its figures are said of it by
    name, never of the council. Empty where the council has every figure itself.
    """
    figures = nhs_figures(atlas, code, level)
    if figures.empty:
        return []
    out = [spread_sentence(atlas, code, level) or ""]
    for (label, name), part in figures.groupby(["nhs_area", "nhs_name"], sort=False):
        out.append(f"**{label}.**")
        out += narrative.profile_paragraphs(part, atlas.indicators, str(name))
    return [text for text in out if text]
