"""Rows and indicator metadata for the sentence tests (narrative and trend sentences)."""

from __future__ import annotations

import pandas as pd


def meta(indicator_id="depression_prevalence", polarity="high_is_bad", unit="%", **extra):
    base = {
        "id": indicator_id,
        "short_name": "Some measure",
        "unit": unit,
        "polarity": polarity,
        "statistic": "proportion",
        "domain": "need",
    }
    return pd.Series(base | extra)


def row(value=13.7, england=13.25, comparison="worse", c998="worse", **extra):
    base = {
        "indicator_id": "depression_prevalence",
        "period": "2022-23",
        "value": value,
        "england_value": england,
        "comparison": comparison,
        "comparison_998": c998,
        "suppressed": False,
        "note": pd.NA,
    }
    return pd.Series(base | extra)


CATALOGUE = pd.DataFrame(
    {
        "id": ["depression_prevalence", "smi_prevalence", "tt_recovery_rate", "imd_score"],
        "short_name": ["Depression", "SMI", "Recovery", "IMD"],
        "unit": ["%", "%", "%", "score"],
        "polarity": ["high_is_bad", "high_is_bad", "high_is_good", "high_is_bad"],
        "statistic": ["proportion", "proportion", "proportion", "score"],
        "domain": ["need", "need", "low_intensity", "deprivation"],
    }
).set_index("id", drop=False)
