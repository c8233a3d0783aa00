"""Layout snapshots: record the block at a sign-off, a send-back or an export; list and read them back.

``take_snapshot`` works inside a caller's transaction, so an export can record the layout it wrote in the
same read it wrote it from.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ca_editor.domain.errors import NotAllowedError, NotFoundError
from ca_editor.domain.model import SectionLayout
from ca_editor.domain.snapshots import LayoutSnapshot, SnapshotContent, SnapshotKind, SnapshotStory
from ca_editor.persistence import people
from ca_editor.persistence.database import Database, actor_of
from ca_editor.persistence.models import LayoutSnapshotRow, SignOffRow, utcnow
from ca_editor.persistence.people import is_shared, shown_name
from ca_editor.services.identity import Identity
from ca_editor.services.sections import read_layout

MAX_NOTE = 4_000


class SnapshotService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    def take(
        self, section_id: int, kind: SnapshotKind, note: str = "", variant_id: int | None = None
    ) -> LayoutSnapshot:
        """Record the section's current block (or ``variant_id``'s) as a snapshot of ``kind`` by the user."""
        with self._db.write(self._identity.name) as session:
            return take_snapshot(session, section_id, kind, self._identity.name, note, variant_id)

    def list(
        self,
        section_id: int,
        kinds: Collection[SnapshotKind] | None = None,
        limit: int = 500,
        variant_id: int | None = None,
    ) -> list[LayoutSnapshot]:
        """Snapshots of the section's main layout (or of ``variant_id``), newest first."""
        with self._db.read() as session:
            stmt = select(LayoutSnapshotRow).where(
                LayoutSnapshotRow.section_id == section_id, of_layout(variant_id)
            )
            if kinds is not None:
                stmt = stmt.where(LayoutSnapshotRow.kind.in_([k.value for k in kinds]))
            stmt = stmt.order_by(LayoutSnapshotRow.taken_at.desc(), LayoutSnapshotRow.id.desc()).limit(limit)
            return [snapshot_from_row(row) for row in session.scalars(stmt)]

    def latest(
        self, section_id: int, kind: SnapshotKind, variant_id: int | None = None
    ) -> LayoutSnapshot | None:
        found = self.list(section_id, [kind], limit=1, variant_id=variant_id)
        return found[0] if found else None

    def get(self, snapshot_id: int) -> LayoutSnapshot:
        with self._db.read() as session:
            row = session.get(LayoutSnapshotRow, snapshot_id)
            if row is None:
                raise NotFoundError(f"layout snapshot {snapshot_id} does not exist")
            return snapshot_from_row(row)

    def current(self, section_id: int, variant_id: int | None = None) -> SnapshotContent:
        """The block as it is now, in snapshot form: what 'changes since' compares against."""
        with self._db.read() as session:
            return current_content(session, section_id, variant_id)


def of_layout(variant_id: int | None) -> ColumnElement[bool]:
    """Snapshots of one layout: the main one (``variant_id`` NULL) or a variant's: sign-off is per layout."""
    column = LayoutSnapshotRow.variant_id
    return column.is_(None) if variant_id is None else column == variant_id


def current_content(session: Session, section_id: int, variant_id: int | None = None) -> SnapshotContent:
    return content_of(read_layout(session, section_id, variant_id))


def content_of(layout: SectionLayout) -> SnapshotContent:
    section = layout.section
    stories = {slot.story.id: SnapshotStory.of(slot.story) for slot in layout.slots}
    return SnapshotContent(
        section.title,
        section.description,
        section.slot_count,
        layout.entries(),
        stories,
        section_slug=section.slug,
        teaser_limit=section.teaser_limit or 0,  # 0: the advice is off (None means "not recorded")
    )


def take_snapshot(
    session: Session,
    section_id: int,
    kind: SnapshotKind,
    by: str,
    note: str = "",
    variant_id: int | None = None,
) -> LayoutSnapshot:
    """Record the block (the main one, or ``variant_id``'s) as it stands in ``session`` (flushed, not
    committed: the caller's transaction)."""
    layout = read_layout(session, section_id, variant_id)
    content = content_of(layout)
    version = layout.section.version
    row = LayoutSnapshotRow(
        section_id=section_id,
        variant_id=variant_id,
        kind=kind.value,
        taken_at=utcnow(),
        taken_by=actor_of(session) if is_shared(session) else by,  # the login on a server
        note=note.strip()[:MAX_NOTE],
        section_version=version,
        content=content.to_json(),
    )
    if kind is SnapshotKind.SIGN_OFF:
        _refuse_unless_chief(session, section_id)
    session.add(row)
    session.flush()
    snapshot = snapshot_from_row(row)
    if kind is SnapshotKind.SIGN_OFF:
        _record_sign_off(session, snapshot, row.taken_by)
    return snapshot


def snapshot_from_row(row: LayoutSnapshotRow) -> LayoutSnapshot:
    return LayoutSnapshot(
        id=row.id,
        section_id=row.section_id,
        kind=SnapshotKind(row.kind),
        taken_at=row.taken_at,
        taken_by=shown_name(Session.object_session(row), row.taken_by),
        note=row.note,
        section_version=row.section_version,
        content=SnapshotContent.from_json(row.content),
        variant_id=row.variant_id,
    )


def _refuse_unless_chief(session: Session, section_id: int) -> None:
    """On a shared desk whose section names desk chiefs, only their sign-off is taken (SQLite: anyone)."""
    if not people.is_shared(session):
        return
    chiefs = people.chiefs(session, section_id)
    login = actor_of(session)
    if chiefs and login not in chiefs:
        names = ", ".join(f"{people.shown_name(session, c)} ({c})" for c in chiefs)
        raise NotAllowedError(
            f"Only this section's desk chiefs can sign off its layout: {names}. Your login '{login}' is not "
            "one of them; ask a desk chief to review it, or send it back."
        )


def _record_sign_off(session: Session, snapshot: LayoutSnapshot, login: str) -> None:
    """The ``sign_offs`` row beside the snapshot: what a role without the right to sign off cannot write."""
    session.add(SignOffRow(snapshot_id=snapshot.id, signed_by=login))
    try:
        session.flush()
    except DBAPIError as exc:
        if people.permission_denied(exc):
            raise NotAllowedError(
                f"Your database login '{login}' may read and edit but not sign off (its grants do not allow "
                "it), so nothing was signed off. Ask a desk chief to review the layout."
            ) from exc
        raise
