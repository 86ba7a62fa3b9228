"""The code map: every known CCG code (ODS or E38, 2013 onwards) -> its code in each vintage."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from data_pipeline.ccg_vintages.codes import (
    NON_GEOGRAPHIC_CODES,
    VINTAGES,
    register_codes,
    require_unique,
)


def _leaves(code: str, predecessors: Mapping[str, list[str]]) -> list[str]:
    parts = predecessors.get(code)
    if not parts:
        return [code]
    return sorted({leaf for part in parts for leaf in _leaves(part, predecessors)})


def code_map(register: pd.DataFrame, successors: pd.DataFrame) -> pd.DataFrame:
    """Every known CCG code -> its ODS code in each vintage (NA where it is newer).

    Columns: code, code_type ('ods' or 'ons'), ods_code (the code's own ODS code),
    ccg_2019, ccg_2020, ccg_2021, parts. ``parts`` lists the oldest codes whose areas make up
    the code's area; :func:`harmonise` uses it to see that a merged area is complete and
    nothing is counted twice.
    """
    steps = [
        (when, dict(zip(group["from_ods"], group["to_ods"], strict=True)))
        for when, group in successors.sort_values("transition").groupby("transition")
    ]
    ods = sorted(
        set(register["ods_code"]) | set(successors["from_ods"]) | set(successors["to_ods"])
    )
    predecessors: dict[str, list[str]] = {}
    for row in successors[successors["from_ods"] != successors["to_ods"]].itertuples():
        predecessors.setdefault(row.to_ods, []).append(row.from_ods)
    rows = pd.DataFrame({"code": ods, "code_type": "ods", "ods_code": ods})
    for vintage, start in VINTAGES.items():
        members = set(register_codes(register, vintage)["ods_code"])
        mapped = []
        for code in ods:
            for when, step in steps:
                if when <= start:
                    code = step.get(code, code)
            mapped.append(code if code in members else pd.NA)
        rows[vintage.replace("-", "_")] = mapped
    rows["parts"] = [",".join(_leaves(code, predecessors)) for code in ods]
    ons = pd.concat(
        [
            register[["ons_code", "ods_code"]],
            successors[["from_ons", "from_ods"]].set_axis(["ons_code", "ods_code"], axis=1),
            successors[["to_ons", "to_ods"]].set_axis(["ons_code", "ods_code"], axis=1),
        ]
    )
    ons = ons.dropna().drop_duplicates()
    require_unique(ons, "ons_code", "E38 to ODS codes")
    by_ods = rows.set_index("ods_code").drop(columns=["code", "code_type"])
    ons_rows = ons.join(by_ods, on="ods_code").rename(columns={"ons_code": "code"})
    ons_rows["code_type"] = "ons"
    out = pd.concat([rows, ons_rows[rows.columns]], ignore_index=True).astype("string")
    return out.sort_values(["code_type", "code"], ignore_index=True)


def target_column(target: str) -> str:
    """The code-map column of a vintage ('ccg-2019' -> 'ccg_2019'); unknown ones raise."""
    if target not in VINTAGES:
        raise ValueError(f"unknown CCG vintage {target!r}; use one of {list(VINTAGES)}")
    return target.replace("-", "_")


def clean_codes(codes: pd.Series) -> pd.Series:
    """Codes as sources write them, trimmed and upper-cased, so they compare equal."""
    return codes.astype("string").str.strip().str.upper()


def to_vintage(codes: pd.Series, target: str, codes_map: pd.DataFrame) -> pd.Series:
    """Map CCG codes (ODS or E38, any year since 2013) to their ODS code in ``target``.

    Returns <NA> for the non-geographic codes of :data:`NON_GEOGRAPHIC_CODES` (UNKNOWN,
    commissioning hubs), which a reader should reject and count with the reason given
    there. Raises ``ValueError`` for a missing code, a code no register or successor row
    knows, or a code newer than ``target`` (a merged CCG cannot be split back).

    Parameters
    ----------
    codes : the source's CCG codes.
    target : "ccg-2019", "ccg-2020" or "ccg-2021".
    codes_map : the ``ccg_code_map`` table from :func:`code_map`.
    """
    column = target_column(target)
    clean = clean_codes(codes)
    if clean.isna().any():
        raise ValueError(f"{int(clean.isna().sum())} missing CCG codes; reject those rows first")
    lookup = codes_map.set_index("code")[column]
    known = clean.isin(lookup.index)
    non_geo = clean.isin(list(NON_GEOGRAPHIC_CODES))
    unknown = sorted(set(clean[~known & ~non_geo]))
    if unknown:
        raise ValueError(f"CCG codes not in any known vintage: {unknown[:20]}")
    out = clean.map(lookup).astype("string")
    newer = sorted(set(clean[known & out.isna()]))
    if newer:
        raise ValueError(
            f"CCG codes newer than {target} cannot be split back onto it: {newer[:20]}"
        )
    return out
