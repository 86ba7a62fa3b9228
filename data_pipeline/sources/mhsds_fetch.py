"""Fetch the MHSDS files read by :mod:`data_pipeline.sources.mhsds`.

NHS England's Mental Health Services Monthly Statistics series page lists the monthly
publications newest first; the latest Performance publication links the time-series CSV
(sometimes zipped) of selected measures. One download gives both files the reader needs:
the time series itself, and England's monthly count of people in contact with services
(MHS01), which is the series' England rows.
"""

from __future__ import annotations

import csv
import gzip
from datetime import datetime
from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.files import as_named, is_zip, write_rows, zip_member
from data_pipeline.fetch.registry import Target

IN_CONTACT = "People in contact with services at the end of the reporting period"


def in_contact(series: Path, dest: Path) -> Path:
    """England MHS01 for single months: ``date`` (month end), ``measure``, ``count``."""
    opener = gzip.open if series.name.endswith(".gz") else open
    out = []
    with opener(series, "rt", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("BREAKDOWN") != "England" or row.get("MEASURE_ID") != "MHS01":
                continue
            try:
                start = datetime.strptime(row["REPORTING_PERIOD_START"], "%d/%m/%Y")
                end = datetime.strptime(row["REPORTING_PERIOD_END"], "%d/%m/%Y")
            except (KeyError, ValueError):
                continue
            if (start.year, start.month) == (end.year, end.month):
                out.append([end.strftime("%Y-%m-%d"), IN_CONTACT, row["MEASURE_VALUE"]])
    if not out:
        raise CheckError(dest.name, "the time series has no England MHS01 monthly rows")
    return write_rows(dest, ["date", "measure", "count"], sorted(set(map(tuple, out))))


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The time-series file of the latest Performance publication."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """The time series (gzipped) and the England in-contact series derived from it."""
    series_rel, contact_rel = target.paths
    got = generic.download(ctx, release)
    if is_zip(got):
        got = zip_member(got, r"\.csv$", ctx.temp("time_series.csv"))
    series = as_named(got, series_rel, ctx.temp("out_" + Path(series_rel).name))
    contact = in_contact(series, ctx.temp("out_" + Path(contact_rel).name))
    return {series_rel: series, contact_rel: contact}
