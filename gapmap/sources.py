"""Where the figures come from: publishers, source lines and the build's row accounting.

Captions, exported images, the board pack and the Methods & data page all name an
indicator's publishers from the folders of its source files, so the credit reads the same
everywhere; the reconciliation shows every raw file's rows in, used and rejected.
"""

from __future__ import annotations

import pandas as pd

#: Publisher of each raw-data folder, as credited under charts and maps.
PUBLISHERS = {
    "deprivation": "MHCLG English Indices of Deprivation",
    "population": "ONS population estimates",
    "services": "NHS England",
    "secondary_care": "NHS England MHSDS",
    "qof_practice": "NHS England QOF",
    "prescribing": "NHSBSA prescribing data",
    "fingertips": "OHID Fingertips / ONS",
    "lookups": "ONS",
    "boundaries": "ONS",
}
#: Shown when no source file names a known publisher.
SEE_METHODS = "see Methods & data"


def publisher(sources: str) -> str:
    """Publishers of an indicator's source files (``;``-separated paths), from their folders."""
    seen: list[str] = []
    for source in sources.split(";"):
        name = PUBLISHERS.get(source.strip().split("/")[0])
        if name and name not in seen:
            seen.append(name)
    return ", ".join(seen) or SEE_METHODS


def source_line(meta: pd.Series, period: str) -> str:
    """'Source: <files' publishers>; period <period>.' for captions under a map."""
    return f"Source: {publisher(str(meta['sources']))}; period {period}."


def chart_source(meta: pd.Series, period: str | None = None) -> str:
    """The source line drawn inside an exported chart (its period is drawn separately)."""
    return publisher(str(meta["sources"]))


def raw_file_count(manifest: dict) -> int:
    """How many raw files the atlas was built from, as its manifest records."""
    return len(manifest.get("raw_files", {}))


def reconciliation(manifest: dict) -> pd.DataFrame:
    """The manifest's row accounting as a table: every file, rows in/used/rejected, why."""
    rows = []
    for entry in manifest.get("sources", []):
        reasons = entry.get("rejected_by_reason", {})
        top = sorted(reasons.items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            {
                "File": entry["file"],
                "Rows in": entry["rows_in"],
                "Used": entry["rows_used"],
                "Rejected": entry["rows_rejected"],
                "Main reasons for rejection": "; ".join(f"{r} ({n:,})" for r, n in top),
            }
        )
    return pd.DataFrame(rows).drop_duplicates("File")
