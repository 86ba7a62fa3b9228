"""Every word and number the app shows, in one place.

Map tooltips, tables, captions, sentences, the board pack and CSV headers all take their number
format, comparison words, plurals and escaping from here, so the same value reads the same
everywhere.

How many decimals
-----------------
One rule, as Fingertips does it, fixed per indicator so that every value of one indicator (a
ranked table, a chart axis, an interval, a sentence) has the same decimals:

- counts (patients, deciles, or a ``count`` statistic): whole numbers, with thousands separators;
- ratios: 2 decimal places;
- everything else (percentages, rates per N, scores, years, published values): 1 decimal place;
- an indicator whose typical value is below 1 in its unit, where 1 place would leave a single
  significant figure, gets 2 (:data:`FINER`: SMI prevalence, about 0.95%, and the need score,
  centred on 0). ``tests/app/test_wording.py`` checks this against every indicator in the atlas.

Ties round away from zero and a negative that rounds to zero loses its sign, as d3-format (and
so every Altair chart) does, and negatives take the typographic minus sign d3 draws; so
:attr:`NumberFormat.d3` gives a chart the very text :meth:`NumberFormat.number` gives a sentence.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

# ------------------------------------------------------------------------------ numbers

#: The minus sign d3-format (and so Vega-Lite) prints; text and charts must agree.
MINUS = "\u2212"
#: Units whose values are whole numbers.
WHOLE_UNITS = frozenset({"patients", "decile", "people a year", "referrals"})
#: Units of counts that grow with an area's size: never placed against other areas' values.
SIZE_UNITS = frozenset({"patients", "people a year", "referrals"})
#: Indicators whose typical value is below 1 in their unit: 2 decimal places, not 1.
FINER: Mapping[str, int] = {"smi_prevalence": 2, "mh_need_score": 2}


def as_number(value: object) -> float | None:
    """A finite float, or None for anything missing, non-numeric, NaN or infinite.

    Atlas cells hold floats, ``pd.NA``, None or text from a CSV; every output treats all of
    those the same way through this one test.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def decimal_places(unit: str = "", statistic: str = "", indicator: str | None = None) -> int:
    """Decimal places for every value of an indicator (see the module's rule)."""
    if indicator in FINER:
        return FINER[str(indicator)]
    if unit in WHOLE_UNITS or statistic == "count":
        return 0
    if unit == "ratio" or statistic == "ratio":
        return 2
    return 1


def fixed(value: object, decimals: int, missing: str = "") -> str:
    """A number with ``decimals`` places and thousands separators, as d3's ``,.Nf`` prints it.

    ``missing`` stands in for a value that is not a finite number.
    """
    number = as_number(value)
    if number is None:
        return missing
    step = Decimal(1).scaleb(-decimals)
    rounded = Decimal(number).quantize(step, rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{decimals}f}"
    return text if rounded >= 0 else MINUS + text  # Decimal("-0.0") >= 0: no "-0.0"


def with_unit(text: str, unit: str) -> str:
    """A formatted number with its unit: '12.3%', '7.2 per 1,000', '79.0 years', 'decile 3'."""
    unit = (unit or "").strip()
    if not text or unit in ("", "ratio", "score"):
        return text
    if unit == "%":
        return f"{text}%"
    if unit == "decile":
        return f"decile {text}"
    return f"{text} {unit}"


@dataclass(frozen=True)
class NumberFormat:
    """How one indicator's numbers read: its unit and its decimal places.

    Get one with :func:`number_format` rather than building it, so the rule is applied.
    """

    unit: str = ""
    decimals: int = 1

    @property
    def d3(self) -> str:
        """The d3-format string of :meth:`number`, for Altair axes and tooltips."""
        return f",.{self.decimals}f"

    def number(self, value: object, missing: str = "") -> str:
        """The value without its unit: '13.7', '2,124.4', '0.92'."""
        return fixed(value, self.decimals, missing)

    def rounded(self, value: object) -> float | None:
        """The value as :meth:`number` prints it, as a number (2124.36 -> 2124.4); None if missing.

        Tables people sort, and the CSV made from them, hold this: the very figure the text
        shows, not more decimals or fewer.
        """
        shown = self.number(value)
        return float(shown.replace(",", "").replace(MINUS, "-")) if shown else None

    def text(self, value: object, *, unit: bool = True, missing: str = "") -> str:
        """The value, with its unit unless ``unit`` is False: '13.7%', '7.2 per 1,000'."""
        shown = self.number(value)
        if not shown:
            return missing
        return with_unit(shown, self.unit) if unit else shown

    def interval(
        self, lower: object, upper: object, *, unit: bool = True, missing: str = ""
    ) -> str:
        """A confidence interval: '7.2 to 7.3', '9.0% to 11.0%', '7.2 to 7.3 per 1,000'.

        A percentage sign follows both ends; any other unit is said once, at the end. Limits
        that print the same (a modelled figure made of whole published estimates, which have
        none) say nothing, so they read as ``missing``, never "21.5% to 21.5%".
        """
        low, high = self.number(lower), self.number(upper)
        if not (low and high) or low == high:
            return missing
        if unit and self.unit == "%":
            return f"{low}% to {high}%"
        span = f"{low} to {high}"
        return with_unit(span, self.unit) if unit else span


def _field(meta: object, *keys: str) -> str:
    """The first of ``keys`` that ``meta`` holds as non-missing text, else ""."""
    get = getattr(meta, "get", None)
    for key in keys if get else ():
        value = get(key)
        if value is not None and value is not pd.NA and value == value:  # NaN != NaN
            return str(value).strip()
    return ""


def number_format(
    meta: object = None, *, unit: str | None = None, statistic: str | None = None
) -> NumberFormat:
    """The number format of an indicator, from its metadata (``Atlas.indicator``) or unit.

    ``meta`` is any mapping (or Series) with ``unit``, ``statistic`` and ``id`` (or
    ``indicator_id``); ``unit`` and ``statistic`` override what it says.
    """
    unit = _field(meta, "unit") if unit is None else unit
    statistic = _field(meta, "statistic") if statistic is None else statistic
    indicator = _field(meta, "id", "indicator_id") or None
    return NumberFormat(unit, decimal_places(unit, statistic, indicator))


def format_number(
    value: object, unit: str = "", statistic: str = "", *, indicator: str | None = None
) -> str:
    """A value with its unit by the one rule: '13.7%', '2,124.4 per 100,000', '0.92'."""
    fmt = NumberFormat(unit, decimal_places(unit, statistic, indicator))
    return fmt.text(value)


def d3_format(meta: object) -> str:
    """The d3-format string of an indicator's values (',.1f'), matching :func:`number_format`."""
    return number_format(meta).d3


# ------------------------------------------------------------------------------- words

#: Comparison keys, in the order legends list them.
COMPARISON_KEYS = ("better", "similar", "worse", "higher", "lower", "not_compared")


def compared_with(
    key: str,
    benchmark: str = "England",
    *,
    lower: bool = False,
    average: bool = False,
    legend: bool = False,
) -> str:
    """A comparison in words: 'Better than England', 'similar to the England average'.

    ``lower`` starts it in lower case (for inside a sentence); ``average`` names the
    benchmark's average ('better than the England average'); ``legend`` says what a
    ``not_compared`` area was not compared with ('Not compared with England'), where a
    table cell says only 'Not compared'. Unknown keys read as not compared.
    """
    against = f"the {benchmark} average" if average else benchmark
    if key == "similar":
        words = f"Similar to {against}"
    elif key in ("better", "worse", "higher", "lower"):
        words = f"{key.capitalize()} than {against}"
    else:
        words = f"Not compared with {benchmark}" if legend else "Not compared"
    return lower_first(words) if lower else words


#: Table cells: 'Better than England' ... 'Not compared'.
COMPARISON_WORDS = {key: compared_with(key) for key in COMPARISON_KEYS}
#: Legends and headings: 'Better than England' ... 'Not compared with England'.
COMPARISON_LABELS = {key: compared_with(key, legend=True) for key in COMPARISON_KEYS}

#: What a row the pipeline flagged as an artefact of collection reads instead of a comparison
#: (the ``quality`` column of the values: the rule that caught it). Drawn as not compared.
QUALITY_WORDS = {
    "incomplete_submission": "Data quality: incomplete submission",
    "implausible_zero": "Data quality: implausible zero",
}
#: A flag this version of the app does not know yet still withholds the comparison.
QUALITY_OTHER = "Data quality: not compared"


def quality_word(quality: object) -> str | None:
    """'Data quality: incomplete submission' for a flagged row; None for a row without a flag."""
    if quality is None or quality is pd.NA or (isinstance(quality, float) and math.isnan(quality)):
        return None
    text = str(quality).strip()
    return QUALITY_WORDS.get(text, QUALITY_OTHER) if text else None


def comparison_word(
    comparison: object, quality: object = None, benchmark: str = "England", *, legend=False
) -> str:
    """A row's comparison in words; a flagged row reads its data-quality rule instead.

    A figure that is an artefact of collection is never called better, worse, higher or
    lower, against England or anything else.
    """
    flagged = quality_word(quality)
    if flagged:
        return flagged
    known = isinstance(comparison, str) and comparison in COMPARISON_KEYS
    return compared_with(comparison if known else "not_compared", benchmark, legend=legend)


def comparison_column(table: pd.DataFrame, *, legend: bool = False) -> pd.Series:
    """:func:`comparison_word` of every row of an atlas table (with or without ``quality``)."""
    quality = table["quality"] if "quality" in table.columns else [None] * len(table)
    words = [
        comparison_word(c, q, legend=legend)
        for c, q in zip(table["comparison"], quality, strict=True)
    ]
    return pd.Series(words, index=table.index, dtype="object")


#: Statistics compared with England by limits that allow for how much areas vary
#: (overdispersion), with England's figure for each by construction: an observed-against-
#: expected ratio is 1, its gap in people 0.
BANDED_ENGLAND = {"ratio": "1", "difference": "0"}


def spread_note(
    statistic: object,
    comparison: object,
    lower: object,
    upper: object,
    decimals: int | None = None,
) -> str:
    """Why a row reads 'Similar to England' though its 95% interval leaves England out.

    The interval covers chance alone; the comparison also allows for how much areas vary,
    so the two can disagree, and a table that shows both must say why. Empty otherwise.
    ``decimals``: the places the interval is shown to, so the note agrees with what is read
    ('1.00 to 1.04' includes 1, whatever the fourth place).
    """
    england = BANDED_ENGLAND.get(str(statistic))
    low, high = as_number(lower), as_number(upper)
    if england is None or comparison != "similar" or low is None or high is None:
        return ""
    if decimals is not None:
        low, high = round(low, decimals), round(high, decimals)
    if low <= float(england) <= high:
        return ""
    return f"Its interval leaves out England's {england}, but areas vary this much."


def spread_notes(table: pd.DataFrame, statistic: object, decimals: int | None = None) -> list[str]:
    """:func:`spread_note` of every row of an atlas table of one indicator."""
    return [
        spread_note(statistic, c, low, high, decimals)
        for c, low, high in zip(
            table["comparison"], table["lower_95"], table["upper_95"], strict=True
        )
    ]


def joined(*notes: object) -> str:
    """Notes as one cell, in order; missing ones (None, NA, NaN, '') left out."""
    texts = (str(n).strip() for n in notes if n is not None and not pd.isna(n))
    return " ".join(t for t in texts if t)


def compared_heading(level: str = "95") -> str:
    """The heading of a comparison column or legend: 'Compared with England (95%)'."""
    return f"Compared with England ({'99.8' if level == '998' else level}%)"


PLURALS = {
    "region": "NHS regions",
    "icb": "integrated care boards",
    "sub_icb": "sub-ICB locations",
    "pcn": "primary care networks",
    "ccg": "CCGs",
    "ltla": "local authority districts",
    "utla": "upper-tier local authorities",
}
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def number_word(n: int) -> str:
    """Small counts in words, as prose writes them ('five'); 10 and over as digits."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 area', '1,272 areas'; ``many`` for irregular plurals ('2 CCGs' needs none)."""
    return f"{n} {word}" if n == 1 else f"{n:,} {many or word + 's'}"


def and_list(items: list[str] | tuple[str, ...]) -> str:
    """'A', 'A and B', 'A, B and C': names joined as a sentence lists them."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def ordinal(n: int) -> str:
    """1 -> '1st', 12 -> '12th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def lower_first(text: str) -> str:
    """'Better than England' -> 'better than England'; 'NHS ...' keeps its capitals."""
    if len(text) > 1 and text[0].isupper() and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    """'recorded depression' -> 'Recorded depression', for the start of a sentence."""
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------- escaping

#: Characters that start Markdown (or Streamlit's LaTeX) anywhere in a line.
_MD_INLINE = re.compile(r"([\\`*_\[\]{}#|~$])")
#: What starts a list, quote or heading only at the start of a line.
_MD_LINE_START = re.compile(r"^(\s*)([-+]|\d+(?=[.)]))", re.MULTILINE)


def escape_md(text: object) -> str:
    """Text from data made inert in Markdown: shows exactly as written, never as markup.

    ``&``, ``<`` and ``>`` become HTML entities (no HTML, in Markdown or anywhere else);
    emphasis, links, code, tables, headings and ``$`` (Streamlit's LaTeX) are
    backslash-escaped, and so are a list or quote marker at the start of a line. Everything
    else is left alone, so the Markdown source still reads as plain text.
    """
    safe = _MD_INLINE.sub(r"\\\1", html.escape(str(text), quote=False))
    return _MD_LINE_START.sub(_escape_line_start, safe)


def _escape_line_start(match: re.Match[str]) -> str:
    space, marker = match.group(1), match.group(2)
    return f"{space}\\{marker}" if not marker[0].isdigit() else f"{space}{marker}\\"


def escape_html(text: object) -> str:
    """Data made safe inside HTML markup and attributes, and inside JS template literals.

    folium puts some tooltip text inside JavaScript backtick strings, so a backtick, ``$``
    or backslash in an area name must not survive as itself either.
    """
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def compact_nhs_name(name: str) -> str:
    """An NHS area's name without the words every row repeats, for a row label.

    'NHS Black Country ICB - D2P2L' -> 'Black Country - D2P2L' (a sub-ICB location: the long
    form is cut before the code that tells it from its neighbours); 'NHS Black Country
    Integrated Care Board' -> 'Black Country ICB'. Other names pass through.
    """
    sub_icb = re.fullmatch(r"NHS (.+?) ICB - (\w+)", name)
    if sub_icb:
        return f"{sub_icb.group(1)} - {sub_icb.group(2)}"
    icb = re.fullmatch(r"NHS (.+?) Integrated Care Board(.*)", name)
    return f"{icb.group(1)} ICB{icb.group(2)}" if icb else name
