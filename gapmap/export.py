"""Board-ready exports: captioned chart images (PNG, SVG, PDF), Excel-safe CSV, file names.

A chart pasted into a board paper loses the page around it, so :func:`captioned` draws the
title, the period and the source inside the image. Images are rendered locally by
vl-convert with its built-in font and with external requests refused, so an export works on
an NHS network with no internet. CSVs open correctly in Excel (UTF-8 with a byte-order mark)
and cannot smuggle spreadsheet formulas.
"""

from __future__ import annotations

import copy
import re
import textwrap
import unicodedata
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from gapmap.wording import compared_heading

#: A font compiled into vl-convert, so text is measured and drawn without system fonts.
FONT = "Liberation Sans"
#: Width of an exported chart when the page lays it out to the container's width.
EXPORT_WIDTH = 720
OGL = "Contains public sector information licensed under the Open Government Licence v3.0"
FOOTER_CHARS = 120
FOOTER_COLOUR = "#333333"
#: Cells starting with these are read as formulas by spreadsheets (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Headings for the atlas's own column names, when a raw table is exported.
HEADINGS = {
    "indicator_id": "Indicator",
    "area_code": "Area code",
    "area_name": "Area",
    "level": "Geography",
    "vintage": "Boundaries",
    "period": "Period",
    "value": "Value",
    "lower_95": "Lower 95% limit",
    "upper_95": "Upper 95% limit",
    "lower_998": "Lower 99.8% limit",
    "upper_998": "Upper 99.8% limit",
    "numerator": "Numerator (rounded to 5 where the source rounds)",
    "denominator": "Denominator (rounded to 5 where the source rounds)",
    "comparison": compared_heading("95"),
    "comparison_998": compared_heading("998"),
    "suppressed": "Suppressed",
    "note": "Note",
    "england_value": "England value",
}
#: Columns blanked on suppressed rows, whatever the table holds there.
SUPPRESSIBLE = (
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "numerator",
    "denominator",
)
SUPPRESSED_NOTE = "Suppressed: the number is small enough to identify people."


# ---------------------------------------------------------------------------- images


def _footer_lines(source: str, period: str) -> list[str]:
    source = re.sub(r"^\s*source:\s*", "", str(source), flags=re.IGNORECASE).strip()
    parts = [f"Source: {source}", f"Period: {period}", OGL]
    lines: list[str] = []
    for part in parts:
        candidate = f"{lines[-1]} | {part}" if lines else part
        if lines and len(candidate) <= FOOTER_CHARS:
            lines[-1] = candidate
        else:
            lines += textwrap.wrap(part, FOOTER_CHARS) or [""]
    return lines


def _subtitle_of(chart: alt.TopLevelMixin) -> Any:
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, alt.TitleParams):
        return title.subtitle
    if isinstance(title, dict):
        return title.get("subtitle", alt.Undefined)
    return alt.Undefined


def captioned(
    chart: alt.TopLevelMixin,
    *,
    title: str,
    subtitle: str | None,
    source: str,
    period: str,
) -> alt.VConcatChart:
    """The chart with its title, subtitle, source, period and licence inside the image.

    The chart's own subtitle (its reading key) is kept when ``subtitle`` is None. A chart
    laid out to the page's width gets a fixed export width so the footer lines up with it.
    """
    inner = chart.copy(deep=True)
    kept = _subtitle_of(inner) if subtitle is None else subtitle
    inner.title = alt.Undefined
    width = getattr(inner, "width", alt.Undefined)
    if width == "container" or width is alt.Undefined:
        inner.width = EXPORT_WIDTH
        width = EXPORT_WIDTH
    lines = _footer_lines(source, period)
    footer = (
        alt.Chart(pd.DataFrame({"line": lines, "row": range(len(lines))}))
        .mark_text(align="left", baseline="middle", fontSize=10, color=FOOTER_COLOUR)
        .encode(
            text="line:N",
            x=alt.value(0),
            y=alt.Y("row:O", axis=None, sort=list(range(len(lines)))),
        )
        .properties(
            width=width if isinstance(width, int | float) else EXPORT_WIDTH,
            height=alt.Step(14),
            view=alt.ViewBackground(stroke=None),
        )
    )
    description = getattr(inner, "description", alt.Undefined)
    caption = f"Source: {lines[0][len('Source: ') :]}" if lines else ""
    text = " ".join(
        p for p in (str(description) if description is not alt.Undefined else "", caption) if p
    )
    framed = alt.vconcat(inner, footer, spacing=10).resolve_legend(
        color="independent", strokeDash="independent", size="independent", shape="independent"
    )
    return framed.properties(
        title=alt.TitleParams(
            text=str(title),
            subtitle=kept if kept not in (None, "") else alt.Undefined,
            anchor="start",
            fontSize=16,
            subtitleFontSize=12,
            subtitleColor=FOOTER_COLOUR,
        ),
        description=text or str(title),
    )


def _fixed_width(spec: Any) -> Any:
    """Replace every ``"container"`` size: a static image has no container to fill."""
    if isinstance(spec, dict):
        out = {}
        for key, value in spec.items():
            if key in ("width", "height") and value == "container":
                out[key] = EXPORT_WIDTH if key == "width" else 360
            else:
                out[key] = _fixed_width(value)
        return out
    if isinstance(spec, list):
        return [_fixed_width(v) for v in spec]
    return spec


def _spec(chart: alt.TopLevelMixin | dict) -> dict:
    spec = copy.deepcopy(chart) if isinstance(chart, dict) else chart.to_dict()
    return _fixed_width(spec)


def _vl_version() -> str | None:
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vlc.get_vegalite_versions() else None


def _options() -> dict[str, Any]:
    # allowed_base_urls=[] refuses every external fetch (data, images, fonts).
    return {
        "vl_version": _vl_version(),
        "config": {"font": FONT, "background": "white"},
        "allowed_base_urls": [],
    }


def to_png(chart: alt.TopLevelMixin | dict, scale: float = 2) -> bytes:
    """PNG bytes of the chart at ``scale`` times its size (2 = sharp in print and on screen)."""
    return vlc.vegalite_to_png(vl_spec=_spec(chart), scale=scale, **_options())


def to_svg(chart: alt.TopLevelMixin | dict) -> str:
    """SVG text of the chart: scalable, and editable by communications teams."""
    return vlc.vegalite_to_svg(vl_spec=_spec(chart), **_options())


def to_pdf(chart: alt.TopLevelMixin | dict) -> bytes:
    """PDF bytes of the chart, vector, for printed board packs."""
    return vlc.vegalite_to_pdf(vl_spec=_spec(chart), **_options())


# ------------------------------------------------------------------------------- CSV


def _defuse(value: Any) -> Any:
    """Prefix text a spreadsheet would run as a formula with a single quote (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _number_text(value: Any) -> Any:
    """A float as a person writes it: 29700, not 29700.0 (rounding is the table's own)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def _blank_suppressed(frame: pd.DataFrame) -> pd.DataFrame:
    if "suppressed" not in frame.columns:
        return frame
    hidden = frame["suppressed"].fillna(False).astype(bool)
    if not hidden.any():
        return frame
    out = frame.copy()
    for column in SUPPRESSIBLE:
        if column in out.columns:
            out[column] = out[column].astype("object").where(~hidden, None)
    note = out["note"] if "note" in out.columns else pd.Series(pd.NA, index=out.index)
    note = note.astype("object")
    empty = note.isna() | (note.astype(str).str.strip() == "")
    out["note"] = note.where(~(hidden & empty), SUPPRESSED_NOTE)
    out["suppressed"] = hidden.map({True: "yes", False: "no"})
    return out


def table_csv(frame: pd.DataFrame, *, columns: dict[str, str] | None = None) -> bytes:
    """CSV bytes for Excel: UTF-8 with a BOM, human headings, suppressed values left blank.

    Parameters
    ----------
    frame
        Any table; atlas columns (value, note, suppressed...) get readable headings.
    columns
        Column name to heading, in the order wanted; other columns are dropped. When None,
        every column is kept and atlas names are replaced by :data:`HEADINGS`.

    Returns
    -------
    bytes
        ``utf-8-sig`` encoded CSV. Suppressed rows have empty value cells and a note saying
        why; text cells starting with = + - @ (or tab, CR) are prefixed with ``'``.
    """
    out = _blank_suppressed(frame)
    if columns is not None:
        out = out[list(columns)].rename(columns=columns)
    else:
        out = out.rename(columns={k: v for k, v in HEADINGS.items() if k in out.columns})
    out = out.astype("object").map(_number_text).map(_defuse)
    out.columns = [_defuse(str(c)) for c in out.columns]
    text = out.to_csv(index=False, na_rep="", lineterminator="\r\n")
    return text.encode("utf-8-sig")


# ------------------------------------------------------------------------- file names


def _slug(text: object) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def filename(*parts: object, ext: str) -> str:
    """A safe, deterministic download name: slugs of the parts joined by ``_``, then ``.ext``.

    Only a-z, 0-9, ``-`` and ``_`` survive, so names with ``/``, ``..`` or markup cannot leave
    the downloads folder or break an HTML attribute; the same inputs always give the same name.
    """
    slugs = [s for s in (_slug(p) for p in parts if p is not None) if s]
    stem = "_".join(slugs)[:120].strip("-_") or "export"
    extension = re.sub(r"[^a-z0-9]", "", str(ext).lower()) or "txt"
    return f"{stem}.{extension}"
