"""Board pack: build time, size and pages, beside the cost of the static map alone.

For a sub-ICB area (Black Country), a district (Sandwell) and England at sub-ICB level it
prints the median build time of the whole PDF (target: a few seconds, ≤ 5 s), the time of
its slowest part, the national static map PNG (the baseline: the "Map as PNG" button, which
the pack contains), its size in kB and its page count.

Usage: ``python benchmarks/boardpack_benchmark.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from gapmap import boardpack, maps  # noqa: E402
from gapmap.atlas import Atlas  # noqa: E402
from gapmap.boardpack.facts import facts  # noqa: E402
from gapmap.boardpack.layout import SCALE  # noqa: E402
from gapmap.state import Selection  # noqa: E402

TARGET_S = 5.0
SELECTIONS = {
    "Black Country (sub-ICB)": Selection(
        "sub_icb", "tt_gap_ratio", "Jul 2022 - May 2023", "E38000259"
    ),
    "Sandwell (district)": Selection("ltla", "depression_prevalence", "2022-23", "E08000028"),
    "England (sub-ICB map)": Selection("sub_icb", "tt_gap_ratio", "Jul 2022 - May 2023", None),
}


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def map_only(atlas: Atlas, selection: Selection) -> bytes:
    info = facts(atlas, selection)
    return maps.static_map_png(
        atlas.boundaries(info.vintage),
        info.table,
        info.meta,
        title="map",
        source="source",
        period=selection.period,
        selected=selection.area,
        colour_by="value",
        england_value=info.england,
        scale=SCALE,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    atlas = Atlas.load()
    boardpack.build(atlas, SELECTIONS["England (sub-ICB map)"])  # warm caches and fonts
    print(f"{'selection':26} {'pack s':>7} {'map s':>6} {'kB':>6} {'pages':>5}  target")
    for label, selection in SELECTIONS.items():
        pack_s, pdf = timed(lambda s=selection: boardpack.build(atlas, s), args.repeat)
        map_s, _ = timed(lambda s=selection: map_only(atlas, s), args.repeat)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        verdict = "ok" if pack_s <= TARGET_S else "SLOW"
        print(
            f"{label:26} {pack_s:7.2f} {map_s:6.2f} {len(pdf) / 1024:6.0f} {pages:5d}  "
            f"≤ {TARGET_S:.0f} s {verdict}"
        )


if __name__ == "__main__":
    main()
