"""Errors a user can read. Every message says what went wrong and, where it can, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ca_editor.domain.local_time import clock_time


class CaEditorError(Exception):
    """Base of every error the app reports to a person rather than to a developer."""


class NotFoundError(CaEditorError):
    pass


class ConflictKind(StrEnum):
    STORY = "story"
    LAYOUT = "layout"  # a section's editor's-choice block


class ConflictError(CaEditorError):
    """Someone else changed the data since it was read (optimistic locking).

    Besides the sentence, it carries what a dialog needs without parsing text: ``kind`` and ``subject_id``
    (which story or section), ``who`` changed it (``""`` when unknown), ``when`` (aware UTC) and the
    ``current_version`` now stored. Every field is optional: a conflict found only at flush time (the
    row's version moved between the check and the write) knows none of them.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: ConflictKind | None = None,
        subject_id: int | None = None,
        who: str = "",
        when: datetime | None = None,
        current_version: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.subject_id = subject_id
        self.who = who
        self.when = when
        self.current_version = current_version

    @classmethod
    def changed_since_opened(
        cls,
        subject: str,
        *,
        kind: ConflictKind,
        subject_id: int,
        who: str,
        when: datetime,
        current_version: int,
        then: str,
    ) -> ConflictError:
        """The sentence "<subject> was changed by NAME at 14:05 since you opened it; <then>" (local time)."""
        return cls(
            f"{subject} was changed by {who or 'someone else'} at {clock_time(when)} since you opened it; "
            f"{then}",
            kind=kind,
            subject_id=subject_id,
            who=who,
            when=when,
            current_version=current_version,
        )


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


class ServerUnreachableError(StorageError):
    """The database server cannot be reached (stopped, restarting, network down); the desk retries."""


class NotAllowedError(CaEditorError):
    """The database login may not do this (its grants, or the section's desk chiefs); nothing was changed."""
