"""How an indicator is named in a sentence, and a period as a reader would say it.

Shared by the sentences about one value (:mod:`gapmap.narrative`) and about a series
(:mod:`gapmap.trend_sentences`); everything from the data comes back escaped for Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from gapmap.periods import MONTH_NAMES
from gapmap.wording import escape_md, number_format

#: How each indicator is named in a sentence, and what its value is "of".
SUBJECTS: Mapping[str, tuple[str, str | None]] = {
    "depression_prevalence": ("Recorded depression", "of adults"),
    "smi_prevalence": ("Recorded severe mental illness (SMI)", "of patients"),
    "tt_referrals_rate": ("The rate of referrals to NHS Talking Therapies", "adults"),
    "tt_access_rate": ("The rate of people starting NHS Talking Therapies treatment", "adults"),
    "tt_finished_treatment_rate": (
        "The rate of finished courses of NHS Talking Therapies",
        "adults",
    ),
    "tt_recovery_rate": ("The NHS Talking Therapies recovery rate", None),
    "mhsds_in_contact_rate": (
        "The rate of people in contact with secondary mental health services",
        "people",
    ),
    "mhsds_in_contact_monthly": (
        "The rate of people in contact with secondary mental health services",
        "people",
    ),
    "mhsds_admissions_rate": ("The rate of people in mental health hospital beds", "people"),
    "mhsds_detentions_rate": ("The rate of detentions under the Mental Health Act", "people"),
    "smi_health_checks_pct": (
        "The share of people with SMI who had all six physical health checks",
        None,
    ),
    "smi_excess_mortality_ratio": (
        "Deaths under 75 among adults with SMI",
        "of the number expected at general population rates",
    ),
    "smoking_prevalence": ("Recorded smoking", "of patients aged 15 and over"),
    "antidepressant_items_per_1000": ("Antidepressant prescribing", "people"),
    "self_harm_admissions_rate": ("The rate of hospital admissions for self-harm", "people"),
    "hi_suicides": ("The suicide rate", "people"),
    "hi_self_harm": ("The self-harm admission rate (ONS Health Index)", "people"),
    "tt_gap_ratio": ("NHS Talking Therapies activity against recorded need", None),
    "tt_gap_ratio_modelled": ("NHS Talking Therapies activity against modelled need", None),
    "secondary_reliance_ratio": (
        "Secondary mental health care against the QOF SMI register",
        None,
    ),
    "imd_score": ("The average deprivation (IMD) score", None),
    "mh_need_score": ("The mental health need score", None),
    "life_expectancy_female": ("Life expectancy of women", None),
    "life_expectancy_male": ("Life expectancy of men", None),
    "list_size": ("The number of registered patients", None),
    "imd_decile": ("The deprivation decile", None),
}
PERIOD_NAMES = {
    "IoD2019": "Indices of Deprivation 2019",
    "IoD2025": "Indices of Deprivation 2025",
}
_MONTH_NAMES = dict(enumerate(MONTH_NAMES, 1))


def missing(value: object) -> bool:
    """True for None, NA and NaN (and False for anything pandas cannot test)."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def field(row: Mapping | pd.Series, key: str, default: object = None) -> object:
    """``row[key]``, or ``default`` where it is absent or missing."""
    value = row.get(key, default) if hasattr(row, "get") else default
    return default if missing(value) else value


def period_label(period: object) -> str:
    """A period as a reader would say it ('2016-04' -> 'April 2016'), escaped."""
    text = str(period)
    month = re.fullmatch(r"((?:19|20)\d\d)-(\d\d)", text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        financial_year = number == (year + 1) % 100
        if 1 <= number <= 12 and not financial_year:
            return f"{_MONTH_NAMES[number]} {year}"
    return escape_md(PERIOD_NAMES.get(text, text))


def subject(meta: pd.Series | Mapping) -> tuple[str, str | None]:
    """(how a sentence names the indicator, what its value is "of" or None)."""
    indicator_id = str(field(meta, "id", field(meta, "indicator_id", "")))
    if indicator_id in SUBJECTS:
        return SUBJECTS[indicator_id]
    return escape_md(field(meta, "short_name", field(meta, "name", "This measure"))), None


def value_phrase(value: float, meta: pd.Series | Mapping, *, with_qualifier: bool = True) -> str:
    """The value with its unit, and what it is "of" unless ``with_qualifier`` is False."""
    text = number_format(meta).text(value)
    _, qualifier = subject(meta)
    return f"{text} {qualifier}" if with_qualifier and qualifier else text
