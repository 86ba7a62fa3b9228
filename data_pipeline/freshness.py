"""How fresh each source is: what the atlas holds from it, and what `fetch` would bring.

A commissioner acting on a figure must know how old it is and whether a newer release exists.
For every dataset of ``sources/registry.toml`` that the build read, the manifest records its
publisher, the raw files, the indicators made from it (the catalogue's ``sources``), the
newest period of those indicators at each level, and what ``python -m data_pipeline fetch``
would download in its place. Everything is driven by the registry and the catalogue, so a
source added to both appears here with no change to this module. The record depends only on
its inputs (no clock, no environment), so a rebuild writes the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from data_pipeline.fetch import registry as registry_mod
from data_pipeline.fetch.registry import Publisher, Registry, Target
from data_pipeline.indicators import Indicator
from methods.periods import newest, sort_key

#: Level keys in the order the record lists them, with the words it uses for each.
LEVEL_WORDS = {
    "sub_icb": "sub-ICB",
    "icb": "ICB",
    "region": "region",
    "ccg": "CCG",
    "utla": "upper-tier local authority",
    "ltla": "district",
    "lsoa": "LSOA",
    "practice": "practice",
    "england": "England",
}
#: Said of a source no indicator names (boundaries, lookups): it shapes areas, not values.
NO_INDICATORS = "no indicator values of its own (geography or lookups)"
#: Said of a raw file the build read that no registry target produces.
NOT_IN_REGISTRY = "not in the registry"
NOT_FETCHED = "nothing: no registry entry fetches this file, so it is placed by hand"


def held_periods(values: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """Indicator id -> level -> every period the atlas holds there."""
    pairs = values[["indicator_id", "level", "period"]].drop_duplicates()
    out: dict[str, dict[str, list[str]]] = {}
    for (indicator, level), part in pairs.groupby(["indicator_id", "level"], sort=True):
        out.setdefault(str(indicator), {})[str(level)] = sorted(part["period"].astype(str))
    return out


def _file_pattern(path: str) -> re.Pattern[str]:
    """A registry file path as a pattern: ``{period}`` stands for any run of characters."""
    parts = re.split(r"\{[a-z_]+\}", path)
    return re.compile(".+".join(re.escape(p) for p in parts) + r"\Z")


def target_files(target: Target, read: Iterable[str]) -> list[str]:
    """The files the build read that ``target`` produces (sorted)."""
    patterns = [_file_pattern(path) for path in target.paths]
    return sorted(f for f in set(read) if any(p.match(f) for p in patterns))


def _names(source: str, path: str) -> bool:
    """Whether a catalogue source names ``path`` (a source ending in ``/`` is a folder)."""
    return path == source or (source.endswith("/") and path.startswith(source))


def _place(indicator: Indicator, files: list[str]) -> int | None:
    """Where the first of ``files`` comes in the indicator's sources (None: not there)."""
    for place, source in enumerate(indicator.sources):
        if any(_names(source, path) for path in files):
            return place
    return None


def made_from(files: Iterable[str], catalogue: Mapping[str, Indicator]) -> list[str]:
    """Indicators (in catalogue order) whose ``sources`` name one of ``files``."""
    files = list(files)
    return [key for key, ind in catalogue.items() if _place(ind, files) is not None]


def most_direct(files: Iterable[str], catalogue: Mapping[str, Indicator]) -> list[str]:
    """The indicators ``files`` feed most directly: those that list them earliest.

    The catalogue names an indicator's own data first and its denominators and lookups
    after, so a register used only as a denominator does not lend a QOF file the months of
    the secondary-care counts divided by it.
    """
    files = list(files)
    places = {key: _place(ind, files) for key, ind in catalogue.items()}
    found = {key: place for key, place in places.items() if place is not None}
    if not found:
        return []
    first = min(found.values())
    return [key for key, place in found.items() if place == first]


def latest_by_level(indicators: Iterable[str], periods: Mapping[str, Mapping[str, str]]) -> dict:
    """Level -> the newest period among ``indicators`` there (levels in the record's order)."""
    found: dict[str, list[str]] = {}
    for indicator in indicators:
        for level, period in periods.get(indicator, {}).items():
            found.setdefault(level, []).append(period)
    order = [*LEVEL_WORDS, *sorted(set(found) - set(LEVEL_WORDS))]
    return {level: str(newest(found[level])) for level in order if level in found}


def latest_words(latest: Mapping[str, str]) -> str:
    """'sub-ICB, ICB and region: Jul 2022 - May 2023; England: 2024-25'.

    Levels sharing a period are named together, in level order.
    """
    if not latest:
        return NO_INDICATORS
    groups: dict[str, list[str]] = {}
    for level, period in latest.items():
        groups.setdefault(period, []).append(LEVEL_WORDS.get(level, level))
    return "; ".join(f"{_and(levels)}: {period}" for period, levels in groups.items())


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _where(target: Target, publisher: Publisher) -> str:
    """Where the fetcher looks for the release, as a reader can find it."""
    if target.kind in ("page", "govuk"):
        return f"{publisher.base_url}/{target.option('page', '')}".rstrip("/")
    if target.kind == "url":
        return f"{publisher.base_url}/{target.option('path', '')}"
    detail = {
        "fingertips": ("indicator", "indicator"),
        "ckan": ("dataset", "package"),
        "arcgis": ("layer", "service"),
    }.get(target.kind)
    if detail is None:
        return publisher.base_url
    return f"{publisher.base_url}, {detail[0]} {target.option(detail[1])}"


def fetch_words(target: Target, publisher: Publisher) -> str:
    """What ``python -m data_pipeline fetch`` would download for ``target``, in words."""
    where = _where(target, publisher)
    if target.period == "latest":
        return f"the newest release on {publisher.name} ({where})"
    if target.kind == "url" and target.option("sha256"):
        return f"the same archived copy ({target.period}; fixed, checked against its checksum)"
    if target.kind == "arcgis":
        return f"the {target.period} layer again, only if {publisher.name} has edited it ({where})"
    return (
        f"the {target.period} release again from {publisher.name} ({where}); a newer "
        "release needs its own registry entry"
    )


def release_end(period: str) -> tuple[int, int] | None:
    """(year, month) in which a fixed release's period ends; None for 'latest' or no year.

    '2022-23' -> (2023, 3), 'IoD2019' -> (2019, 12), '2022-07/2023-05' -> (2023, 5).
    """
    if period == "latest":
        return None
    financial = re.fullmatch(r"(\d{4})-(\d{2})(-.*)?", period)
    if financial and int(financial.group(2)) == (int(financial.group(1)) + 1) % 100:
        return int(financial.group(1)) + 1, 3
    months = re.findall(r"(\d{4})-(\d{2})(?!\d)", period)
    if months:
        year, month = max((int(y), int(m)) for y, m in months)
        return (year, month) if month <= 12 else (year, 12)
    years = re.findall(r"\d{4}", period)
    return (max(int(y) for y in years), 12) if years else None


def newest_in_release(
    held: Mapping[str, Mapping[str, list[str]]], end: tuple[int, int] | None
) -> dict[str, dict[str, str]]:
    """Indicator -> level -> the newest period a release can have given: begun by its end.

    A file of one year feeds indicators whose newer periods come from newer files; its own
    newest period is the newest that began before the file's period ended (``end`` None:
    a release that follows the publisher, whose newest is the atlas's newest).
    """
    out: dict[str, dict[str, str]] = {}
    for indicator, by_level in held.items():
        for level, found in by_level.items():
            kept = [p for p in found if end is None or sort_key(p)[:2] <= end]
            if kept:
                out.setdefault(indicator, {})[level] = str(newest(kept))
    return out


def _entry(key: str, dataset: str, publisher: str, files: list[str], fetch: str, context) -> dict:
    catalogue, periods = context  # periods: indicator -> level -> newest in this release
    direct = most_direct(files, catalogue)
    latest = latest_by_level(direct, periods)
    return {
        "id": key,
        "dataset": dataset,
        "publisher": publisher,
        "files": files,
        "indicators": made_from(files, catalogue),
        "latest_of": direct,
        "latest": latest,
        "latest_words": latest_words(latest),
        "fetch": fetch,
    }


def freshness(
    registry: Registry,
    catalogue: Mapping[str, Indicator],
    read: Iterable[str],
    periods: Mapping[str, Mapping[str, list[str]]],
) -> list[dict]:
    """One record per registry target the build read, then one per file no target produces.

    So every file the build read is named once, registry targets in registry order.
    ``read`` is the raw files the build read; ``periods`` every period of each indicator by
    level (:func:`held_periods`). A target of one fixed period reports the newest period
    begun by the end of its own, not a newer one another file gives.
    """
    read = sorted(set(read))
    entries, claimed = [], set()
    for target in registry.targets:
        files = target_files(target, read)
        if not files:
            continue
        claimed.update(files)
        publisher = registry.publisher(target.publisher)
        fetch = fetch_words(target, publisher)
        context = (catalogue, newest_in_release(periods, release_end(target.period)))
        entries.append(_entry(target.id, target.dataset, publisher.name, files, fetch, context))
    context = (catalogue, newest_in_release(periods, None))
    for path in (f for f in read if f not in claimed):
        entries.append(_entry(path, path, NOT_IN_REGISTRY, [path], NOT_FETCHED, context))
    return entries


def record(
    read: Iterable[str], catalogue: Mapping[str, Indicator], values: pd.DataFrame
) -> list[dict]:
    """The manifest's ``freshness``, from the packaged registry and its published addresses.

    No ``MTG_FETCH_URL_*`` override applies: it would make the record depend on the machine.
    """
    registry = registry_mod.load(environ={})
    return freshness(registry, catalogue, read, held_periods(values))
