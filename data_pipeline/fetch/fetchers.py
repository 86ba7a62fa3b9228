"""The fetcher registry: each source's fetch functions, listed where they can be read.

A target of ``registry.toml`` names its ``source``; :data:`FETCHERS` maps that name to the
functions that list the source's current releases and turn a download into the files its
reader expects. A source missing here is an error that names it, not an import failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.registry import Target
from data_pipeline.sources import (
    boundaries_fetch,
    deprivation_fetch,
    fingertips_fetch,
    lookups_fetch,
    mhsds_fetch,
    population_fetch,
    prescribing_fetch,
    qof_ccg_fetch,
    qof_practice_fetch,
    secondary_other_fetch,
    smi_checks_fetch,
    talking_therapies_fetch,
    talking_therapies_monthly_fetch,
)


@dataclass(frozen=True)
class Fetcher:
    """How one source is fetched: list releases, produce files, and (optionally) name them.

    ``paths`` is for sources whose files depend on the release (one file per month); the
    others produce the files their registry target lists.
    """

    releases: Callable[[FetchContext, Target], list[Release]]
    produce: Callable[[FetchContext, Target, Release], dict[str, Path]]
    paths: Callable[[Target, Release], list[str]] | None = None


def _of(module) -> Fetcher:
    return Fetcher(module.releases, module.produce, getattr(module, "paths", None))


#: Source name (``source`` of a registry target) -> its fetcher.
FETCHERS: dict[str, Fetcher] = {
    "boundaries": _of(boundaries_fetch),
    "deprivation": _of(deprivation_fetch),
    "fingertips": _of(fingertips_fetch),
    "lookups": _of(lookups_fetch),
    "mhsds": _of(mhsds_fetch),
    "population": _of(population_fetch),
    "prescribing": _of(prescribing_fetch),
    "qof_ccg": _of(qof_ccg_fetch),
    "qof_practice": _of(qof_practice_fetch),
    "secondary_other": _of(secondary_other_fetch),
    "smi_checks": _of(smi_checks_fetch),
    "talking_therapies": _of(talking_therapies_fetch),
    "talking_therapies_monthly": _of(talking_therapies_monthly_fetch),
}


def fetcher(source: str) -> Fetcher:
    """The fetcher of ``source``; a source with none is a KeyError naming it."""
    try:
        return FETCHERS[source]
    except KeyError:
        raise KeyError(f"no fetcher registered for source {source!r}") from None
