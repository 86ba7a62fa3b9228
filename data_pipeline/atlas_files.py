"""Where the atlas lives and how it is written and swapped in, atomically.

A build writes a complete atlas into a temporary directory beside the committed one and
only then swaps it in, so a failed or killed build leaves the previous atlas untouched. If
the new atlas has the same content as the old one, nothing is replaced: a rebuild with the
same inputs changes no bytes.
"""

from __future__ import annotations

import contextlib
import filecmp
import json
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
ATLAS_DIR = GEODATA / "atlas"
BOUNDARY_DIR_NAME = "boundaries"
TABLES = ("areas", "values", "indicators", "peers", "deciles")
VOLATILE_MANIFEST_KEYS = ("built_at", "build_seconds")


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Parquet with zstd and no pandas index: compact and byte-stable for equal frames."""
    frame.reset_index(drop=True).to_parquet(path, compression="zstd", index=False)


def new_build_dir(atlas_dir: Path = ATLAS_DIR) -> Path:
    """An empty directory on the same filesystem as the atlas, for an atomic rename."""
    atlas_dir.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".atlas-build-", dir=atlas_dir.parent))
    (build / BOUNDARY_DIR_NAME).mkdir()
    return build


def _manifest_content(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in VOLATILE_MANIFEST_KEYS}


def differences(new: Path, old: Path) -> list[str]:
    """Files that differ between two atlas directories (manifest: ignoring build time)."""
    if not old.is_dir():
        return ["(no atlas yet)"]
    names = {p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file()}
    names |= {p.relative_to(old).as_posix() for p in old.rglob("*") if p.is_file()}
    changed = []
    for name in sorted(names):
        a, b = new / name, old / name
        if not (a.is_file() and b.is_file()):
            changed.append(f"{name}: only in {'new' if a.is_file() else 'committed'} atlas")
        elif name == "manifest.json":
            if _manifest_content(a) != _manifest_content(b):
                changed.append(name)
        elif not filecmp.cmp(a, b, shallow=False):
            changed.append(name)
    return changed


def swap_in(build: Path, atlas_dir: Path = ATLAS_DIR) -> bool:
    """Replace the atlas with ``build`` unless their content is the same.

    Returns True when the atlas changed. The old atlas is moved aside first and removed
    only after the new one is in place; SIGTERM and SIGINT wait until the two renames and
    the removal are done, so a stop request never leaves the atlas missing or half-moved.
    """
    if not differences(build, atlas_dir):
        shutil.rmtree(build)
        return False
    aside = atlas_dir.with_name(f".atlas-old-{build.name}")
    with signals_held():
        if atlas_dir.exists():
            atlas_dir.rename(aside)
        build.rename(atlas_dir)
        if aside.exists():
            shutil.rmtree(aside)
    return True


#: Stop requests that wait for the swap to finish.
HELD_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGINT until the block is done, then deliver them.

    Within the block the signals are only noted; afterwards the previous handlers are put
    back and each noted signal is raised again, so it acts as it would have. (A signal
    mask would not do: the thread pools of DuckDB and Arrow can receive a process signal,
    and Python then runs the handler in the main thread anyway.) Handlers can only be set
    in the main thread; elsewhere the block runs without holding.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, _frame: noted.append(signum)) for sig in HELD_SIGNALS
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        for sig in dict.fromkeys(noted):
            signal.raise_signal(sig)
