"""What a source fetcher is handed: the client, the publisher's base URL, a work directory."""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from data_pipeline.fetch.cache import Cache
from data_pipeline.fetch.http import Client, Head
from data_pipeline.fetch.progress import Progress
from data_pipeline.fetch.registry import Registry, Target


@dataclass
class FetchContext:
    """Shared state of one ``fetch`` run, passed to every source fetcher."""

    client: Client
    registry: Registry
    cache: Cache
    progress: Progress
    #: How many of the latest monthly releases to keep (English Prescribing Data).
    months: int = 12
    workdir: Path | None = None

    def base(self, target: Target) -> str:
        """The (possibly overridden) base URL of the target's publisher."""
        return self.registry.publisher(target.publisher).base_url

    def url(self, target: Target, path: str) -> str:
        """An absolute URL: ``path`` if it already is one, else joined to the base URL."""
        if urllib.parse.urlsplit(path).scheme:
            return path
        return self.base(target) + "/" + path.lstrip("/")

    def temp(self, name: str) -> Path:
        """A path in this target's work directory."""
        assert self.workdir is not None, "temp() is only valid while a target is produced"
        return self.workdir / Path(name).name

    def download(self, url: str, name: str | None = None, sha256: str | None = None) -> Path:
        """Stream ``url`` into the work directory with a progress bar; return the file."""
        label = name or Path(urllib.parse.urlsplit(url).path).name or "download"
        dest = self.temp(urllib.parse.unquote(label))
        start = time.monotonic()
        self.client.download(url, dest, sha256=sha256, progress=self.progress.bar(label))
        self.progress.done(label, dest.stat().st_size, time.monotonic() - start)
        return dest

    def head(self, url: str) -> Head | None:
        """HEAD ``url`` (``None`` if the server does not answer HEAD)."""
        return self.client.head(url)
