"""Primary care networks (PCNs): which practices each one has, its name and its parents.

A PCN is a group of GP practices, so it has no boundary of its own: its figures add up its
practices (:mod:`data_pipeline.indicators.levels.pcn`) and its shape on the map is only
drawn (:mod:`data_pipeline.pcn_shapes`). Membership is taken per QOF year, as the practices
themselves are: QOF 2022-23 practices by QOF's own mapping of that year, QOF 2024-25
practices by the early-2024 practice lookup. A QOF practice in no PCN is never dropped
silently: it is listed with the reason (:func:`unplaced`), named in the manifest and in the
notes of the year's QOF file, and still counts in England.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import PRACTICE_VINTAGES, typed_areas

LEVEL = "pcn"
#: QOF year -> the vintage of its PCNs (each year's membership, each year's shapes).
PCN_VINTAGES = {"2022-23": "pcn-2022-23", "2024-25": "pcn-2024-25"}
#: QOF year -> the table of that year's practice registers.
QOF_TABLES = {"2022-23": "qof_practice", "2024-25": "qof_practice_2024_25"}
#: QOF year -> (table, name of its source) giving practice -> PCN for that year.
MEMBERSHIP = {
    "2022-23": ("qof_practice_geography", "QOF 2022-23 mapping of NHS geographies"),
    "2024-25": ("gp_practices_2024", "early-2024 practice lookup"),
}
MEMBER_COLUMNS = ["practice_code", "pcn_code", "reason"]
#: The code both sources give practices that belong to no PCN ("Unallocated"): not a PCN.
UNALLOCATED = "U"


def membership(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    """Every practice of a QOF year with its PCN (``pcn_code``), or NA and ``reason``.

    The practice list is the year's QOF file, so every practice whose registers are counted
    has a row here, in a PCN or not.
    """
    table, source = MEMBERSHIP[period]
    practices = pd.DataFrame(
        {"practice_code": tables[QOF_TABLES[period]]["practice_code"].drop_duplicates()}
    )
    lookup = tables[table][["practice_code", "pcn_code"]].dropna().drop_duplicates("practice_code")
    linked = practices.merge(lookup, on="practice_code", how="left")
    reason = pd.Series(pd.NA, index=linked.index, dtype="string")
    reason = reason.mask(linked["pcn_code"].isna(), f"not in the {source}, so in no PCN")
    unallocated = (linked["pcn_code"] == UNALLOCATED).fillna(False).astype(bool)
    reason = reason.mask(unallocated, f"in no PCN: the {source} lists it as unallocated")
    linked["pcn_code"] = linked["pcn_code"].mask(unallocated)
    out = linked.assign(reason=reason)[MEMBER_COLUMNS].astype("string")
    return out.sort_values("practice_code").reset_index(drop=True)


def unplaced(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    """The practices of a QOF year in no PCN (``practice_code``, ``reason``)."""
    members = membership(tables, period)
    return members.loc[members["pcn_code"].isna(), ["practice_code", "reason"]].reset_index(
        drop=True
    )


def _published_names(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """PCN code -> name as QOF 2022-23 writes it (mixed case, as NHS England publishes)."""
    geo = tables["qof_practice_geography"].dropna(subset=["pcn_code", "pcn_name"])
    geo = geo.drop_duplicates("pcn_code")
    return dict(zip(geo["pcn_code"], geo["pcn_name"].str.strip(), strict=True))


def tidy_pcn_name(name: str) -> str:
    """An upper-case lookup name in title case, keeping 'PCN' and initialisms of 2-3 letters.

    Only for PCNs QOF 2022-23 does not name (new since, or renamed).
    """
    words = []
    for word in str(name).split():
        keep = word.isupper() and len(word) <= 3 and word not in ("AND", "OF", "THE", "ST")
        words.append(word if keep else word.capitalize())
    return " ".join(words)


def pcn_names(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    """``pcn_code``, ``pcn_name`` of a year's PCNs, in their published capitalisation.

    QOF 2022-23 names PCNs in mixed case; the 2024 lookup in capitals. A 2024 PCN keeps
    the 2022-23 spelling where the name is the same letters; otherwise (a new or renamed
    PCN) the lookup's name is put in title case.
    """
    table, _ = MEMBERSHIP[period]
    names = tables[table][["pcn_code", "pcn_name"]].dropna().drop_duplicates("pcn_code")
    names = names.loc[names["pcn_code"] != UNALLOCATED]
    published = _published_names(tables)
    mixed = names["pcn_code"].map(published)
    same = mixed.str.lower() == names["pcn_name"].str.strip().str.lower()
    tidy = names["pcn_name"].map(tidy_pcn_name)
    chosen = mixed.where(same.fillna(False).astype(bool), tidy)
    return pd.DataFrame({"pcn_code": names["pcn_code"], "pcn_name": chosen}).astype("string")


def _list_sizes(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    """Registered patients of all ages of each practice (the QOF MH list) in a QOF year."""
    qof = tables[QOF_TABLES[period]]
    sizes = qof.loc[qof["group"] == "MH", ["practice_code", "list_size"]]
    return sizes.drop_duplicates("practice_code")


def _majority_by_list(members: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each PCN's ``column`` value holding most of its registered patients (ties: code)."""
    usable = members.dropna(subset=["pcn_code", column])
    sums = usable.groupby(["pcn_code", column], as_index=False)["list_size"].sum()
    sums = sums.sort_values(["pcn_code", "list_size", column], ascending=[True, False, True])
    return sums.drop_duplicates("pcn_code")[["pcn_code", column]]


PARENTS = ("parent_sub_icb", "parent_icb", "parent_region", "parent_ltla", "parent_utla")


def pcn_areas(
    tables: dict[str, pd.DataFrame], practice_rows: pd.DataFrame, period: str
) -> pd.DataFrame:
    """The PCNs of a QOF year as rows of ``areas``: code, name and parents.

    Each parent (sub-ICB, ICB, region, district, county) is the one holding most of the
    PCN's registered patients, from its practices' own parents (``practice_rows``: the
    year's practice rows of ``areas``). Practices without a list size count by number.
    """
    members = membership(tables, period).dropna(subset=["pcn_code"])
    members = members.merge(_list_sizes(tables, period), on="practice_code", how="left")
    members["list_size"] = members["list_size"].astype("Float64").fillna(1.0)
    parents = practice_rows[["area_code", *PARENTS]].rename(columns={"area_code": "practice_code"})
    members = members.merge(parents, on="practice_code", how="left")
    out = pcn_names(tables, period)
    out = out.loc[out["pcn_code"].isin(set(members["pcn_code"]))]
    for column in PARENTS:
        out = out.merge(_majority_by_list(members, column), on="pcn_code", how="left")
    return out.rename(columns={"pcn_code": "area_code", "pcn_name": "area_name"}).assign(
        level=LEVEL, vintage=PCN_VINTAGES[period], ods_code=out["pcn_code"]
    )


def practice_pcn(tables: dict[str, pd.DataFrame], areas: pd.DataFrame) -> pd.Series:
    """The PCN of each practice row of ``areas`` (by its own year's membership), else NA."""
    out = pd.Series(pd.NA, index=areas.index, dtype="string")
    for period, vintage in PRACTICE_VINTAGES.items():
        if QOF_TABLES[period] not in tables:
            continue
        rows = areas["vintage"] == vintage
        pcn = dict(membership(tables, period).dropna(subset=["pcn_code"]).values[:, :2])
        out = out.mask(rows, areas["area_code"].map(pcn).astype("string"))
    return out


def with_pcns(tables: dict[str, pd.DataFrame], areas: pd.DataFrame) -> pd.DataFrame:
    """``areas`` with each year's PCNs as rows and each practice's PCN in ``parent_pcn``.

    The practice rows give the drill-down from a PCN to its practices; the PCN rows take
    their parents from their practices (:func:`pcn_areas`).
    """
    areas = areas.assign(parent_pcn=practice_pcn(tables, areas))
    parts = [areas]
    for period, vintage in PRACTICE_VINTAGES.items():
        if QOF_TABLES[period] not in tables:
            continue
        practice_rows = areas.loc[areas["vintage"] == vintage]
        parts.append(pcn_areas(tables, practice_rows, period))
    out = pd.concat(parts, ignore_index=True)
    out = typed_areas(out.loc[:, list(areas.columns)])
    if out.duplicated(["area_code", "vintage"]).any():
        raise ValueError("a PCN code is also the code of another area of its vintage")
    return out.sort_values(["level", "vintage", "area_code"]).reset_index(drop=True)


def describe(tables: dict[str, pd.DataFrame], areas: pd.DataFrame) -> dict:
    """The manifest's account of the PCN level: practices placed and rejected, per year."""
    years = {}
    for period, vintage in PCN_VINTAGES.items():
        if QOF_TABLES[period] not in tables:
            continue
        members = membership(tables, period)
        lost = members.loc[members["pcn_code"].isna()]
        years[period] = {
            "vintage": vintage,
            "membership": MEMBERSHIP[period][1],
            "practices": int(len(members)),
            "practices_in_a_pcn": int(members["pcn_code"].notna().sum()),
            "pcns": int((areas["vintage"] == vintage).sum()),
            "practices_rejected": [
                {"practice_code": str(code), "reason": str(reason)}
                for code, reason in zip(lost["practice_code"], lost["reason"], strict=True)
            ],
        }
    return years
