"""Scheduled layout variants of a section (issue 16): add, change, remove, list; which is live, the timeline.

A variant is a second block of the same section (``services.sections`` edits it: pass its id as
``variant_id``), live inside its window (``domain.schedule``). Every change here dirties the section, so
its version moves (and the live desks hear of it) as for any change of its block.

Windows may not overlap: ``add`` and ``change`` refuse it unless asked to allow it (the window's editor may
keep a draft overlap and the checklist then refuses the export until it is fixed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import NotFoundError, Problem, ValidationError
from ca_editor.domain.model import SectionLayout, SlotEntry
from ca_editor.domain.schedule import (
    LayoutVariant,
    Segment,
    live_variant,
    name_problem,
    timeline_days,
    variant_slug,
    window_problem,
)
from ca_editor.persistence.database import Database
from ca_editor.persistence.mapping import variant_from_row
from ca_editor.persistence.models import LayoutVariantRow
from ca_editor.services.identity import Identity
from ca_editor.services.sections import _touch, lock_section, read_layout, write_block
from ca_editor.services.variant_slots import layout_lines, read_lines

MAIN = "main"  # how people name the main layout (``--copy-from main``)


@dataclass(frozen=True, slots=True)
class Window:
    """A variant's name and window as someone asks for them (aware datetimes; ``ends_at`` None: open)."""

    name: str
    starts_at: datetime
    ends_at: datetime | None = None


class VariantService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._db.write(self._identity.name) as session:
            yield session

    def variants(self, section_id: int) -> list[LayoutVariant]:
        """The section's variants in start order."""
        with self._db.read() as session:
            return variants_of(session, section_id)

    def find(self, section_id: int, name: str) -> LayoutVariant:
        """The variant called ``name`` (or whose page slug it is); NotFoundError naming those there are."""
        found = self.variants(section_id)
        wanted = name.strip().casefold()
        for variant in found:
            if variant.name.casefold() == wanted or variant.slug == wanted:
                return variant
        names = ", ".join(f"'{v.name}'" for v in found) or "none"
        raise NotFoundError(f"the section has no variant '{name}' (its variants: {names})")

    def add(
        self,
        section_id: int,
        window: Window,
        *,
        copy_from: int | str | None = None,
        allow_overlap: bool = False,
    ) -> LayoutVariant:
        """A new variant; ``copy_from``: ``MAIN`` or a variant id whose block it starts with (else empty)."""
        with self._write() as session:
            section = lock_section(session, section_id)
            existing = variants_of(session, section_id)
            _refuse(window, existing, None, allow_overlap)
            by = self._identity.name
            row = LayoutVariantRow(
                section_id=section_id,
                name=window.name.strip(),
                slug=variant_slug(window.name),
                starts_at=window.starts_at.astimezone(UTC),
                ends_at=window.ends_at.astimezone(UTC) if window.ends_at else None,
                created_by=by,
                updated_by=by,
            )
            session.add(row)
            session.flush()
            if copy_from is not None:
                source_id = None if copy_from == MAIN else int(copy_from)
                entries = read_layout(session, section_id, source_id).entries()
                write_block(section, entries, remember_only=(), block=row)
            _touch(section)
            return variant_from_row(row)

    def change(
        self, section_id: int, variant_id: int, window: Window, *, allow_overlap: bool = False
    ) -> LayoutVariant:
        """Rename the variant or move its window."""
        with self._write() as session:
            section = lock_section(session, section_id)
            row = _row(session, section_id, variant_id)
            _refuse(window, variants_of(session, section_id), variant_id, allow_overlap)
            row.name = window.name.strip()
            row.slug = variant_slug(window.name)
            row.starts_at = window.starts_at.astimezone(UTC)
            row.ends_at = window.ends_at.astimezone(UTC) if window.ends_at else None
            row.updated_by = self._identity.name
            _touch(section)
            session.flush()
            return variant_from_row(row)

    def remove(self, section_id: int, variant_id: int) -> None:
        """Delete the variant with its block, former slots and snapshots (sign-offs)."""
        with self._write() as session:
            section = lock_section(session, section_id)
            session.delete(_row(session, section_id, variant_id))
            _touch(section)

    def live_at(self, section_id: int, moment: datetime) -> LayoutVariant | None:
        """The variant live at ``moment``; None: the main layout."""
        return live_variant(self.variants(section_id), moment)

    def layout_as_of(self, section_id: int, moment: datetime) -> SectionLayout:
        """The block the page shows at ``moment`` (the preview "as of", the export's ``index.html``)."""
        with self._db.read() as session:
            return layout_as_of(session, section_id, moment)

    def timeline(self, section_id: int, start: datetime, days: int = 7) -> tuple[Segment, ...]:
        """Which layout is live when over the next ``days`` days from ``start``, gaps and overlaps marked."""
        return timeline_days(self.variants(section_id), start, days)

    def replace_slots(
        self, section_id: int, variant_id: int | None, entries: tuple[SlotEntry, ...]
    ) -> SectionLayout:
        """Make a layout's block exactly ``entries`` (an import): ``SectionService.replace_slots``' path."""
        with self._write() as session:
            section = lock_section(session, section_id)
            block = section if variant_id is None else _row(session, section_id, variant_id)
            return write_block(section, entries, block=block)

    def export_slots(self, section_id: int, variant_id: int | None) -> list[str]:
        """The layout's block (None: the main one) as JSON Lines (``services.variant_slots``)."""
        with self._db.read() as session:
            return layout_lines(read_layout(session, section_id, variant_id))

    def import_slots(self, section_id: int, variant_id: int | None, lines: Iterable[str]) -> SectionLayout:
        """Make the layout's block what the JSON Lines say, all or nothing."""
        with self._write() as session:
            entries = read_lines(session, lines)
            section = lock_section(session, section_id)
            block = section if variant_id is None else _row(session, section_id, variant_id)
            return write_block(section, entries, block=block)


def variants_of(session: Session, section_id: int) -> list[LayoutVariant]:
    rows = session.scalars(
        select(LayoutVariantRow)
        .where(LayoutVariantRow.section_id == section_id)
        .order_by(LayoutVariantRow.starts_at, LayoutVariantRow.id)
    )
    return [variant_from_row(row) for row in rows]


def layout_as_of(session: Session, section_id: int, moment: datetime) -> SectionLayout:
    """The layout live at ``moment``, in the caller's unit of work."""
    live = live_variant(variants_of(session, section_id), moment)
    return read_layout(session, section_id, live.id if live is not None else None)


def _row(session: Session, section_id: int, variant_id: int) -> LayoutVariantRow:
    row = session.get(LayoutVariantRow, variant_id)
    if row is None or row.section_id != section_id:
        raise NotFoundError(f"variant {variant_id} no longer exists")
    return row


def _refuse(window: Window, existing: list[LayoutVariant], itself: int | None, allow_overlap: bool) -> None:
    problems = []
    named = name_problem(window.name)
    if named:
        problems.append(Problem("name", named))
    timed = window_problem(window.starts_at, window.ends_at)
    if timed:
        problems.append(Problem("window", timed))
    others = [v for v in existing if v.id != itself]
    slug = variant_slug(window.name)
    clash = next((v for v in others if v.slug == slug), None)
    if clash is not None and not named:
        problems.append(
            Problem("name", f"'{window.name}' would share the page variants/{slug}.html with '{clash.name}'")
        )
    if not problems and not allow_overlap:
        probe = LayoutVariant(0, 0, window.name, window.starts_at, window.ends_at)
        overlapped = [v for v in others if v.overlaps(probe)]
        if overlapped:
            names = ", ".join(f"'{v.name}'" for v in overlapped)
            problems.append(
                Problem("window", f"overlaps {names}: one layout is live at a time; move a window")
            )
    if problems:
        raise ValidationError(problems)
