"""DuckDB for the large raw files: parameterised queries whose failures name the file."""

from __future__ import annotations

from typing import Any

import duckdb

from data_pipeline.errors import SourceError


def query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any],
    relative: str,
    remedy: str = "download it again; it must be the published file, unchanged",
) -> duckdb.DuckDBPyConnection:
    """Run a parameterised query; a file DuckDB cannot read becomes a :class:`SourceError`."""
    try:
        return con.execute(sql, params)
    except duckdb.Error as exc:
        raise SourceError(
            relative,
            f"the file cannot be read ({exc.__class__.__name__}: {str(exc).splitlines()[0]})",
            remedy,
        ) from exc
