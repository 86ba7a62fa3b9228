"""Altair charts of the atlas: ranked areas, funnel, scatter, trend, spine and deprivation.

Every function is pure (frames and indicator metadata in, an Altair chart out) so pages only
lay charts out and exports can redraw them. Each chart carries a title, axis titles with units
and a Vega-Lite ``description``; the matching ``describe_*`` function returns the same one
sentence for a caption, because a chart is not accessible without a text alternative.
Colours come from :mod:`gapmap.palette` so the map, the charts and the legends agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd
from PHStatsMethods.utils_funnel import sigma_adjustment
from scipy import special

from gapmap.palette import (
    COMPARISON_COLOURS,
    COMPARISON_LABELS,
    COMPARISON_ORDER,
    DEPRIVATION_SCALE,
    ENGLAND,
    NEUTRAL_SCALE,
    SELECTED_OUTLINE,
    ramp,
)
from gapmap.periods import ordered

Meta = Mapping | pd.Series

#: Two-sided tail probabilities of the funnel limits (95% and 99.8%), as in PHStatsMethods.
TAILS = {"95": 0.025, "998": 0.001}
ROW_STEP = 16
HEIGHT = 320
#: Chart-only accents beside :mod:`gapmap.palette`: text and outlines, interval lines, the
#: area's own series, the fitted line, and the pale band behind the selected row.
INK = SELECTED_OUTLINE
MUTED = "#8C8C8C"
SERIES = {"area": "#525252", "england": ENGLAND, "fit": NEUTRAL_SCALE[-1]}
HIGHLIGHT = "#FFF2AE"
#: Peers in ranked charts: a pale blue band, an open diamond and " (peer)" after the name, so
#: they are told apart by shape and label as well as colour.
PEER_BAND = "#DEEBF7"
PEER_SUFFIX = " (peer)"


# --------------------------------------------------------------------------- helpers


def _get(meta: Meta, key: str, default=None):
    value = meta.get(key, default) if meta is not None else default
    return default if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _name(meta: Meta) -> str:
    return str(_get(meta, "short_name") or _get(meta, "name") or _get(meta, "id") or "Value")


def _unit(meta: Meta) -> str:
    return str(_get(meta, "unit", "") or "")


def _axis_title(meta: Meta) -> str:
    unit = _unit(meta)
    return f"{_name(meta)} ({unit})" if unit else _name(meta)


def _d3_format(meta: Meta) -> str:
    """A d3 number format for the indicator's unit, also valid as a Python format spec."""
    unit = _unit(meta)
    if unit == "ratio":
        return ".3f"
    if unit == "%":
        return ".2f"
    if unit in ("patients", "decile"):
        return ",.0f"
    if unit.startswith("per "):
        return ",.1f"
    return ".1f"


def _fmt(value: float | None, meta: Meta) -> str:
    if value is None or pd.isna(value):
        return "no value"
    text = format(float(value), _d3_format(meta))
    unit = _unit(meta)
    if unit == "%":
        return f"{text}%"
    if unit and unit not in ("ratio", "score", "decile"):
        return f"{text} {unit}"
    return text


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _column(frame: pd.DataFrame, name: str, default=np.nan) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index)


def _comparison_domain(present: Sequence[str]) -> list[str]:
    """Legend labels of the comparisons present, in the palette's order.

    Colours are bound to categories (not positions), so leaving absent ones out of the
    legend never changes what a colour means.
    """
    keys = [k for k in COMPARISON_ORDER if k in set(present)] or ["not_compared"]
    return [COMPARISON_LABELS[k] for k in keys]


def _comparison_colour(present: Sequence[str], title: str) -> alt.Color:
    domain = _comparison_domain(present)
    by_label = {COMPARISON_LABELS[k]: v for k, v in COMPARISON_COLOURS.items()}
    return alt.Color(
        "compared:N",
        title=title,
        scale=alt.Scale(domain=domain, range=[by_label[d] for d in domain]),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolStrokeColor=INK),
    )


def _keys(comparison: pd.Series) -> pd.Series:
    keys = comparison.astype("object").where(comparison.notna(), "not_compared")
    return keys.where(keys.isin(list(COMPARISON_COLOURS)), "not_compared")


def _compared(comparison: pd.Series) -> pd.Series:
    return _keys(comparison).map(COMPARISON_LABELS)


def _present(table: pd.DataFrame) -> list[str]:
    return _keys(_column(table, "comparison", "not_compared")).tolist()


def _lower_first(text: str) -> str:
    """'Better than England' -> 'better than England' (proper nouns keep their capital)."""
    return text[:1].lower() + text[1:]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _period(frame: pd.DataFrame) -> str:
    if "period" not in frame.columns or frame.empty:
        return ""
    periods = ordered(frame["period"].dropna().astype(str))
    return periods[-1] if len(periods) == 1 else " to ".join([periods[0], periods[-1]])


def _labels(frame: pd.DataFrame) -> pd.Series:
    """Area names, with the code added where two areas share a name."""
    names = _column(frame, "area_name", "").astype("object").fillna("")
    codes = _column(frame, "area_code", "").astype("object").fillna("")
    names = names.where(names != "", codes)
    clash = names.duplicated(keep=False)
    return names.where(~clash, names + " (" + codes + ")")


def _js(text: str) -> str:
    """A Vega expression string literal; JSON escaping is valid there and stops injection."""
    return json.dumps(str(text))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ----------------------------------------------------------------------------- ranked


def _ranked_frame(
    table: pd.DataFrame, selected: str | None, peers: Sequence[str] = ()
) -> pd.DataFrame:
    value = _floats(_column(table, "value"))
    suppressed = _column(table, "suppressed", False).fillna(False).astype(bool).to_numpy()
    frame = pd.DataFrame(
        {
            "area_code": _column(table, "area_code", "").astype("object").to_numpy(),
            "label": _labels(table).to_numpy(),
            "value": value,
            "lower_95": _floats(_column(table, "lower_95")),
            "upper_95": _floats(_column(table, "upper_95")),
            "compared": _compared(_column(table, "comparison", "not_compared")).to_numpy(),
            "note": _column(table, "note", "").astype("object").fillna("").to_numpy(),
        }
    )
    missing = np.isnan(value) | suppressed
    frame["value"] = np.where(missing, np.nan, value)
    frame["status"] = np.where(suppressed, "suppressed", np.where(missing, "no value", ""))
    frame["is_selected"] = frame["area_code"].eq(selected) if selected else False
    frame["is_peer"] = frame["area_code"].isin(list(peers)) & ~frame["is_selected"]
    frame["label"] = frame["label"].where(~frame["is_peer"], frame["label"] + PEER_SUFFIX)
    valued = frame.loc[~missing].sort_values(["value", "label"], ascending=[False, True])
    blank = frame.loc[missing].sort_values("label")
    return pd.concat([valued, blank]).reset_index(drop=True)


def describe_ranked(
    table: pd.DataFrame,
    meta: Meta,
    *,
    selected: str | None = None,
    england_value: float | None = None,
    peers: Sequence[str] = (),
) -> str:
    """One sentence saying what the ranked chart shows, for screen readers and captions."""
    frame = _ranked_frame(table, selected, peers)
    valued = frame.loc[frame["status"] == ""]
    parts = [f"Ranked chart of {_name(meta)} for {_plural(len(frame), 'area')}"]
    period = _period(table)
    if period:
        parts[0] += f" in {period}"
    if not valued.empty:
        top, bottom = valued.iloc[0], valued.iloc[-1]
        parts.append(
            f"values run from {_fmt(top['value'], meta)} ({top['label']}) "
            f"down to {_fmt(bottom['value'], meta)} ({bottom['label']})"
        )
    if england_value is not None and not pd.isna(england_value):
        parts.append(f"England {_fmt(england_value, meta)}")
    counts = valued["compared"].value_counts()
    if not counts.empty:
        parts.append(", ".join(f"{n} {_lower_first(label)}" for label, n in counts.items()))
    chosen = frame.loc[frame["is_selected"]]
    if not chosen.empty:
        row = chosen.iloc[0]
        if row["status"]:
            parts.append(f"{row['label']} is {row['status']}")
        else:
            rank = int(valued.index.get_loc(chosen.index[0])) + 1
            parts.append(
                f"{row['label']} is {_ordinal(rank)} of {len(valued)} at "
                f"{_fmt(row['value'], meta)} ({_lower_first(row['compared'])})"
            )
    marked = frame.loc[frame["is_peer"]]
    if not marked.empty:
        ranks = [int(valued.index.get_loc(i)) + 1 for i in marked.index if i in valued.index]
        where = f", ranked {_ordinal(min(ranks))} to {_ordinal(max(ranks))}" if ranks else ""
        parts.append(f"{_plural(len(marked), 'peer area')} marked '(peer)'{where}")
    blank = int((frame["status"] != "").sum())
    if blank:
        parts.append(f"{blank} without a value (suppressed or missing) listed last")
    return "; ".join(parts) + "."


def ranked(
    table: pd.DataFrame,
    meta: Meta,
    *,
    selected: str | None = None,
    england_value: float | None = None,
    peers: Sequence[str] = (),
) -> alt.LayerChart:
    """Areas ranked by value with 95% intervals, coloured by comparison with England.

    Suppressed and missing areas are listed at the bottom with the word "suppressed" (or "no
    value") and nothing drawn, so a blank is never mistaken for zero. ``selected`` is an area
    code; its row is shaded and its label bold. ``peers`` are area codes of its peer group:
    their rows get a pale band, an open diamond around the dot and "(peer)" after the name.
    """
    frame = _ranked_frame(table, selected, peers)
    order = frame["label"].tolist()
    fmt = _d3_format(meta)
    y = alt.Y(
        "label:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelLimit=320, labelFontWeight=_bold_if(frame), ticks=False),
    )
    valued = frame.loc[frame["status"] == ""]
    tooltip = [
        alt.Tooltip("label:N", title="Area"),
        alt.Tooltip("value:Q", title=_axis_title(meta), format=fmt),
        alt.Tooltip("lower_95:Q", title="Lower 95% limit", format=fmt),
        alt.Tooltip("upper_95:Q", title="Upper 95% limit", format=fmt),
        alt.Tooltip("compared:N", title="Compared with England"),
    ]
    x = alt.X("value:Q", title=_axis_title(meta), scale=alt.Scale(zero=False))
    layers = []
    chosen = frame.loc[frame["is_selected"]]
    if not chosen.empty:
        layers.append(alt.Chart(chosen).mark_rect(color=HIGHLIGHT).encode(y=y))
    marked = frame.loc[frame["is_peer"]]
    if not marked.empty:
        layers.append(alt.Chart(marked).mark_rect(color=PEER_BAND).encode(y=y))
    layers += [
        alt.Chart(valued)
        .mark_rule(color=MUTED, strokeWidth=1.5)
        .encode(y=y, x=alt.X("lower_95:Q", title=_axis_title(meta)), x2="upper_95:Q"),
        alt.Chart(valued)
        .mark_circle(size=60, opacity=1, stroke=INK, strokeWidth=0.6)
        .encode(
            y=y,
            x=x,
            color=_comparison_colour(
                _present(table),
                "Compared with England (95%)",
            ),
            tooltip=tooltip,
        ),
    ]
    chosen_valued = chosen.loc[chosen["status"] == ""]
    if not chosen_valued.empty:
        layers.append(
            alt.Chart(chosen_valued)
            .mark_point(size=220, color=INK, strokeWidth=2, opacity=1)
            .encode(y=y, x=x)
        )
    marked_valued = marked.loc[marked["status"] == ""]
    if not marked_valued.empty:
        layers.append(
            alt.Chart(marked_valued)
            .mark_point(shape="diamond", size=200, color=INK, strokeWidth=1.5, opacity=1)
            .encode(y=y, x=x)
        )
    blank = frame.loc[frame["status"] != ""]
    if not blank.empty:
        layers.append(
            alt.Chart(blank)
            .mark_text(align="left", dx=4, fontStyle="italic", color=INK)
            .encode(
                y=y,
                x=alt.value(0),
                text="status:N",
                tooltip=[alt.Tooltip("label:N", title="Area"), alt.Tooltip("note:N", title="Why")],
            )
        )
    if england_value is not None and not pd.isna(england_value):
        layers += _england_rule(float(england_value))
    period = _period(table)
    subtitle = "Dots: value; lines: 95% confidence interval; dashed line: England."
    if not marked.empty:
        subtitle += " Diamonds and '(peer)': the peer group."
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            f"{_name(meta)}: areas ranked" + (f", {period}" if period else ""),
            subtitle=subtitle,
            anchor="start",
        ),
        description=describe_ranked(
            table, meta, selected=selected, england_value=england_value, peers=peers
        ),
        width="container",
        height=alt.Step(ROW_STEP),
    )


def _bold_if(frame: pd.DataFrame) -> alt.ExprRef | str:
    chosen = frame.loc[frame["is_selected"], "label"]
    if chosen.empty:
        return "normal"
    return alt.ExprRef(expr=f"datum.value === {_js(chosen.iloc[0])} ? 'bold' : 'normal'")


def _england_rule(value: float) -> list[alt.Chart]:
    data = pd.DataFrame({"england": [value], "label": ["England"]})
    rule = alt.Chart(data).mark_rule(color=INK, strokeDash=[5, 4], strokeWidth=1.5)
    text = alt.Chart(data).mark_text(align="left", dx=4, dy=-4, baseline="bottom", color=INK)
    return [
        rule.encode(x="england:Q"),
        text.encode(x="england:Q", y=alt.value(0), text="label:N"),
    ]


# ----------------------------------------------------------------------------- funnel


def _poisson_bounds(mu: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed counts at the lower and upper exact Poisson limits for expected counts ``mu``.

    The same inversion PHStatsMethods makes (its ``poisson_funnel``), done in closed form with
    the regularised incomplete gamma function and solved for the count as a continuous
    quantity: P(X <= O | mu) = tail gives the lower count, P(X >= O | mu) = tail the upper.
    That keeps the curve smooth and takes milliseconds where the iterative sum takes seconds.
    """
    lo = np.full_like(mu, 1e-9)
    hi = mu + 40 * np.sqrt(mu) + 40
    a_lo, a_hi = lo.copy(), hi.copy()  # lower: find a with Q(a, mu) = tail, Q rises with a
    b_lo, b_hi = lo.copy(), hi.copy()  # upper: find a with P(a, mu) = tail, P falls with a
    for _ in range(100):
        a_mid = (a_lo + a_hi) / 2
        below = special.gammaincc(a_mid, mu) < tail
        a_lo, a_hi = np.where(below, a_mid, a_lo), np.where(below, a_hi, a_mid)
        b_mid = (b_lo + b_hi) / 2
        above = special.gammainc(b_mid, mu) > tail
        b_lo, b_hi = np.where(above, b_mid, b_lo), np.where(above, b_hi, b_mid)
    lower = np.clip((a_lo + a_hi) / 2 - 1, 0, None)
    upper = (b_lo + b_hi) / 2
    return lower, upper


def funnel_limits(
    denominators: Sequence[float] | np.ndarray,
    *,
    statistic: str,
    baseline: float = 1.0,
    multiplier: float = 1.0,
) -> pd.DataFrame:
    """95% and 99.8% funnel control limits at each denominator, as OHID draws them.

    Parameters
    ----------
    denominators
        Expected counts E for a ratio, populations for a rate or proportion.
    statistic
        ``"ratio"`` (O/E, limits around ``baseline``, normally 1), ``"rate"`` (exact Poisson
        around a rate per ``multiplier``) or ``"proportion"`` (Wilson score around a value
        per ``multiplier``, e.g. a percentage with 100).
    baseline
        The value the funnel is centred on: 1 for O/E, England's rate or proportion otherwise.
    multiplier
        The scale the values are expressed on (1, 100, 100000...).

    Returns
    -------
    pandas.DataFrame
        denominator, baseline, lower_95, upper_95, lower_998, upper_998; the same numbers as
        PHStatsMethods' ``calculate_funnel_limits`` gives at the points it tabulates.
    """
    den = np.asarray(denominators, dtype="float64")
    out = pd.DataFrame({"denominator": den, "baseline": float(baseline)})
    if statistic in ("ratio", "rate"):
        mu = den * float(baseline) / float(multiplier)
        for level, tail in TAILS.items():
            lower, upper = _poisson_bounds(mu, tail)
            out[f"lower_{level}"] = lower / mu * baseline
            out[f"upper_{level}"] = upper / mu * baseline
    elif statistic == "proportion":
        share = float(baseline) / float(multiplier)
        for level, tail in TAILS.items():
            for side, name in (("low", "lower"), ("high", "upper")):
                out[f"{name}_{level}"] = [
                    sigma_adjustment(1 - tail, n, share, side, multiplier) for n in den
                ]
            out[f"lower_{level}"] = out[f"lower_{level}"].clip(lower=0)
            out[f"upper_{level}"] = out[f"upper_{level}"].clip(upper=multiplier)
    else:
        raise ValueError(f"no funnel for statistic {statistic!r}: use ratio, rate or proportion")
    return out[["denominator", "baseline", "lower_95", "upper_95", "lower_998", "upper_998"]]


def has_funnel(meta: Meta) -> bool:
    """Whether the indicator's statistic has funnel limits (ratios, rates, proportions)."""
    return str(_get(meta, "statistic", "")) in ("ratio", "rate", "proportion")


def _funnel_frame(table: pd.DataFrame, selected: str | None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "area_code": _column(table, "area_code", "").astype("object").to_numpy(),
            "label": _labels(table).to_numpy(),
            "value": _floats(_column(table, "value")),
            "numerator": _floats(_column(table, "numerator")),
            "denominator": _floats(_column(table, "denominator")),
            "compared": _compared(_column(table, "comparison", "not_compared")).to_numpy(),
        }
    )
    suppressed = _column(table, "suppressed", False).fillna(False).astype(bool).to_numpy()
    keep = ~suppressed & np.isfinite(frame["value"]) & (frame["denominator"] > 0)
    frame = frame.loc[keep].reset_index(drop=True)
    frame["is_selected"] = frame["area_code"].eq(selected) if selected else False
    return frame


def _funnel_baseline(meta: Meta, frame: pd.DataFrame, england_value: float | None) -> float:
    if str(_get(meta, "statistic")) == "ratio":
        return 1.0
    if england_value is not None and not pd.isna(england_value):
        return float(england_value)
    multiplier = float(_get(meta, "multiplier", 1) or 1)
    return float(frame["numerator"].sum() / frame["denominator"].sum() * multiplier)


def _x_title(meta: Meta) -> str:
    if str(_get(meta, "statistic")) == "ratio":
        return "Expected count E (from need)"
    return "Denominator (people)"


def describe_funnel(
    table: pd.DataFrame,
    meta: Meta,
    *,
    selected: str | None = None,
    england_value: float | None = None,
) -> str:
    """One sentence saying what the funnel plot shows."""
    frame = _funnel_frame(table, selected)
    baseline = _funnel_baseline(meta, frame, england_value) if not frame.empty else np.nan
    name = _name(meta)
    centre = "1 (as expected)" if str(_get(meta, "statistic")) == "ratio" else "England"
    text = (
        f"Funnel plot of {name} against {_lower_first(_x_title(meta))} for "
        f"{_plural(len(frame), 'area')}, with 95% and 99.8% control limits around {centre}"
    )
    if not frame.empty:
        limits = funnel_limits(
            frame["denominator"],
            statistic=str(_get(meta, "statistic")),
            baseline=baseline,
            multiplier=float(_get(meta, "multiplier", 1) or 1),
        )
        above = int((frame["value"].to_numpy() > limits["upper_998"].to_numpy()).sum())
        below = int((frame["value"].to_numpy() < limits["lower_998"].to_numpy()).sum())
        text += f"; {above} above and {below} below the 99.8% limits"
        chosen = frame.loc[frame["is_selected"]]
        if not chosen.empty:
            i = chosen.index[0]
            where = (
                "above the 99.8% limit"
                if frame.loc[i, "value"] > limits.loc[i, "upper_998"]
                else "below the 99.8% limit"
                if frame.loc[i, "value"] < limits.loc[i, "lower_998"]
                else "within the 99.8% limits"
            )
            text += f"; {frame.loc[i, 'label']} is {_fmt(frame.loc[i, 'value'], meta)}, {where}"
    left_out = len(table) - len(frame)
    if left_out:
        text += f"; {left_out} without a value or denominator not plotted"
    return text + "."


def funnel(
    table: pd.DataFrame,
    meta: Meta,
    *,
    selected: str | None = None,
    england_value: float | None = None,
) -> alt.LayerChart:
    """Funnel plot: each area's value against its denominator, inside control limits.

    For ratios (table numerator = observed O, denominator = expected E) the plot is O/E
    against E with limits around 1; for rates and proportions, the value against the
    denominator with limits around ``england_value`` (the pooled average of the areas when
    None). A point outside the funnel differs from the centre by more than chance would make
    likely for an area of its size, which a ranked chart cannot show.
    """
    statistic = str(_get(meta, "statistic", ""))
    if not has_funnel(meta):
        raise ValueError(f"{_name(meta)} is {statistic!r}: funnel plots need a ratio, rate or %")
    frame = _funnel_frame(table, selected)
    multiplier = float(_get(meta, "multiplier", 1) or 1)
    fmt = _d3_format(meta)
    x_title, y_title = _x_title(meta), _axis_title(meta)
    layers = []
    if not frame.empty:
        baseline = _funnel_baseline(meta, frame, england_value)
        den = frame["denominator"]
        grid = np.geomspace(max(float(den.min()) * 0.5, 1.0), float(den.max()) * 1.05, 200)
        limits = funnel_limits(grid, statistic=statistic, baseline=baseline, multiplier=multiplier)
        long = limits.melt(
            id_vars=["denominator"],
            value_vars=["lower_95", "upper_95", "lower_998", "upper_998"],
            var_name="curve",
            value_name="limit",
        )
        long["limits"] = np.where(long["curve"].str.endswith("998"), "99.8%", "95%")
        layers.append(
            alt.Chart(long)
            .mark_line(color=INK, strokeWidth=1)
            .encode(
                x=alt.X("denominator:Q", title=x_title),
                y=alt.Y("limit:Q", title=y_title, scale=alt.Scale(zero=False)),
                detail="curve:N",
                strokeDash=alt.StrokeDash(
                    "limits:N",
                    title="Control limits",
                    scale=alt.Scale(domain=["95%", "99.8%"], range=[[4, 3], [1, 0]]),
                    legend=alt.Legend(orient="bottom"),
                ),
            )
        )
        centre = pd.DataFrame({"y": [baseline]})
        layers.append(alt.Chart(centre).mark_rule(color=INK, strokeWidth=1.5).encode(y="y:Q"))
    x = alt.X("denominator:Q", title=x_title)
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    layers.append(
        alt.Chart(frame)
        .mark_circle(size=55, opacity=0.9, stroke=INK, strokeWidth=0.6)
        .encode(
            x=x,
            y=y,
            color=_comparison_colour(
                _present(table),
                "Compared with England (95%)",
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Area"),
                alt.Tooltip("value:Q", title=y_title, format=fmt),
                alt.Tooltip("numerator:Q", title="Numerator (rounded)", format=",.0f"),
                alt.Tooltip("denominator:Q", title=x_title, format=",.0f"),
                alt.Tooltip("compared:N", title="Compared with England"),
            ],
        )
    )
    layers += _selected_marks(frame, x, y)
    period = _period(table)
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            f"{_name(meta)}: funnel plot" + (f", {period}" if period else ""),
            subtitle="Areas outside the funnel differ by more than chance for their size.",
            anchor="start",
        ),
        description=describe_funnel(table, meta, selected=selected, england_value=england_value),
        width="container",
        height=HEIGHT,
    )


def _selected_marks(frame: pd.DataFrame, x: alt.X, y: alt.Y) -> list[alt.Chart]:
    """A ring and a name label on the selected area, so it is found without colour."""
    chosen = frame.loc[frame["is_selected"]]
    if chosen.empty:
        return []
    ring = alt.Chart(chosen).mark_point(size=260, color=INK, strokeWidth=2.5, opacity=1)
    label = alt.Chart(chosen).mark_text(align="left", dx=10, dy=-8, fontWeight="bold", color=INK)
    return [ring.encode(x=x, y=y), label.encode(x=x, y=y, text="label:N")]


# ---------------------------------------------------------------------------- scatter


def _scatter_frame(
    x_table: pd.DataFrame, y_table: pd.DataFrame, selected: str | None
) -> pd.DataFrame:
    def side(table: pd.DataFrame, name: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "area_code": _column(table, "area_code", "").astype("object").to_numpy(),
                "label": _labels(table).to_numpy(),
                name: _floats(_column(table, "value")),
            }
        )

    frame = side(x_table, "x").merge(side(y_table, "y").drop(columns="label"), on="area_code")
    frame = frame.loc[np.isfinite(frame["x"]) & np.isfinite(frame["y"])].reset_index(drop=True)
    frame["is_selected"] = frame["area_code"].eq(selected) if selected else False
    return frame


def least_squares(x: Sequence[float], y: Sequence[float]) -> tuple[float, float, float]:
    """Slope, intercept and Pearson r of y on x (NaN when fewer than 3 points or no spread)."""
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    if len(x) < 3 or np.ptp(x) == 0:
        return np.nan, np.nan, np.nan
    slope, intercept = np.polyfit(x, y, 1)
    r = float(np.corrcoef(x, y)[0, 1]) if np.ptp(y) > 0 else np.nan
    return float(slope), float(intercept), r


def describe_scatter(
    x_table: pd.DataFrame,
    y_table: pd.DataFrame,
    x_meta: Meta,
    y_meta: Meta,
    *,
    selected: str | None = None,
) -> str:
    """One sentence saying what the scatter shows, with the strength of the association."""
    frame = _scatter_frame(x_table, y_table, selected)
    slope, _, r = least_squares(frame["x"], frame["y"])
    text = f"Scatter of {_name(y_meta)} against {_name(x_meta)} for {_plural(len(frame), 'area')}"
    if not np.isnan(slope):
        direction = "rises" if slope >= 0 else "falls"
        text += (
            f"; the least-squares line {direction} {format(abs(slope), '.3g')} per unit of "
            f"{_name(x_meta)}"
        )
        if not np.isnan(r):
            text += f" (correlation r = {r:.2f})"
    chosen = frame.loc[frame["is_selected"]]
    if not chosen.empty:
        row = chosen.iloc[0]
        text += f"; {row['label']} has {_fmt(row['x'], x_meta)} and {_fmt(row['y'], y_meta)}"
    return text + "."


def scatter(
    x_table: pd.DataFrame,
    y_table: pd.DataFrame,
    x_meta: Meta,
    y_meta: Meta,
    *,
    selected: str | None = None,
    highlight: set[str] | frozenset[str] = frozenset(),
) -> alt.LayerChart:
    """Need (x) against provision (y) per area, joined on area code, with a least-squares line.

    Areas above the line have more provision than areas with the same need typically have;
    the selected area is ringed and named. ``highlight`` marks a group (e.g. the practices
    inside the selected area) in the selection colour, drawn on top of the rest.
    """
    frame = _scatter_frame(x_table, y_table, selected)
    x = alt.X("x:Q", title=_axis_title(x_meta), scale=alt.Scale(zero=False))
    y = alt.Y("y:Q", title=_axis_title(y_meta), scale=alt.Scale(zero=False))
    layers = [
        alt.Chart(frame)
        .mark_circle(size=45, color=SERIES["area"], opacity=0.75)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("label:N", title="Area"),
                alt.Tooltip("x:Q", title=_axis_title(x_meta), format=_d3_format(x_meta)),
                alt.Tooltip("y:Q", title=_axis_title(y_meta), format=_d3_format(y_meta)),
            ],
        )
    ]
    slope, intercept, _ = least_squares(frame["x"], frame["y"])
    if not np.isnan(slope):
        ends = np.array([frame["x"].min(), frame["x"].max()])
        fit = pd.DataFrame({"x": ends, "y": intercept + slope * ends, "line": "Least-squares line"})
        layers.append(
            alt.Chart(fit)
            .mark_line(color=SERIES["fit"], strokeWidth=2, strokeDash=[6, 3])
            .encode(x=x, y=y)
        )
    group = frame.loc[frame["area_code"].isin(set(highlight))]
    if not group.empty:
        layers.append(
            alt.Chart(group)
            .mark_circle(size=70, color=INK, opacity=0.9)
            .encode(x=x, y=y, tooltip=[alt.Tooltip("label:N", title="Area (highlighted)")])
        )
    layers += _selected_marks(frame, x, y)
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            f"{_name(y_meta)} against {_name(x_meta)}",
            subtitle="Each dot is an area; dashed line: least-squares fit.",
            anchor="start",
        ),
        description=describe_scatter(x_table, y_table, x_meta, y_meta, selected=selected),
        width="container",
        height=HEIGHT,
    )


# ------------------------------------------------------------------------------ trend


def _trend_frame(trend_table: pd.DataFrame) -> pd.DataFrame:
    suppressed = _column(trend_table, "suppressed", False).fillna(False).astype(bool)
    frame = pd.DataFrame(
        {
            "period": _column(trend_table, "period", "").astype(str).to_numpy(),
            "value": _floats(_column(trend_table, "value")),
            "lower_95": _floats(_column(trend_table, "lower_95")),
            "upper_95": _floats(_column(trend_table, "upper_95")),
            "england_value": _floats(_column(trend_table, "england_value")),
            "compared": _compared(_column(trend_table, "comparison", "not_compared")).to_numpy(),
            "suppressed": suppressed.to_numpy(),
        }
    )
    frame.loc[frame["suppressed"], "value"] = np.nan
    order = {p: i for i, p in enumerate(ordered(frame["period"]))}
    frame = frame.assign(_o=frame["period"].map(order)).sort_values("_o").drop(columns="_o")
    return frame.reset_index(drop=True)


def describe_trend(
    trend_table: pd.DataFrame, meta: Meta, *, area_name: str, verdict: str | None = None
) -> str:
    """One sentence saying how the area's value changed, beside England.

    ``verdict`` (the recent-trend test's result, from ``gapmap.trends``) is appended.
    """
    frame = _trend_frame(trend_table)
    valued = frame.loc[np.isfinite(frame["value"])]
    if valued.empty:
        return f"Trend of {_name(meta)} in {area_name}: no values to show."
    first, last = valued.iloc[0], valued.iloc[-1]
    text = (
        f"Trend of {_name(meta)} in {area_name} over {_plural(len(valued), 'period')}: "
        f"{_fmt(first['value'], meta)} in {first['period']} and "
        f"{_fmt(last['value'], meta)} in {last['period']}"
    )
    if np.isfinite(last["england_value"]):
        england = _fmt(last["england_value"], meta)
        text += f" against England's {england} ({_lower_first(last['compared'])})"
    blank = int(frame["suppressed"].sum())
    if blank:
        text += f"; {_plural(blank, 'period')} suppressed"
    return text + "." + (f" {verdict}" if verdict else "")


def trend(
    trend_table: pd.DataFrame, meta: Meta, *, area_name: str, verdict: str | None = None
) -> alt.LayerChart:
    """An area's value over time with its 95% band and England's value.

    Periods are placed in time order (financial years, months and quarters mixed), and each
    point is coloured by that period's comparison with England. ``verdict`` (the recent-trend
    test's result) is printed under the title, so it travels with exported images.
    """
    frame = _trend_frame(trend_table)
    order = frame["period"].tolist()
    x = alt.X("period:O", sort=order, title="Period", axis=alt.Axis(labelAngle=-40))
    y_title = _axis_title(meta)
    fmt = _d3_format(meta)
    layers = []
    band = frame.loc[np.isfinite(frame["lower_95"]) & np.isfinite(frame["upper_95"])]
    if not band.empty:
        layers.append(
            alt.Chart(band)
            .mark_area(color=SERIES["area"], opacity=0.2)
            .encode(x=x, y=alt.Y("lower_95:Q", title=y_title), y2="upper_95:Q")
        )
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    valued = frame.loc[np.isfinite(frame["value"])]
    layers.append(alt.Chart(valued).mark_line(color=SERIES["area"], strokeWidth=2).encode(x=x, y=y))
    layers.append(
        alt.Chart(valued)
        .mark_circle(size=70, opacity=1, stroke=INK, strokeWidth=0.6)
        .encode(
            x=x,
            y=y,
            color=_comparison_colour(
                _present(trend_table),
                "Compared with England (95%)",
            ),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("value:Q", title=y_title, format=fmt),
                alt.Tooltip("lower_95:Q", title="Lower 95% limit", format=fmt),
                alt.Tooltip("upper_95:Q", title="Upper 95% limit", format=fmt),
                alt.Tooltip("england_value:Q", title="England", format=fmt),
                alt.Tooltip("compared:N", title="Compared with England"),
            ],
        )
    )
    england = frame.loc[np.isfinite(frame["england_value"])]
    if not england.empty:
        e_y = alt.Y("england_value:Q", title=y_title)
        layers.append(
            alt.Chart(england)
            .mark_line(
                color=SERIES["england"],
                strokeDash=[5, 4],
                strokeWidth=1.5,
                point=alt.OverlayMarkDef(color=SERIES["england"], size=25),
            )
            .encode(x=x, y=e_y)
        )
        layers.append(
            alt.Chart(england.tail(1).assign(label="England"))
            .mark_text(align="left", dx=6, color=SERIES["england"])
            .encode(x=x, y=e_y, text="label:N")
        )
    subtitle = ["Solid line: the area, with its 95% confidence band; dashed: England."]
    if verdict:
        subtitle.append(verdict)
    return alt.layer(*layers).properties(
        title=alt.TitleParams(f"{_name(meta)} in {area_name}", subtitle=subtitle, anchor="start"),
        description=describe_trend(trend_table, meta, area_name=area_name, verdict=verdict),
        width="container",
        height=HEIGHT,
    )


# ------------------------------------------------------------------------------ spine


def spine_frame(profile: pd.DataFrame, *, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Positions for the spine chart, one row per indicator.

    Without ``areas``: ``position`` is the area's value divided by England's (1 = England).
    With ``areas`` (indicator_id and value for every area of the level): positions follow
    Fingertips' spine, England at 0.5 and the area furthest from England at 0 or 1, turned
    so that the better end is on the right (higher on the right for neutral indicators);
    ``worst``/``q25``/``q75``/``best`` place the range and interquartile band of the areas.
    """
    rows = []
    for _, row in profile.iterrows():
        value = _floats(pd.Series([row.get("value")]))[0]
        england = _floats(pd.Series([row.get("england_value")]))[0]
        suppressed = bool(row.get("suppressed")) if not pd.isna(row.get("suppressed")) else False
        polarity = str(row.get("polarity") or "neutral")
        out = {
            "indicator_id": str(row.get("indicator_id", "")),
            "short_name": str(row.get("short_name") or row.get("indicator_id")),
            "unit": str(row.get("unit") or ""),
            "polarity": polarity,
            "period": str(row.get("period") or ""),
            "value": np.nan if suppressed else value,
            "england_value": england,
            "key": _keys(pd.Series([row.get("comparison")], dtype="object")).iloc[0],
            "status": "",
            "position": np.nan,
            "worst": np.nan,
            "q25": np.nan,
            "q75": np.nan,
            "best": np.nan,
        }
        if suppressed:
            out["status"] = "suppressed"
        elif not np.isfinite(value):
            out["status"] = "no value"
        elif not np.isfinite(england) or england == 0:
            out["status"] = "no England value"
        elif areas is None:
            out["position"] = value / england
        else:
            others = areas.loc[areas["indicator_id"].astype(str) == out["indicator_id"], "value"]
            others = _floats(others)
            others = others[np.isfinite(others)]
            if others.size == 0:
                others = np.array([value])
            half = max(abs(england - others.min()), abs(others.max() - england), 1e-12)
            sign = -1.0 if polarity == "high_is_bad" else 1.0

            def place(v: float, e: float = england, h: float = half, s: float = sign) -> float:
                return 0.5 + s * (v - e) / (2 * h)

            q25, q75 = np.percentile(others, [25, 75])
            ends = sorted([place(others.min()), place(others.max())])
            bands = sorted([place(q25), place(q75)])
            out.update(
                position=place(value), worst=ends[0], best=ends[1], q25=bands[0], q75=bands[1]
            )
        rows.append(out)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame.assign(compared=[], value_text=[], england_text=[], row=[])
    frame["compared"] = frame["key"].map(COMPARISON_LABELS)
    frame["value_text"] = [
        "suppressed" if status == "suppressed" else _fmt(v, {"unit": u})
        for v, u, status in zip(frame["value"], frame["unit"], frame["status"], strict=True)
    ]
    frame["england_text"] = [
        _fmt(v, {"unit": u}) for v, u in zip(frame["england_value"], frame["unit"], strict=True)
    ]
    frame["row"] = [
        f"{name}{f' ({period})' if period else ''}: {value}"
        + (f" vs England {england}" if np.isfinite(e) else "")
        for name, period, value, england, e in zip(
            frame["short_name"],
            frame["period"],
            frame["value_text"],
            frame["england_text"],
            frame["england_value"],
            strict=True,
        )
    ]
    return frame


def describe_spine(
    profile: pd.DataFrame, *, area_name: str, areas: pd.DataFrame | None = None
) -> str:
    """One sentence summarising the spine: how many indicators are better, similar, worse."""
    frame = spine_frame(profile, areas=areas)
    shown = frame.loc[frame["status"] == ""]
    counts = shown["compared"].value_counts()
    text = f"Spine chart of {_plural(len(frame), 'indicator')} for {area_name} against England"
    if not counts.empty:
        text += ": " + ", ".join(f"{n} {_lower_first(label)}" for label, n in counts.items())
    blank = len(frame) - len(shown)
    if blank:
        text += f"; {blank} not placed (suppressed, no value or no England value)"
    return text + "."


def spine(
    profile: pd.DataFrame, *, area_name: str, areas: pd.DataFrame | None = None
) -> alt.LayerChart:
    """Fingertips-style spine chart: one row per indicator, the area against England.

    ``profile`` is :meth:`gapmap.atlas.Atlas.profile`'s frame. With ``areas`` the rows show
    where the area sits in the range of all areas (see :func:`spine_frame`); without, the
    area's value as a multiple of England's. Points are coloured by comparison with England.
    """
    frame = spine_frame(profile, areas=areas)
    order = frame["row"].tolist()
    y = alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelLimit=420, ticks=False))
    relative = areas is None
    x_title = (
        "Value as a multiple of England's (1 = England)"
        if relative
        else "Worst or lowest area (left) · England (centre) · best or highest area (right)"
    )
    x_axis = alt.Axis() if relative else alt.Axis(labels=False, ticks=False, grid=False)
    x = alt.X(
        "position:Q",
        title=x_title,
        scale=alt.Scale(zero=False) if relative else alt.Scale(domain=[0, 1]),
        axis=x_axis,
    )
    shown = frame.loc[frame["status"] == ""]
    layers = []
    if not relative:
        layers += [
            alt.Chart(shown)
            .mark_bar(color=MUTED, opacity=0.35, height=12)
            .encode(
                y=y,
                x=alt.X("worst:Q", title=x_title, scale=alt.Scale(domain=[0, 1]), axis=x_axis),
                x2="best:Q",
            ),
            alt.Chart(shown)
            .mark_bar(color=MUTED, opacity=0.8, height=12)
            .encode(y=y, x="q25:Q", x2="q75:Q"),
        ]
    centre = pd.DataFrame({"position": [1.0 if relative else 0.5], "label": ["England"]})
    layers.append(alt.Chart(centre).mark_rule(color=INK, strokeWidth=2).encode(x=x))
    layers.append(
        alt.Chart(shown)
        .mark_circle(size=110, opacity=1, stroke=INK, strokeWidth=0.8)
        .encode(
            y=y,
            x=x,
            color=_comparison_colour(frame["key"].tolist(), "Compared with England (95%)"),
            tooltip=[
                alt.Tooltip("short_name:N", title="Indicator"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("value_text:N", title=area_name),
                alt.Tooltip("england_text:N", title="England"),
                alt.Tooltip("compared:N", title="Compared with England"),
            ],
        )
    )
    blank = frame.loc[frame["status"] != ""]
    if not blank.empty:
        layers.append(
            alt.Chart(blank)
            .mark_text(align="left", dx=4, fontStyle="italic", color=INK)
            .encode(y=y, x=alt.value(0), text="status:N")
        )
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            f"{area_name} compared with England",
            subtitle=(
                "Dots: the area; vertical line: England."
                + ("" if relative else " Bars: range and middle half of all areas.")
            ),
            anchor="start",
        ),
        description=describe_spine(profile, area_name=area_name, areas=areas),
        width="container",
        height=alt.Step(ROW_STEP + 8),
    )


# --------------------------------------------------------------------------- deciles


def _groups(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, str]:
    """The groups (1 = most deprived) with their value, limits and population ranks."""
    column = next((c for c in ("decile", "quintile", "quantile") if c in frame.columns), None)
    if column is None:
        raise ValueError("by_decile needs a 'decile', 'quintile' or 'quantile' column")
    data = pd.DataFrame(
        {
            "group": _floats(frame[column]),
            "value": _floats(frame["value"]),
            "lower_95": _floats(_column(frame, "lower_95")),
            "upper_95": _floats(_column(frame, "upper_95")),
            "rank_start": _floats(_column(frame, "rank_start")),
            "rank_end": _floats(_column(frame, "rank_end")),
        }
    ).sort_values("group")
    data = data.loc[np.isfinite(data["group"])].reset_index(drop=True)
    default = 5 if column == "quintile" else 10
    n = int(data["group"].max()) if not data.empty else default
    word = {5: "quintile", 10: "decile"}.get(n, column if column != "quantile" else "quantile")
    return data, n, word


def _sii_line(data: pd.DataFrame, n: int, slope: float, intercept: float) -> pd.DataFrame:
    """Points of the fitted line y = intercept + slope * rank on the group axis.

    Each group spans [g - 0.5, g + 0.5] on the axis and [rank_start, rank_end] in population
    rank; without ranks the groups are taken to hold equal shares of the population.
    """
    if data["rank_start"].notna().all() and data["rank_end"].notna().all() and not data.empty:
        x = np.concatenate([data["group"] - 0.5, data["group"].iloc[-1:] + 0.5])
        rank = np.concatenate([data["rank_start"], data["rank_end"].iloc[-1:]])
    else:
        x = np.array([0.5, n + 0.5])
        rank = np.array([0.0, 1.0])
    return pd.DataFrame({"group": x, "value": intercept + slope * rank})


def describe_by_decile(
    frame: pd.DataFrame,
    meta: Meta,
    *,
    slope: float | None = None,
    intercept: float | None = None,
) -> str:
    """One sentence comparing the most and least deprived groups (and the SII when given)."""
    data, _, word = _groups(frame)
    data = data.loc[np.isfinite(data["value"])]
    text = f"{_name(meta)} by deprivation {word}"
    if not data.empty:
        first, last = data.iloc[0], data.iloc[-1]
        text += (
            f": {_fmt(first['value'], meta)} in {word} {int(first['group'])} (most deprived) "
            f"and {_fmt(last['value'], meta)} in {word} {int(last['group'])} (least deprived)"
        )
    if slope is not None and intercept is not None and not pd.isna(slope):
        text += (
            f"; the fitted line runs from {_fmt(intercept, meta)} at the most deprived end to "
            f"{_fmt(intercept + slope, meta)} at the least deprived end (slope index of "
            f"inequality {format(-float(slope), _d3_format(meta))})"
        )
    return text + "."


def by_decile(
    frame: pd.DataFrame,
    meta: Meta,
    *,
    slope: float | None = None,
    intercept: float | None = None,
) -> alt.LayerChart:
    """An indicator by deprivation decile or quintile, 1 = most deprived, with 95% intervals.

    ``frame`` has a ``decile``, ``quintile`` or ``quantile`` column (1 = most deprived),
    ``value``, and optionally ``lower_95``/``upper_95`` and ``rank_start``/``rank_end`` (as
    :func:`gapmap.inequality.by_quantile` returns). With ``slope`` and ``intercept`` the
    SII line y = intercept + slope * rank is drawn, the population rank running from 0 at
    the most deprived end to 1 at the least deprived: from ``sii_rii``'s result that is
    intercept = value_most_deprived, slope = value_least_deprived - value_most_deprived
    (SII = -slope: positive when the value is higher where people are more deprived).
    """
    data, n, word = _groups(frame)
    data["x0"], data["x1"] = data["group"] - 0.38, data["group"] + 0.38
    share = {5: "20%", 10: "10%"}.get(n, "group")
    x_title = f"Deprivation {word} (1 = most deprived {share}, {n} = least deprived)"
    scale = alt.Scale(domain=[0.5, n + 0.5], nice=False, zero=False)
    axis = alt.Axis(
        values=list(range(1, n + 1)),
        labelExpr=(
            f"datum.value == 1 ? ['1', 'most deprived'] : datum.value == {n} ? "
            f"['{n}', 'least deprived'] : datum.label"
        ),
        grid=False,
        tickMinStep=1,
    )
    y_title = _axis_title(meta)
    fmt = _d3_format(meta)
    valued = data.loc[np.isfinite(data["value"])]
    layers = [
        alt.Chart(valued)
        .mark_rect(stroke=INK, strokeWidth=0.5)
        .encode(
            x=alt.X("x0:Q", title=x_title, scale=scale, axis=axis),
            color=alt.Color(
                "group:O",
                scale=alt.Scale(domain=list(range(1, n + 1)), range=ramp(DEPRIVATION_SCALE, n)),
                legend=None,
            ),
            x2="x1:Q",
            y=alt.Y("value:Q", title=y_title),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("group:O", title=word.capitalize()),
                alt.Tooltip("value:Q", title=y_title, format=fmt),
                alt.Tooltip("lower_95:Q", title="Lower 95% limit", format=fmt),
                alt.Tooltip("upper_95:Q", title="Upper 95% limit", format=fmt),
            ],
        )
    ]
    ci = valued.loc[np.isfinite(valued["lower_95"]) & np.isfinite(valued["upper_95"])]
    if not ci.empty:
        layers.append(
            alt.Chart(ci)
            .mark_rule(color=INK, strokeWidth=1.5)
            .encode(
                x=alt.X("group:Q", scale=scale, axis=axis, title=x_title),
                y="lower_95:Q",
                y2="upper_95:Q",
            )
        )
    if slope is not None and intercept is not None and not pd.isna(slope):
        line = _sii_line(data, n, float(slope), float(intercept))
        layers.append(
            alt.Chart(line)
            .mark_line(color=SERIES["fit"], strokeWidth=2, strokeDash=[6, 3])
            .encode(x=alt.X("group:Q", scale=scale, axis=axis, title=x_title), y="value:Q")
        )
    return alt.layer(*layers).properties(
        title=alt.TitleParams(
            f"{_name(meta)} by deprivation {word}",
            subtitle="Bars: value; black lines: 95% confidence interval"
            + ("; dashed line: slope index of inequality." if slope is not None else "."),
            anchor="start",
        ),
        description=describe_by_decile(frame, meta, slope=slope, intercept=intercept),
        width="container",
        height=HEIGHT,
    )


# ------------------------------------------------------------------------ on screen

#: Axis, legend and title text on screen: 8.5:1 on the white page. Streamlit's chart theme
#: draws them in a grey of 3.8:1, below the WCAG AA 4.5:1 for text of this size.
SCREEN_TEXT = "#4D4D4D"


def for_screen(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with its axis, legend and title text dark enough for WCAG AA on white.

    Legend symbols get a thin edge and room for their full labels: Streamlit's chart theme
    draws a thick edge that hides the fill a symbol is there to show, and cuts labels short.
    Applied only where a chart is shown in the app: configured charts cannot be nested, and
    the exported images set their own text colours.
    """
    return (
        chart.configure_axis(labelColor=SCREEN_TEXT, titleColor=SCREEN_TEXT)
        .configure_legend(
            labelColor=SCREEN_TEXT,
            titleColor=SCREEN_TEXT,
            symbolStrokeWidth=1,
            symbolSize=120,
            labelLimit=320,
        )
        .configure_title(color=INK, subtitleColor=SCREEN_TEXT)
        .configure_header(labelColor=SCREEN_TEXT, titleColor=SCREEN_TEXT)
    )
