"""Small pure helpers the pages share: table layouts, labels and source lines."""

from __future__ import annotations

import pandas as pd

from gapmap import peers
from gapmap.atlas import Atlas
from gapmap.state import Selection
from gapmap.wording import COMPARISON_WORDS, PLURALS, escape_md


def display_table(table: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """The human table of a map: area, value with limits, England comparison, notes."""
    unit = str(meta["unit"])
    out = pd.DataFrame(
        {
            "Area": table["area_name"],
            "Code": table["area_code"],
            f"Value ({unit})": table["value"].round(3),
            "Lower 95% limit": table["lower_95"].round(3),
            "Upper 95% limit": table["upper_95"].round(3),
            "Compared with England": table["comparison"].map(COMPARISON_WORDS),
            "Numerator": table["numerator"],
            "Denominator": table["denominator"],
            "Note": table["note"],
        }
    )
    return out.sort_values(f"Value ({unit})", ascending=False, na_position="last").reset_index(
        drop=True
    )


def source_line(meta: pd.Series, period: str) -> str:
    """'Source: <files' publishers>, <period>' for captions and exported images."""
    return f"Source: {publisher(str(meta['sources']))}; period {period}."


def publisher(sources: str) -> str:
    """Publishers of an indicator's source files, from their folders."""
    names = {
        "deprivation": "MHCLG English Indices of Deprivation",
        "population": "ONS population estimates",
        "services": "NHS England",
        "secondary_care": "NHS England MHSDS",
        "qof_practice": "NHS England QOF",
        "prescribing": "NHSBSA prescribing data",
        "fingertips": "OHID Fingertips / ONS",
        "lookups": "ONS",
        "boundaries": "ONS",
    }
    seen: list[str] = []
    for source in sources.split(";"):
        folder = source.strip().split("/")[0]
        name = names.get(folder)
        if name and name not in seen:
            seen.append(name)
    return ", ".join(seen) or "see Methods & data"


def area_label(atlas: Atlas, selection: Selection) -> str:
    """'Selected: <name> (<code>)' for the selected area, with its value."""
    if not selection.area:
        return "No area selected."
    return f"Selected: {area_name(atlas, selection)} ({selection.area})"


SECONDARY_INDICATORS = (
    "mhsds_in_contact_rate",
    "mhsds_admissions_rate",
    "mhsds_detentions_rate",
    "secondary_reliance_ratio",
    "tt_gap_ratio",
)
PHYSICAL_INDICATORS = (
    "smi_health_checks_pct",
    "smi_excess_mortality_ratio",
    "smoking_prevalence",
    "life_expectancy_female",
    "life_expectancy_male",
)


def comparison_table(
    atlas: Atlas, selection: Selection, indicators: tuple[str, ...]
) -> pd.DataFrame:
    """The selected area's latest value of each indicator beside England and its peer group.

    The peer group is the selection's (:func:`gapmap.peers.group`) on each indicator's own
    map; its value is pooled from counts or the median (:func:`gapmap.peers.peer_value`),
    and the column saying which travels with the table.
    """
    rows = []
    for indicator_id in indicators:
        if indicator_id not in atlas.indicator_ids(selection.level):
            continue
        meta = atlas.indicator(indicator_id)
        period = atlas.periods(indicator_id, selection.level)[-1]
        table = atlas.table(indicator_id, selection.level, period)
        by_code = table.set_index("area_code")
        if selection.area not in by_code.index:
            continue
        row = by_code.loc[selection.area]
        england = atlas.england(indicator_id, period)
        vintage = atlas.vintage(indicator_id, selection.level, period)
        group = peers.group(atlas, selection, vintage)
        pooled = peers.peer_value(table, group.codes, meta)
        hidden = bool(row["suppressed"])
        rows.append(
            {
                "Indicator": meta["short_name"],
                "Period": period,
                "Unit": meta["unit"],
                "Area": None if hidden else row["value"],
                "Lower 95%": row["lower_95"],
                "Upper 95%": row["upper_95"],
                "England": None if england is None else england["value"],
                "Peer group": pooled.value,
                "Peer value is": pooled.how,
                "Compared with England": COMPARISON_WORDS.get(str(row["comparison"])),
                "Compared with peers": peers.compared(
                    None if hidden else row["lower_95"],
                    None if hidden else row["upper_95"],
                    pooled.value,
                    str(meta["polarity"]),
                ),
                "Note": row["note"],
            }
        )
    return pd.DataFrame(rows)


def monthly_trend_code(atlas: Atlas, selection: Selection) -> str | None:
    """The 2021 CCG code that carries the monthly MHSDS series for the selected area.

    Sub-ICB locations kept the April 2021 CCG codes where their boundaries did not move, so
    their series is the CCG's; other levels have no monthly series.
    """
    if not selection.area or selection.level not in ("sub_icb", "ccg"):
        return None
    if atlas.area(selection.area, "ccg-2021") is None:
        return None
    return selection.area


def england_value(atlas: Atlas, indicator_id: str, period: str) -> float | None:
    """England's value of an indicator in a period, or None."""
    row = atlas.england(indicator_id, period)
    return None if row is None or pd.isna(row["value"]) else float(row["value"])


def reconciliation(manifest: dict) -> pd.DataFrame:
    """The manifest's row accounting as a table: every file, rows in/used/rejected, why."""
    rows = []
    for entry in manifest.get("sources", []):
        reasons = entry.get("rejected_by_reason", {})
        top = sorted(reasons.items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            {
                "File": entry["file"],
                "Rows in": entry["rows_in"],
                "Used": entry["rows_used"],
                "Rejected": entry["rows_rejected"],
                "Main reasons for rejection": "; ".join(f"{r} ({n:,})" for r, n in top),
            }
        )
    return pd.DataFrame(rows).drop_duplicates("File")


PRACTICE_INDICATORS = (
    "depression_prevalence",
    "smi_prevalence",
    "smoking_prevalence",
    "life_expectancy_female",
    "life_expectancy_male",
)


def practice_frame(atlas: Atlas, indicator_id: str, period: str) -> pd.DataFrame:
    """Practices' values of an indicator with their IMD 2019 score and list size.

    Columns: area_code, value, numerator, denominator, imd_score, weight (list size): the
    input :func:`gapmap.inequality.by_quantile` expects.
    """
    values = atlas.table(indicator_id, "practice", period)
    imd = atlas.table("practice_imd_score", "practice", "IMD 2019")[["area_code", "value"]]
    size = atlas.table("list_size", "practice", "2022-23")[["area_code", "value"]]
    out = (
        values[["area_code", "value", "numerator", "denominator", "suppressed"]]
        .merge(imd.rename(columns={"value": "imd_score"}), on="area_code")
        .merge(size.rename(columns={"value": "weight"}), on="area_code")
    )
    return out.loc[~out["suppressed"]].drop(columns="suppressed").reset_index(drop=True)


LEVEL_WORDS = {
    "region": "NHS region",
    "icb": "ICB",
    "sub_icb": "Sub-ICB location",
    "ccg": "CCG (to 2022)",
    "ltla": "Local authority (district)",
    "utla": "Local authority (county or unitary)",
    "practice": "GP practice",
}


def level_of_result(atlas: Atlas, row) -> tuple[str, str, str]:
    """(map level, area code, button label) for a search result.

    A GP practice is not a map area: choosing one selects the sub-ICB location it belongs
    to, and the label says so.
    """
    kind = LEVEL_WORDS.get(row.level, row.level)
    if row.level == "practice":
        parent = atlas.area(row.parent_sub_icb) if row.parent_sub_icb else None
        where = "" if parent is None else f" → {parent['area_name']}"
        label = f"{row.area_name} ({row.area_code}, {kind}){where}"
        return "sub_icb", row.parent_sub_icb, escape_md(label)
    return row.level, row.area_code, escape_md(f"{row.area_name} ({row.area_code}, {kind})")


def quantile_summary(
    atlas: Atlas, indicator_id: str, period: str, n: int
) -> tuple[pd.DataFrame, dict]:
    """Practices' values pooled by national deprivation decile/quintile, and the SII/RII."""
    from gapmap import inequality

    meta = atlas.indicator(indicator_id)
    frame = practice_frame(atlas, indicator_id, period)
    multiplier = float(meta["multiplier"]) if pd.notna(meta["multiplier"]) else 1.0
    statistic = "rate" if meta["statistic"] == "rate" else "proportion"
    if meta["statistic"] not in ("rate", "proportion"):
        frame = frame.assign(numerator=pd.NA, denominator=pd.NA)
    groups = inequality.by_quantile(
        frame, "value", "imd_score", "weight", n, statistic=statistic, multiplier=multiplier
    )
    limits = groups["lower_95"].notna().all() and groups["upper_95"].notna().all()
    result = inequality.sii_rii(
        groups,
        multiplier=multiplier,
        method="simulation" if limits else "analytic",
        repetitions=20_000,
    )
    word = "decile" if n == 10 else "quintile"
    return groups.rename(columns={"quantile": word}), result


def sii_sentence(result: dict, meta: pd.Series, word: str) -> str:
    """The slope and relative indices of inequality in words, with their intervals."""
    unit = "percentage points" if str(meta["unit"]) == "%" else str(meta["unit"])
    sii = result["sii"]
    lower, upper = result.get("sii_lower"), result.get("sii_upper")
    span = "" if lower is None else f" (95% confidence interval {lower:.2f} to {upper:.2f})"
    side = "more" if sii > 0 else "less"
    return (
        f"**Slope index of inequality: {sii:.2f} {unit}**{span}. Across the deprivation "
        f"gradient, the most deprived end has {abs(sii):.2f} {unit} {side} than the least "
        f"deprived end. **Relative index: {result['rii']:.2f}** — the gap as a share of the "
        f"England average ({result['mean']:.2f} {meta['unit']}), from {word}s of GP practices "
        "grouped by the deprivation of their patients' neighbourhoods (IMD 2019)."
    )


def deprivation_text(atlas: Atlas, selection: Selection) -> str | None:
    """Where the selected area stands on deprivation among areas of its kind."""
    from gapmap import narrative

    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    period = atlas.period_on("imd_score", selection.level, vintage)
    if not selection.area or period is None:
        return None
    table = atlas.table("imd_score", selection.level, period)
    row = table.loc[table["area_code"] == selection.area]
    if row.empty or pd.isna(row["value"].iloc[0]):
        return None
    rank, total = narrative.deprivation_rank(table, selection.area)
    return narrative.deprivation_sentence(
        float(row["value"].iloc[0]),
        rank,
        total,
        PLURALS[selection.level],
        str(row["area_name"].iloc[0]),
    )


def area_name(atlas: Atlas, selection: Selection) -> str:
    """The selected area's name on the current map (its code if unknown)."""
    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    area = atlas.area(selection.area, vintage) if selection.area else None
    return str(selection.area) if area is None else str(area["area_name"])


def drilldown_layers(atlas: Atlas, selection: Selection):
    """(LSOAs with IMD decile, practices with depression prevalence, area outline GeoJSON)."""
    lsoas = atlas.within(selection.area, selection.level, "lsoa")
    deciles = atlas.table("imd_decile", "lsoa", "IoD2025")[["area_code", "value"]]
    shapes = atlas.lsoa_shapes(list(lsoas["area_code"])).merge(
        deciles.rename(columns={"value": "imd_decile"}), on="area_code", how="left"
    )
    practices = atlas.within(selection.area, selection.level, "practice")
    depression = atlas.table("depression_prevalence", "practice", "2022-23")
    practices = practices.merge(
        depression[["area_code", "value", "suppressed", "note"]], on="area_code", how="left"
    )
    vintage = atlas.vintage(selection.indicator, selection.level, selection.period)
    features = [
        f
        for f in atlas.boundaries(vintage)["features"]
        if f["properties"]["area_code"] == selection.area
    ]
    return shapes, practices, {"type": "FeatureCollection", "features": features}


def chart_source(meta: pd.Series, period: str | None = None) -> str:
    """The source line drawn inside an exported chart (its period is drawn separately)."""
    return publisher(str(meta["sources"]))


def neighbourhood_table(shapes: pd.DataFrame) -> pd.DataFrame:
    """The drill-down map's neighbourhoods as a table, most deprived first.

    The map colours each LSOA by its IMD decile; this is the same information for people
    who cannot see the colours or use a mouse.
    """
    decile = pd.to_numeric(shapes["imd_decile"], errors="coerce").astype("Int64")
    out = pd.DataFrame(
        {
            "Neighbourhood (LSOA)": shapes["area_name"],
            "Code": shapes["area_code"],
            "IMD decile (1 = most deprived)": decile,
        }
    )
    return out.sort_values(
        ["IMD decile (1 = most deprived)", "Code"], na_position="last"
    ).reset_index(drop=True)


def practice_table(practices: pd.DataFrame, meta: pd.Series) -> pd.DataFrame:
    """The drill-down map's GP practices as a table, with the value their tooltips show.

    Suppressed values stay blank, with the reason in the note.
    """
    hidden = practices["suppressed"].fillna(False).astype(bool)
    value = pd.to_numeric(practices["value"], errors="coerce").where(~hidden)
    out = pd.DataFrame(
        {
            "GP practice": practices["area_name"],
            "Code": practices["area_code"],
            f"{meta['short_name']} ({meta['unit']})": value.round(2),
            "Note": practices["note"],
        }
    )
    return out.sort_values("GP practice").reset_index(drop=True)
