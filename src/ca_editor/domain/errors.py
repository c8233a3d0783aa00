"""Errors a user can read. Every message says what went wrong and, where it can, what to do."""

from __future__ import annotations

from dataclasses import dataclass


class CaEditorError(Exception):
    """Base of every error the app reports to a person rather than to a developer."""


class NotFoundError(CaEditorError):
    pass


class ConflictError(CaEditorError):
    """Someone else changed the data since it was read (optimistic locking)."""


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    message: str
    severity: str = "error"  # "error" blocks the action; "warning" only informs

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(CaEditorError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class ImportFailedError(CaEditorError):
    """A file could not be imported; nothing from it was written."""

    def __init__(self, source: str, line: int | None, field: str | None, message: str) -> None:
        self.source, self.line, self.field, self.reason = source, line, field, message
        where = source
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}. Nothing was imported.")


class ExportFailedError(CaEditorError):
    """The bundle could not be written; the previous bundle, if any, is untouched."""


class StorageError(CaEditorError):
    """The database could not be read or written (locked, damaged, full, read-only)."""
