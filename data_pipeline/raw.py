"""Where the raw public files live, and a record of which ones a build read.

The directory comes from ``--raw`` or the ``MTG_RAW_DIR`` environment variable. Paths in
messages and in the manifest are relative to it, so no machine's layout leaks into the atlas.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from data_pipeline.errors import MissingFileError, SourceError

RAW_ENV = "MTG_RAW_DIR"
FETCH_HINT = (
    "put the published file at that path, run `python -m data_pipeline fetch`, or point "
    f"--raw / {RAW_ENV} at the directory that holds the raw files"
)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so large files do not fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class RawDir:
    """The raw-data directory; hands out paths and remembers each file it handed out."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.read: dict[str, str] = {}

    @classmethod
    def resolve(cls, option: str | os.PathLike | None) -> RawDir:
        """Use ``option`` if given, else ``$MTG_RAW_DIR``; fail with a remedy otherwise."""
        chosen = option or os.environ.get(RAW_ENV)
        if not chosen:
            raise SourceError(
                "(raw directory)",
                "no raw-data directory was given",
                f"pass --raw DIR or set {RAW_ENV}; the README says where the files come from",
            )
        root = Path(chosen)
        if not root.is_dir():
            raise SourceError(str(chosen), "the raw-data directory does not exist", FETCH_HINT)
        return cls(root)

    def path(self, relative: str) -> Path:
        """Absolute path of ``relative``; a missing or empty file stops the build."""
        full = self.root / relative
        if not full.is_file():
            raise MissingFileError(relative, "file not found", FETCH_HINT)
        if full.stat().st_size == 0:
            raise SourceError(relative, "file is empty", "download it again; " + FETCH_HINT)
        if relative not in self.read:
            self.read[relative] = sha256(full)
        return full

    def checksums(self) -> dict[str, str]:
        """SHA-256 of every file read so far, by relative path, sorted."""
        return dict(sorted(self.read.items()))
