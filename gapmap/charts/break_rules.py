"""Series breaks drawn on a time axis: an upright dotted rule with a short label at the top.

Trend and month-by-month charts both stop their lines at a break (:mod:`gapmap.breaks`);
this draws where, with what changed on hover, the same way on both.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from gapmap import breaks as series_breaks
from gapmap.charts.common import INK, MUTED
from gapmap.wording import upper_first


def break_rule_layers(
    drawn: list[series_breaks.Break], x: alt.X, field: str, starts: pd.Series
) -> list[alt.Chart]:
    """A rule at each break in ``drawn``, on ``x`` (whose field is ``field``), labelled.

    ``starts`` are the dates the chart places its data at: a label sits right of its rule
    in the left half of that span and left of it in the right half, so it stays inside.
    """
    if not drawn:
        return []
    dates = pd.to_datetime(starts.dropna())
    middle = dates.min() + (dates.max() - dates.min()) / 2
    rules = pd.DataFrame(
        {
            field: [series_breaks.start_date(b.period) for b in drawn],
            "label": [b.label for b in drawn],
            "change": [upper_first(b.change) for b in drawn],
            "row": [4 + 14 * (n % 2) for n in range(len(drawn))],
        }
    )
    rules["left"] = pd.to_datetime(rules[field]) <= middle
    tooltip = [alt.Tooltip("label:N", title="Series change"), alt.Tooltip("change:N", title="")]
    rule = alt.Chart(rules).mark_rule(color=MUTED, strokeDash=[2, 3], strokeWidth=1.5)
    layers = [rule.encode(x=x, tooltip=tooltip)]
    for left, part in rules.groupby("left"):
        text = alt.Chart(part).mark_text(
            align="left" if left else "right",
            baseline="top",
            dx=4 if left else -4,
            color=INK,
            fontSize=11,
        )
        layers.append(
            text.encode(x=x, y=alt.Y("row:Q", scale=None), text="label:N", tooltip=tooltip)
        )
    return layers
