"""Successors: which CCG each old code became at each April, and on what evidence.

Mergers of 2015-2019 and boundary changes come from a curated reference file; those of
2020 and 2021 are read from where the same GP practices were registered before and after.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import pandas as pd

from data_pipeline.ccg_vintages.codes import (
    MIN_PRACTICE_SHARE,
    SUCCESSOR_COLUMNS,
    VINTAGES,
    register_codes,
)


def load_reference() -> pd.DataFrame:
    """The curated rows: mergers of 2015-2019 and boundary changes, which no raw file lists.

    A boundary change (basis :data:`BOUNDARY_CHANGE`) is a row whose code stays the same
    while its area changes: territory moved between it and the codes in
    ``exchanged_with`` (';'-separated), and ONS gave both new E38 codes.
    """
    source = resources.files("data_pipeline").joinpath("reference/ccg_successors.csv")
    with resources.as_file(source) as path:
        frame = pd.read_csv(path, dtype="string", keep_default_na=False)
    frame["transition"] = pd.to_datetime(frame["transition"], format="%Y-%m-%d")
    return frame


def practice_successors(
    old: pd.DataFrame,
    new: pd.DataFrame,
    transition: pd.Timestamp,
    basis: str,
    min_share: float = MIN_PRACTICE_SHARE,
) -> pd.DataFrame:
    """Read one April transition from where the same GP practices were registered.

    CCGs are groups of member practices, so an old CCG whose practices all sit in one new
    CCG was merged into it. A share below ``min_share`` means the CCG was split, which
    cannot be harmonised by summing, so it raises.

    Parameters
    ----------
    old, new : columns practice_code, ccg_code, before and after the transition.
    """
    pairs = old.merge(new, on="practice_code", suffixes=("_old", "_new"))
    counts = pairs.groupby(["ccg_code_old", "ccg_code_new"]).size().rename("n").reset_index()
    counts["total"] = counts.groupby("ccg_code_old")["n"].transform("sum")
    counts = counts.sort_values(
        ["ccg_code_old", "n", "ccg_code_new"], ascending=[True, False, True]
    )
    best = counts.drop_duplicates("ccg_code_old").copy()
    best["share"] = best["n"] / best["total"]
    weak = best[best["share"] < min_share]
    if len(weak):
        detail = ", ".join(
            f"{r.ccg_code_old} ({r.share:.0%} to {r.ccg_code_new})" for r in weak.itertuples()
        )
        raise ValueError(
            f"CCGs whose practices did not move together at {transition:%Y-%m}: {detail}"
        )
    return pd.DataFrame(
        {
            "transition": pd.Timestamp(transition),
            "from_ods": best["ccg_code_old"].to_numpy(),
            "to_ods": best["ccg_code_new"].to_numpy(),
            "basis": basis,
            "evidence": [f"{r.n} of {r.total} practices" for r in best.itertuples()],
            "practice_share": best["share"].to_numpy(),
        }
    )


def check_transition(succ: pd.DataFrame, old_codes: set[str], new_codes: set[str]) -> None:
    """A derived transition must take every old CCG to a new one and leave no new one empty."""
    label = f"transition {succ['transition'].iloc[0]:%Y-%m}"
    if set(succ["from_ods"]) != old_codes:
        gap = sorted(old_codes ^ set(succ["from_ods"]))
        raise ValueError(f"{label}: old CCGs without practices on both sides: {gap}")
    if set(succ["to_ods"]) != new_codes:
        gap = sorted(new_codes ^ set(succ["to_ods"]))
        raise ValueError(f"{label}: new CCGs that no old CCG maps to: {gap}")


def _vintage_starting(when: pd.Timestamp) -> str:
    for name, start in VINTAGES.items():
        if start == pd.Timestamp(when):
            return name
    raise ValueError(f"no CCG vintage starts on {when:%Y-%m-%d}")


def successor_table(
    curated: pd.DataFrame, derived: Sequence[pd.DataFrame], register: pd.DataFrame
) -> pd.DataFrame:
    """Curated and derived transitions in one table, checked for clashes.

    Columns: transition, from_ods, from_ons, to_ods, to_ons, basis, exchanged_with,
    evidence, practice_share (NA for curated rows). Derived transitions list every old CCG,
    including those that kept their code; their E38 codes come from the register.
    """
    frames = [curated.assign(practice_share=pd.NA)]
    names = list(VINTAGES)
    for step in derived:
        after = names.index(_vintage_starting(step["transition"].iloc[0]))
        if after == 0:
            raise ValueError("a derived transition needs the register of the vintage before it")
        old = register_codes(register, names[after - 1]).set_index("ods_code")["ons_code"]
        new = register_codes(register, names[after]).set_index("ods_code")["ons_code"]
        frames.append(
            step.assign(
                from_ons=step["from_ods"].map(old),
                to_ons=step["to_ods"].map(new),
                exchanged_with="",
            )
        )
    out = pd.concat([f[SUCCESSOR_COLUMNS] for f in frames], ignore_index=True)
    text = [c for c in SUCCESSOR_COLUMNS if c not in ("transition", "practice_share")]
    out[text] = out[text].astype("string").replace("", pd.NA)
    out["practice_share"] = out["practice_share"].astype("Float64")
    out["transition"] = pd.to_datetime(out["transition"])
    twice = out[out.duplicated(["transition", "from_ods"], keep=False)]
    if len(twice):
        raise ValueError(f"codes with two successors: {sorted(set(twice['from_ods']))}")
    closed = out.loc[out["from_ods"] != out["to_ods"], ["transition", "from_ods"]]
    seen = pd.concat(
        [
            out[["transition", "from_ods"]],
            out[["transition", "to_ods"]].set_axis(["transition", "from_ods"], axis=1),
        ]
    )
    reused = closed.merge(seen, on="from_ods", suffixes=("", "_later"))
    reused = reused[reused["transition_later"] > reused["transition"]]
    if len(reused):
        raise ValueError(f"closed codes that reappear later: {sorted(set(reused['from_ods']))}")
    return out.sort_values(["transition", "from_ods"], ignore_index=True)
