"""The import use case: read and plan (no writes), then write the plan in one transaction.

The window previews, and ``apply`` refuses a plan the stories moved away from; scripts ``import_source``,
which plans and writes under one write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from ca_editor.persistence.database import Database
from ca_editor.persistence.engine import import_lock
from ca_editor.services.identity import Identity
from ca_editor.services.importing.apply import ImportReport, SessionLookup, plan_and_write, write_plan
from ca_editor.services.importing.jsonl import read_jsonl
from ca_editor.services.importing.plan import ImportPlan, make_plan
from ca_editor.services.importing.records import Cancelled, ImportSource, Progress, refuse_invalid
from ca_editor.services.importing.sources import read_paths


class ImportService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    def read(
        self,
        paths: Path | Sequence[Path],
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportSource:
        """Read and check what ``paths`` hold: entries that fail their checks are in ``invalid``.

        ``ImportFailedError`` for what stops the whole file (not well-formed, too large, no entries).
        """
        chosen = [paths] if isinstance(paths, Path) else list(paths)
        return read_paths(chosen, progress=progress, cancelled=cancelled)

    def plan(self, source: ImportSource, *, skip_invalid: bool = False) -> ImportPlan:
        """What importing ``source`` would add, update and skip, and why; writes nothing.

        Refuses a source with invalid entries unless ``skip_invalid``: then they stay out of the plan and
        are listed in ``plan.source.invalid``.
        """
        refuse_invalid(source, skip_invalid=skip_invalid)
        with self._db.read() as session:
            return make_plan(source, SessionLookup(session, source.records))

    def preview(
        self,
        paths: Path | Sequence[Path],
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        skip_invalid: bool = False,
    ) -> ImportPlan:
        source = self.read(paths, progress=progress, cancelled=cancelled)
        return self.plan(source, skip_invalid=skip_invalid)

    def apply(
        self,
        plan: ImportPlan,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        skip_invalid: bool = False,
    ) -> ImportReport:
        """Write ``plan``, which a person saw, in one transaction: all of it, or (failure, cancel) nothing.

        Refused when the stories moved since the plan was made (the person previews again), and when its
        source had invalid entries and the person did not choose to skip them.
        """
        refuse_invalid(plan.source, skip_invalid=skip_invalid)
        with self._db.write(self._identity.name) as session:
            import_lock(session.connection())  # PostgreSQL: imports queue, as behind SQLite's write lock
            return write_plan(session, plan, progress=progress, cancelled=cancelled)

    def import_source(
        self,
        source: ImportSource,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        skip_invalid: bool = False,
    ) -> tuple[ImportPlan, ImportReport]:
        """Plan and write ``source`` in one write transaction, for imports nobody previewed (scripts).

        Another writer (a second script, a window) only makes it wait for the write lock; the plan it
        writes is the one made under that lock, so there is no stale preview to refuse. Invalid entries
        refuse the whole import unless ``skip_invalid``.
        """
        refuse_invalid(source, skip_invalid=skip_invalid)
        with self._db.write(self._identity.name) as session:
            import_lock(session.connection())  # PostgreSQL: imports queue, as behind SQLite's write lock
            return plan_and_write(session, source, progress=progress, cancelled=cancelled)

    def import_path(self, paths: Path | Sequence[Path], *, skip_invalid: bool = False) -> ImportReport:
        return self.import_source(self.read(paths), skip_invalid=skip_invalid)[1]

    def import_jsonl(self, path: Path, *, skip_invalid: bool = False) -> ImportReport:
        """A JSON Lines file whatever its name ends with."""
        return self.import_source(read_jsonl(path), skip_invalid=skip_invalid)[1]


def write_records(session: Session, source: ImportSource, *, name: str | None = None) -> ImportReport:
    """Plan and write ``source`` inside the caller's transaction (the demo seeding uses it)."""
    refuse_invalid(source, skip_invalid=False)
    if name is not None:
        source = ImportSource(name, source.kind, source.records, source.title)
    return plan_and_write(session, source)[1]
