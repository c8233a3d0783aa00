"""Create sections and change their settings (``domain.section_settings``), with the block's version check.

A settings change is a change to the section, so it bumps the section's one version like any slot change:
two editors collide on it, the export notices it (the ``sections`` triggers of 0009), and the layout diff
shows the heading, description and slot count against the last sign-off or export (the snapshot content).
Fewer slots than stories: the stories past the new count leave the block, in one transaction with the
setting, and go to "previously in editor's choice" with their page-only edits, like any story taken out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import NotFoundError, Problem, ValidationError
from ca_editor.domain.model import Section, SectionLayout, Story
from ca_editor.domain.section_settings import SectionSettings, settings_problems
from ca_editor.persistence.database import Database, actor_of
from ca_editor.persistence.mapping import section_from_row, story_from_row
from ca_editor.persistence.models import SectionRow, utcnow
from ca_editor.persistence.people import is_shared
from ca_editor.services.identity import Identity
from ca_editor.services.sections import (
    SectionService,
    _apply_order,
    _layout,
    _touch,
    lock_section,
    read_layout,
    refuse_if_changed,
    trim_variant_blocks,
)


@dataclass(frozen=True, slots=True)
class SettingsChange:
    layout: SectionLayout
    fell_out: tuple[Story, ...] = ()  # stories the lower slot count took out of the block, in page order


class SectionSettingsService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()
        self._sections = SectionService(db, self._identity)  # its write: a lost race is a layout conflict

    def by_slug(self, slug: str) -> Section:
        with self._db.read() as session:
            row = session.scalar(select(SectionRow).where(SectionRow.slug == slug))
            if row is None:
                raise NotFoundError(f"no section '{slug}'")
            return section_from_row(row)

    def would_fall_out(self, section_id: int, slot_count: int) -> list[Story]:
        """The stories a block of ``slot_count`` slots would no longer hold (ask before lowering it)."""
        with self._db.read() as session:
            return [slot.story for slot in read_layout(session, section_id).slots[max(slot_count, 0) :]]

    def change(self, section_id: int, settings: SectionSettings, *, expected_version: int) -> SettingsChange:
        """Save ``settings`` for the section, refused when someone changed the section or its block since
        ``expected_version`` (the version the caller showed); returns the layout and who fell out."""
        _refuse_problems(settings)
        with self._sections._write() as session:
            section = lock_section(session, section_id)
            refuse_if_changed(section, expected_version, f"the section '{section.title}'")
            _refuse_taken_slug(session, settings.slug, section.id)
            kept, leaving = section.slots[: settings.slot_count], section.slots[settings.slot_count :]
            fell_out = tuple(story_from_row(slot.story) for slot in leaving)
            trim_variant_blocks(session, section, settings.slot_count)  # scheduled layouts hold as many
            _apply(section, settings)
            if fell_out:  # one write, one version step: the order's flush carries the settings too
                _apply_order(section, kept)
            else:
                _touch(section)
                session.flush()
            return SettingsChange(_layout(section), fell_out)

    def archive(self, slug: str, *, archived: bool = True) -> Section:
        """Archive the section (kept with its history, no longer live) or, with ``archived=False``, bring
        it back. The desk's last live section cannot be archived: the window and ``export`` need one."""
        with self._sections._write() as session:
            found = session.scalar(select(SectionRow.id).where(SectionRow.slug == slug))
            if found is None:
                raise NotFoundError(f"no section '{slug}'")
            section = lock_section(session, found)
            if (section.archived_at is not None) == archived:
                return section_from_row(section)  # already so: nothing to record
            if archived:
                live = select(func.count(SectionRow.id)).where(SectionRow.archived_at.is_(None))
                if int(session.scalar(live) or 0) <= 1:
                    message = f"'{slug}' is the desk's only live section; create or unarchive another first"
                    raise ValidationError([Problem("section", message)])  # the CLI prints "section: …"
            section.archived_at = utcnow() if archived else None
            _touch(section)
            session.flush()
            return section_from_row(section)

    def create(self, settings: SectionSettings) -> Section:
        """A new section with an empty block."""
        _refuse_problems(settings)
        with self._sections._write() as session:
            _refuse_taken_slug(session, settings.slug, None)
            row = SectionRow(updated_by=actor_of(session) if is_shared(session) else self._identity.name)
            _apply(row, settings)
            session.add(row)
            session.flush()
            return section_from_row(row)


def _apply(row: SectionRow, settings: SectionSettings) -> None:
    row.slug = settings.slug
    row.title = settings.title.strip()
    row.description = settings.description.strip()
    row.slot_count = settings.slot_count
    row.teaser_limit = settings.teaser_limit or 0  # 0 is stored for "no advice" (persistence.models)


def _refuse_problems(settings: SectionSettings) -> None:
    problems = settings_problems(settings)
    if problems:
        raise ValidationError(problems)


def _refuse_taken_slug(session: Session, slug: str, own_id: int | None) -> None:
    other = session.scalar(select(SectionRow.id).where(SectionRow.slug == slug))
    if other is not None and other != own_id:
        raise ValidationError([Problem("slug", f"another section is already called '{slug}'")])
