"""A year of English Prescribing Data: DuckDB against a plain pandas baseline, side by side.

Builds 12 synthetic monthly files with the published EPD header (26 columns) and realistic
cardinalities: about 6,500 practices, 20,000 BNF presentations of which 4% are in section
4.3 (antidepressants), 42 ICBs, 106 sub-ICB (PCO) codes and 7 regions. Each measurement
runs in a fresh Python process, so its peak memory (RSS high-water mark, VmHWM) is its
own; the fastest of ``--repeat`` runs is reported. Three comparisons:

(a) like for like, on the published-shape year: ``prescribing.aggregate_epd`` (the
    reader's DuckDB query, all 12 files at once) against plain pandas (``read_csv`` of
    each month whole, filter to BNF 4.3, group by month and practice, concatenate), as an
    analyst would write it; DuckDB on one thread is shown too, to separate the engine
    from the second core;
(b) the pipeline's path: ``fetch`` filters each month to BNF 4.3 while it downloads
    (``prescribing_fetch.filter_lines``, streaming, memory flat), then ``build``
    aggregates the filtered year; and, as an alternative fetch filter, DuckDB copying the
    4.3 rows of each downloaded month to a gzipped CSV (the month on disk first);
(c) memory at the real scale: both aggregations are measured at two sizes; pandas' peak
    is extrapolated linearly to 17 million rows a month (labelled as an extrapolation; it
    would not fit the budget, or near it, so it is not run), and DuckDB is measured on one
    month generated at that size.

Every path must give the same practice-months and items. The 1-minute load average at the
start and the share of CPU other processes took during the timings are printed; timings
from a busy machine are flagged as unreliable.

Usage: ``python benchmarks/epd_benchmark.py [--rows-per-month N] [--repeat R]
[--no-real-month] [--real-year] [--dir DIR] [--keep]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data_pipeline.sources.prescribing import EPD_PUBLISHED_COLUMNS  # noqa: E402

TARGET_SPEEDUP = 10.0
TARGET_BYTES = 2 * 1024**3
REAL_ROWS_PER_MONTH = 17_000_000
QUIET_LOAD = 1.5
MONTHS = [f"2024{m:02d}" for m in range(1, 13)]


# --------------------------------------------------------------------------- data


CHUNK_ROWS = 1_000_000  # rows generated and written at a time, so memory stays modest


def _generate(folder: Path, rows: int, months: list[str] = MONTHS, seed: int = 2024) -> list[Path]:
    """Write one CSV per month (skipped when they are already there at this size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "rows.txt"
    paths = [folder / f"EPD_{m}.csv" for m in months]
    if stamp.is_file() and stamp.read_text() == str(rows) and all(p.is_file() for p in paths):
        return paths
    rng = np.random.default_rng(seed)
    n_practice, n_bnf, n_ad = 6_500, 20_000, 800  # 800 of 20,000 codes = 4% in BNF 4.3
    practice_code = np.array([f"{chr(65 + i % 26)}{81000 + i:05d}" for i in range(n_practice)])
    practice_icb = rng.integers(0, 42, n_practice)
    practice_pco = rng.integers(0, 106, n_practice)
    practice_region = practice_icb % 7
    bnf_code = np.array(
        [f"0403{i:03d}{chr(65 + i % 26)}0AAA{chr(65 + i % 7)}AB" for i in range(n_ad)]
        + [f"{(i % 23) + 1:02d}{(i % 9) + 1:02d}{i:05d}AAAAAA" for i in range(n_bnf - n_ad)]
    )
    chapter = np.array(
        [
            "04: Central Nervous System" if c.startswith("04") else f"{c[:2]}: Chapter"
            for c in bnf_code
        ]
    )

    def col(values, index):
        return pa.array(values).take(pa.array(index))

    def chunk(month: str, n: int) -> pa.Table:
        p = rng.integers(0, n_practice, n)
        antidepressant = rng.random(n) < 0.04
        b = np.where(antidepressant, rng.integers(0, n_ad, n), rng.integers(n_ad, n_bnf, n))
        items = rng.integers(1, 40, n)
        quantity = rng.choice([7.0, 14.0, 28.0, 56.0, 84.0], n)
        nic = np.round(items * quantity * rng.uniform(0.01, 0.5, n), 2)
        table = pa.table(
            {
                "YEAR_MONTH": pa.array(np.full(n, int(month))),
                "REGIONAL_OFFICE_NAME": col(
                    np.array([f"REGION {i}" for i in range(7)]), practice_region[p]
                ),
                "REGIONAL_OFFICE_CODE": col(
                    np.array([f"Y{56 + i}" for i in range(7)]), practice_region[p]
                ),
                "ICB_NAME": col(np.array([f"NHS ICB {i}" for i in range(42)]), practice_icb[p]),
                "ICB_CODE": col(np.array([f"Q{i:02d}" for i in range(42)]), practice_icb[p]),
                "PCO_NAME": col(
                    np.array([f"NHS SUB ICB {i}" for i in range(106)]), practice_pco[p]
                ),
                "PCO_CODE": col(np.array([f"{i:02d}X00" for i in range(106)]), practice_pco[p]),
                "PRACTICE_NAME": col(np.array([f"SURGERY {c}" for c in practice_code]), p),
                "PRACTICE_CODE": col(practice_code, p),
                "ADDRESS_1": col(
                    np.array([f"{i % 200} HIGH STREET" for i in range(n_practice)]), p
                ),
                "ADDRESS_2": col(np.array(["", "NORTH END", "TOWN CENTRE"]), p % 3),
                "ADDRESS_3": col(np.array([f"TOWN {i % 900}" for i in range(n_practice)]), p),
                "ADDRESS_4": col(np.array(["", "COUNTY"]), p % 2),
                "POSTCODE": col(np.array([f"AB{i % 99} {i % 9}CD" for i in range(n_practice)]), p),
                "BNF_CHEMICAL_SUBSTANCE": col(np.array([c[:9] for c in bnf_code]), b),
                "CHEMICAL_SUBSTANCE_BNF_DESCR": col(
                    np.array([f"Substance {c[:9]}" for c in bnf_code]), b
                ),
                "BNF_CODE": col(bnf_code, b),
                "BNF_DESCRIPTION": col(np.array([f"Drug {c} 10mg tablets" for c in bnf_code]), b),
                "BNF_CHAPTER_PLUS_CODE": col(chapter, b),
                "QUANTITY": pa.array(quantity),
                "ITEMS": pa.array(items),
                "TOTAL_QUANTITY": pa.array(quantity * items),
                "ADQUSAGE": pa.array(np.round(quantity * items * 0.5, 3)),
                "NIC": pa.array(nic),
                "ACTUAL_COST": pa.array(np.round(nic * 0.93, 5)),
                "UNIDENTIFIED": col(np.array(["false", "true"]), (rng.random(n) < 0.01) * 1),
            }
        )
        return table.select(list(EPD_PUBLISHED_COLUMNS))

    for month, path in zip(months, paths, strict=True):
        first = chunk(month, min(rows, CHUNK_ROWS))
        with pacsv.CSVWriter(path, first.schema) as writer:
            writer.write_table(first)
            for done in range(len(first), rows, CHUNK_ROWS):
                writer.write_table(chunk(month, min(CHUNK_ROWS, rows - done)))
    stamp.write_text(str(rows))
    return paths


# --------------------------------------------------------------------------- measurements

RUNNER = r"""
import json, resource, sys, time
job, paths, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
def cpu_now():
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process
    return usage.ru_utime + usage.ru_stime
start, cpu_start = time.perf_counter(), cpu_now()
if job in ("duckdb", "duckdb-1"):
    from data_pipeline.sources.prescribing import aggregate_epd
    groups = aggregate_epd(paths, threads=1 if job == "duckdb-1" else None)
    used = groups[groups["reason"].isna()]
    total = float(used["items"].sum()); n = int(len(used))
elif job == "pandas":
    import pandas as pd
    parts = []
    for path in paths:
        month = pd.read_csv(path)
        month = month[month["BNF_CODE"].astype(str).str.startswith("0403")]
        parts.append(month.groupby(["YEAR_MONTH", "PRACTICE_CODE"], as_index=False)[
            ["ITEMS", "NIC", "ACTUAL_COST", "ADQUSAGE"]].sum())
    result = pd.concat(parts, ignore_index=True)
    total = float(result["ITEMS"].sum()); n = int(len(result))
elif job == "stream":
    import gzip, os
    from data_pipeline.sources.prescribing_fetch import GZIP_LEVEL, filter_lines
    os.makedirs(out, exist_ok=True)
    total = n = 0
    for path in paths:
        dest = os.path.join(out, os.path.basename(path) + ".gz")
        with open(path, "rb") as handle, gzip.GzipFile(
            dest, "wb", compresslevel=GZIP_LEVEL, mtime=0
        ) as sink:
            read, kept = filter_lines(handle, "0403", sink)
        total += kept; n += read
elif job == "duckdb-filter":
    import os, duckdb
    from data_pipeline.sources.prescribing import _epd_header
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    total = n = 0
    for path in paths:
        names = ", ".join(f"'{h}': 'VARCHAR'" for h in _epd_header(path))
        dest = os.path.join(out, os.path.basename(path) + ".gz")
        kept = con.execute(
            "COPY (SELECT * FROM read_csv($path, header = true, auto_detect = false, "
            f"delim = ',', quote = '\"', escape = '\"', columns = {{{names}}}) "
            f"WHERE starts_with(BNF_CODE, '0403')) TO '{dest}' "
            "(FORMAT csv, HEADER, COMPRESSION gzip)", {"path": path}).fetchone()[0]
        total += kept
seconds, cpu = time.perf_counter() - start, cpu_now() - cpu_start
# VmHWM is this process image's own peak; ru_maxrss would carry the parent's over the exec.
with open("/proc/self/status") as status:
    hwm = [line.split()[1] for line in status if line.startswith("VmHWM:")]
peak = int(hwm[0]) * 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_bytes": peak, "total": total, "n": n}))
"""


def measure(job: str, paths: list[Path], out: Path | None = None, repeat: int = 1) -> dict:
    """The fastest of ``repeat`` runs of ``job``, each in a fresh interpreter."""
    best = None
    for _ in range(repeat):
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "-c", RUNNER, job, json.dumps([str(p) for p in paths]), str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        result = json.loads(lines[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def _same(a: dict, b: dict, what: str) -> None:
    if abs(a["total"] - b["total"]) > 1e-6 * max(1.0, b["total"]) or a["n"] != b["n"]:
        raise SystemExit(f"results differ ({what}): {a} vs {b}")


def _busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (all cores, from /proc/stat)."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    except OSError:
        return float("nan")
    ticks = [int(f) for f in first]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU seconds of this process and the measurement processes it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _line(label: str, r: dict, note: str = "") -> str:
    return (
        f"  {label:<52}{r['seconds']:>8.1f}{r['cpu']:>8.1f}{r['peak_bytes'] / 1e6:>9.0f}  {note}"
    ).rstrip()


def _fit(small: tuple[int, float], large: tuple[int, float], rows: int) -> float:
    """Straight line through two (rows a month, value) points, read at ``rows``."""
    slope = (large[1] - small[1]) / (large[0] - small[0])
    return large[1] + slope * (rows - large[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows-per-month", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs per timing (fastest kept)")
    parser.add_argument(
        "--no-real-month",
        action="store_true",
        help=f"skip DuckDB on one month of {REAL_ROWS_PER_MONTH:,} rows (4.9 GB of disk)",
    )
    parser.add_argument(
        "--real-year",
        action="store_true",
        help="also run DuckDB on a real-size year: the real-size month read through 12 links "
        "(about a minute more)",
    )
    parser.add_argument(
        "--dir", default=str(Path(tempfile.gettempdir()) / "mtg-epd-benchmark"), metavar="DIR"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    folder = Path(args.dir)
    rows, small_rows = args.rows_per_month, max(args.rows_per_month // 4, 1_000)
    load_start = os.getloadavg()[0]
    start = time.perf_counter()
    paths = _generate(folder / str(rows), rows)
    small_paths = _generate(folder / str(small_rows), small_rows)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"data: 12 monthly EPD-shaped CSVs (26 published columns), {rows:,} rows a month "
        f"({12 * rows:,} rows, {size / 1e9:.2f} GB), generated in "
        f"{time.perf_counter() - start:.0f} s; also {small_rows:,} rows a month for the "
        f"memory fit; real EPD: about {REAL_ROWS_PER_MONTH:,} rows a month"
    )

    busy, own, began = _busy_seconds(), _own_seconds(), time.perf_counter()
    duck = measure("duckdb", paths, repeat=args.repeat)
    duck1 = measure("duckdb-1", paths, repeat=args.repeat)
    pandas = measure("pandas", paths, repeat=args.repeat)
    stream = measure("stream", paths, folder / "fetched", repeat=args.repeat)
    fetched = measure("duckdb", sorted((folder / "fetched").glob("*.gz")), repeat=args.repeat)
    dfilter = measure("duckdb-filter", paths, folder / "fetched-duckdb", repeat=args.repeat)
    dfetched = measure("duckdb", sorted((folder / "fetched-duckdb").glob("*.gz")))
    duck_small = measure("duckdb", small_paths)
    pandas_small = measure("pandas", small_paths)
    elapsed = time.perf_counter() - began
    others = (_busy_seconds() - busy) - (_own_seconds() - own)
    others_share = max(others, 0.0) / (elapsed * (os.cpu_count() or 1))
    for other, what in (
        (pandas, "pandas"),
        (duck1, "DuckDB 1 thread"),
        (fetched, "fetched"),
        (dfetched, "DuckDB-filtered"),
    ):
        _same(duck, other, what)
    _same(duck_small, pandas_small, "small scale")
    print(
        f"machine: {os.cpu_count()} cores; load average {load_start:.2f} at the start; other "
        f"processes used {100 * others_share:.0f}% of the CPU during the timings; fastest of "
        f"{args.repeat} runs; files in the page cache"
    )
    if load_start > QUIET_LOAD or others_share > 0.10:
        print("WARNING: the machine was not quiet (other work running): timings are unreliable")

    header = f"  {'':<52}{'seconds':>8}{'CPU s':>8}{'peak MB':>9}"
    print()
    print("(a) like for like: aggregate the published-shape year (BNF 4.3, by month and practice)")
    print(header)
    print(_line("plain pandas (read_csv each month, filter, groupby)", pandas))
    print(_line("DuckDB, prescribing.aggregate_epd (all cores)", duck))
    print(_line("DuckDB, prescribing.aggregate_epd (1 thread)", duck1))
    speed = pandas["seconds"] / duck["seconds"]
    memory = pandas["peak_bytes"] / duck["peak_bytes"]
    verdict = "met" if speed >= TARGET_SPEEDUP else "NOT MET like for like"
    print(
        f"  DuckDB vs pandas: {speed:.1f}x faster ({pandas['seconds'] / duck1['seconds']:.1f}x "
        f"on one thread), {memory:.1f}x less peak memory; target >= {TARGET_SPEEDUP:.0f}x "
        f"faster: {verdict}"
    )
    if speed < TARGET_SPEEDUP:
        cores = os.cpu_count() or 1
        bound = pandas["seconds"] / (duck["cpu"] / cores)
        print(
            f"  Why: both are bound by parsing {size / 1e9:.2f} GB of CSV text. DuckDB spends "
            f"{duck['cpu']:.1f} CPU-seconds on it, pandas {pandas['cpu']:.1f} (on average "
            f"{pandas['cpu'] / pandas['seconds']:.1f} cores busy for pandas, "
            f"{duck['cpu'] / duck['seconds']:.1f} for DuckDB), so even with all {cores} cores "
            f"busy DuckDB could not beat pandas' {pandas['seconds']:.1f} s by more than about "
            f"{bound:.1f}x on this machine; more cores would raise that bound."
        )
    print(f"  both give {duck['n']:,} practice-months and {duck['total']:,.0f} items")

    print()
    print("(b) the pipeline's path: filter each month at fetch, aggregate the 4.3 rows at build")
    print(header)
    print(
        _line(
            "fetch: streaming filter_lines, 12 months",
            stream,
            f"{stream['n'] / stream['seconds'] / 1e6:.2f} M rows/s, kept {stream['total']:,.0f}",
        )
    )
    print(_line("build: aggregate_epd on the filtered year (gzipped)", fetched))
    path_total = stream["seconds"] + fetched["seconds"]
    print(f"  {'fetch + build':<52}{path_total:>8.1f}")
    print(
        _line(
            "alternative fetch filter: DuckDB COPY of each month",
            dfilter,
            "needs the whole month on disk first",
        )
    )
    alt_total = dfilter["seconds"] + dfetched["seconds"]
    print(f"  {'alternative fetch + build':<52}{alt_total:>8.1f}")
    print(
        f"  vs pandas on the published files ({pandas['seconds']:.1f} s): build step alone "
        f"{pandas['seconds'] / fetched['seconds']:.1f}x faster; fetch + build "
        f"{pandas['seconds'] / path_total:.1f}x; with the DuckDB filter "
        f"{pandas['seconds'] / alt_total:.1f}x"
    )
    if path_total > pandas["seconds"]:
        print(
            "  Counting the filter, the pipeline's path is not faster than pandas here: the "
            "streaming filter is Python, line by line."
        )
    print(
        "  What it buys: the filter runs once per month while the file downloads (6-7 GB a "
        "month, so the download sets the pace) in flat memory; every build after that "
        "reads only the 4.3 rows."
    )

    print()
    print("(c) memory at the real scale")
    pandas_real = _fit(
        (small_rows, pandas_small["peak_bytes"]), (rows, pandas["peak_bytes"]), REAL_ROWS_PER_MONTH
    )
    print(
        f"  pandas: {pandas_small['peak_bytes'] / 1e6:.0f} MB at {small_rows:,} and "
        f"{pandas['peak_bytes'] / 1e6:.0f} MB at {rows:,} rows a month (measured); "
        f"EXTRAPOLATED linearly to {REAL_ROWS_PER_MONTH:,} rows: ~{pandas_real / 1e9:.0f} GB "
        f"(a whole month in memory), {'over' if pandas_real > TARGET_BYTES else 'within'} "
        "the 2 GB budget; not run, this machine has "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1e9:.0f} GB"
    )
    print(
        f"  DuckDB: {duck_small['peak_bytes'] / 1e6:.0f} MB at {small_rows:,} and "
        f"{duck['peak_bytes'] / 1e6:.0f} MB at {rows:,} rows a month (measured); its working "
        "memory is capped at 1 GB (memory_limit)"
    )
    if not args.no_real_month:
        real_paths = _generate(folder / "real", REAL_ROWS_PER_MONTH, months=MONTHS[:1])
        real_size = real_paths[0].stat().st_size
        real = measure("duckdb", real_paths)
        print(
            f"  DuckDB on one month at the real size, {REAL_ROWS_PER_MONTH:,} rows "
            f"({real_size / 1e9:.1f} GB), measured: {real['seconds']:.1f} s, peak "
            f"{real['peak_bytes'] / 1e6:.0f} MB, "
            f"{'within' if real['peak_bytes'] < TARGET_BYTES else 'OVER'} the 2 GB budget"
        )
        if args.real_year:
            links = []
            for month in MONTHS:
                link = folder / "real" / f"EPD_{month}_link.csv"
                link.unlink(missing_ok=True)
                link.symlink_to(real_paths[0].name)
                links.append(link)
            year = measure("duckdb", links)
            print(
                f"  DuckDB on a real-size year (that month read through 12 links, "
                f"{12 * REAL_ROWS_PER_MONTH:,} rows, {12 * real_size / 1e9:.0f} GB), measured: "
                f"{year['seconds']:.1f} s, peak {year['peak_bytes'] / 1e6:.0f} MB, "
                f"{'within' if year['peak_bytes'] < TARGET_BYTES else 'OVER'} the 2 GB budget"
            )
        if not args.keep:
            shutil.rmtree(folder / "real", ignore_errors=True)
    scale = REAL_ROWS_PER_MONTH / rows
    print(
        f"  time for a real-size year, EXTRAPOLATED linearly (x{scale:.0f}): pandas "
        f"~{pandas['seconds'] * scale / 60:.1f} min, DuckDB ~{duck['seconds'] * scale / 60:.1f} "
        "min"
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
