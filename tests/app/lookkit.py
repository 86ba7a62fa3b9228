"""Read a chart as a person reads it: draw the page's spec and list what is on the drawing.

Plain functions, not fixtures. ``drawing(spec)`` renders a Vega-Lite spec as the page sends
it (after ``charts.for_screen``) to SVG with vl-convert, under the chart settings Streamlit's
own theme adds in the browser, and returns the visible text and each axis as drawn. The
checks (``problems``) are what a first-time user reported: a title, legend or label cut
short, an axis with no values, an axis whose range leaves out the data, a selected area
left unnamed.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import vl_convert as vlc

SVG = "{http://www.w3.org/2000/svg}"
#: What Streamlit's chart theme sets on every axis in the browser (its frontend's
#: CustomTheme: 12-pixel labels, 2 pixels between them, overlapping labels dropped).
STREAMLIT_AXIS = {"labelFontSize": 12, "labelSeparation": 2, "labelOverlap": True}
#: The width of a chart in a page column, in pixels.
PAGE_WIDTH = 900


@dataclass
class Axis:
    """One axis as drawn: its description (Vega's ARIA label) and its visible labels."""

    aria: str
    labels: list[str] = field(default_factory=list)

    @property
    def orient(self) -> str:
        return self.aria.split("-axis", 1)[0].strip()


@dataclass
class Drawing:
    """What a person sees of one chart."""

    svg: str
    texts: list[str]
    axes: list[Axis]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def with_streamlit_theme(spec: dict) -> dict:
    """The spec as the browser draws it: Streamlit's axis settings under the chart's own."""
    config = dict(spec.get("config", {}))
    config["axis"] = {**STREAMLIT_AXIS, **config.get("axis", {})}
    return {**spec, "config": config, "width": PAGE_WIDTH}


def _visible(element: ET.Element) -> bool:
    for attr in ("opacity", "fill-opacity"):
        if element.get(attr) not in (None, "") and float(element.get(attr)) == 0:
            return False
    return True


def _text_of(element: ET.Element) -> str:
    parts = [element.text or ""] + [t.text or "" for t in element.iter(f"{SVG}tspan")]
    return html.unescape("".join(parts)).strip()


def _texts(root: ET.Element) -> Iterator[tuple[ET.Element, str]]:
    for element in root.iter(f"{SVG}text"):
        if _visible(element):
            yield element, _text_of(element)


def drawing(spec: dict) -> Drawing:
    """Render ``spec`` (a page spec) and read its visible text and axes."""
    svg = vlc.vegalite_to_svg(with_streamlit_theme(spec))
    root = ET.fromstring(svg)
    texts = [text for _, text in _texts(root) if text]
    axes = []
    for group in root.iter(f"{SVG}g"):
        if "role-axis" not in group.get("class", "").split():
            continue
        labels = [
            text
            for inner in group.iter(f"{SVG}g")
            if "role-axis-label" in inner.get("class", "")
            for _, text in _texts(inner)
        ]
        axes.append(Axis(group.get("aria-label", ""), labels))
    return Drawing(svg, texts, axes)


def _datasets(spec: dict) -> dict[str, list[dict]]:
    return spec.get("datasets", {})


def _layers(spec: dict) -> Iterator[dict]:
    """Every unit spec with its encoding, through layers, concatenations and facets."""
    stack = [spec]
    while stack:
        node = stack.pop()
        if "encoding" in node and "mark" in node:
            yield node
        for key in ("layer", "hconcat", "vconcat", "concat"):
            stack.extend(node.get(key, []))
        if "spec" in node:
            stack.append(node["spec"])


def _outside(group: dict, where: str) -> Iterator[str]:
    """Data marks of ``group`` (and of groups inside it) placed beyond its plot area."""
    width, height = group.get("width"), group.get("height")
    for mark in group.get("items", []):
        if mark.get("marktype") == "group":
            for inner in mark.get("items", []):
                yield from _outside(inner, where)
            continue
        if mark.get("role") != "mark" or mark.get("marktype") == "text" or width is None:
            continue
        for item in mark.get("items", []):
            xs = [item[k] for k in ("x", "x2") if isinstance(item.get(k), int | float)]
            ys = [item[k] for k in ("y", "y2") if isinstance(item.get(k), int | float)]
            if any(x < -1 or x > width + 1 for x in xs) or any(
                y < -1 or y > height + 1 for y in ys
            ):
                yield f"{where}: a {mark['marktype']} of {mark.get('name')} drawn off the plot"
                break


def outside_marks(spec: dict) -> list[str]:
    """Marks the axes' ranges leave out: drawn beyond the plot, clipped or overflowing."""
    scene = vlc.vegalite_to_scenegraph(with_streamlit_theme(spec))["scenegraph"]
    return sorted(set(_outside(scene["items"][0], title_of(spec))))


def selected_labels(spec: dict) -> set[str]:
    """The labels of rows the chart marks as the selected area."""
    labels = set()
    for rows in _datasets(spec).values():
        for row in rows:
            if row.get("is_selected") is True:
                label = row.get("row", row.get("label"))
                if label:
                    labels.add(str(label))
    return labels


def unlabelled_axis_titles(spec: dict) -> set[str]:
    """Titles of axes the chart draws without values on purpose (``labels: false``)."""
    titles = set()
    for layer in _layers(spec):
        for enc in layer["encoding"].values():
            axis = enc.get("axis") if isinstance(enc, dict) else None
            if isinstance(axis, dict) and axis.get("labels") is False:
                titles.add(str(axis.get("title", enc.get("title", ""))))
    return titles


def title_of(spec: dict) -> str:
    title = spec.get("title", "")
    return str(title.get("text", "")) if isinstance(title, dict) else str(title)


def problems(spec: dict, drawn: Drawing | None = None) -> list[str]:
    """What a person would see wrong in the drawn chart, in words; empty when none."""
    drawn = drawn or drawing(spec)
    name = title_of(spec) or json.dumps(spec)[:80]
    found = [f"{name}: text cut short: {t!r}" for t in drawn.texts if t.endswith("…")]
    unlabelled = unlabelled_axis_titles(spec)
    for axis in drawn.axes:
        if not axis.aria:  # a grid drawn as its own axis, hidden from screen readers
            continue
        if not axis.labels and not any(f"'{title}'" in axis.aria for title in unlabelled):
            found.append(f"{name}: {axis.orient} axis has no values ({axis.aria})")
        elif len(axis.labels) > 1 and len(set(axis.labels)) == 1:
            found.append(f"{name}: {axis.orient} axis collapsed to one value {axis.labels[0]!r}")
    found += outside_marks(spec)
    shown = {text.strip() for text in drawn.texts}  # SVG drops a rank's leading padding
    for label in selected_labels(spec):
        if label.strip() not in shown:
            found.append(f"{name}: selected area {label!r} not named")
    return found


#: A number as a program prints it: three or more decimals, or a whole number with ".0".
MACHINE_NUMBER = re.compile(r"^-?\d+\.\d{3,}$|^-?\d{4,}\.0$|^-?\d+\.\d*e[+-]\d+$")
#: What a missing value looks like when nothing put words on it.
MISSING_WORDS = frozenset({"None", "nan", "NaN", "<NA>", "NaT", "null"})


def cell_problems(frame: pd.DataFrame, placeholder: str | None = "") -> list[str]:
    """Cells a person would read as a program's output; empty when none.

    A missing value drawn as "None" (Streamlit's grid does so unless given a
    ``placeholder``) or written "nan" or "<NA>", or a number as a program prints it
    ("3342.1256", "29700.0", 276834.9999999999).
    """
    found = []
    head = ", ".join(map(str, frame.columns[:3]))
    for column in frame.columns:
        values = frame[column]
        if placeholder is None and values.isna().any():
            found.append(f"[{head}] column {column!r} draws a missing value as 'None'")
        if pd.api.types.is_float_dtype(values):
            known = values.dropna().astype(float)
            machine = known[(known - known.round(3)).abs() > 1e-9]
            if not machine.empty:
                found.append(f"[{head}] column {column!r} shows {machine.iloc[0]!r}")
            continue
        for cell in values.dropna().astype("object"):
            text = str(cell).strip()
            if text in MISSING_WORDS or MACHINE_NUMBER.match(text):
                found.append(f"[{head}] column {column!r} shows {text!r}")
                break
    return found
