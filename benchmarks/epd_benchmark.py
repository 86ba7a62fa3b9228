"""A year of English Prescribing Data: DuckDB aggregation against a plain pandas baseline.

Builds 12 synthetic monthly files with the published EPD header (26 columns) and
realistic cardinalities: about 6,500 practices, 20,000 BNF presentations of which 4% are
in section 4.3 (antidepressants), 42 ICBs, 106 sub-ICB (PCO) codes and 7 regions. Then,
each in a fresh Python process so peak memory is that run's own:

1. ``prescribing.aggregate_epd`` (the reader's DuckDB query) over all 12 files at once;
2. a plain pandas baseline: ``read_csv`` of each month whole, filter to BNF 4.3, group by
   month and practice, concatenate;
3. the fetcher's streaming filter (``prescribing_fetch.filter_lines``) on each month, which
   is what ``fetch`` does to a month as it downloads, and
4. the reader on the filtered year, which is what ``build`` reads after ``fetch``.

The two aggregations must agree. A published month has about 17 million rows; generating
12 of those takes ~60 GB of disk, so the default is smaller (``--rows-per-month``) and the
table ends with a linear extrapolation to the real scale, labelled as such.

Usage: ``python benchmarks/epd_benchmark.py [--rows-per-month N] [--dir DIR] [--keep]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SPEEDUP = 10.0
TARGET_BYTES = 2 * 1024**3
REAL_ROWS_PER_MONTH = 17_000_000
MONTHS = [f"2024{m:02d}" for m in range(1, 13)]
COLUMNS = [
    "YEAR_MONTH",
    "REGIONAL_OFFICE_NAME",
    "REGIONAL_OFFICE_CODE",
    "ICB_NAME",
    "ICB_CODE",
    "PCO_NAME",
    "PCO_CODE",
    "PRACTICE_NAME",
    "PRACTICE_CODE",
    "ADDRESS_1",
    "ADDRESS_2",
    "ADDRESS_3",
    "ADDRESS_4",
    "POSTCODE",
    "BNF_CHEMICAL_SUBSTANCE",
    "CHEMICAL_SUBSTANCE_BNF_DESCR",
    "BNF_CODE",
    "BNF_DESCRIPTION",
    "BNF_CHAPTER_PLUS_CODE",
    "QUANTITY",
    "ITEMS",
    "TOTAL_QUANTITY",
    "ADQUSAGE",
    "NIC",
    "ACTUAL_COST",
    "UNIDENTIFIED",
]


# --------------------------------------------------------------------------- data


def _generate(folder: Path, rows: int, seed: int = 2024) -> list[Path]:
    """Write the 12 monthly CSVs (skipped when they are already there at this size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "rows.txt"
    paths = [folder / f"EPD_{m}.csv" for m in MONTHS]
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

    for month, path in zip(MONTHS, paths, strict=True):
        p = rng.integers(0, n_practice, rows)
        antidepressant = rng.random(rows) < 0.04
        b = np.where(antidepressant, rng.integers(0, n_ad, rows), rng.integers(n_ad, n_bnf, rows))
        items = rng.integers(1, 40, rows)
        quantity = rng.choice([7.0, 14.0, 28.0, 56.0, 84.0], rows)
        nic = np.round(items * quantity * rng.uniform(0.01, 0.5, rows), 2)
        table = pa.table(
            {
                "YEAR_MONTH": pa.array(np.full(rows, int(month))),
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
                "UNIDENTIFIED": col(np.array(["false", "true"]), (rng.random(rows) < 0.01) * 1),
            }
        )
        pacsv.write_csv(table.select(COLUMNS), path)
    stamp.write_text(str(rows))
    return paths


# --------------------------------------------------------------------------- measurements

RUNNER = r"""
import json, resource, sys, time
job, paths = sys.argv[1], json.loads(sys.argv[2])
start = time.perf_counter()
if job == "duckdb":
    from data_pipeline.sources.prescribing import aggregate_epd
    groups = aggregate_epd(paths)
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
    from data_pipeline.sources.prescribing_fetch import filter_lines
    total = n = 0
    for path in paths:
        out = os.path.join(os.path.dirname(path), "fetched", os.path.basename(path) + ".gz")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(path, "rb") as handle, gzip.GzipFile(out, "wb", mtime=0) as dest:
            read, kept = filter_lines(handle, "0403", dest)
        total += kept; n += read
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "total": total, "n": n}))
"""


def measure(job: str, paths: list[Path]) -> dict:
    """One measurement in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, job, json.dumps([str(p) for p in paths])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows-per-month", type=int, default=1_000_000)
    parser.add_argument(
        "--dir", default=str(Path(tempfile.gettempdir()) / "mtg-epd-benchmark"), metavar="DIR"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    folder = Path(args.dir)
    start = time.perf_counter()
    paths = _generate(folder, args.rows_per_month)
    size = sum(p.stat().st_size for p in paths)
    print(
        f"data: 12 monthly EPD-shaped CSVs, {args.rows_per_month:,} rows each "
        f"({12 * args.rows_per_month:,} rows, {size / 1e9:.1f} GB), ready in "
        f"{time.perf_counter() - start:.0f} s; cores: {os.cpu_count()}"
    )
    duck = measure("duckdb", paths)
    pandas = measure("pandas", paths)
    stream = measure("stream", paths)
    fetched = measure("duckdb", sorted((folder / "fetched").glob("*.csv.gz")))
    for other in (pandas, fetched):
        if abs(duck["total"] - other["total"]) > 1e-6 * max(1.0, other["total"]) or (
            duck["n"] != other["n"]
        ):
            raise SystemExit(f"results differ: DuckDB {duck} vs {other}")

    print()
    print(f"{'measurement (a year of data)':<46}{'seconds':>10}{'peak MB':>10}")
    rows = (
        ("DuckDB reader (prescribing.aggregate_epd)", duck),
        ("plain pandas baseline (read_csv per month)", pandas),
    )
    for label, r in rows:
        print(f"{label:<46}{r['seconds']:>10.1f}{r['peak_bytes'] / 1e6:>10.0f}")
    print(
        f"{'fetch filter, 12 months (filter_lines)':<46}{stream['seconds']:>10.1f}"
        f"{stream['peak_bytes'] / 1e6:>10.0f}"
        f"   {stream['n'] / stream['seconds'] / 1e6:.2f} M rows/s, kept {stream['total']:,.0f}"
    )
    print(
        f"{'DuckDB reader on the fetched (4.3) year':<46}{fetched['seconds']:>10.1f}"
        f"{fetched['peak_bytes'] / 1e6:>10.0f}   what build reads after fetch"
    )
    print()
    speed = pandas["seconds"] / duck["seconds"]
    memory = pandas["peak_bytes"] / duck["peak_bytes"]
    print(
        f"DuckDB vs pandas: {speed:.1f}x faster (target >= {TARGET_SPEEDUP:.0f}x), "
        f"{memory:.1f}x less peak memory; both give {duck['n']:,} practice-months, "
        f"{duck['total']:,.0f} items"
    )
    print(
        f"build step after fetch (reader on the fetched year) vs pandas on the published "
        f"files: {pandas['seconds'] / fetched['seconds']:.0f}x faster; the filtering it relies "
        f"on is done once per month while downloading ({stream['seconds'] / 12:.1f} s a month "
        "here)"
    )
    print(f"DuckDB peak memory vs 2 GB budget: {duck['peak_bytes'] / TARGET_BYTES:.2f}")
    scale = REAL_ROWS_PER_MONTH / args.rows_per_month
    if scale > 1.01:
        print()
        print(
            f"extrapolated linearly to {REAL_ROWS_PER_MONTH:,} rows a month (x{scale:.0f}; "
            "not measured):"
        )
        print(
            f"  DuckDB ~{duck['seconds'] * scale / 60:.0f} min, memory bounded by its 1 GB "
            f"limit; pandas ~{pandas['seconds'] * scale / 60:.0f} min and "
            f"~{(pandas['peak_bytes'] - 2e8) * scale / 1e9 + 0.2:.0f} GB peak (one whole month "
            "in memory), beyond the 2 GB budget"
        )
        print(
            f"  fetch filter ~{stream['seconds'] / 12 * scale / 60:.1f} min a month of CPU, "
            "overlapping the download of a 6-7 GB month"
        )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
