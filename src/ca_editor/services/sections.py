"""The section and its editor's-choice block: read the layout; write the whole block (``replace_slots``).

Every change of the block (assign, remove, move, override, undo, restore) is worked out by the desk with
``domain.ordering`` and written whole, in one transaction, by ``replace_slots``: one write path.

The block is the section's ``slots`` rows, ``position`` 0-based and contiguous (renumbered in place, so
nothing is UNIQUE on it), at most ``slot_count`` of them; empty slots are the difference. Page-only
overrides (headline, summary, image and its focal point) live on the slot and never touch the story. A
story taken out is remembered in ``former_slots`` with the overrides it had, for "previously in editor's
choice". Any slot change dirties its section, so the block has one version: ``replace_slots`` (what the
desk's undo commands call with the whole block before or after) refuses a block someone changed since.

A section's scheduled variants (issue 16) are blocks too: the calls here take ``variant_id`` (None: the
main layout) and run the same code on that variant's rows: one write path for every layout. A change of a
variant's block moves its section's version like any other.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ca_editor.domain.errors import ConflictError, ConflictKind, NotFoundError, Problem, ValidationError
from ca_editor.domain.focus import focus_error
from ca_editor.domain.model import FormerSlot, Section, SectionLayout, SlotEntry, SlotOverrides
from ca_editor.domain.validation import unprintable_character
from ca_editor.persistence.database import Database, actor_of
from ca_editor.persistence.mapping import (
    focus_of,
    section_from_row,
    slot_from_row,
    summary_from_columns,
    variant_from_row,
)
from ca_editor.persistence.models import (
    AssetRow,
    FormerSlotRow,
    LayoutVariantRow,
    SectionRow,
    SlotRow,
    StoryRow,
    utcnow,
)
from ca_editor.persistence.people import shown_name
from ca_editor.services.identity import Identity

MAX_OVERRIDE_HEADLINE, MAX_OVERRIDE_SUMMARY = 300, 2_000


class SectionService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        try:
            with self._db.write(self._identity.name) as session:
                yield session
        except StaleDataError as exc:  # the version moved between our read and our write (a server database)
            raise ConflictError(
                "the editor's choice was changed by someone else while saving; it was reloaded",
                kind=ConflictKind.LAYOUT,
            ) from exc

    def sections(self) -> list[Section]:
        with self._db.read() as session:
            return [section_from_row(r) for r in session.scalars(select(SectionRow).order_by(SectionRow.id))]

    def live_sections(self) -> list[Section]:
        """The sections not archived, the main (first) one first: for ``export --all`` and the switcher."""
        return [section for section in self.sections() if not section.archived]

    def layout(self, section_id: int, variant_id: int | None = None) -> SectionLayout:
        with self._db.read() as session:
            return read_layout(session, section_id, variant_id)

    def replace_slots(
        self,
        section_id: int,
        entries: Sequence[SlotEntry],
        *,
        expected_version: int | None = None,
        remember_only: Collection[int] | None = None,
        variant_id: int | None = None,
    ) -> SectionLayout:
        """Make the block exactly ``entries``, in order: the one primitive behind undo, redo and restore.

        Slots whose story stays keep their identity; stories that leave go to the 'previously in editor's
        choice' list (only those in ``remember_only``, when given: undoing an addition must not list the
        story as taken out). With ``expected_version``, a block changed by someone else since is refused.
        """
        with self._write() as session:
            section = lock_section(session, section_id)
            if expected_version is not None:
                refuse_if_changed(section, expected_version, f"the editor's choice of '{section.title}'")
            return write_block(section, entries, remember_only, block_of(session, section, variant_id))

    def former(self, section_id: int, limit: int = 200, variant_id: int | None = None) -> list[FormerSlot]:
        """Stories taken out of the block, most recently removed first."""
        with self._db.read() as session:
            rows = session.scalars(
                select(FormerSlotRow)
                .where(FormerSlotRow.section_id == section_id, _of_variant(FormerSlotRow, variant_id))
                .order_by(FormerSlotRow.removed_at.desc(), FormerSlotRow.id.desc())
                .limit(limit)
            )
            return [_former_from_row(row) for row in rows]


def write_block(
    section: SectionRow,
    entries: Sequence[SlotEntry],
    remember_only: Collection[int] | None = None,
    block: SectionRow | LayoutVariantRow | None = None,
) -> SectionLayout:
    """``replace_slots``' work inside the caller's transaction, on a section it locked (``lock_section``):
    a check-in writes the block in the same transaction as its stories (``services/checkin_apply.py``).
    ``block``: the variant whose block it is (``block_of``); None: the main layout."""
    session = Session.object_session(section)
    assert session is not None
    block = section if block is None else block
    if len(entries) > section.slot_count:
        raise ValidationError(
            [Problem("slots", f"the block holds {section.slot_count} stories, not {len(entries)}")]
        )
    reusable: dict[int, list[SlotRow]] = {}
    for slot in block.slots:
        reusable.setdefault(slot.story_id, []).append(slot)
    order: list[SlotRow] = []
    for entry in entries:
        story = session.get(StoryRow, entry.story_id)
        if story is None:
            raise NotFoundError(f"story {entry.story_id} no longer exists; the block was not changed")
        candidates = reusable.get(entry.story_id)
        slot = (
            candidates.pop(0)
            if candidates
            else SlotRow(section_id=section.id, story=story, position=len(order))
        )
        _apply_entry(session, slot, entry)
        order.append(slot)
    _apply_order(section, order, remember_only, block)
    return _layout(section, block)


def read_layout(session: Session, section_id: int, variant_id: int | None = None) -> SectionLayout:
    """The section and its block (the main one, or ``variant_id``'s) in slot order, in the caller's unit of
    work."""
    section = _section(session, section_id)
    return _layout(section, block_of(session, section, variant_id))


def block_of(session: Session, section: SectionRow, variant_id: int | None) -> SectionRow | LayoutVariantRow:
    """The row whose ``slots`` are the block: the section (main layout) or one of its variants."""
    if variant_id is None:
        return section
    variant = session.get(LayoutVariantRow, variant_id)
    if variant is None or variant.section_id != section.id:
        raise NotFoundError(f"variant {variant_id} of '{section.title}' no longer exists")
    return variant


def close_gaps(session: Session, section_id: int) -> None:
    """Renumber each of a section's blocks 0..n-1 after rows vanished underneath it (a deleted story)."""
    section = _locked(session, section_id)
    if section is None:
        return
    variants = session.scalars(select(LayoutVariantRow).where(LayoutVariantRow.section_id == section_id))
    for block in (section, *variants):
        session.refresh(block, ["slots"])
        _apply_order(section, sorted(block.slots, key=lambda s: (s.position, s.id)), block=block)


def trim_variant_blocks(session: Session, section: SectionRow, slot_count: int) -> None:
    """Cut each of the section's variants' blocks to ``slot_count`` slots (fewer slots: the main block is
    cut by its caller); the stories that leave go to that variant's 'previously' list."""
    variants = session.scalars(select(LayoutVariantRow).where(LayoutVariantRow.section_id == section.id))
    for variant in variants:
        ordered = sorted(variant.slots, key=lambda s: (s.position, s.id))
        if len(ordered) > slot_count:
            _apply_order(section, ordered[:slot_count], block=variant)


def _check_overrides(overrides: SlotOverrides) -> list[Problem]:
    problems = []
    if overrides.headline is not None and not overrides.headline.strip():
        problems.append(
            Problem("headline", "an override headline cannot be blank; clear the override instead")
        )
    if overrides.headline is not None and len(overrides.headline) > MAX_OVERRIDE_HEADLINE:
        problems.append(Problem("headline", f"is longer than {MAX_OVERRIDE_HEADLINE} characters"))
    if overrides.summary is not None and len(overrides.summary) > MAX_OVERRIDE_SUMMARY:
        problems.append(Problem("summary", f"is longer than {MAX_OVERRIDE_SUMMARY:,} characters"))
    texts = {
        "headline": overrides.headline,
        "summary": overrides.summary,
        "image_alt": overrides.image.alt if overrides.image else None,
    }
    for name, text in texts.items():
        message = unprintable_character(text) if text else None
        if message:
            problems.append(Problem(name, message))
    focus_problem = focus_error(overrides.image.focus) if overrides.image else None
    if focus_problem:
        problems.append(Problem("image_focus", focus_problem))
    return problems


def _set_override_focus(row: SlotRow | FormerSlotRow, focus: tuple[float, float] | None) -> None:
    row.image_override_focus_x, row.image_override_focus_y = focus if focus is not None else (None, None)


def refuse_if_changed(section: SectionRow, expected_version: int, subject: str) -> None:
    """Refuse a write over a section (its block or settings) someone changed since ``expected_version``."""
    if section.version != expected_version:
        raise ConflictError.changed_since_opened(
            subject,
            kind=ConflictKind.LAYOUT,
            subject_id=section.id,
            who=shown_name(Session.object_session(section), section.updated_by),
            when=section.updated_at,
            current_version=section.version,
            then="reload to see it",
        )


def lock_section(session: Session, section_id: int) -> SectionRow:
    """The section's row, locked until the write transaction ends: every write of a section's block (or of
    what is checked against it, a sign-off) starts here, so two workstations' writes of one section run one
    after the other, each seeing the other's committed block and version (no lost update, no deadlock
    between their slot rows). PostgreSQL: ``SELECT … FOR UPDATE``; SQLite renders no FOR UPDATE, and needs
    none: its writers hold the whole file from ``BEGIN IMMEDIATE`` on."""
    row = _locked(session, section_id)
    if row is None:
        raise NotFoundError(f"section {section_id} does not exist")
    return row


def _locked(session: Session, section_id: int) -> SectionRow | None:
    return session.get(SectionRow, section_id, with_for_update=True, populate_existing=True)


def _section(session: Session, section_id: int) -> SectionRow:
    row = session.get(SectionRow, section_id)
    if row is None:
        raise NotFoundError(f"section {section_id} does not exist")
    return row


def _apply_order(
    section: SectionRow,
    order: Sequence[SlotRow],
    remember_only: Collection[int] | None = None,
    block: SectionRow | LayoutVariantRow | None = None,
) -> None:
    session = Session.object_session(section)
    assert session is not None
    block = section if block is None else block
    variant_id = block.id if isinstance(block, LayoutVariantRow) else None
    staying = {slot.story.id for slot in order}
    departed = [slot for slot in block.slots if slot.story.id not in staying]
    if remember_only is not None:
        departed = [slot for slot in departed if slot.story.id in remember_only]
    for index, slot in enumerate(order):
        slot.position = index
    _remember_departures(session, section, departed, variant_id)
    if staying:  # a story back in the block is no longer 'previously' in it
        session.execute(
            delete(FormerSlotRow).where(
                FormerSlotRow.section_id == section.id,
                _of_variant(FormerSlotRow, variant_id),
                FormerSlotRow.story_id.in_(staying),
            )
        )
    block.slots[:] = list(order)
    _touch(section)
    session.flush()


def _of_variant(table: type[FormerSlotRow] | type[SlotRow], variant_id: int | None) -> ColumnElement[bool]:
    """Rows of one layout: the main one (``variant_id`` NULL) or the variant's."""
    column = table.variant_id
    return column.is_(None) if variant_id is None else column == variant_id


def _remember_departures(
    session: Session, section: SectionRow, departed: Sequence[SlotRow], variant_id: int | None
) -> None:
    for slot in departed:
        row = session.scalar(
            select(FormerSlotRow).where(
                FormerSlotRow.section_id == section.id,
                _of_variant(FormerSlotRow, variant_id),
                FormerSlotRow.story_id == slot.story.id,
            )
        )
        if row is None:
            row = FormerSlotRow(section_id=section.id, variant_id=variant_id, story_id=slot.story.id)
            session.add(row)
        row.last_position = slot.position
        row.removed_at = utcnow()
        row.headline_override = slot.headline_override
        row.summary_override = slot.summary_override
        row.image_override_sha256 = slot.image_override.sha256 if slot.image_override else None
        row.image_override_alt = slot.image_override_alt
        row.image_override_focus_x = slot.image_override_focus_x
        row.image_override_focus_y = slot.image_override_focus_y


def _apply_entry(session: Session, slot: SlotRow, entry: SlotEntry) -> None:
    problems = _check_overrides(SlotOverrides(entry.headline, entry.summary, None))
    alt_problem = unprintable_character(entry.image_alt) if entry.image_alt else None
    if alt_problem:
        problems.append(Problem("image_alt", alt_problem))
    focus_problem = focus_error(entry.image_focus)
    if focus_problem:
        problems.append(Problem("image_focus", focus_problem))
    if problems:
        raise ValidationError(problems)
    slot.headline_override = entry.headline
    slot.summary_override = entry.summary
    if entry.image_sha256 is not None:
        asset = session.get(AssetRow, entry.image_sha256)
        if asset is None:
            raise ValidationError([Problem("image", "the chosen image is not in the database")])
        slot.image_override = asset
        slot.image_override_alt = entry.image_alt or ""
        _set_override_focus(slot, entry.image_focus)
    else:
        slot.image_override = None
        slot.image_override_alt = None
        _set_override_focus(slot, None)


def _former_from_row(row: FormerSlotRow) -> FormerSlot:
    story = row.story
    summary = summary_from_columns(story.id, story.slug, story.title, story.published_at, story.status, False)
    entry = SlotEntry(
        story.id,
        row.headline_override,
        row.summary_override,
        row.image_override_sha256,
        row.image_override_alt,
        focus_of(row.image_override_focus_x, row.image_override_focus_y),
    )
    return FormerSlot(summary, row.last_position + 1, row.removed_at, entry)


def _touch(section: SectionRow) -> None:
    # Dirtying the section bumps its version: the layout is one thing that two editors can collide on.
    section.updated_at = utcnow()
    session = Session.object_session(section)
    actor = actor_of(session) if session is not None else ""
    if actor:
        section.updated_by = actor


def _layout(section: SectionRow, block: SectionRow | LayoutVariantRow | None = None) -> SectionLayout:
    block = section if block is None else block
    slots = sorted(block.slots, key=lambda s: (s.position, s.id))
    variant = variant_from_row(block) if isinstance(block, LayoutVariantRow) else None
    return SectionLayout(section_from_row(section), tuple(slot_from_row(s) for s in slots), variant)
