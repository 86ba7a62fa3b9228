"""Errors a person can act on: every message names the file, the column and the remedy."""

from __future__ import annotations


class SourceError(Exception):
    """A raw file cannot be used as it is.

    The message always says which file (relative to the raw directory), which column if
    any, what is wrong and what to do, so a failed build never ends in a bare traceback.
    """

    def __init__(self, file: str, problem: str, remedy: str, column: str | None = None):
        self.file = file
        self.column = column
        self.problem = problem
        self.remedy = remedy
        where = f"{file}, column '{column}'" if column else file
        super().__init__(f"{where}: {problem}. What to do: {remedy}")


class ReconciliationError(Exception):
    """Rows in a source do not add up to rows used plus rows rejected."""


class MissingFileError(SourceError):
    """A raw file is not there at all (as opposed to being there but unusable).

    A build run with ``--allow-missing`` can go on without a source whose file is missing;
    a file that is present but broken always stops the build.
    """


class BuildInterrupted(BaseException):
    """The build was asked to stop (SIGTERM or SIGINT) before it finished.

    A ``BaseException``, like ``KeyboardInterrupt``, so no ``except Exception`` swallows it;
    the build removes its half-written atlas on the way out.
    """
