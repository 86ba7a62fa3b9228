"""One builder per indicator family, keyed from ``catalogue.toml``.

Each catalogue entry names its ``family``; :data:`BUILDERS` maps a family to the function
that builds all its indicators at every level it supports, using the level adapters of
:mod:`data_pipeline.indicators.levels` for what differs by geography. :func:`build_families`
runs every family the catalogue names, once, and refuses a builder that makes an indicator
the catalogue gives to another family (or does not list), so the catalogue stays the one
list of what is built.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from data_pipeline.indicators import load_families
from data_pipeline.indicators.context import BuildContext
from data_pipeline.indicators.families import (
    deprivation,
    la_published,
    modelled_need,
    practice_profile,
    prescribing,
    qof_prevalence,
    secondary_care,
    smi_checks,
    talking_therapies,
    tt_monthly,
)

Builder = Callable[[BuildContext], pd.DataFrame]

#: Family (as named in catalogue.toml) -> its builder.
BUILDERS: dict[str, Builder] = {
    "deprivation": deprivation.build,
    "qof_prevalence": qof_prevalence.build,
    "talking_therapies": talking_therapies.build,
    "smi_checks": smi_checks.build,
    "prescribing": prescribing.build,
    "secondary_care": secondary_care.build,
    "practice_profile": practice_profile.build,
    "la_published": la_published.build,
    "modelled_need": modelled_need.build,
    "tt_monthly": tt_monthly.build,
}


def check_registry(families: dict[str, str]) -> list[str]:
    """The families of the catalogue in order of first mention, each with a builder."""
    order = list(dict.fromkeys(families.values()))
    unknown = sorted(set(order) - set(BUILDERS))
    unused = sorted(set(BUILDERS) - set(order))
    if unknown or unused:
        raise ValueError(
            f"catalogue families without a builder: {unknown}; "
            f"builders no catalogue indicator names: {unused}"
        )
    return order


def build_families(
    ctx: BuildContext, families: dict[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """Family -> its observations, for every family of the catalogue (indicator -> family).

    Each indicator is made by one family only, so one family holds every England row of
    an indicator, and the first level a family builds keeps its England figure.
    """
    families = load_families() if families is None else families
    out = {}
    for family in check_registry(families):
        frame = BUILDERS[family](ctx)
        own = {indicator for indicator, name in families.items() if name == family}
        stray = sorted(set(frame["indicator_id"].dropna()) - own)
        if stray:
            raise ValueError(
                f"family {family!r} built {stray}, which catalogue.toml does not give to it"
            )
        out[family] = frame
    return out
