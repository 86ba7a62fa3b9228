"""Fetch the QOF practice files read by :mod:`data_pipeline.sources.qof_practice`.

NHS Digital publishes each QOF year's raw data as a zip of CSVs linked from the year's
publication page: ``PREVALENCE_<yy><yy>.csv`` (registers by practice) and
``MAPPING_NHS_GEOGRAPHIES_<yy><yy>.csv`` (practice -> PCN -> sub-ICB -> ICB -> region). The
readers take the prevalence file gzipped and the mapping as Parquet.
"""

from __future__ import annotations

from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.files import as_named, zip_member
from data_pipeline.fetch.registry import Target


def csv_to_parquet(source: Path, dest: Path) -> Path:
    """A CSV as Parquet, every column as text (codes keep their leading zeros)."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    with source.open(encoding="utf-8-sig", newline="") as handle:
        names = [n.strip() for n in next(csv.reader(handle), [])]
    table = pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    )
    pq.write_table(table, dest)
    return dest


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The raw-data zip linked from the year's publication page."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """Each wanted member of the zip, in the format its reader takes."""
    archive = generic.download(ctx, release)
    out = {}
    for relative, member in target.option("members").items():
        name = Path(relative).name
        extracted = zip_member(archive, member, ctx.temp("member_" + name))
        dest = ctx.temp("out_" + name)
        if relative.endswith(".parquet"):
            out[relative] = csv_to_parquet(extracted, dest)
        else:
            out[relative] = as_named(extracted, relative, dest)
    return out
