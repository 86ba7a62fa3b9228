"""Reading and validating tabular raw files, with every rejected row counted.

Readers in ``data_pipeline.sources`` use these helpers so that bad input always ends the
same way: a :class:`SourceError` naming file, column and remedy, or rows counted as rejected
in the file's :class:`Reconciliation` with a reason.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import zlib
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from data_pipeline.errors import SourceError
from data_pipeline.reconcile import Reconciliation

#: Values that publishers use for "suppressed / not available". They are kept as missing
#: values flagged ``source_suppressed``, never read as zero.
SUPPRESSION_MARKERS = frozenset({"", "*", "-", "c", "x", ".", ":", "..", "NA", "N/A", "n/a"})
SUPPRESSED = "source_suppressed"


def read_csv_text(path: Path, relative: str, **kwargs) -> pd.DataFrame:
    """Read a CSV (plain or gzipped) with every column as text.

    Text first, numbers later: the validation step decides what a bad value means and counts
    it. A byte-order mark is dropped; a wrong encoding, a truncated archive or an empty file
    becomes a :class:`SourceError`.
    """
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            **kwargs,
        )
    except UnicodeDecodeError as exc:
        raise SourceError(
            relative,
            f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)",
            "re-save it as UTF-8, or download the original again",
        ) from exc
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise SourceError(
            relative,
            f"the file is truncated or corrupt ({exc.__class__.__name__}: {exc})",
            "download it again",
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise SourceError(relative, "the file has no header or rows", "download it again") from exc
    except pd.errors.ParserError as exc:
        raise SourceError(
            relative, f"the file is not well-formed CSV ({exc})", "download it again"
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if kwargs.get("nrows") is None:
        if frame.empty:
            raise SourceError(
                relative, "the file has a header but no data rows", "download it again"
            )
        _check_last_line(path, relative)
    return frame


def _check_last_line(path: Path, relative: str) -> None:
    """Stop if the file ends part-way through a row, as an interrupted download does.

    pandas pads a short last row with blanks, which would read as suppressed values. A file
    that does not end with a line break and whose last line has fewer fields than the
    header was cut short.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
        last = header
        for line in handle:
            if line.strip():
                last = line
    if last is header or last.endswith(("\n", "\r")):
        return
    wanted = len(next(csv.reader([header])))
    found = len(next(csv.reader([last]), []))
    if found < wanted:
        raise SourceError(
            relative,
            f"the file is cut short: its last line has {found} of the {wanted} fields in the "
            "header and no line break",
            "download it again",
        )


def require_columns(frame: pd.DataFrame, required: Iterable[str], relative: str) -> None:
    """Stop with a named error if any ``required`` column is absent (e.g. a renamed header)."""
    present = list(frame.columns)
    for column in required:
        if column not in present:
            near = difflib.get_close_matches(column, present, n=1, cutoff=0.6)
            hint = f" (did the header '{near[0]}' mean this column?)" if near else ""
            raise SourceError(
                relative,
                f"expected column is missing{hint}; the file has {len(present)} columns",
                "use the published file unchanged, or restore the header to its published name",
                column=column,
            )


def numeric(
    frame: pd.DataFrame,
    column: str,
    recon: Reconciliation,
    *,
    count: bool = False,
    markers: frozenset[str] = SUPPRESSION_MARKERS,
) -> pd.DataFrame:
    """Turn ``column`` into numbers, flagging markers and rejecting the rows that are not.

    - a suppression marker (``*``, ``-``, blank...) becomes a missing value and sets the
      ``source_suppressed`` flag: the row is kept, because "suppressed" is itself information;
    - any other text rejects the row ("text in numeric column");
    - with ``count=True`` a negative number rejects the row ("negative count").

    A column in which no value at all is a number is a wrong file, not bad rows: it raises.
    """
    text = frame[column].astype("string").str.strip()
    cleaned = text.str.replace(",", "", regex=False)
    values = pd.to_numeric(cleaned, errors="coerce")
    is_marker = text.isna() | text.isin(markers)
    is_text = values.isna() & ~is_marker
    if len(frame) and bool(is_text.all()):
        example = str(text.iloc[0])[:40]
        raise SourceError(
            recon.file,
            f"no value is a number (the first is '{example}')",
            "check that this is the published file and that its columns are in place",
            column=column,
        )
    out = frame.assign(**{column: values.astype("Float64")})
    flag = out[SUPPRESSED] if SUPPRESSED in out.columns else pd.Series(False, index=out.index)
    out[SUPPRESSED] = flag | is_marker
    out = recon.reject_mask(out, is_text, f"text in numeric column '{column}'")
    if count:
        out = recon.reject_mask(out, out[column] < 0, f"negative count in column '{column}'")
    return out


def read_columns(path: Path, relative: str, columns: Iterable[str]) -> pd.DataFrame:
    """Read only ``columns`` of a CSV as text, after checking the header has all of them.

    The header is read on its own first, so a renamed column is reported with a hint rather
    than a pandas ``usecols`` error, and wide files stay small in memory.
    """
    wanted = list(columns)
    require_columns(read_csv_text(path, relative, nrows=0), wanted, relative)
    keep = set(wanted)
    return read_csv_text(path, relative, usecols=lambda c: str(c).strip() in keep)
