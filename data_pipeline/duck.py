"""DuckDB for the large raw files: parameterised queries whose failures name the file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from data_pipeline.errors import SourceError

DEFAULT_REMEDY = "download it again; it must be the published file, unchanged"


def source_error(
    exc: duckdb.Error, relative: str, remedy: str = DEFAULT_REMEDY, paths: Iterable[Any] = ()
) -> SourceError:
    """A :class:`SourceError` for a file DuckDB cannot read, in words a person can act on.

    DuckDB's messages quote the file's full path; each of ``paths`` is replaced by the path
    relative to the raw directory, so no machine's layout leaks into a message.
    """
    text = str(exc)
    for path in _strings(paths):
        text = text.replace(path, relative)
    if "invalid unicode" in text.lower() or "not utf-8 encoded" in text.lower():
        return SourceError(
            relative,
            "the file is not UTF-8 text",
            "re-save it as UTF-8 (or download the original again)",
        )
    if "end of gzip stream" in text.lower():
        return SourceError(
            relative, "the file cannot be read: it is truncated or corrupt (gzip)", remedy
        )
    first = text.splitlines()[0] if text else exc.__class__.__name__
    return SourceError(
        relative, f"the file cannot be read ({exc.__class__.__name__}: {first})", remedy
    )


def _strings(values: Iterable[Any]) -> list[str]:
    """The non-empty strings among ``values`` and inside any lists among them."""
    out = []
    for value in values:
        if isinstance(value, str) and value:
            out.append(value)
        elif isinstance(value, list | tuple):
            out.extend(_strings(value))
    return out


def query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | list[Any],
    relative: str,
    remedy: str = DEFAULT_REMEDY,
) -> duckdb.DuckDBPyConnection:
    """Run a parameterised query; a file DuckDB cannot read becomes a :class:`SourceError`."""
    try:
        return con.execute(sql, params)
    except duckdb.Error as exc:
        values = params.values() if isinstance(params, dict) else params
        raise source_error(exc, relative, remedy, values) from exc
