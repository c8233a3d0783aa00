"""Review of the editor's-choice block by a desk chief: what changed since the last sign-off or export,
approve (sign off) or send back with a note, and the section's review state.

Every decision records a layout snapshot (``SnapshotKind.SIGN_OFF`` / ``SEND_BACK``) by the current user;
a sign-off also writes its ``sign_offs`` row, which the grants withhold from a role that may only edit. On
a shared desk whose section names desk chiefs, anyone else's sign-off is refused (``services.people``).
A reviewer approves what they looked at: ``sign_off`` and ``send_back`` take the content the reviewer saw
and refuse, in the same transaction that would record the decision, when the block or its stories changed
since, so nobody signs off a change they never saw.

The layout history's "restore" is planned here too (``plan_restore``): which slots of an old snapshot can
come back, and which stories no longer exist and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import ConflictError, NotFoundError, Problem, ValidationError
from ca_editor.domain.model import SlotEntry
from ca_editor.domain.release import SignOff
from ca_editor.domain.snapshots import LayoutSnapshot, SnapshotContent, SnapshotKind, SnapshotStory
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import AssetRow, LayoutSnapshotRow, SignOffRow, StoryRow
from ca_editor.services.identity import Identity
from ca_editor.services.sections import lock_section
from ca_editor.services.snapshots import (
    MAX_NOTE,
    current_content,
    of_layout,
    snapshot_from_row,
    take_snapshot,
)

if TYPE_CHECKING:
    from ca_editor.domain.layout_diff import LayoutDiff


def diff_layouts(older: SnapshotContent, newer: SnapshotContent) -> LayoutDiff:
    """``domain.layout_diff.diff_layouts``, imported on first use: the export's checklist imports this module
    for ``latest_sign_off`` alone, and the differ's module costs 10-30 ms to load."""
    from ca_editor.domain.layout_diff import diff_layouts as diff

    return diff(older, newer)


DECISIONS = (SnapshotKind.SIGN_OFF, SnapshotKind.SEND_BACK)


@dataclass(frozen=True, slots=True)
class ChangesSince:
    """The block now compared with the latest snapshot of one kind (everything is new when there is none)."""

    kind: SnapshotKind
    snapshot: LayoutSnapshot | None
    current: SnapshotContent
    diff: LayoutDiff


@dataclass(frozen=True, slots=True)
class ReviewState:
    """The section's last review decision and whether the block changed since it."""

    decision: LayoutSnapshot | None  # the latest sign-off or send-back; None: never reviewed
    changes_since: int  # changes a reviewer would see since that decision (0 when never reviewed)

    @property
    def signed_off(self) -> bool:
        return self.decision is not None and self.decision.kind is SnapshotKind.SIGN_OFF

    @property
    def sent_back(self) -> bool:
        return self.decision is not None and self.decision.kind is SnapshotKind.SEND_BACK

    @property
    def changed(self) -> bool:
        return self.changes_since > 0


@dataclass(frozen=True, slots=True)
class ReviewSheet:
    """Everything the review window shows, read in one transaction: both comparisons share ``current``."""

    current: SnapshotContent
    since_sign_off: ChangesSince
    since_export: ChangesSince
    state: ReviewState


@dataclass(frozen=True, slots=True)
class RestorePlan:
    """What restoring a snapshot would make the block: its slots, less the stories that no longer exist."""

    snapshot: LayoutSnapshot
    entries: tuple[SlotEntry, ...]
    missing: tuple[SnapshotStory, ...]  # stories of the snapshot deleted since: left out
    images_dropped: int  # page-only images no longer stored: those slots show the story's own image
    problem: str | None  # why the snapshot cannot be restored at all; None when it can

    @property
    def possible(self) -> bool:
        return self.problem is None


class ReviewService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    @property
    def reviewer(self) -> str:
        """The name a decision is recorded under."""
        return self._identity.name

    def changes_since(
        self, section_id: int, kind: SnapshotKind, variant_id: int | None = None
    ) -> ChangesSince:
        """The block now against the latest snapshot of ``kind``, read in one transaction."""
        with self._db.read() as session:
            snapshot = _latest(session, section_id, (kind,), variant_id)
            current = current_content(session, section_id, variant_id)
        baseline = snapshot.content if snapshot else _nothing_like(current)
        return ChangesSince(kind, snapshot, current, diff_layouts(baseline, current))

    def sheet(self, section_id: int, variant_id: int | None = None) -> ReviewSheet:
        """The block now, its changes since the last sign-off and since the last export, and the state;
        of the main layout, or of the scheduled variant ``variant_id`` (sign-off is per variant)."""
        with self._db.read() as session:
            current = current_content(session, section_id, variant_id)
            signed = _latest(session, section_id, (SnapshotKind.SIGN_OFF,), variant_id)
            exported = _latest(session, section_id, (SnapshotKind.EXPORT,), variant_id)
            decision = _latest(session, section_id, DECISIONS, variant_id)

        def since(kind: SnapshotKind, snapshot: LayoutSnapshot | None) -> ChangesSince:
            baseline = snapshot.content if snapshot else _nothing_like(current)
            return ChangesSince(kind, snapshot, current, diff_layouts(baseline, current))

        since_sign_off = since(SnapshotKind.SIGN_OFF, signed)
        if decision is None:
            state = ReviewState(None, 0)
        elif decision == signed:
            state = ReviewState(decision, since_sign_off.diff.count)
        else:
            state = ReviewState(decision, diff_layouts(decision.content, current).count)
        return ReviewSheet(current, since_sign_off, since(SnapshotKind.EXPORT, exported), state)

    def last_sign_off(self, section_id: int, variant_id: int | None = None) -> SignOff | None:
        """The latest sign-off and whether the block changed since, by the same comparison as ``sheet`` and
        ``state`` (the review sheet prints this); ``None`` when the section was never signed off."""
        with self._db.read() as session:
            return latest_sign_off(session, section_id, variant_id)

    def state(self, section_id: int, variant_id: int | None = None) -> ReviewState:
        with self._db.read() as session:
            decision = _latest(session, section_id, DECISIONS, variant_id)
            if decision is None:
                return ReviewState(None, 0)
            current = current_content(session, section_id, variant_id)
        return ReviewState(decision, diff_layouts(decision.content, current).count)

    def sign_off(
        self,
        section_id: int,
        note: str = "",
        reviewed: SnapshotContent | None = None,
        variant_id: int | None = None,
    ) -> LayoutSnapshot:
        """Approve the block as it stands; with ``reviewed`` (what the reviewer saw), refuse if it changed."""
        checked = _checked_note(note, required=False)
        return self._decide(section_id, SnapshotKind.SIGN_OFF, checked, reviewed, variant_id)

    def send_back(
        self,
        section_id: int,
        note: str,
        reviewed: SnapshotContent | None = None,
        variant_id: int | None = None,
    ) -> LayoutSnapshot:
        """Return the block to the desk; ``note`` (what needs to change) is required."""
        checked = _checked_note(note, required=True)
        return self._decide(section_id, SnapshotKind.SEND_BACK, checked, reviewed, variant_id)

    def compare(self, older_id: int, newer_id: int | None = None) -> LayoutDiff:
        """Two snapshots compared (older first, whatever order the ids come in); ``None``: the block now."""
        with self._db.read() as session:
            older = _snapshot(session, older_id)
            if newer_id is None:
                now = current_content(session, older.section_id, older.variant_id)
                return diff_layouts(older.content, now)
            newer = _snapshot(session, newer_id)
        if (newer.taken_at, newer.id) < (older.taken_at, older.id):
            older, newer = newer, older
        return diff_layouts(older.content, newer.content)

    def plan_restore(self, snapshot_id: int) -> RestorePlan:
        """Which of the snapshot's slots can be put back now (stories deleted since are left out)."""
        with self._db.read() as session:
            snapshot = _snapshot(session, snapshot_id)
            content = snapshot.content
            ids = {e.story_id for e in content.entries}
            existing = set(session.scalars(select(StoryRow.id).where(StoryRow.id.in_(ids)))) if ids else set()
            images = {e.image_sha256 for e in content.entries if e.image_sha256}
            stored = (
                set(session.scalars(select(AssetRow.sha256).where(AssetRow.sha256.in_(images))))
                if images
                else set()
            )
            capacity = current_content(session, snapshot.section_id).slot_count
        entries: list[SlotEntry] = []
        dropped = 0
        for entry in content.entries:
            if entry.story_id not in existing:
                continue
            if entry.image_sha256 and entry.image_sha256 not in stored:
                entry = SlotEntry(entry.story_id, entry.headline, entry.summary)
                dropped += 1
            entries.append(entry)
        missing = tuple(
            content.stories.get(i) or _unknown_story(i)
            for i in dict.fromkeys(e.story_id for e in content.entries)
        )
        missing = tuple(s for s in missing if s.id not in existing)
        problem = None
        if content.entries and not entries:
            problem = "none of the stories of that layout exist any more"
        elif len(entries) > capacity:
            problem = (
                f"that layout has {len(entries)} stories and the block now holds {capacity}; "
                "raise the number of slots first"
            )
        return RestorePlan(snapshot, tuple(entries), missing, dropped, problem)

    # --- plumbing ------------------------------------------------------------------------------------

    def _decide(
        self,
        section_id: int,
        kind: SnapshotKind,
        note: str,
        reviewed: SnapshotContent | None,
        variant_id: int | None = None,
    ) -> LayoutSnapshot:
        name = self._identity.name
        with self._db.write(name) as session:
            lock_section(session, section_id)  # no layout change slips in between the check and the record
            if reviewed is not None:
                unseen = diff_layouts(reviewed, current_content(session, section_id, variant_id))
                if not unseen.is_empty:
                    verb = "signed off" if kind is SnapshotKind.SIGN_OFF else "sent back"
                    raise ConflictError(
                        f"the layout changed while you were reviewing it ({unseen.summary().lower()}), so it "
                        f"was not {verb}; look at the changes and decide again"
                    )
            return take_snapshot(session, section_id, kind, name, note, variant_id)


def latest_sign_off(session: Session, section_id: int, variant_id: int | None = None) -> SignOff | None:
    """The latest sign-off in ``session``, ``changed_since`` as the review window counts changes (a change a
    reviewer would see: ``diff_layouts``), so the window, the status bar and the printed sheet agree."""
    signed = _latest(session, section_id, (SnapshotKind.SIGN_OFF,), variant_id)
    if signed is None:
        return None
    current = current_content(session, section_id, variant_id)
    changed = not diff_layouts(signed.content, current).is_empty
    return SignOff(signed.id, signed.taken_by, signed.taken_at, signed.note, signed.section_version, changed)


def _checked_note(note: str, *, required: bool) -> str:
    text = note.strip()
    if required and not text:
        raise ValidationError([Problem("note", "say what needs to change before sending the layout back")])
    if len(text) > MAX_NOTE:
        raise ValidationError(
            [Problem("note", f"the note is {len(text)} characters long; at most {MAX_NOTE} fit")]
        )
    return text


def _latest(
    session: Session, section_id: int, kinds: tuple[SnapshotKind, ...], variant_id: int | None = None
) -> LayoutSnapshot | None:
    """The newest snapshot of ``kinds``; a sign-off counts only with its ``sign_offs`` row (the approval the
    grants guard), so a sign-off snapshot written past the app by a role that may not sign off is no
    approval."""
    approved = exists().where(SignOffRow.snapshot_id == LayoutSnapshotRow.id)
    stmt = (
        select(LayoutSnapshotRow)
        .where(
            LayoutSnapshotRow.section_id == section_id,
            of_layout(variant_id),
            LayoutSnapshotRow.kind.in_([k.value for k in kinds]),
            or_(LayoutSnapshotRow.kind != SnapshotKind.SIGN_OFF.value, approved),
        )
        .order_by(LayoutSnapshotRow.taken_at.desc(), LayoutSnapshotRow.id.desc())
        .limit(1)
    )
    row = session.scalars(stmt).first()
    return snapshot_from_row(row) if row is not None else None


def _snapshot(session: Session, snapshot_id: int) -> LayoutSnapshot:
    row = session.get(LayoutSnapshotRow, snapshot_id)
    if row is None:
        raise NotFoundError(f"layout snapshot {snapshot_id} does not exist")
    return snapshot_from_row(row)


def _nothing_like(current: SnapshotContent) -> SnapshotContent:
    """An empty block of the same section: the baseline when there is no snapshot yet."""
    return replace(current, entries=(), stories={})  # the section's settings as they are


def _unknown_story(story_id: int) -> SnapshotStory:
    return SnapshotStory(story_id, "", f"story {story_id}", "", "", "", None, "", (), None, "", "", "", 0)
