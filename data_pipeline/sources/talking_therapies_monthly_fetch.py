"""Fetch the files read by :mod:`data_pipeline.sources.talking_therapies_monthly`.

The monthly activity table and its two metadata tables (measure definitions, providers) are
kept up to date by the nhstt package as NHS England publishes each month; they are fetched
as published, the way the annual measures are (a HEAD request tells whether they changed).
"""

from __future__ import annotations

from data_pipeline.sources.talking_therapies_fetch import produce, releases

__all__ = ["produce", "releases"]
