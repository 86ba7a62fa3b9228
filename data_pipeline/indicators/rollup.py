"""Adding counts up a hierarchy of areas, strictly.

A parent's count is the sum of its children's; if any child's count is missing (suppressed
at source, or absent), the parent's is missing too, rather than a silent partial sum.
"""

from __future__ import annotations

import pandas as pd

from data_pipeline.geography import ENGLAND, LEVEL_VINTAGES

COUNT_COLUMNS = ("numerator", "denominator")


def strict_sum(frame: pd.DataFrame, by: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Group sums that are NA when any member is NA; also ORs ``source_suppressed``."""
    grouped = frame.groupby(by, sort=True)
    out = pd.DataFrame({c: grouped[c].sum(min_count=1) for c in columns})
    for column in columns:
        incomplete = grouped[column].apply(lambda s: s.isna().any())
        out[column] = out[column].astype("Float64").mask(incomplete)
    out["source_suppressed"] = grouped["source_suppressed"].any()
    return out.reset_index().rename(columns={by: "area_code"})


def roll_up(
    base: pd.DataFrame,
    hierarchy: pd.DataFrame,
    *,
    base_level: str = "sub_icb",
    parents: tuple[str, ...] = ("icb", "region"),
    columns: tuple[str, ...] = COUNT_COLUMNS,
    england: bool = True,
    partial_england: bool = False,
) -> pd.DataFrame:
    """Counts at ``base_level`` plus each parent level and England.

    ``base`` has ``area_code`` and the count columns; ``hierarchy`` maps ``<base>_code`` to
    ``<parent>_code`` for each parent level. With ``partial_england``, England adds up the
    areas that have a figure in every column (for sources that publish no England total and
    suppress small local counts), numerator and denominator alike, so England's rate is on
    the same areas' basis, and says so in its note; every other parent stays strict.
    """
    base = base.copy()
    if "source_suppressed" not in base.columns:
        base["source_suppressed"] = False
    key = f"{base_level}_code"
    linked = base.merge(hierarchy, left_on="area_code", right_on=key, how="left")
    frames = [base.assign(level=base_level, vintage=LEVEL_VINTAGES[base_level])]
    for parent in parents:
        part = strict_sum(linked, f"{parent}_code", columns)
        frames.append(part.assign(level=parent, vintage=LEVEL_VINTAGES[parent]))
    if england:
        part = strict_sum(linked.assign(_all=ENGLAND), "_all", columns)
        if partial_england:
            complete = linked[list(columns)].notna().all(axis=1)
            missing = int((~complete).sum())
            for column in columns:
                part[column] = [linked.loc[complete, column].sum()]
            part["source_suppressed"] = False
            part["note"] = (
                f"England is the sum of the areas with a figure; {missing} area counts "
                "suppressed at source (each under 8) are not included."
                if missing
                else pd.NA
            )
        frames.append(part.assign(level="england", vintage="england"))
    keep = ["area_code", "level", "vintage", *columns, "source_suppressed"]
    keep += ["note"] if partial_england else []
    return pd.concat([f.reindex(columns=keep) for f in frames], ignore_index=True)


def parent_pairs(hierarchy: pd.DataFrame) -> dict[tuple[str, str], tuple[str, str]]:
    """(level, code) -> the (level, code) its counts add up into: sub-ICB, ICB, region.

    ``finalise`` uses it to hide a total that would give back a part the disclosure rule hid.
    """
    pairs = {}
    for child, parent in (("sub_icb", "icb"), ("icb", "region")):
        links = hierarchy[[f"{child}_code", f"{parent}_code"]].drop_duplicates()
        for code, up in links.itertuples(index=False, name=None):
            pairs[(child, str(code))] = (parent, str(up))
    return pairs
