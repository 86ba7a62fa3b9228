"""Fixtures: a local publisher server on 127.0.0.1 and fetch contexts aimed at it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from data_pipeline.fetch.cache import Cache
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.http import Client
from data_pipeline.fetch.progress import Progress
from tests.fetch.fetchkit import Server, local_registry


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture
def make_ctx(tmp_path: Path, server: Server):
    """A fetch context on a fresh cache, aimed at the local server, with no waiting."""

    def make(cache_dir: Path | None = None, base: str | None = None, months: int = 12):
        client = Client(
            retries=2,
            backoff=0.0,
            timeout=5,
            allow_hosts=frozenset({"127.0.0.1"}),
            sleep=lambda _: None,
        )
        return FetchContext(
            client=client,
            registry=local_registry(base or server.url),
            cache=Cache(cache_dir or tmp_path / "cache"),
            progress=Progress(stream=io.StringIO(), quiet=True),
            months=months,
        )

    return make
