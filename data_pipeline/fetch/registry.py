"""The registry: every publisher, URL and dataset id the fetchers use, from one TOML file.

``data_pipeline/sources/registry.toml`` lists publishers (name and base URL) and targets
(one per dataset: which source module fetches it, how it is found, which raw files it
produces and which columns those files must have). Base URLs can be overridden per
publisher with ``MTG_FETCH_URL_<PUBLISHER>`` or ``--base-url PUBLISHER=URL``, which is how
the tests point every fetcher at a local server.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

URL_ENV_PREFIX = "MTG_FETCH_URL_"


@dataclass(frozen=True)
class Publisher:
    """Who publishes the data, and where their service lives."""

    key: str
    name: str
    base_url: str


@dataclass(frozen=True)
class FileSpec:
    """One raw file a target produces, under the name its reader expects."""

    path: str
    columns: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """One dataset to fetch: where it is found, how, and what it becomes."""

    id: str
    source: str
    publisher: str
    dataset: str
    period: str
    kind: str
    files: tuple[FileSpec, ...]
    needed: bool = True
    note: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        """A strategy-specific setting from the registry (service, links, transform...)."""
        return self.options.get(name, default)

    @property
    def paths(self) -> list[str]:
        """The raw files this target produces, relative to the raw directory."""
        return [f.path for f in self.files]


@dataclass(frozen=True)
class Registry:
    """Publishers by key and targets in registry order."""

    publishers: dict[str, Publisher]
    targets: tuple[Target, ...]

    def publisher(self, key: str) -> Publisher:
        """The publisher ``key`` (a registry mistake is a KeyError naming it)."""
        try:
            return self.publishers[key]
        except KeyError:
            raise KeyError(f"publisher {key!r} is not in the registry") from None

    def select(self, only: list[str] | None) -> list[Target]:
        """Targets whose source, id or id prefix is in ``only`` (all when empty)."""
        if not only:
            return list(self.targets)
        chosen = [
            t
            for t in self.targets
            if any(t.source == o or t.id == o or t.id.startswith(o + ".") for o in only)
        ]
        unknown = [
            o
            for o in only
            if not any(t.source == o or t.id == o or t.id.startswith(o + ".") for t in chosen)
        ]
        if unknown:
            raise KeyError(f"no fetch target matches {', '.join(unknown)}")
        return chosen

    def with_base_urls(self, overrides: dict[str, str]) -> Registry:
        """A copy with some publishers' base URLs replaced."""
        unknown = set(overrides) - set(self.publishers)
        if unknown:
            raise KeyError(f"unknown publisher(s) for --base-url: {', '.join(sorted(unknown))}")
        publishers = {
            key: replace(pub, base_url=overrides.get(key, pub.base_url).rstrip("/"))
            for key, pub in self.publishers.items()
        }
        return replace(self, publishers=publishers)


RESERVED = {"id", "source", "publisher", "dataset", "period", "kind", "files", "needed", "note"}


def parse(data: dict[str, Any]) -> Registry:
    """Build a :class:`Registry` from parsed TOML, checking every target names a publisher."""
    publishers = {
        key: Publisher(key, spec["name"], spec["base_url"].rstrip("/"))
        for key, spec in data.get("publishers", {}).items()
    }
    targets = []
    seen: set[str] = set()
    for spec in data.get("targets", []):
        if spec["id"] in seen:
            raise ValueError(f"target {spec['id']!r} appears twice in the registry")
        seen.add(spec["id"])
        if spec["publisher"] not in publishers:
            raise ValueError(f"target {spec['id']!r} names unknown publisher {spec['publisher']!r}")
        files = tuple(
            FileSpec(f["path"], tuple(f.get("columns", ())), tuple(f.get("sheets", ())))
            for f in spec["files"]
        )
        targets.append(
            Target(
                id=spec["id"],
                source=spec["source"],
                publisher=spec["publisher"],
                dataset=spec["dataset"],
                period=str(spec["period"]),
                kind=spec["kind"],
                files=files,
                needed=bool(spec.get("needed", True)),
                note=spec.get("note", ""),
                options={k: v for k, v in spec.items() if k not in RESERVED},
            )
        )
    return Registry(publishers, tuple(targets))


def load(environ: dict[str, str] | None = None) -> Registry:
    """The packaged registry, with base URLs overridden from ``MTG_FETCH_URL_<KEY>``."""
    text = resources.files("data_pipeline.sources").joinpath("registry.toml").read_text("utf-8")
    registry = parse(tomllib.loads(text))
    env = os.environ if environ is None else environ
    overrides = {
        key: env[URL_ENV_PREFIX + key.upper()]
        for key in registry.publishers
        if env.get(URL_ENV_PREFIX + key.upper())
    }
    return registry.with_base_urls(overrides)
