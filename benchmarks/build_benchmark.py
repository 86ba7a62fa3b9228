"""Full atlas build: wall time and peak memory, against targets and a plain-pandas baseline.

Each measurement runs in a fresh Python process (so peak memory is that run's own), one
after the other on the same machine:

1. the full build (``build(..., swap=False)``), against the targets of 60 s and 2 GB;
2. the two largest sources read by the pipeline's DuckDB readers, side by side with
3. a plain pandas baseline that loads the same files whole and filters afterwards.

Usage: ``python benchmarks/build_benchmark.py [--raw DIR] [--repeat N]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0
TARGET_BYTES = 2 * 1024**3

RUNNER = r"""
import json, resource, shutil, sys, time
raw = sys.argv[1]
job = sys.argv[2]
start = time.perf_counter()
if job == "build":
    from data_pipeline.build import build
    report = build(raw, progress=lambda _: None, swap=False)
    shutil.rmtree(report.atlas_dir)
elif job == "readers":
    from data_pipeline.raw import RawDir
    from data_pipeline.sources import mhsds, talking_therapies
    r = RawDir(raw)
    talking_therapies.read_annual(r)
    mhsds.read_time_series(r)
elif job == "pandas":
    import pandas as pd
    tt = pd.read_parquet(f"{raw}/services/nhstt_measures_annual.parquet")
    tt = tt[tt["variable_type"].isin(["Total", "Indices of Deprivation Decile"])
            & tt["org_type"].isin(["England", "CCG", "ICB"])
            & (tt["measure_statistic"] == "count")]
    mh = pd.read_csv(f"{raw}/secondary_care/"
                     "mhsds_time_series_apr2016_to_nov2022_ccg_subicb_provider.csv.gz",
                     dtype=str)
    mh = mh[mh["MEASURE_ID"].isin(["MHS01", "MHS07", "MHS81"])]
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak}))
"""


def run(job: str, raw: str) -> dict:
    """One measurement in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, raw, job],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--raw", default=os.environ.get("MTG_RAW_DIR", str(ROOT.parent / "shared/data/raw"))
    )
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    results = {
        job: [run(job, args.raw) for _ in range(args.repeat)]
        for job in ("build", "readers", "pandas")
    }

    def median(job: str, key: str) -> float:
        return statistics.median(r[key] for r in results[job])

    build_s, build_b = median("build", "seconds"), median("build", "peak_bytes")
    print(f"cores: {os.cpu_count()}, runs per measurement: {args.repeat}")
    print()
    print(f"{'measurement':<38}{'seconds':>10}{'peak MB':>10}")
    for job, label in (
        ("build", "full build (no swap)"),
        ("readers", "large sources, DuckDB readers"),
        ("pandas", "large sources, plain pandas baseline"),
    ):
        print(f"{label:<38}{median(job, 'seconds'):>10.1f}{median(job, 'peak_bytes') / 1e6:>10.0f}")
    print()
    print(f"build time vs target {TARGET_SECONDS:.0f} s: {build_s / TARGET_SECONDS:.2f} of budget")
    print(f"build peak memory vs target 2 GB: {build_b / TARGET_BYTES:.2f} of budget")
    speed = median("pandas", "seconds") / median("readers", "seconds")
    memory = median("pandas", "peak_bytes") / median("readers", "peak_bytes")
    print(f"readers vs pandas baseline: {speed:.1f}x faster, {memory:.1f}x less memory")


if __name__ == "__main__":
    main()
