"""Writing a plan: inside the caller's one transaction, checked against a fresh plan, cancellable.

A plan a person saw (the window's preview) is computed again inside the write transaction (``BEGIN
IMMEDIATE`` on SQLite, so nothing moves under it) and must match: a story edited or created since the
preview makes the import refuse, rather than write something nobody agreed to. A script's import (the
command line, ``import_path``) saw no preview: ``plan_and_write`` plans inside the write transaction and
writes that plan, so another writer busy on the same stories only makes it wait, never fail. Any failure
or a cancel raises, and the caller's unit of work rolls everything back: nothing of the import is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import ImportFailedError, ValidationError
from ca_editor.domain.model import StoryFields
from ca_editor.domain.text import shorten
from ca_editor.persistence.mapping import story_from_row
from ca_editor.persistence.models import StoryRow
from ca_editor.services.images import store_image
from ca_editor.services.importing.plan import Action, ExistingStory, ImportPlan, make_plan
from ca_editor.services.importing.records import (
    Cancelled,
    ImportCancelledError,
    ImportRecord,
    ImportSource,
    InvalidEntry,
    Progress,
)
from ca_editor.services.stories import apply_fields

_CHUNK = 500  # bound parameters per IN (...) query


@dataclass(frozen=True, slots=True)
class ImportReport:
    source: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    invalid: tuple[InvalidEntry, ...] = ()  # left out because the person chose to skip invalid entries

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated)

    def summary(self) -> str:
        left_out = f", {len(self.invalid):,} invalid left out" if self.invalid else ""
        return (
            f"{len(self.created):,} created, {len(self.updated):,} updated, "
            f"{len(self.skipped):,} skipped{left_out}"
        )


class SessionLookup:
    """``StoryLookup`` over a session: the stories any record could match are fetched in a few queries."""

    def __init__(self, session: Session, records: Iterable[ImportRecord] = ()) -> None:
        self._session = session
        self._guid: dict[str, ExistingStory] = {}
        self._link: dict[str, ExistingStory] = {}
        self._slug: dict[str, ExistingStory | None] = {}
        records = list(records)
        self._fetch(StoryRow.source_guid, {r.source_guid for r in records if r.source_guid})
        self._fetch(StoryRow.source_link, {r.source_link for r in records if r.source_link})
        self._fetch(StoryRow.slug, {r.fields.slug for r in records})
        for record in records:
            self._slug.setdefault(record.fields.slug, None)  # known to be free

    def _fetch(self, column: object, values: set[str]) -> None:
        ordered = sorted(values)
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            for row in self._session.scalars(select(StoryRow).where(column.in_(chunk))):  # type: ignore[attr-defined]
                self._remember(row)

    def _remember(self, row: StoryRow) -> ExistingStory:
        story = ExistingStory(
            row.id, row.version, story_from_row(row).fields(), row.source_guid, row.source_link
        )
        if row.source_guid:
            self._guid.setdefault(row.source_guid, story)
        if row.source_link:
            self._link.setdefault(row.source_link, story)
        self._slug[row.slug] = story
        return story

    def by_guid(self, guid: str) -> ExistingStory | None:
        return self._guid.get(guid)

    def by_link(self, link: str) -> ExistingStory | None:
        return self._link.get(link)

    def by_slug(self, slug: str) -> ExistingStory | None:
        if slug not in self._slug:  # a suffixed candidate ('-2') nobody fetched yet
            row = self._session.scalar(select(StoryRow).where(StoryRow.slug == slug))
            self._slug[slug] = self._remember(row) if row is not None else None
        return self._slug[slug]


def write_plan(
    session: Session,
    plan: ImportPlan,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Write ``plan``, which a person saw, inside the caller's transaction, refusing when it is stale.

    Raises (so the transaction rolls back) on any problem or cancel.
    """
    fresh = make_plan(plan.source, SessionLookup(session, plan.source.records))
    if fresh.decisions() != plan.decisions():
        changed = next(
            (a for a, b in zip(fresh.entries, plan.entries, strict=True) if a.decision != b.decision), None
        )
        what = (
            f" ({changed.record.origin.label} is now: {changed.action}, {changed.reason})" if changed else ""
        )
        raise ImportFailedError(
            plan.source.name,
            None,
            None,
            f"the stories changed since the preview{what}; preview the import again",
        )
    return _write_entries(session, plan, progress, cancelled)


def plan_and_write(
    session: Session,
    source: ImportSource,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> tuple[ImportPlan, ImportReport]:
    """Plan ``source`` inside the caller's write transaction and write that plan: nothing moves between."""
    plan = make_plan(source, SessionLookup(session, source.records))
    return plan, _write_entries(session, plan, progress, cancelled)


def _write_entries(
    session: Session, plan: ImportPlan, progress: Progress | None, cancelled: Cancelled | None
) -> ImportReport:
    name = plan.source.name
    created: list[str] = []
    updated: list[str] = []
    skipped: list[str] = []
    images: dict[Path, str] = {}
    total = len(plan.entries)
    for done, entry in enumerate(plan.entries, start=1):
        if cancelled is not None and cancelled():
            raise ImportCancelledError
        if entry.action is Action.SKIP:
            skipped.append(entry.slug)
        else:
            _write_entry(session, entry.record, entry.fields, entry.story_id, images)
            (created if entry.action is Action.ADD else updated).append(entry.slug)
        if progress is not None:
            progress(done, total)
    return ImportReport(name, tuple(created), tuple(updated), tuple(skipped), plan.source.invalid)


def _write_entry(
    session: Session,
    record: ImportRecord,
    fields: StoryFields,
    story_id: int | None,
    images: dict[Path, str],
) -> None:
    origin = record.origin
    try:
        if record.image_path is not None:
            if record.image_path not in images:
                data = _read_image(record)
                name = f"the image '{shorten(record.image_name, 60)}'"
                images[record.image_path] = store_image(session, data, name=name).sha256
            fields = replace(fields, image_sha256=images[record.image_path])
        row = StoryRow() if story_id is None else session.get(StoryRow, story_id)
        if row is None:
            raise origin.fail(None, f"story #{story_id} was deleted since the preview")
        apply_fields(session, row, fields)
        if record.source_guid:
            row.source_guid = record.source_guid
        if record.source_link:
            row.source_link = record.source_link
        session.add(row)  # only now: an autoflush must never see a half-filled row
        session.flush()
    except ValidationError as exc:
        problem = exc.problems[0]
        raise origin.fail(problem.field, problem.message) from exc


def _read_image(record: ImportRecord) -> bytes:
    assert record.image_path is not None
    try:
        return record.image_path.read_bytes()
    except OSError as exc:  # removed or locked between reading and writing
        message = f"cannot read '{shorten(record.image_name, 60)}' ({exc.strerror or exc})"
        raise record.origin.fail("image", message) from None
