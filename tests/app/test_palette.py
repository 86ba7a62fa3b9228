"""Colours stay apart for colour-blind readers, and text on them stays readable (WCAG AA).

Colour blindness is simulated with Machado, Oliveira & Fernandes (2009) at full severity
(deuteranopia, protanopia, tritanopia), via colorspacious; differences are CAM02-UCS ΔE,
where 1 is about one just-noticeable difference.
"""

from __future__ import annotations

import itertools

import colorspacious
import numpy as np
import pytest

from gapmap import charts, export, maps, palette, wording

VISIONS = ["normal", "deuteranomaly", "protanomaly", "tritanomaly"]
#: Categories shown side by side (one map, one legend) must differ by this much.
CATEGORY_DELTA = 15.0
#: Neighbouring classes of a five-step value scale, and of the ten-step deprivation scale.
STEP_DELTA = {5: 10.0, 10: 6.5}


def _rgb(colour: str) -> np.ndarray:
    text = colour.lstrip("#")
    return np.array([int(text[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def seen(colour: str, vision: str) -> np.ndarray:
    """``colour`` as a reader with ``vision`` sees it, in sRGB (0-1)."""
    if vision == "normal":
        return _rgb(colour)
    space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(colorspacious.cspace_convert(_rgb(colour), space, "sRGB1"), 0, 1)


def delta(a: str, b: str, vision: str) -> float:
    return float(colorspacious.deltaE(seen(a, vision), seen(b, vision), input_space="sRGB1"))


def lightness(colour: str, vision: str) -> float:
    return float(colorspacious.cspace_convert(seen(colour, vision), "sRGB1", "CAM02-UCS")[0])


def contrast(text: str, background: str) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""

    def luminance(colour: str) -> float:
        c = _rgb(colour)
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])

    high, low = sorted((luminance(text), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def closest_pair(colours: dict[str, str], vision: str) -> tuple[float, str, str]:
    return min(
        (delta(colours[a], colours[b], vision), a, b) for a, b in itertools.combinations(colours, 2)
    )


# ------------------------------------------------------------------ categories


def comparison_fills() -> dict[str, str]:
    """Every fill a comparison map or chart can show, except "not compared" (see below)."""
    fills = {k: v for k, v in palette.COMPARISON_COLOURS.items() if k != "not_compared"}
    return {**fills, "no_data": palette.NO_DATA}


@pytest.mark.parametrize("vision", VISIONS)
def test_comparison_colours_are_told_apart_in_every_vision(vision):
    # all of them together: the My area profile mixes judged and neutral indicators
    gap, a, b = closest_pair(comparison_fills(), vision)
    assert gap >= CATEGORY_DELTA, f"{a} and {b} differ by only {gap:.1f} for {vision}"
    white = palette.COMPARISON_COLOURS["not_compared"]
    for name, colour in palette.COMPARISON_COLOURS.items():
        if name != "not_compared":
            assert delta(colour, white, vision) >= CATEGORY_DELTA, (name, vision)


def test_no_data_is_marked_by_a_dashed_edge_as_well_as_its_grey():
    """Pale grey "no data" is close to white ("not compared", neither is a judgement) and to
    the lightest value classes, so no-data areas and their legend swatch get a dashed edge."""
    assert delta(palette.COMPARISON_COLOURS["not_compared"], palette.NO_DATA, "normal") > 5
    style = maps.area_style({"properties": {"fill": palette.NO_DATA, "nd": 1}})
    assert style.get("dashArray")
    assert "dashArray" not in maps.area_style({"properties": {"fill": "#FFFFFF", "nd": 0}})
    assert 'class="mtg-sw mtg-nd"' in maps.legend_html(
        "t", [(palette.NO_DATA_LABEL, palette.NO_DATA)]
    )


@pytest.mark.parametrize("vision", ["deuteranomaly", "protanomaly"])
def test_the_traffic_lights_they_replace_fail_the_same_check(vision):
    """Fingertips' green / amber / red, through the same test, for red-green colour blindness:
    shows the check can fail, and why the app does not use them."""
    traffic = {"better": "#92D050", "similar": "#FFC000", "worse": "#C00000"}
    gap, _, _ = closest_pair(traffic, vision)
    assert gap < CATEGORY_DELTA


def test_every_comparison_has_words_as_well_as_a_colour():
    assert palette.COMPARISON_LABELS is wording.COMPARISON_LABELS  # the words live in wording
    assert set(palette.COMPARISON_LABELS) == set(palette.COMPARISON_COLOURS)
    assert len(set(palette.COMPARISON_LABELS.values())) == len(palette.COMPARISON_LABELS)


# ---------------------------------------------------------------------- scales


SCALES = {
    "worse": palette.WORSE_SCALE,
    "neutral": palette.NEUTRAL_SCALE,
    "deprivation": palette.DEPRIVATION_SCALE,
    **{
        f"{polarity}-{n}": tuple(palette.value_scale(polarity, n))
        for polarity in ("high_is_bad", "high_is_good", "neutral")
        for n in (2, 3, 4)
    },
}


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("name", list(SCALES))
def test_value_scales_keep_their_order_and_steps_in_every_vision(name, vision):
    scale = SCALES[name]
    light = [lightness(c, vision) for c in scale]
    steps = np.diff(light)
    assert np.all(steps < 0) or np.all(steps > 0), f"{name} lightness not monotonic: {light}"
    need = STEP_DELTA[10] if len(scale) == 10 else STEP_DELTA[5]
    smallest = min(delta(a, b, vision) for a, b in itertools.pairwise(scale))
    assert smallest >= need, f"{name} has neighbours {smallest:.1f} apart for {vision}"


def test_darker_means_worse_for_both_polarities():
    bad = palette.value_scale("high_is_bad", 5)
    good = palette.value_scale("high_is_good", 5)
    assert lightness(bad[-1], "normal") < lightness(bad[0], "normal")
    assert lightness(good[0], "normal") < lightness(good[-1], "normal")


# ---------------------------------------------------------------------- text


ALL_FILLS = sorted(
    {
        *palette.COMPARISON_COLOURS.values(),
        *palette.WORSE_SCALE,
        *palette.NEUTRAL_SCALE,
        *palette.DEPRIVATION_SCALE,
        palette.NO_DATA,
    }
)


@pytest.mark.parametrize("fill", ALL_FILLS)
def test_ink_for_reads_on_every_fill(fill):
    assert contrast(palette.ink_for(fill), fill) >= 4.5


@pytest.mark.parametrize(
    ("text", "background"),
    [
        (charts.INK, "#FFFFFF"),
        (charts.SCREEN_TEXT, "#FFFFFF"),
        (palette.ENGLAND, "#FFFFFF"),
        (charts.SERIES["area"], "#FFFFFF"),
        # labels of the selected and peer rows sit on their bands in ranked charts
        (charts.INK, charts.HIGHLIGHT),
        (charts.SCREEN_TEXT, charts.HIGHLIGHT),
        (charts.INK, charts.PEER_BAND),
        (charts.SCREEN_TEXT, charts.PEER_BAND),
        # map legend and credits, and the source line of exported charts and maps
        ("#1A1A1A", "#FFFFFF"),
        ("#4D4D4D", "#FFFFFF"),
        ("#005A8C", "#FFFFFF"),
        (export.FOOTER_COLOUR, "#FFFFFF"),
    ],
)
def test_text_colours_meet_wcag_aa(text, background):
    assert contrast(text, background) >= 4.5


def test_outlines_meet_the_non_text_contrast_minimum():
    """Area edges (3:1 on white, WCAG 1.4.11) and the selected area's outline on its halo."""
    assert contrast(palette.EDGE, "#FFFFFF") >= 3
    assert contrast(palette.SELECTED_OUTLINE, palette.SELECTED_HALO) >= 3
    assert contrast(palette.PRACTICE_EDGE, palette.PRACTICE_FILL) >= 3


def test_contrast_helper_matches_known_ratios():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
