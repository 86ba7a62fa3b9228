"""Harmonising: figures reported on one year's CCGs put onto a later CCG set."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from data_pipeline.ccg_vintages.code_map import clean_codes, target_column, to_vintage
from data_pipeline.ccg_vintages.codes import BOUNDARY_CHANGE, VINTAGES


def boundary_moved(
    source_ods: pd.Series,
    as_of: pd.Series,
    target: str,
    successors: pd.DataFrame,
    codes_map: pd.DataFrame,
) -> pd.Series:
    """True where a code's area traded territory between ``as_of`` and the target vintage.

    A boundary change keeps the ODS code, so the code alone cannot tell which area a figure
    covers: Cumbria CCG (01H) before April 2017 included South Cumbria, which then moved to
    01K. Data dated before such a change cannot be put onto a later vintage (nor data dated
    after it onto an earlier one) unless all the codes involved end in one target CCG.

    Parameters
    ----------
    source_ods : the rows' own ODS codes.
    as_of : the date the rows' CCG set applied (e.g. the end of the reporting period, or
        the April whose CCGs an annual publication used).
    """
    column = target_column(target)
    start = VINTAGES[target]
    to_target = codes_map[codes_map["code_type"] == "ods"].set_index("code")[column]
    flag = pd.Series(False, index=source_ods.index)
    changes = successors[successors["basis"] == BOUNDARY_CHANGE]
    for row in changes.itertuples():
        group = [row.from_ods, *str(row.exchanged_with).split(";")]
        if to_target.reindex(group).nunique(dropna=False) <= 1:
            continue  # the territory moved inside one target CCG
        when = row.transition
        between = ((as_of < when) & (when <= start)) | ((start < when) & (when <= as_of))
        flag |= (source_ods == row.from_ods) & between
    return flag


def _weights(
    frame: pd.DataFrame, weight: str | pd.Series | None, ods: pd.Series, codes_map: pd.DataFrame
) -> pd.Series:
    if weight is None:
        return pd.Series(pd.NA, index=frame.index, dtype="Float64")
    if isinstance(weight, str):
        return pd.to_numeric(frame[weight], errors="coerce").astype("Float64")
    own = codes_map.set_index("code")["ods_code"]
    index = clean_codes(pd.Series(weight.index))
    by_ods = pd.Series(weight.to_numpy(), index=index.map(own).fillna(index).to_numpy())
    by_ods = by_ods[~by_ods.index.duplicated()]
    return ods.map(by_ods).astype("Float64")


def _as_of(frame: pd.DataFrame, as_of: str | pd.Timestamp) -> pd.Series:
    if isinstance(as_of, str) and as_of in frame.columns:
        dates = pd.to_datetime(frame[as_of])
        if dates.isna().any():
            raise ValueError(f"column {as_of!r} has missing dates")
        return dates
    return pd.Series(pd.Timestamp(as_of), index=frame.index)


def harmonise(
    frame: pd.DataFrame,
    code_col: str,
    target: str,
    count_cols: Sequence[str] = (),
    mean_cols: Sequence[str] = (),
    weight: str | pd.Series | None = None,
    *,
    codes_map: pd.DataFrame,
    successors: pd.DataFrame,
    as_of: str | pd.Timestamp,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Put a frame keyed by CCG codes onto the CCGs of ``target``.

    Rows are grouped by ``by`` and the target CCG. ``count_cols`` are summed;
    ``mean_cols`` (rates, averages) are averaged with ``weight`` - the old CCGs' populations
    as a Series indexed by code (ODS or E38), or the name of a column of ``frame`` - which is
    needed only where several old CCGs merge. Where a rate has its own numerator and
    denominator, harmonise those as counts and divide afterwards instead.

    Missing values are never hidden: a sum or mean with any suppressed/NA part is NA, not a
    partial sum. So is every value of a merged area that lacks one of its parts (a source
    that left out one predecessor), and of an area whose boundary moved between ``as_of``
    and the target (see :func:`boundary_moved`). ``merged_from`` lists the source codes of
    each row. Other columns are dropped.

    Parameters
    ----------
    codes_map, successors : the ``ccg_code_map`` and ``ccg_successors`` tables.
    as_of : the date the frame's CCG set applied, or the name of a column holding it.

    Raises ``ValueError`` for non-geographic codes (reject them first, see
    :data:`NON_GEOGRAPHIC_CODES`), unknown or too-new codes, a code twice in one group,
    overlapping codes (an old CCG next to its successor), or a missing weight.
    """
    count_cols, mean_cols, by = list(count_cols), list(mean_cols), list(by)
    _require(frame, [code_col, *by, *count_cols, *mean_cols], weight)
    work = _work_frame(frame, code_col, target, codes_map, by, [*count_cols, *mean_cols])
    keys = [*by, "_target"]
    twice = work.duplicated([*by, "_source"])
    if twice.any():
        repeated = sorted(set(work.loc[twice, "_source"]))
        raise ValueError(f"codes repeated within a group: {repeated}")
    size = work.groupby(keys, dropna=False)["_source"].transform("size")
    w = _weights(frame, weight, work["_source"], codes_map)
    if mean_cols:
        bad = (size > 1) & (w.isna() | (w <= 0))
        if bad.any():
            codes = sorted(set(work.loc[bad, "_source"]))
            raise ValueError(f"no positive weight for merged codes {codes}")
    work["_w"] = w.where(size > 1, 1.0)
    work["_moved"] = boundary_moved(
        work["_source"], _as_of(frame, as_of), target, successors, codes_map
    ).to_numpy()
    out, usable = _groups(work, keys, codes_map)
    _totals(out, work, keys, count_cols, mean_cols)
    values = [*count_cols, *mean_cols]
    if values:
        out.loc[~usable, values] = pd.NA
    out = out.reset_index().rename(columns={"_target": code_col})
    out = out[[*by, code_col, *values, "merged_from"]]
    out = out.astype({code_col: "string", "merged_from": "string"})
    out = out.astype({c: "Float64" for c in values})
    return out.sort_values([*by, code_col], ignore_index=True)


def _require(frame: pd.DataFrame, require: list[str], weight: str | pd.Series | None) -> None:
    """Raise unless ``frame`` has every column harmonising was asked to use."""
    if isinstance(weight, str):
        require = [*require, weight]
    absent = [c for c in require if c not in frame.columns]
    if absent:
        raise ValueError(f"columns not in the frame: {absent}")


def _work_frame(
    frame: pd.DataFrame,
    code_col: str,
    target: str,
    codes_map: pd.DataFrame,
    by: list[str],
    value_cols: list[str],
) -> pd.DataFrame:
    """The rows with their own ODS code, their target code and their values as numbers."""
    target_codes = to_vintage(frame[code_col], target, codes_map)
    if target_codes.isna().any():
        bad = sorted(set(clean_codes(frame[code_col])[target_codes.isna()]))
        raise ValueError(f"non-geographic codes must be rejected before harmonising: {bad}")
    own = codes_map.set_index("code")["ods_code"]
    source = clean_codes(frame[code_col]).map(own)
    work = frame[by].copy()
    work["_source"] = source.to_numpy()
    work["_target"] = target_codes.to_numpy()
    for column in value_cols:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if (numbers.isna() & frame[column].notna()).any():
            raise ValueError(f"column {column!r} has values that are not numbers")
        work[column] = numbers.astype("Float64")
    return work


def _groups(
    work: pd.DataFrame, keys: list[str], codes_map: pd.DataFrame
) -> tuple[pd.DataFrame, object]:
    """One row per target group (with ``merged_from``), and which groups are usable.

    A group is usable when its parts make up the whole target area and no part's boundary
    moved in between; overlapping parts (an old CCG next to its successor) raise.
    """
    parts = codes_map[codes_map["code_type"] == "ods"].set_index("code")["parts"]
    exploded = work[keys].assign(_part=work["_source"].map(parts).str.split(",")).explode("_part")
    coverage = exploded.groupby(keys, dropna=False)["_part"].agg(["size", "nunique"])
    if (coverage["size"] > coverage["nunique"]).any():
        raise ValueError("overlapping codes in one group (an old CCG next to its successor)")
    grouped = work.sort_values("_source").groupby(keys, dropna=False)
    out = grouped["_source"].agg(",".join).rename("merged_from").to_frame()
    needed = out.index.get_level_values("_target").map(parts.str.count(",") + 1)
    complete = coverage["nunique"].reindex(out.index).to_numpy() == needed.to_numpy()
    usable = complete & ~grouped["_moved"].any().reindex(out.index).to_numpy()
    return out, usable


def _totals(
    out: pd.DataFrame,
    work: pd.DataFrame,
    keys: list[str],
    count_cols: list[str],
    mean_cols: list[str],
) -> None:
    """Sums of counts and weighted means into ``out``; NA wherever any part is NA."""
    group_keys = [work[k] for k in keys]
    for column in [*count_cols, *mean_cols]:
        if column in mean_cols:
            weighted = (work[column] * work["_w"]).groupby(group_keys, dropna=False).sum()
            total = weighted / work["_w"].groupby(group_keys, dropna=False).sum()
        else:
            total = work[column].groupby(group_keys, dropna=False).sum()
        gap = work[column].isna().groupby(group_keys, dropna=False).any()
        out[column] = total.mask(gap)
