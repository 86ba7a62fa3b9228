"""Month-by-month chart: England's line and, where an area is selected, its ICB's line.

The x axis is time (one label every six months, never crowded); each y axis has ticks and a
domain fitted to the data it draws. A month flagged for data quality is left out of the
line (a gap) and drawn as an open diamond; a series break (a redefinition) stops the lines
and is drawn as a labelled dotted rule. Percentages share one axis. Counts do not: England's
count is some fifty times an ICB's, so England reads on the left axis and the ICB on the
right, each line in its axis's colour, and the subtitle says which is which.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from gapmap.breaks import Break
from gapmap.charts.break_rules import break_rule_layers
from gapmap.charts.common import HEIGHT, INK, SERIES, Meta, column, floats, name_of, titled, unit_of
from gapmap.palette import NEUTRAL_SCALE
from gapmap.periods import sort_key
from gapmap.subjects import period_label
from gapmap.wording import number_format, plural, upper_first

ENGLAND_NAME = "England"
#: England dashed in its usual colour, as on every trend chart; the ICB solid in a dark purple
#: (not the areas' grey), so the two lines and their two axes are told apart by colour too.
COLOURS = {"england": SERIES["england"], "icb": NEUTRAL_SCALE[-1]}
#: Room above and below the data, as a share of its range.
PAD = 0.08
TICKS = 5
#: Six-monthly x labels: eleven over five years fit a 720-pixel export without touching.
X_AXIS = alt.Axis(
    title="Month",
    format="%b %Y",
    formatType="utc",
    labelAngle=0,
    labelOverlap=True,
    tickCount={"interval": "month", "step": 6},
    grid=False,
)


def monthly_frame(table: pd.DataFrame, breaks: Sequence[Break] = ()) -> pd.DataFrame:
    """The rows the chart draws: month (a UTC date), series, value (suppressed: NaN), flags.

    ``line`` is the value the line joins (NaN on a flagged month, so the line has a gap
    there) and ``segment`` counts the breaks at or before the month (lines stop at each).
    """
    frame = pd.DataFrame(
        {
            "period": column(table, "period", "").astype(str).to_numpy(),
            "series": column(table, "area_name", ENGLAND_NAME).astype(str).to_numpy(),
            "value": floats(column(table, "value")),
            "note": column(table, "note", "").fillna("").astype(str).to_numpy(),
            "flagged": column(table, "quality", pd.NA).notna().to_numpy(),
        }
    )
    frame["date"] = frame["period"] + "-01"
    frame["line"] = frame["value"].where(~frame["flagged"])
    starts = [sort_key(b.period) for b in breaks if not b.apart]
    frame["segment"] = [sum(k <= sort_key(p) for k in starts) for p in frame["period"]]
    return frame.sort_values(["series", "period"]).reset_index(drop=True)


def inside(breaks: Sequence[Break], frame: pd.DataFrame) -> list[Break]:
    """The breaks with months of the chart on both sides: the ones it draws."""
    if frame.empty:
        return []
    first, last = min(frame["period"], key=sort_key), max(frame["period"], key=sort_key)
    return [b for b in breaks if sort_key(first) < sort_key(b.period) <= sort_key(last)]


def y_domain(values: np.ndarray, *, percent: bool) -> list[float]:
    """A y domain that holds every value with a little room; counts start at zero.

    Percentages keep within 0 to 100 and need not start at zero, so a small change shows.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [0.0, 100.0 if percent else 1.0]
    low, high = float(finite.min()), float(finite.max())
    pad = (high - low) * PAD or max(abs(high) * PAD, 1.0)
    low, high = (max(low - pad, 0.0), min(high + pad, 100.0)) if percent else (0.0, high + pad)
    return [low, high]


def _line(frame: pd.DataFrame, meta: Meta, colour: str, axis: alt.Axis, domain: list[float]):
    """One series: its line (broken at missing months) with points that carry tooltips."""
    tooltip = [
        alt.Tooltip("date:T", title="Month", format="%B %Y", formatType="utc"),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("value:Q", title=name_of(meta), format=number_format(meta).d3),
        alt.Tooltip("note:N", title="Note"),
    ]
    england = bool((frame["series"] == ENGLAND_NAME).all())
    return (
        alt.Chart(frame)
        .mark_line(
            color=colour,
            strokeWidth=2,
            strokeDash=[5, 4] if england else [],
            invalid="break-paths-show-domains",
            point=alt.OverlayMarkDef(color=colour, size=16),
        )
        .encode(
            x=alt.X("date:T", axis=X_AXIS, timeUnit="utcyearmonth"),
            y=alt.Y("line:Q", axis=axis, scale=alt.Scale(domain=domain, nice=False)),
            detail="segment:N",
            tooltip=tooltip,
        )
    )


def _axis(title: str, colour: str, orient: str, meta: Meta) -> alt.Axis:
    return alt.Axis(
        title=title,
        orient=orient,
        tickCount=TICKS,
        format=number_format(meta).d3,
        titleColor=colour,
        grid=orient == "left",
    )


def _flags(part: pd.DataFrame, meta: Meta, axis: alt.Axis, domain: list[float]) -> alt.Chart:
    """Open diamonds on the months a data-quality rule flagged, with the evidence on hover."""
    return (
        alt.Chart(part)
        .mark_point(shape="diamond", filled=False, size=110, strokeWidth=2, color=INK)
        .encode(
            x=alt.X("date:T", axis=X_AXIS, timeUnit="utcyearmonth"),
            y=alt.Y("value:Q", axis=axis, scale=alt.Scale(domain=domain, nice=False)),
            tooltip=[
                alt.Tooltip("date:T", title="Month", format="%B %Y", formatType="utc"),
                alt.Tooltip("value:Q", title=name_of(meta), format=number_format(meta).d3),
                alt.Tooltip("note:N", title="Data quality"),
            ],
        )
    )


def _series(part: pd.DataFrame, meta: Meta, colour: str, axis: alt.Axis, domain: list[float]):
    """One series' layers: its line, and diamonds on its flagged months."""
    flagged = part.loc[part["flagged"] & np.isfinite(part["value"])]
    flags = [_flags(flagged, meta, axis, domain)] if len(flagged) else []
    return [_line(part, meta, colour, axis, domain), *flags]


def monthly(
    table: pd.DataFrame,
    meta: Meta,
    *,
    icb_name: str | None = None,
    breaks: Sequence[Break] = (),
) -> alt.LayerChart:
    """England's monthly line and, when ``icb_name`` has rows in ``table``, the ICB's line.

    ``breaks`` are the measure's series breaks (:mod:`gapmap.breaks`): each inside the
    chart's months stops the lines and is drawn as a labelled rule.
    """
    frame = monthly_frame(table, breaks)
    drawn = inside(breaks, frame)
    rules = break_rule_layers(
        drawn, alt.X("date:T", timeUnit="utcyearmonth"), "date", frame["date"]
    )
    unit = unit_of(meta)
    percent = unit == "%"
    england = frame.loc[frame["series"] == ENGLAND_NAME]
    icb = frame.loc[frame["series"] == icb_name] if icb_name else frame.iloc[0:0]
    in_unit = f" ({unit})" if unit else ""
    shared = percent or icb.empty
    if shared and not percent:  # England's count alone
        in_unit = f" ({unit}, England)"
    if shared:
        axis = _axis(f"{name_of(meta).removesuffix(' (monthly)')}{in_unit}", INK, "left", meta)
        domain = y_domain(pd.concat([england, icb])["value"].to_numpy(), percent=percent)
        parts = [(england, COLOURS["england"]), (icb, COLOURS["icb"])]
        layers = [lay for p, c in parts if len(p) for lay in _series(p, meta, c, axis, domain)]
        layered = alt.layer(*layers, *rules)
    else:
        left = _axis(f"England{in_unit}", COLOURS["england"], "left", meta)
        right = _axis(f"{icb_name}{in_unit}", COLOURS["icb"], "right", meta)
        layered = alt.layer(
            alt.layer(*_series(england, meta, COLOURS["england"], left, _fit(england, percent))),
            alt.layer(*_series(icb, meta, COLOURS["icb"], right, _fit(icb, percent))),
            *rules,
        ).resolve_scale(y="independent")
    subtitle = _subtitle(None if icb.empty else icb_name, shared=shared)
    if frame["flagged"].any():
        subtitle.append(
            "Open diamonds: months flagged for data quality, left out of the line (note on hover)."
        )
    if drawn:
        subtitle.append("Dotted upright line: the measure was redefined; lines stop there.")
    description = describe_monthly(table, meta, icb_name=icb_name, breaks=breaks)
    return titled([layered], f"{name_of(meta)}: month by month", subtitle, description, HEIGHT)


def _fit(part: pd.DataFrame, percent: bool) -> list[float]:
    return y_domain(part["value"].to_numpy(), percent=percent)


def _subtitle(icb_name: str | None, *, shared: bool) -> list[str]:
    """Which line is which, and the ICB line's approximation, in words."""
    if icb_name is None:
        return ["England, the publisher's national figure."]
    lines = [f"Dashed: England; solid: {icb_name} (its providers summed, an approximation)."]
    if not shared:
        lines.append("England reads on the left axis, the ICB on the right.")
    return lines


def _ends(frame: pd.DataFrame, meta: Meta) -> str:
    valued = frame.loc[np.isfinite(frame["value"])]
    if valued.empty:
        return "no values"
    fmt = number_format(meta)
    first, last = valued.iloc[0], valued.iloc[-1]
    text = (
        f"{fmt.text(first['value'])} in {period_label(first['period'])} and "
        f"{fmt.text(last['value'])} in {period_label(last['period'])}"
    )
    blank = int((~np.isfinite(frame["value"])).sum())
    return text + (f" ({plural(blank, 'month')} without a figure)" if blank else "")


def describe_monthly(
    table: pd.DataFrame,
    meta: Meta,
    *,
    icb_name: str | None = None,
    breaks: Sequence[Break] = (),
) -> str:
    """Each line's first and last months, flagged months and breaks, for the text alternative."""
    frame = monthly_frame(table, breaks)
    england = frame.loc[frame["series"] == ENGLAND_NAME]
    text = f"{name_of(meta)}, month by month. England: {_ends(england, meta)}"
    if icb_name:
        icb = frame.loc[frame["series"] == icb_name]
        if icb.empty:
            text += f". {icb_name}: no providers placed in it, so no line"
        else:
            text += f". {icb_name} (approximate, from its providers): {_ends(icb, meta)}"
    flagged = int(frame["flagged"].sum())
    if flagged:
        text += (
            f". {plural(flagged, 'month')} flagged for data quality "
            f"{'is' if flagged == 1 else 'are'} left out of the lines"
        )
    text += "".join(f". {upper_first(b.reason())}" for b in inside(breaks, frame))
    return text + "."
