"""How map text reads: numbers with their units, and data made safe for HTML.

Kept together, apart from the maps that use them, so the app's single wording module can
take their place in one step.
"""

from __future__ import annotations

import html
import math

import pandas as pd


def escape(text: object) -> str:
    """HTML-escape data for markup, also neutralising JS template-literal syntax.

    folium puts some tooltip text inside JavaScript backtick strings, so a backtick, ``$``
    or backslash in an area name must not survive as itself either.
    """
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def format_value(value: object, unit: str | None = None, decimals: int | None = None) -> str:
    """A value as people read it: "12.3%", "1,234 per 100,000", "0.85"; "-" when missing.

    Without ``decimals`` the precision follows the size of the number, so rates in the
    thousands get no decimals and small ratios get two.
    """
    number = _number(value)
    if number is None:
        return "-"
    if decimals is None:
        decimals = decimals_for(number)
    text = f"{number:,.{decimals}f}"
    unit = (unit or "").strip()
    if unit == "%":
        return f"{text}%"
    if unit.startswith("per ") or unit in ("years", "patients"):
        return f"{text} {unit}"
    return text


def decimals_for(value: object) -> int:
    """Decimal places that suit a number's size: 1,234 / 12.3 / 1.23."""
    size = abs(_number(value) or 0.0)
    return 0 if size >= 100 else 1 if size >= 10 else 2


def _number(value: object) -> float | None:
    """A finite float, or None for anything missing, non-numeric, NaN or infinite."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _text(value: object) -> str:
    """Stripped text, or "" for anything missing (None, NA, NaN)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()
