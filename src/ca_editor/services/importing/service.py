"""The import use case: read and plan (no writes), then write the plan in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from ca_editor.persistence.database import Database
from ca_editor.services.identity import Identity
from ca_editor.services.importing.apply import ImportReport, SessionLookup, write_plan
from ca_editor.services.importing.jsonl import read_jsonl
from ca_editor.services.importing.plan import ImportPlan, make_plan
from ca_editor.services.importing.records import Cancelled, ImportSource, Progress
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
        """Read and check what ``paths`` hold; ``ImportFailedError`` names the entry and field at fault."""
        chosen = [paths] if isinstance(paths, Path) else list(paths)
        return read_paths(chosen, progress=progress, cancelled=cancelled)

    def plan(self, source: ImportSource) -> ImportPlan:
        """What importing ``source`` would add, update and skip, and why; writes nothing."""
        with self._db.read() as session:
            return make_plan(source, SessionLookup(session, source.records))

    def preview(
        self,
        paths: Path | Sequence[Path],
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportPlan:
        return self.plan(self.read(paths, progress=progress, cancelled=cancelled))

    def apply(
        self, plan: ImportPlan, *, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> ImportReport:
        """Write ``plan`` in one transaction: all of it, or (failure, cancel) nothing."""
        with self._db.write(self._identity.name) as session:
            return write_plan(session, plan, progress=progress, cancelled=cancelled)

    def import_path(self, paths: Path | Sequence[Path]) -> ImportReport:
        return self.apply(self.preview(paths))

    def import_jsonl(self, path: Path) -> ImportReport:
        """A JSON Lines file whatever its name ends with."""
        return self.apply(self.plan(read_jsonl(path)))


def write_records(session: Session, source: ImportSource, *, name: str | None = None) -> ImportReport:
    """Plan and write ``source`` inside the caller's transaction (the demo seeding uses it)."""
    plan = make_plan(source, SessionLookup(session, source.records))
    if name is not None:
        plan = ImportPlan(ImportSource(name, source.kind, source.records, source.title), plan.entries)
    return write_plan(session, plan)
