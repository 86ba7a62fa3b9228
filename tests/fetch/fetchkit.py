"""A local HTTP server on 127.0.0.1 that plays the publishers, and a fetch context aimed at it.

Routes are registered per path (query string included when given); a route can answer
with a sequence of responses (a 500 then the file), a truncated body (Content-Length
larger than what is sent), or a callable. Every request is logged, so tests can assert
what a rerun asked for. The client refuses any host but 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from data_pipeline.fetch import registry as registry_mod
from data_pipeline.fetch.context import FetchContext


@dataclass
class Reply:
    """One canned response."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Announce this many bytes but send only ``body`` (a dropped connection).
    claim: int | None = None


class Server:
    """Routes, request log and the running server."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Callable[[str], Reply]] = {}
        self.log: list[tuple[str, str]] = []
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, *replies: Reply | bytes | str | dict | list) -> None:
        """Answer ``path`` with ``replies`` in turn (the last one repeats)."""
        self.routes[path] = [_reply(r) for r in replies]

    def add_fn(self, path: str, fn: Callable[[str], Reply]) -> None:
        """Answer ``path`` by calling ``fn(full_path)``."""
        self.routes[path] = fn

    def gets(self, fragment: str = "") -> list[str]:
        """GET requests whose path contains ``fragment``."""
        return [p for m, p in self.log if m == "GET" and fragment in p]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _find(self, full: str) -> list[Reply] | Callable[[str], Reply] | None:
        if full in self.routes:
            return self.routes[full]
        return self.routes.get(urllib.parse.unquote(full.split("?", 1)[0]))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, head: bool) -> None:
                server.log.append(("HEAD" if head else "GET", self.path))
                route = server._find(self.path)
                if route is None:
                    reply = Reply(b"not found", 404)
                elif callable(route):
                    reply = route(self.path)
                else:
                    reply = route.pop(0) if len(route) > 1 else route[0]
                self.send_response(reply.status)
                length = reply.claim if reply.claim is not None else len(reply.body)
                self.send_header("Content-Length", str(length))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if not head:
                    self.wfile.write(reply.body)
                    if reply.claim is not None:
                        self.wfile.flush()
                        self.close_connection = True

            def do_GET(self) -> None:  # noqa: N802
                self._answer(head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(head=True)

        return Handler


def _reply(item: Reply | bytes | str | dict | list) -> Reply:
    if isinstance(item, Reply):
        return item
    if isinstance(item, bytes):
        return Reply(item)
    if isinstance(item, str):
        return Reply(item.encode("utf-8"), headers={"Content-Type": "text/html"})
    return Reply(json.dumps(item).encode("utf-8"), headers={"Content-Type": "application/json"})


def local_registry(base: str) -> registry_mod.Registry:
    """The real registry with every publisher moved to ``base/<publisher>``."""
    reg = registry_mod.load(environ={})
    return reg.with_base_urls({key: f"{base}/{key}" for key in reg.publishers})


def messages(ctx: FetchContext) -> str:
    """Everything the run told the person running it."""
    return ctx.progress.stream.getvalue()
