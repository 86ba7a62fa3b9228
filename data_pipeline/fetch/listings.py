"""Finding the current release: gov.uk attachments, publication pages, CKAN, fixed URLs.

Each function returns :class:`Release` records that identify a file without downloading
it (URL, published date, size, ETag or Last-Modified), so the runner can tell whether the
cached copy is still current.
"""

from __future__ import annotations

import re
import urllib.parse
from html.parser import HTMLParser
from typing import Any

from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.http import DownloadError, join
from data_pipeline.fetch.registry import Target


class NotListed(DownloadError):
    """The listing holds no file matching the registry's pattern (the page changed)."""


def _version(name: str) -> int:
    """Version suffix of a file name (``..._v2.xlsx`` -> 2); 1 when there is none."""
    found = re.search(r"(?i)[_-]v(\d+)(?=\.[a-z]+$|[_-])", name)
    return int(found.group(1)) if found else 1


def _with_head(ctx: FetchContext, target: Target, url: str, **known: Any) -> Release:
    """A release for ``url``, identified by what a HEAD request says about it."""
    head = ctx.head(url)
    return Release(
        period=known.pop("period", target.period),
        url=url,
        published=known.pop("published", None),
        etag=head.etag if head else None,
        last_modified=head.last_modified if head else None,
        size=known.pop("size", None) or (head.size if head else None),
        extra=known,
    )


# --------------------------------------------------------------------------- fixed URL


def fixed_url(ctx: FetchContext, target: Target) -> Release:
    """A file at a fixed address.

    With a registry ``sha256`` (an archived copy that never changes) no request is made
    to find out whether it is current; otherwise a HEAD request gives ETag and size.
    """
    url = ctx.url(target, target.option("path"))
    sha = target.option("sha256")
    if sha:
        return Release(period=target.period, url=url, sha256=sha)
    return _with_head(ctx, target, url)


# --------------------------------------------------------------------------- gov.uk


def govuk_attachment(ctx: FetchContext, target: Target) -> Release:
    """The newest attachment of a gov.uk publication whose file name matches ``attachment``.

    Uses the GOV.UK Content API (``/api/content/<page path>``), whose ``details.attachments``
    list each file's URL, name and size; corrected files are re-issued with a ``_v2``
    suffix, so the highest version wins.
    """
    api = ctx.url(target, "api/content/" + target.option("page").lstrip("/"))
    content = ctx.client.get_json(api)
    pattern = re.compile(target.option("attachment"), re.I)
    attachments = (content.get("details") or {}).get("attachments") or []
    matches = []
    for position, item in enumerate(attachments):
        url = item.get("url") or ""
        name = item.get("filename") or urllib.parse.unquote(url.rsplit("/", 1)[-1])
        if pattern.search(name):
            matches.append((_version(name), position, item, url))
    if not matches:
        raise NotListed(api, f"no attachment matches {pattern.pattern!r}")
    _, _, item, url = max(matches, key=lambda m: (m[0], m[1]))
    size = item.get("file_size")
    return Release(
        period=target.period,
        url=ctx.url(target, url),
        published=content.get("public_updated_at"),
        size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        extra={"title": item.get("title")},
    )


# --------------------------------------------------------------------------- HTML pages


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def page_links(html: str, base: str) -> list[tuple[str, str]]:
    """Absolute link targets and link texts of an HTML page, in page order."""
    parser = _Links()
    parser.feed(html)
    safe = ":/?&=%#+,;@!$'()*~"
    return [
        (urllib.parse.quote(urllib.parse.urljoin(base, href.strip()), safe=safe), text)
        for href, text in parser.links
    ]


def linked_file(ctx: FetchContext, target: Target) -> Release:
    """Follow publication pages to the file: the first link matching each pattern in turn.

    ``page`` is the starting page; ``links`` is a list of patterns, matched against the
    link target and its text. Publication series list the newest release first, so the
    first match is the latest; the last pattern picks the file itself.
    """
    url = ctx.url(target, target.option("page"))
    patterns = [re.compile(p, re.I) for p in target.option("links")]
    for pattern in patterns:
        html = ctx.client.get_text(url)
        found = [
            href
            for href, text in page_links(html, url)
            if pattern.search(urllib.parse.unquote(href)) or pattern.search(text)
        ]
        if not found:
            raise NotListed(url, f"no link matches {pattern.pattern!r}")
        url = found[0]
    return _with_head(ctx, target, url)


# --------------------------------------------------------------------------- CKAN


def ckan_resources(ctx: FetchContext, target: Target) -> list[Release]:
    """Monthly resources of a CKAN package, newest ``ctx.months``, oldest first.

    ``package_show`` lists every resource with its name (``EPD_202401``), URL, format,
    size and modification time; ``resource`` is a pattern whose first group is the
    period (YYYYMM).
    """
    api = ctx.url(target, "api/3/action/package_show")
    package = ctx.client.get_json(join(api, "", id=target.option("package")))
    if not package.get("success", True) or "result" not in package:
        raise DownloadError(api, f"CKAN did not return the package: {package.get('error')}")
    pattern = re.compile(target.option("resource"))
    found: dict[str, dict[str, Any]] = {}
    for resource in package["result"].get("resources") or []:
        match = pattern.fullmatch(str(resource.get("name") or ""))
        fmt = str(resource.get("format") or "").upper()
        # prefer CSV over a zipped copy of the same month
        if match and fmt in ("CSV", "ZIP", "") and (match.group(1) not in found or fmt == "CSV"):
            found[match.group(1)] = resource
    if not found:
        raise NotListed(api, f"no resource matches {pattern.pattern!r}")
    latest = sorted(found)[-ctx.months :]
    releases = []
    for period in latest:
        resource = found[period]
        size = resource.get("size")
        releases.append(
            Release(
                period=period,
                url=resource["url"],
                published=resource.get("last_modified") or resource.get("created"),
                size=int(size) if isinstance(size, int) else None,
                extra={"resource_id": resource.get("id"), "format": resource.get("format")},
            )
        )
    return releases
