"""Fetch the SMI physical health checks file read by :mod:`data_pipeline.sources.smi_checks`.

NHS England's statistics page for severe mental illness links the quarterly workbook,
newest first. Its long data sheet (period, CCG or sub-ICB code, question, answer) is
written as CSV with the reader's headers; a sub-ICB code column is taken as the
``CCG Code`` column, since sub-ICB locations kept the CCG codes.
"""

from __future__ import annotations

import re
from pathlib import Path

from data_pipeline.fetch import generic
from data_pipeline.fetch.cache import Release
from data_pipeline.fetch.checks import CheckError
from data_pipeline.fetch.context import FetchContext
from data_pipeline.fetch.files import sheet_rows, write_rows
from data_pipeline.fetch.registry import Target

COLUMNS = ["Period", "CCG Code", "Question", "Answer"]


def _role(cell: object) -> str | None:
    text = str(cell or "").strip().lower()
    if text == "period":
        return "Period"
    if re.fullmatch(r"(ccg|sub.?icb( location)?|org(anisation)?) ?code", text):
        return "CCG Code"
    if text == "question":
        return "Question"
    if text in ("answer", "value"):
        return "Answer"
    return None


def long_sheet(source: Path, dest: Path) -> Path:
    """The first sheet with period, code, question and answer columns, as CSV."""
    for rows in sheet_rows(source).values():
        for at, row in enumerate(rows[:30]):
            roles = {_role(c): i for i, c in enumerate(row) if _role(c)}
            if set(roles) == set(COLUMNS):
                picks = [roles[c] for c in COLUMNS]
                body = (
                    [r[i] for i in picks]
                    for r in rows[at + 1 :]
                    if r and any(r[i] not in (None, "") for i in picks)
                )
                return write_rows(dest, COLUMNS, body)
    raise CheckError(dest.name, f"no sheet has the columns {COLUMNS}")


def releases(ctx: FetchContext, target: Target) -> list[Release]:
    """The newest workbook linked from the statistics page."""
    return generic.releases(ctx, target)


def produce(ctx: FetchContext, target: Target, release: Release) -> dict[str, Path]:
    """Download the workbook and write its long sheet as CSV."""
    relative = target.paths[0]
    got = generic.download(ctx, release)
    return {relative: long_sheet(got, ctx.temp("out_" + Path(relative).name))}
