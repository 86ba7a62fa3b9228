"""HTTP for the fetchers: streamed downloads with retries, backoff and size checks.

Only the standard library is used, so fetching adds no dependency. Every failure ends in one
of three exceptions a person can act on: :class:`Unreachable` (the publisher cannot be
reached at all: keep the cache and build from it), :class:`HTTPError` (the publisher answered
with an error that retrying did not cure) and :class:`DownloadError` (the body arrived
truncated or did not match its checksum). Each names the URL.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPResponse, IncompleteRead
from pathlib import Path
from typing import Any

USER_AGENT = "mind-the-gap-data-pipeline (+python -m data_pipeline fetch)"
CHUNK = 1 << 20
#: Status codes worth retrying: the publisher is busy or briefly broken.
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(Exception):
    """Base class: something went wrong fetching ``url``."""

    def __init__(self, url: str, problem: str):
        self.url = url
        self.problem = problem
        super().__init__(f"{url}: {problem}")


class Unreachable(FetchError):
    """The host could not be reached (no network, DNS failure, refused, timed out)."""


class HTTPError(FetchError):
    """The publisher answered with an HTTP error status."""

    def __init__(self, url: str, status: int, problem: str):
        self.status = status
        super().__init__(url, problem)


class DownloadError(FetchError):
    """The body was truncated or failed a checksum, even after retries."""


class HostNotAllowed(FetchError):
    """A request to a host outside ``Client.allow_hosts`` (tests keep off the internet)."""


@dataclass
class Head:
    """What a server says about a file without sending it."""

    url: str
    status: int
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Client:
    """A small HTTP client: retries with exponential backoff, optional host allow-list.

    ``sleep`` is injectable so tests do not wait; ``requests`` counts every request by URL
    path, so a test can assert that a rerun downloads nothing.
    """

    retries: int = 3
    backoff: float = 1.0
    timeout: float = 60.0
    allow_hosts: frozenset[str] | None = None
    sleep: Callable[[float], None] = time.sleep
    requests: list[tuple[str, str]] = field(default_factory=list)

    # ------------------------------------------------------------------ plumbing

    def _check_host(self, url: str) -> None:
        host = urllib.parse.urlsplit(url).hostname or ""
        if self.allow_hosts is not None and host not in self.allow_hosts:
            raise HostNotAllowed(url, f"host {host!r} is not in the allowed hosts")

    def _open(self, url: str, method: str = "GET", headers: dict[str, str] | None = None):
        self._check_host(url)
        self.requests.append((method, url))
        request = urllib.request.Request(
            url, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        return urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310

    def _retrying(self, url: str, attempt_once: Callable[[], Any]) -> Any:
        """Call ``attempt_once`` until it succeeds, backing off between tries.

        Connection failures become :class:`Unreachable`, exhausted retryable statuses an
        :class:`HTTPError`, and repeated truncation a :class:`DownloadError`.
        """
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return attempt_once()
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code not in RETRY_STATUS:
                    raise HTTPError(url, exc.code, f"HTTP {exc.code} {exc.reason}") from exc
                last = HTTPError(url, exc.code, f"HTTP {exc.code} {exc.reason}")
            except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
                reason = getattr(exc, "reason", exc)
                last = Unreachable(url, f"cannot connect ({reason})")
            except _Truncated as exc:
                last = DownloadError(url, str(exc))
        if isinstance(last, HTTPError):
            raise HTTPError(
                url, last.status, f"{last.problem} after {self.retries + 1} attempts"
            ) from last
        if isinstance(last, DownloadError):
            raise DownloadError(url, f"{last.problem} after {self.retries + 1} attempts")
        assert last is not None
        raise last

    # ------------------------------------------------------------------ API

    def get_bytes(self, url: str) -> bytes:
        """The whole body of a small response (listings, API pages)."""

        def once() -> bytes:
            with self._open(url) as response:
                body = _read_all(response)
                return body

        return self._retrying(url, once)

    def get_json(self, url: str) -> Any:
        """A JSON response, parsed; a body that is not JSON is a :class:`DownloadError`."""
        body = self.get_bytes(url)
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DownloadError(url, f"the response is not JSON ({exc})") from exc

    def get_text(self, url: str) -> str:
        """A text response (an HTML page), decoded leniently."""
        return self.get_bytes(url).decode("utf-8", errors="replace")

    def head(self, url: str) -> Head | None:
        """Size, ETag and Last-Modified of ``url``; ``None`` if the server refuses HEAD."""

        def once() -> Head:
            with self._open(url, "HEAD") as response:
                return _head_of(url, response)

        try:
            return self._retrying(url, once)
        except HTTPError as exc:
            if exc.status in (403, 405, 501):
                return None
            raise

    def download(
        self,
        url: str,
        dest: Path,
        *,
        sha256: str | None = None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Head:
        """Stream ``url`` into ``dest``; check the length against Content-Length and the hash.

        A short body (the connection dropped) is retried; a wrong checksum is not, because
        the publisher would send the same bytes again.
        """

        def once() -> Head:
            with self._open(url) as response, dest.open("wb") as out:
                info = _head_of(url, response)
                done = 0
                for chunk in _chunks(response):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, info.size)
                if info.size is not None and done != info.size:
                    raise _Truncated(f"truncated download: {done:,} of {info.size:,} bytes arrived")
                return info

        head = self._retrying(url, once)
        if sha256:
            actual = file_sha256(dest)
            if actual != sha256:
                raise DownloadError(url, f"checksum mismatch: sha256 {actual} != {sha256}")
        return head

    @contextmanager
    def stream(self, url: str) -> Iterator[tuple[Head, Iterator[bytes]]]:
        """Open ``url`` for reading line by line (for filtering while downloading).

        Retries cover the connection only: once data flows, a drop raises
        :class:`DownloadError` and the caller starts again.
        """
        response = self._retrying(url, lambda: self._open(url))
        try:
            head = _head_of(url, response)
            yield head, _lines(url, response, head.size)
        finally:
            response.close()


class _Truncated(Exception):
    """Internal: the body ended before Content-Length bytes (retryable)."""


def _head_of(url: str, response: HTTPResponse) -> Head:
    length = response.headers.get("Content-Length")
    return Head(
        url=url,
        status=response.status,
        size=int(length) if length and length.isdigit() else None,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _chunks(response: HTTPResponse) -> Iterator[bytes]:
    while True:
        try:
            chunk = response.read(CHUNK)
        except IncompleteRead as exc:
            if exc.partial:
                yield exc.partial
            return
        except (ConnectionError, TimeoutError) as exc:
            raise _Truncated(f"the connection dropped mid-download ({exc})") from exc
        if not chunk:
            return
        yield chunk


def _read_all(response: HTTPResponse) -> bytes:
    info = _head_of(response.geturl(), response)
    body = b"".join(_chunks(response))
    if info.size is not None and len(body) != info.size:
        raise _Truncated(f"truncated response: {len(body):,} of {info.size:,} bytes arrived")
    return body


def _lines(url: str, response: HTTPResponse, size: int | None) -> Iterator[bytes]:
    done = 0
    pending = b""
    try:
        for chunk in _chunks(response):
            done += len(chunk)
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield line + b"\n"
    except _Truncated as exc:
        raise DownloadError(url, str(exc)) from exc
    if size is not None and done != size:
        raise DownloadError(url, f"truncated download: {done:,} of {size:,} bytes arrived")
    if pending:
        yield pending


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def join(base: str, path: str, **params: Any) -> str:
    """``base`` + ``path`` with query ``params`` (``None`` values left out)."""
    url = base.rstrip("/") + "/" + path.lstrip("/") if path else base
    query = {k: v for k, v in params.items() if v is not None}
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    return url
