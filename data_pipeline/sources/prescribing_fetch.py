"""Fetch the prescribing files read by :mod:`data_pipeline.sources.prescribing`.

English Prescribing Data (EPD) come from the NHSBSA Open Data Portal: ``package_show``
lists one resource per month (``EPD_YYYYMM``) with its CSV address. A month is about 17
million rows (6-7 GB); it is never stored whole. The CSV is read line by line as it
arrives and only rows whose ``BNF_CODE`` starts with ``0403`` (BNF section 4.3,
antidepressants, about 4% of rows) are kept, gzipped, so memory stays flat and the cache
holds a year in a few hundred MB. A cheap byte test skips most rows before any CSV parsing.

The older practice extracts (OpenPrescribing) and the PLDR LSOA quarters are frozen
archived copies checked by their SHA-256.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.http import DownloadError
from data_pipeline.fetch.registry import Target

#: gzip level of the filtered months: level 6 makes them about 3% larger than level 9
#: (Python's default) and compresses them about three times as fast.
GZIP_LEVEL = 6


def paths(target: Target, release: Release) -> list[str]:
    """The monthly file of a release (``prescribing/epd/epd_bnf0403_202401.csv.gz``)."""
    return [p.format(period=release.period) for p in target.paths]


def filter_lines(lines: Iterable[bytes], prefix: str, out: io.BufferedIOBase) -> tuple[int, int]:
    """Copy the header and the rows whose ``BNF_CODE`` starts with ``prefix`` to ``out``.

    Returns (rows read, rows kept). A row is parsed as CSV only if its bytes contain the
    prefix at all, which rules out about 95% of rows at the cost of a substring search.
    """
    iterator = iter(lines)
    header_line = next(iterator, b"")
    header = next(csv.reader([header_line.decode("utf-8-sig")]), [])
    names = [h.strip() for h in header]
    if "BNF_CODE" not in names:
        raise CheckError("EPD", f"the monthly file has no BNF_CODE column (header: {names[:8]})")
    position = names.index("BNF_CODE")
    out.write(header_line.removeprefix(b"\xef\xbb\xbf"))
    needle = prefix.encode()
    read = kept = 0
    for line in iterator:
        if not line.strip():
            continue
        read += 1
        if needle not in line:
            continue
        row = next(csv.reader([line.decode("utf-8", errors="replace")]))
        if len(row) > position and row[position].strip().strip('"').startswith(prefix):
            out.write(line if line.endswith(b"\n") else line + b"\n")
            kept += 1
    return read, kept


def _zip_lines(path: Path) -> Iterator[bytes]:
    with zipfile.ZipFile(path) as archive:
        member = next(n for n in archive.namelist() if n.lower().endswith(".csv"))
        with archive.open(member) as handle:
            yield from handle


def _filter_once(ctx: FetchContext, release: Release, prefix: str, dest: Path) -> tuple[int, int]:
    with gzip.GzipFile(dest, "wb", compresslevel=GZIP_LEVEL, mtime=0) as out:
        if release.url.lower().endswith(".zip"):
            got = generic.download(ctx, release)
            return filter_lines(_zip_lines(got), prefix, out)
        with ctx.client.stream(release.url) as (_, lines):
            return filter_lines(lines, prefix, out)


def produce_month(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """Stream one month, keep BNF 4.3 rows, write them gzipped."""
    relative = paths(target, release)[0]
    dest = ctx.temp(Path(relative).name)
    prefix = target.option("bnf_prefix", "0403")
    start = time.monotonic()
    attempts = ctx.client.retries + 1
    for attempt in range(attempts):
        try:
            read, kept = _filter_once(ctx, release, prefix, dest)
            break
        except DownloadError as exc:
            if attempt + 1 == attempts:
                problem = f"{exc.problem} after {attempts} attempts"
                raise DownloadError(release.url, problem) from exc
            ctx.client.sleep(ctx.client.backoff * 2**attempt)
    ctx.progress.message(
        f"  {release.period}: kept {kept:,} of {read:,} rows (BNF {prefix}) "
        f"in {time.monotonic() - start:.1f} s"
    )
    if read == 0:
        raise CheckError(relative, f"{release.url} held no rows")
    return {relative: dest}


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The latest monthly EPD resources, or the archived file."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """A filtered EPD month, or an archived file as published."""
    if target.kind == "ckan":
        return produce_month(ctx, target, release)
    return generic.as_is(ctx, target, release)
