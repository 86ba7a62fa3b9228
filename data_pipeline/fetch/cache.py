"""The raw-data cache: the files the build reads, versioned copies, and an index.

Layout of a cache directory::

    <cache>/boundaries/..., lookups/..., ...   latest file of each dataset, under the name
                                               its reader expects (``build --raw <cache>``)
    <cache>/.fetch/index.json                  one entry per dataset release: publisher,
                                               dataset, period, published date, URL, ETag,
                                               Last-Modified, and size and SHA-256 per file
    <cache>/.fetch/versions/<publisher>/<dataset>/<period>/<published>_<sha8>_<name>
                                               every version fetched, never overwritten
    <cache>/.fetch/tmp/                        downloads in flight

Files move into place with ``os.replace`` only after they passed their checks, so a failed
or truncated download never disturbs the file the build reads.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from data_pipeline.fetch.http import file_sha256

CACHE_ENV = "MTG_CACHE_DIR"
META = ".fetch"
INDEX_VERSION = 1


def default_cache_dir(environ: dict[str, str] | None = None) -> Path:
    """``$MTG_CACHE_DIR``, else ``$XDG_CACHE_HOME/mind-the-gap/raw`` (``~/.cache/...``)."""
    env = os.environ if environ is None else environ
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser()
    base = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "mind-the-gap" / "raw"


@dataclass
class Release:
    """One published version of a dataset, as the publisher's listing describes it."""

    period: str
    url: str
    published: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    size: int | None = None
    sha256: str | None = None
    #: Strategy-specific details (resource id, member name...), not part of the identity.
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> dict[str, Any]:
        """What identifies this release: if it is unchanged, nothing is downloaded."""
        fields = ("url", "published", "etag", "last_modified", "size", "sha256")
        return {f: getattr(self, f) for f in fields if getattr(self, f) is not None}


@dataclass
class Entry:
    """The index record of one installed release."""

    target: str
    publisher: str
    dataset: str
    period: str
    published: str | None
    url: str
    key: dict[str, Any]
    files: dict[str, dict[str, Any]]
    fetched_at: str
    versions: list[str] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")[:80] or "x"


class Cache:
    """A cache directory laid out as a raw directory plus ``.fetch/`` bookkeeping."""

    def __init__(self, root: Path | str):
        self.root = Path(root).expanduser()
        self.meta = self.root / META
        self.index_path = self.meta / "index.json"
        self.entries: dict[str, Entry] = {}
        if self.index_path.is_file():
            data = json.loads(self.index_path.read_text("utf-8"))
            self.entries = {k: Entry(**v) for k, v in data.get("entries", {}).items()}

    # ------------------------------------------------------------------ queries

    def has(self, relative: str) -> bool:
        """Whether the build would find a non-empty ``relative`` in the cache."""
        path = self.root / relative
        return path.is_file() and path.stat().st_size > 0

    def unchanged(self, entry_id: str, release: Release, paths: list[str]) -> bool:
        """True when ``release`` is what is installed and its files are still in place."""
        entry = self.entries.get(entry_id)
        if entry is None or entry.key != release.key() or set(entry.key) <= {"url"}:
            return False  # a bare URL says nothing about the content: fetch and compare
        for relative in paths:
            recorded = entry.files.get(relative)
            path = self.root / relative
            if recorded is None or not path.is_file() or path.stat().st_size != recorded["size"]:
                return False
        return True

    def same_content(self, entry_id: str, produced: dict[str, Path]) -> bool:
        """True when freshly produced files are byte-identical to the installed ones."""
        entry = self.entries.get(entry_id)
        if entry is None or set(entry.files) != set(produced):
            return False
        return all(
            self.has(rel) and entry.files[rel]["sha256"] == file_sha256(path)
            for rel, path in produced.items()
        )

    def touch(self, entry_id: str, release: Release) -> None:
        """Record that ``release`` was checked and found identical to what is installed."""
        entry = self.entries[entry_id]
        entry.key = release.key()
        entry.published = release.published or entry.published
        self.save()

    def entry_for_file(self, relative: str) -> Entry | None:
        """The most recent entry that installed ``relative``."""
        found = [e for e in self.entries.values() if relative in e.files]
        return max(found, key=lambda e: e.fetched_at) if found else None

    # ------------------------------------------------------------------ changes

    def workdir(self) -> Path:
        """A fresh temporary directory inside the cache (same disk, so moves are renames)."""
        tmp = self.meta / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=tmp))

    def install(
        self,
        entry_id: str,
        target_id: str,
        publisher: str,
        dataset: str,
        release: Release,
        produced: dict[str, Path],
    ) -> Entry:
        """Move checked files into place, keep a versioned copy of each, record the entry."""
        stamp = _slug((release.published or datetime.now(UTC).strftime("%Y-%m-%d"))[:10])
        files: dict[str, dict[str, Any]] = {}
        versions: list[str] = []
        for relative, temp in produced.items():
            digest = file_sha256(temp)
            size = temp.stat().st_size
            version = (
                Path(META, "versions", _slug(publisher), _slug(dataset), _slug(release.period))
                / f"{stamp}_{digest[:8]}_{Path(relative).name}"
            )
            final = self.root / relative
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, final)
            keep = self.root / version
            if not keep.exists():
                keep.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(final, keep)
                except OSError:
                    shutil.copy2(final, keep)
            files[relative] = {"size": size, "sha256": digest}
            versions.append(version.as_posix())
        entry = Entry(
            target=target_id,
            publisher=publisher,
            dataset=dataset,
            period=release.period,
            published=release.published,
            url=release.url,
            key=release.key(),
            files=files,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            versions=versions,
        )
        self.entries[entry_id] = entry
        self.save()
        return entry

    def retire(self, entry_id: str) -> list[str]:
        """Drop a release from the build's view (its versioned copies stay); return its files."""
        entry = self.entries.pop(entry_id, None)
        if entry is None:
            return []
        for relative in entry.files:
            path = self.root / relative
            if path.is_file() and self.entry_for_file(relative) is None:
                path.unlink()
        self.save()
        return list(entry.files)

    def save(self) -> None:
        """Write the index atomically."""
        self.meta.mkdir(parents=True, exist_ok=True)
        data = {
            "version": INDEX_VERSION,
            "entries": {k: asdict(v) for k, v in sorted(self.entries.items())},
        }
        temp = self.index_path.with_suffix(".json.tmp")
        temp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
        os.replace(temp, self.index_path)

    def cleanup(self, workdir: Path) -> None:
        """Remove a work directory and anything left in it."""
        shutil.rmtree(workdir, ignore_errors=True)
