"""Progress per file: a live bar on a terminal, one line per file otherwise, nothing if quiet.

No dependency: on a terminal the bar redraws one stderr line in place; in a log (or CI)
each file gets a single line when it finishes, so output never floods.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 28


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


class Progress:
    """Reports downloads and messages; ``quiet`` silences the bars (messages still print)."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()

    def message(self, text: str) -> None:
        """A line for the person running the fetch."""
        print(text, file=self.stream, flush=True)

    def bar(self, label: str) -> Callable[[int, int | None], None]:
        """A callback ``(done, total)`` that draws the bar for one file."""
        start = time.monotonic()
        last = [0.0]

        def update(done: int, total: int | None) -> None:
            if not self.live:
                return
            now = time.monotonic()
            if now - last[0] < 0.2 and (total is None or done < total):
                return
            last[0] = now
            if total:
                filled = int(WIDTH * done / total)
                bar = "#" * filled + "." * (WIDTH - filled)
                text = f"\r{label[:40]:<40} [{bar}] {_size(done)}/{_size(total)}"
            else:
                text = f"\r{label[:40]:<40} {_size(done)}"
            rate = done / max(now - start, 1e-6)
            self.stream.write(f"{text} {_size(rate)}/s ")
            self.stream.flush()

        return update

    def done(self, label: str, size: int, seconds: float) -> None:
        """One line when a file has arrived."""
        if self.quiet:
            return
        if self.live:
            self.stream.write("\r" + " " * 100 + "\r")
        self.message(f"  downloaded {label} ({_size(size)} in {seconds:.1f} s)")
