"""Finding a summary table in a spreadsheet sheet by its header text, not its position.

The IoD summary workbooks differ in layout and trailing spaces between releases; the header
row is found by its 'Average score' column and each column by the end of its header.
"""

from __future__ import annotations

import re

import pandas as pd

from data_pipeline.errors import SourceError

#: How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 30


def _normal(cell: object) -> str:
    return re.sub(r"\s+", " ", str(cell or "")).strip().lower()


def parse_summary_sheet(
    rows: list[tuple], relative: str, sheet: str, measures: dict[str, str]
) -> tuple[pd.DataFrame, int]:
    """Locate the header by its text and return code, name and ``measures`` as a frame.

    Returns the frame (one row per non-empty data row) and the 1-based header row number.
    Columns are found by header text, not position, because the workbooks differ in
    layout and trailing spaces between releases.
    """
    header_at = next(
        (
            i
            for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
            if any(_normal(c).endswith("average score") for c in row)
        ),
        None,
    )
    if header_at is None:
        raise SourceError(
            relative,
            f"no header row with an 'Average score' column in the first "
            f"{HEADER_SEARCH_ROWS} rows of sheet '{sheet}'",
            "use the published workbook unchanged",
            column=f"{sheet} - Average score",
        )
    header = [_normal(c) for c in rows[header_at]]

    def find(test, label: str) -> int:
        for i, text in enumerate(header):
            if text and test(text):
                return i
        raise SourceError(
            relative,
            f"sheet '{sheet}' has no column headed '{label}'",
            "use the published workbook unchanged, or restore the header",
            column=label,
        )

    positions = {
        "code": find(lambda t: t.endswith("code") or "code (" in t, "... code"),
        "name": find(lambda t: t.endswith("name") or "name (" in t, "... name"),
    }
    for measure, column in measures.items():
        positions[column] = find(
            lambda t, m=measure: t.rsplit(" - ", 1)[-1] == m, f"{sheet} - {measure.capitalize()}"
        )
    data = [row for row in rows[header_at + 1 :] if any(c not in (None, "") for c in row)]
    frame = pd.DataFrame(
        {
            column: pd.Series(
                [row[i] if i < len(row) else None for row in data], dtype="object"
            ).astype("string")
            for column, i in positions.items()
        }
    )
    return frame, header_at + 1
