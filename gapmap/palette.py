"""Colours shared by every map and chart, so one area looks the same everywhere.

All palettes stay distinguishable with red-green (deuteranopia, protanopia) and blue-yellow
(tritanopia) colour blindness; tests/app/test_palette.py simulates each and measures the
colour differences. Values use ColorBrewer sequential schemes, which change in lightness as
well as hue. Comparisons with England use blue / grey / orange rather than the usual
green / amber / red, which red-green colour-blind readers cannot tell apart; indicators where
neither direction is better use a dark and a light purple-blue (ColorBrewer BuPu). Every
comparison is also written out in tooltips, tables and legends, never shown by colour alone.

Value scales are polarity-aware: for indicators where a high value is bad *or* good, darker
always means worse; for neutral indicators darker means higher.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The words of each comparison live with every other word, in :mod:`gapmap.wording`; they
#: are named here too because every legend pairs them with the colours below.
from gapmap.wording import COMPARISON_KEYS
from gapmap.wording import COMPARISON_LABELS as COMPARISON_LABELS

#: ColorBrewer YlOrBr, 5 classes: light (better) to dark (worse).
WORSE_SCALE: tuple[str, ...] = ("#FFFFD4", "#FED98E", "#FE9929", "#D95F0E", "#993404")
#: ColorBrewer Purples, 5 classes: light (lower) to dark (higher), for neutral indicators.
NEUTRAL_SCALE: tuple[str, ...] = ("#F2F0F7", "#CBC9E2", "#9E9AC8", "#756BB1", "#54278F")
#: ColorBrewer YlOrBr, 9 classes; :data:`DEPRIVATION_SCALE` stretches it to 10 deciles.
YLORBR_9: tuple[str, ...] = (
    "#FFFFE5",
    "#FFF7BC",
    "#FEE391",
    "#FEC44F",
    "#FE9929",
    "#EC7014",
    "#CC4C02",
    "#993404",
    "#662506",
)

#: Comparison with England (95% or 99.8% interval).
COMPARISON_COLOURS: dict[str, str] = {
    "better": "#2166AC",
    "similar": "#B8B8B8",
    "worse": "#B35806",
    "higher": "#4D004B",
    "lower": "#8C96C6",
    "not_compared": "#FFFFFF",
}
#: Legend order: the judgement categories first, then the neutral ones (wording's order).
COMPARISON_ORDER: tuple[str, ...] = COMPARISON_KEYS

#: Areas with no value, or a suppressed one: light grey, drawn with a dashed edge on maps.
NO_DATA = "#E8E8E8"
NO_DATA_LABEL = "No data / suppressed"
#: Outline of the selected area, and the white halo under it so it shows on dark fills.
SELECTED_OUTLINE = "#111111"
SELECTED_HALO = "#FFFFFF"
#: Thin edges between areas (mid grey, so white "not compared" areas keep their shape).
EDGE = "#7F7F7F"
#: England's value on charts.
ENGLAND = "#333333"
#: GP practice markers (white dots with a dark rim read on every fill).
PRACTICE_FILL = "#FFFFFF"
PRACTICE_EDGE = "#1A1A1A"


def value_scale(polarity: str | None, n: int = 5) -> list[str]:
    """Colours for ``n`` value classes, ordered from the lowest value class to the highest.

    Darker means worse: a high_is_good indicator therefore gets the reversed scale, so its
    lowest values are darkest. Neutral indicators use purples where darker means higher.
    """
    base = NEUTRAL_SCALE if polarity not in ("high_is_bad", "high_is_good") else WORSE_SCALE
    colours = ramp(base, n)
    return colours[::-1] if polarity == "high_is_good" else colours


def darker_means(polarity: str | None) -> str:
    """The legend's one-line key to the value scale ("Darker = worse" or "... higher")."""
    return "Darker = worse" if polarity in ("high_is_bad", "high_is_good") else "Darker = higher"


def comparison_colour(category: object) -> str:
    """Fill for a comparison category; unknown or missing categories count as not compared."""
    return COMPARISON_COLOURS.get(str(category), COMPARISON_COLOURS["not_compared"])


def deprivation_colour(decile: object) -> str:
    """Fill for an IMD decile (1 = most deprived = darkest); anything else is no data."""
    try:
        number = int(decile)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return NO_DATA
    return DEPRIVATION_SCALE[number - 1] if 1 <= number <= 10 else NO_DATA


def ramp(colours: Sequence[str], n: int) -> list[str]:
    """``n`` colours spread evenly along ``colours`` (linear in RGB), ends kept.

    Fewer classes than the base palette should still span light to dark, not stop halfway.
    """
    if n <= 0:
        return []
    if n == 1:
        return [colours[len(colours) // 2]]
    if n == len(colours):
        return list(colours)
    rgb = [_rgb(c) for c in colours]
    out = []
    for i in range(n):
        pos = i * (len(rgb) - 1) / (n - 1)
        lo = int(pos)
        hi = min(lo + 1, len(rgb) - 1)
        frac = pos - lo
        mixed = tuple(round(a + (b - a) * frac) for a, b in zip(rgb[lo], rgb[hi], strict=True))
        out.append("#{:02X}{:02X}{:02X}".format(*mixed))
    return out


def ink_for(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (WCAG relative luminance)."""
    r, g, b = (_linear(c / 255) for c in _rgb(fill))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.179 else "#FFFFFF"


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4


#: IMD deciles 1..10, decile 1 (most deprived) darkest: :data:`YLORBR_9` resampled to ten
#: steps of equal size in the CAM02-UCS colour space, so neighbouring deciles differ equally
#: (stretching it in RGB left the lightest deciles almost the same colour).
DEPRIVATION_SCALE: tuple[str, ...] = (
    "#662506",
    "#8A3006",
    "#AE3E04",
    "#D15104",
    "#EB6F14",
    "#FB9125",
    "#FEB441",
    "#FED472",
    "#FEF1AE",
    "#FFFFE5",
)


#: Point shapes of the England comparisons, so print in greyscale keeps them apart.
COMPARISON_SHAPES = {
    "Better than England": "triangle-up",
    "Worse than England": "triangle-down",
    "Similar to England": "circle",
    "Higher than England": "square",
    "Lower than England": "diamond",
    "Not compared with England": "circle",
}
