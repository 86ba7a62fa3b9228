"""Which colour each area gets, and the legend that explains it (no drawing here).

Interactive and static maps both colour areas from :func:`classify`, so a map on screen
and the same map in a report always agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gapmap import palette
from gapmap.wording import COMPARISON_LABELS, as_number, fixed, quality_word

Meta = pd.Series | Mapping[str, Any]


def colouring(meta) -> str:
    """How a map is coloured: by comparison, decile or value class.

    Ratios are read against England (1), so by the comparison; deprivation deciles by their
    ten fixed classes; anything else by value class.
    """
    if meta["statistic"] == "ratio":
        return "comparison"
    return "decile" if meta_text(meta, "unit") == "decile" else "value"


def text_of(value: object) -> str:
    """Stripped text, or "" for anything missing (None, NA, NaN), so blanks never print."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def meta_text(meta: Meta | None, key: str, default: str = "") -> str:
    """One metadata field as text, ``default`` when the field is missing or blank."""
    if meta is None:
        return default
    return text_of(meta.get(key)) or default


def indicator_name(meta: Meta | None) -> str:
    """The name maps show for an indicator: its short name, else its name, else "Value"."""
    return meta_text(meta, "short_name") or meta_text(meta, "name", "Value")


def area_rows(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Table rows by area code with plain Python values (NA -> None); suppressed -> no value."""
    out: dict[str, dict[str, Any]] = {}
    if table is None or table.empty:
        return out
    for record in table.to_dict("records"):
        code = text_of(record.get("area_code"))
        if not code:
            continue
        flag = record.get("suppressed")
        suppressed = False if flag is None or flag is pd.NA else bool(flag)
        value = None if suppressed else as_number(record.get("value"))
        out[code] = {
            "name": text_of(record.get("area_name")),
            "value": value,
            "lower": as_number(record.get("lower_95")),
            "upper": as_number(record.get("upper_95")),
            "comparison": text_of(record.get("comparison")),
            "quality": quality_word(record.get("quality")),
            "suppressed": suppressed,
            "note": text_of(record.get("note")),
        }
    return out


def value_breaks(values: Iterable[object], classes: int = 5) -> tuple[list[float], int]:
    """Quantile class edges for a value map, rounded for the legend, and their decimals.

    Quantiles give every colour a similar number of areas, so skewed indicators still show
    variation. Edges are rounded to a precision that suits the spread of the values; tied
    edges collapse, so there can be fewer classes than asked for.
    """
    data = np.array([n for n in (as_number(v) for v in values) if n is not None], dtype=float)
    if data.size == 0:
        return [], 0
    low, high = float(data.min()), float(data.max())
    spread = high - low
    decimals = 2 if spread == 0 else int(min(4, max(0, 1 - math.floor(math.log10(spread)))))
    scale = 10**decimals
    lower = math.floor(low * scale) / scale
    upper = math.ceil(high * scale) / scale
    if spread == 0:
        return [lower, upper], decimals
    classes = max(1, min(classes, len(np.unique(data))))
    inner = np.quantile(data, np.linspace(0, 1, classes + 1)[1:-1])
    edges = [lower] + sorted({round(float(q), decimals) for q in inner}) + [upper]
    kept = [edges[0]]
    for edge in edges[1:]:
        if edge > kept[-1]:
            kept.append(edge)
    return kept, decimals


def value_class(value: float, edges: list[float]) -> int:
    """Index of the class holding ``value``: classes run (edge, next edge], the first closed."""
    return int(np.searchsorted(np.array(edges[1:-1]), value, side="left"))


@dataclass(frozen=True)
class Classified:
    """Each area's colour and legend class, with the legend that explains them."""

    fill: dict[str, str]
    label: dict[str, str]
    legend: list[tuple[str, str]]
    title: str
    key: str


def classify(table: pd.DataFrame, meta: Meta, colour_by: str = "value") -> Classified:
    """Colour every area of ``table`` by value class or by its comparison with England.

    Areas with no value (missing or suppressed) get the no-data grey. The legend lists the
    classes in order plus "No data / suppressed", so maps and static images agree.
    """
    if colour_by not in ("value", "comparison", "decile"):
        raise ValueError("colour_by must be 'value', 'comparison' or 'decile'")
    rows = area_rows(table)
    values = {code: row for code, row in rows.items() if row["value"] is not None}
    if colour_by == "comparison":
        result = _by_comparison(values, indicator_name(meta))
    elif colour_by == "decile":
        result = _by_decile(values, meta)
    else:
        result = _by_value(values, meta)
    result.legend.append((palette.NO_DATA_LABEL, palette.NO_DATA))
    return result


def _by_comparison(rows: dict[str, dict[str, Any]], name: str) -> Classified:
    """Areas coloured by how they compare with England; the legend lists the words used.

    An area flagged for data quality is drawn as not compared and labelled with its rule.
    """
    category = {
        code: row["comparison"]
        if row["comparison"] in palette.COMPARISON_COLOURS and not row.get("quality")
        else "not_compared"
        for code, row in rows.items()
    }
    legend = [
        (COMPARISON_LABELS[c], palette.COMPARISON_COLOURS[c])
        for c in palette.COMPARISON_ORDER
        if c in set(category.values())
    ]
    return Classified(
        fill={code: palette.COMPARISON_COLOURS[c] for code, c in category.items()},
        label={
            code: rows[code].get("quality") or COMPARISON_LABELS[c] for code, c in category.items()
        },
        legend=legend,
        title=f"{name}: compared with England",
        key="Tested at 95% confidence",
    )


def decile_entries() -> list[tuple[str, str]]:
    """The ten deprivation deciles as legend entries, decile 1 (most deprived) darkest."""
    ends = {1: " (most deprived)", 10: " (least deprived)"}
    return [(f"{d}{ends.get(d, '')}", c) for d, c in enumerate(palette.DEPRIVATION_SCALE, start=1)]


def _by_decile(rows: dict[str, dict[str, Any]], meta: Meta) -> Classified:
    """Areas coloured by deprivation decile, as the Inequalities drill-down colours them.

    A value that is not a whole decile from 1 to 10 counts as no data.
    """
    entries = decile_entries()
    whole = {code: row["value"] for code, row in rows.items() if row["value"] in range(1, 11)}
    deciles = {code: int(value) for code, value in whole.items()}
    return Classified(
        fill={code: entries[d - 1][1] for code, d in deciles.items()},
        label={code: entries[d - 1][0] for code, d in deciles.items()},
        legend=entries,
        title=indicator_name(meta),
        key="1 = most deprived 10% of England",
    )


def _by_value(rows: dict[str, dict[str, Any]], meta: Meta) -> Classified:
    """Areas coloured by quantile class of their value, darker meaning worse."""
    edges, decimals = value_breaks(row["value"] for row in rows.values())
    n = max(len(edges) - 1, 0)
    polarity = meta_text(meta, "polarity", "neutral")
    colours = palette.value_scale(polarity, n)
    shown = [fixed(edge, decimals) for edge in edges]
    labels = [f"{shown[i]} to {shown[i + 1]}" for i in range(n)]
    index = {code: min(value_class(row["value"], edges), n - 1) for code, row in rows.items()}
    name, unit = indicator_name(meta), meta_text(meta, "unit")
    return Classified(
        fill={code: colours[i] for code, i in index.items()},
        label={code: labels[i] for code, i in index.items()},
        legend=list(zip(labels, colours, strict=True)),
        # "Deprivation (IMD score)", not "... (IMD score) (score)"
        title=f"{name} ({unit})" if unit and unit not in name else name,
        key=palette.darker_means(polarity),
    )
