"""Putting the rules' catches on the atlas's rows, and keeping those rows out of benchmarks.

A row is linked to the organisation-months it is built from: a sub-ICB row to its own code,
an ICB or region row to its sub-ICBs, a CCG row to the codes harmonised into it, each over
the months of its period (a year-end snapshot is March; ``Aug - Nov 2022`` is four months).
A row is flagged when its caught months leave it at least :data:`MATERIAL_SHORTFALL` short
of its usual level; a row that is itself one caught month always is. Flagged rows keep their
value and get a ``quality`` rule id and a note; England figures that are sums of areas leave
them out, and so does the rate an observed/expected ratio's expected counts come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data_pipeline import atlas_files
from data_pipeline.ccg_vintages.code_map import to_vintage
from data_pipeline.indicators import DIFFERENCE_OF, load_catalogue
from data_pipeline.indicators.families import tt_monthly
from data_pipeline.quality import QUALITY, evidence, notes, rules

#: A row built from several organisation-months is flagged when its caught months leave it at
#: least this share short of its usual level (e.g. one collapsed month in eleven).
MATERIAL_SHORTFALL = 0.05
SUB_ICB_LEVELS = ("sub_icb", "icb", "region")
#: The atlas table of every row caught.
QUALITY_FILE = "quality.parquet"


@dataclass(frozen=True)
class Target:
    """An indicator judged by a source's rule: which measures, which of its periods."""

    indicator_id: str
    source: str
    measures: tuple[str, ...]
    monthly: bool = False
    periods: tuple[str, ...] | None = None  # None: every period of the indicator


TT_PERIOD = ("Jul 2022 - May 2023",)
TARGETS = (
    Target("mhsds_in_contact_rate", "mhsds", ("MHS01",)),
    Target("mhsds_admissions_rate", "mhsds", ("MHS01", "MHS07")),
    Target("mhsds_detentions_rate", "mhsds", ("MHS01", "MHS07")),
    Target("secondary_reliance_ratio", "mhsds", ("MHS01",)),
    Target("mhsds_in_contact_monthly", "mhsds", ("MHS01",), monthly=True),
    Target("smi_health_checks_pct", "smi_checks", (evidence.SMI_MEASURE,)),
    Target("tt_referrals_rate", "talking_therapies", ("referrals_received",), periods=TT_PERIOD),
    Target("tt_access_rate", "talking_therapies", ("accessing_services",), periods=TT_PERIOD),
    *(
        Target(ind, "talking_therapies", ("finished_course_treatment",), periods=TT_PERIOD)
        for ind in ("tt_gap_ratio", "tt_gap_ratio_modelled", "tt_shortfall_modelled")
    ),
    # Month by month at ICB: each judged on the count it is made of (shares: their base).
    *(
        Target(
            indicator, evidence.PROVIDER_SOURCE, (measure.denominator or measure.numerator,), True
        )
        for indicator, measure in tt_monthly.MEASURES.items()
    ),
)
_MONTH_SPAN = re.compile(
    r"^(?P<a>[A-Z][a-z]{2})( (?P<ay>\d{4}))? - (?P<b>[A-Z][a-z]{2}) (?P<by>\d{4})$"
)
_FIN_YEAR = re.compile(r"^(?P<y>\d{4})-(?P<yy>\d{2})$")


def period_months(period: str, monthly: bool = False) -> list[pd.Timestamp]:
    """The months a period label covers.

    'YYYY-MM' (a monthly series), a financial year's year end ('2017-18' -> March 2018),
    'Nov 2022', 'Aug - Nov 2022' or 'Jul 2022 - May 2023'.
    """
    if monthly:
        return [pd.Timestamp(f"{period}-01")]
    year = _FIN_YEAR.match(period)
    if year and (int(year["y"]) + 1) % 100 == int(year["yy"]):
        return [pd.Timestamp(int(year["y"]) + 1, 3, 1)]
    span = _MONTH_SPAN.match(period)
    if span:
        end = pd.Timestamp(f"1 {span['b']} {span['by']}")
        start = pd.Timestamp(f"1 {span['a']} {span['ay'] or span['by']}")
        return list(pd.date_range(start, end, freq="MS"))
    try:
        return [pd.Timestamp(f"1 {period}")]
    except ValueError as exc:
        raise ValueError(f"data quality: cannot tell the months of period {period!r}") from exc


def collect(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every judged organisation-month of every source the build has."""
    frames = []
    if "mhsds_monthly" in tables:
        frames.append(evidence.mhsds(tables["mhsds_monthly"]))
    if "smi_checks" in tables:
        frames.append(evidence.smi_checks(tables["smi_checks"]))
    if "tt_monthly_subicb" in tables:
        frames.append(evidence.talking_therapies(tables["tt_monthly_subicb"]))
    if "tt_monthly_provider" in tables and "tt_providers" in tables:
        providers = tables["tt_providers"]
        frames.append(
            evidence.talking_therapies_providers(tables["tt_monthly_provider"], providers)
        )
    if not frames:
        return pd.DataFrame(columns=list(evidence.EVIDENCE_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def _target_rows(obs: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The target's rows below England, one per month of their period (``month``)."""
    rows = obs.loc[(obs["indicator_id"] == target.indicator_id) & (obs["level"] != "england")]
    if target.periods is not None:
        rows = rows.loc[rows["period"].isin(target.periods)]
    rows = rows[["area_code", "level", "vintage", "period"]].rename_axis("row").reset_index()
    months = {p: period_months(p, target.monthly) for p in rows["period"].unique()}
    rows = rows.assign(month=rows["period"].map(months))
    rows["row_months"] = rows["month"].map(len)
    return rows.explode("month").astype({"month": "datetime64[ns]"})


def _sub_icb_links(rows: pd.DataFrame, judged: pd.DataFrame, ctx) -> pd.DataFrame:
    """Rows of the 2023 NHS geography joined to their sub-ICBs' judged months."""
    rows = rows.loc[rows["level"].isin(SUB_ICB_LEVELS)]
    if rows.empty:
        return rows
    hierarchy = ctx.hierarchy
    if judged["source"].iat[0] == "talking_therapies":
        sub_icb = judged["org_code"].map(lambda c: ctx.recode.get(c, c))
    else:
        sub_icb = judged["org_code"].map(ctx.sub_icb_ods)
    judged = judged.assign(sub_icb_code=sub_icb.astype("string")).dropna(subset=["sub_icb_code"])
    frames = []
    for level, part in rows.groupby("level"):
        children = hierarchy[["sub_icb_code"]].assign(area_code=hierarchy[f"{level}_code"])
        linked = part.merge(children, on="area_code")
        frames.append(linked.merge(judged, on=["sub_icb_code", "month"]))
    return pd.concat(frames, ignore_index=True)


def _ccg_links(rows: pd.DataFrame, judged: pd.DataFrame, ctx) -> pd.DataFrame:
    """CCG rows joined to the months of every code harmonised into them."""
    rows = rows.loc[rows["level"] == "ccg"]
    frames = []
    for (vintage, month), part in rows.groupby(["vintage", "month"]):
        codes = judged.loc[judged["month"] == month]
        if codes.empty:
            continue
        ods = to_vintage(codes["org_code"], str(vintage), ctx.ccg.codes_map)
        area = ctx.ccg.to_ons(ods, str(vintage))
        direct = (ods == codes["org_code"]).to_numpy()
        codes = codes.assign(area_code=area.to_numpy(), direct=direct)
        frames.append(part.merge(codes.dropna(subset=["area_code"]), on=["area_code", "month"]))
    return pd.concat(frames, ignore_index=True) if frames else rows.iloc[0:0]


def _flag_rows(links: pd.DataFrame) -> pd.DataFrame:
    """Per row, the measure whose caught months leave it shortest; rows short enough kept."""
    if links.empty:
        return links
    links = links.assign(count=links["count"].astype("float64").fillna(0.0))
    links["shortfall"] = links["shortfall"].astype("float64").fillna(0.0)
    totals = links.groupby(["row", "measure"]).agg(
        count=("count", "sum"), shortfall=("shortfall", "sum")
    )
    totals["short_share"] = totals["shortfall"] / (totals["count"] + totals["shortfall"])
    totals = totals.loc[totals["shortfall"] > 0].reset_index()
    totals = totals.sort_values(["row", "short_share"], ascending=[True, False])
    best = totals.drop_duplicates("row")
    return best.loc[best["short_share"] >= MATERIAL_SHORTFALL]


def _monthly_series(obs: pd.DataFrame, target: Target) -> pd.DataFrame:
    """A monthly series judged on the areas it is drawn for.

    A merged CCG's months before its merger are the sum of its predecessors, so its first
    months under the new code, which the source codes alone cannot judge, are judged too.
    """
    rows = obs.loc[(obs["indicator_id"] == target.indicator_id) & (obs["level"] == "ccg")]
    if rows.empty:
        return pd.DataFrame()
    judged = rules.incomplete_submission(
        pd.DataFrame(
            {
                "area": rows["area_code"],
                "month": pd.to_datetime(rows["period"] + "-01"),
                "count": rows["numerator"].astype("float64"),
                "row": rows.index,
            }
        )
    )
    caught = judged.loc[judged["caught"]]
    return pd.DataFrame(
        {
            "row": caught["row"].to_numpy(),
            "measure": target.measures[0],
            "count": caught["count"].to_numpy(),
            "shortfall": (caught["reference"] - caught["count"]).to_numpy(),
            "month": caught["month"].to_numpy(),
            "org_code": caught["area"].to_numpy(),
            "value": caught["count"].to_numpy(),
            "reference": caught["reference"].to_numpy(),
            "reference_periods": caught["reference_months"].to_numpy(),
            "direct": True,
            "row_months": 1,
            "short_share": (1 - caught["share"]).to_numpy(),
        }
    )


def _caught_for(obs: pd.DataFrame, judged: pd.DataFrame, target: Target, ctx) -> pd.DataFrame:
    """One row per flagged atlas row of ``target``, with the parts it was caught by."""
    own = judged.loc[(judged["source"] == target.source) & judged["measure"].isin(target.measures)]
    rows = _target_rows(obs, target)
    if own.empty or rows.empty:
        return pd.DataFrame()
    if target.source == evidence.PROVIDER_SOURCE:  # providers, placed in ICBs
        links = [tt_monthly.provider_links(rows, own, ctx)]
    else:
        links = [_sub_icb_links(rows, own, ctx), _ccg_links(rows, own, ctx)]
    links = pd.concat([x for x in links if not x.empty], ignore_index=True)
    if links.empty:
        return pd.DataFrame()
    links["direct"] = links.get("direct", pd.Series(False, index=links.index)).fillna(False)
    links.loc[links["level"] == "sub_icb", "direct"] = True
    flagged = _flag_rows(links)
    parts = links.merge(flagged[["row", "measure", "short_share"]], on=["row", "measure"])
    parts = parts.loc[parts["rule"].notna()]
    if target.monthly:
        series = _monthly_series(obs, target)
        extra = series.loc[~series["row"].isin(parts["row"])] if len(series) else series
        extra = extra.assign(rule=rules.INCOMPLETE_SUBMISSION, source=target.source)
        parts = pd.concat([parts, extra], ignore_index=True)
    return notes.describe(obs, parts, ctx)


def mark(obs: pd.DataFrame, ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observations with ``quality`` and notes set, and the table of every row caught.

    England figures that add up areas leave the flagged areas out, and each ratio's expected
    counts are re-based on the unflagged areas (see :func:`benchmarks`).
    """
    judged = collect(ctx.tables)
    caught = [_caught_for(obs, judged, target, ctx) for target in TARGETS]
    caught = [c for c in caught if not c.empty]
    out = obs.copy()
    out[QUALITY] = pd.Series(pd.NA, index=out.index, dtype="string")
    if not caught:
        return out, notes.empty_table()
    table = pd.concat(caught, ignore_index=True)
    out.loc[table["row"], QUALITY] = table["rule"].to_numpy()
    earlier = out.loc[table["row"], "note"]
    out.loc[table["row"], "note"] = [
        note if pd.isna(before) else f"{note} {before}"
        for note, before in zip(table["note"], earlier, strict=True)
    ]
    out = benchmarks(out, _ratios())
    return out, table.drop(columns="row")


def save(values: pd.DataFrame, caught: pd.DataFrame, atlas: Path) -> dict[str, int]:
    """Write ``quality.parquet`` (each caught row with its shown value); rows per rule."""
    table = notes.table(values, caught)
    atlas_files.write_table(table, atlas / QUALITY_FILE)
    return notes.counts(table)


def _ratios() -> dict[str, str | None]:
    """Each O/E ratio of the catalogue -> the difference built from it (or None)."""
    built_from = {ratio: difference for difference, ratio in DIFFERENCE_OF.items()}
    return {
        key: built_from.get(key)
        for key, indicator in load_catalogue().items()
        if indicator.statistic == "ratio"
    }


def _is_sum(england: pd.Series, base: pd.DataFrame, column: str) -> bool:
    total = base[column].astype("float64").sum()
    shown = england[column]
    return pd.notna(shown) and abs(float(shown) - total) <= 0.5 + 1e-9 * abs(total)


def _england_without(
    obs: pd.DataFrame, same: pd.Series, base_level: str, ratio: bool
) -> pd.DataFrame:
    """England, where it is the sum of ``base_level``'s areas, less the flagged ones.

    A ratio's England is observed over itself (1 by definition): it stays so.
    """
    england = obs.index[same & (obs["level"] == "england")]
    base = obs.loc[same & (obs["level"] == base_level) & obs["numerator"].notna()]
    left_out = base.loc[base[QUALITY].notna()]
    if len(england) != 1 or left_out.empty:
        return obs
    row = obs.loc[england[0]]
    if _is_sum(row, base, "numerator") and _is_sum(row, base, "denominator"):
        for column in ("numerator", "denominator"):
            obs.loc[england[0], column] = row[column] - left_out[column].sum()
        if ratio:
            obs.loc[england[0], "denominator"] = obs.loc[england[0], "numerator"]
        obs.loc[england[0], "note"] = notes.england_note(len(left_out), row["note"])
    return obs


def benchmarks(obs: pd.DataFrame, ratios: dict[str, str | None]) -> pd.DataFrame:
    """Leave flagged rows out of England sums and of the rate expected counts come from.

    An England row is changed only where it is the sum of the areas of one level (its
    numerator and denominator both equal their totals); a publisher's England is kept.
    ``ratios`` maps each O/E ratio to the difference (E - O) built from it, if any.
    """
    for (indicator_id, period), part in obs.loc[obs[QUALITY].notna()].groupby(
        ["indicator_id", "period"]
    ):
        same = (obs["indicator_id"] == indicator_id) & (obs["period"] == period)
        base_level = "sub_icb" if (part["level"] == "sub_icb").any() else "ccg"
        obs = _england_without(obs, same, base_level, indicator_id in ratios)
        if indicator_id in ratios:
            difference = ratios[str(indicator_id)]
            obs = _rebase_expected(obs, same, difference)
    return obs


def _rebase_expected(obs: pd.DataFrame, same: pd.Series, difference: str | None) -> pd.DataFrame:
    """Expected counts re-based, level by level, so the unflagged areas' O/E averages 1.

    Expected is need at the overall rate of the areas of a level; with a flagged area's
    collapsed count in that rate, every other area's expected is too low. The gap in people
    built from the ratio (E - O, on a yearly footing) moves with its expected count.
    """
    for level in (*SUB_ICB_LEVELS, "ccg"):
        rows = obs.loc[same & (obs["level"] == level)]
        counted = rows["numerator"].notna() & rows["denominator"].notna()
        usable = rows.loc[counted & rows[QUALITY].isna()]
        if usable.empty or rows[QUALITY].isna().all():
            continue
        factor = usable["numerator"].sum() / usable["denominator"].sum()
        if difference is not None:
            obs = _shift_difference(obs, rows, factor, difference)
        obs.loc[rows.index, "denominator"] = rows["denominator"] * factor
    return obs


def _shift_difference(
    obs: pd.DataFrame, ratio_rows: pd.DataFrame, factor: float, difference: str
) -> pd.DataFrame:
    """E - O rows of the same areas and period follow their ratio's re-based expected."""
    key = ["area_code", "level", "period"]
    rows = (
        obs.loc[obs["indicator_id"] == difference]
        .reset_index()
        .merge(
            ratio_rows[[*key, "denominator"]].rename(columns={"denominator": "_expected"}), on=key
        )
    )
    rows = rows.loc[rows["denominator"].astype("float64") == rows["_expected"].astype("float64")]
    if rows.empty:
        return obs
    gap = rows["denominator"] - rows["numerator"]
    per_year = (rows["value"] / gap).where(gap != 0, 1.0)
    shift = rows["denominator"] * (factor - 1) * per_year
    index = rows["index"].to_numpy()
    for column in ("value", "lower_95", "upper_95", "lower_998", "upper_998"):
        obs.loc[index, column] = (rows[column] + shift).to_numpy()
    obs.loc[index, "denominator"] = (rows["denominator"] * factor).to_numpy()
    return obs
