"""Which layouts a section's export writes (issue 16): the one live at the export's moment on ``index.html``,
and, when the section has scheduled variants, every variant and the main layout as pages of their own with
``schedule.json`` (``export.schedule``).

A bundle with variants depends on the clock as well as on the database (which layout is live), so its
export leaves no "up to date" mark and is never updated in place: each export builds it anew (unchanged
pages are still linked from the previous bundle).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ca_editor.domain.model import SectionLayout, Slot
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.domain.schedule import live_variant
from ca_editor.export.schedule import LayoutPage, Schedule, schedule_of
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import LayoutVariantRow
from ca_editor.services.archive_counts import exported_archive, publishable_month_counts
from ca_editor.services.export_scope import exported_slots
from ca_editor.services.sections import read_layout
from ca_editor.services.variants import variants_of


def has_variants(session: Session, section_id: int) -> bool:
    found = session.scalar(select(exists().where(LayoutVariantRow.section_id == section_id)))
    return bool(found)


def layouts_to_export(
    session: Session, section_id: int, moment: datetime, include_unapproved: bool
) -> tuple[SectionLayout, Schedule | None]:
    """The layout for ``index.html`` (live at ``moment``) and the schedule (None: the section has no
    variants, and the bundle is as it always was)."""
    variants = variants_of(session, section_id)
    live = live_variant(variants, moment)
    layout = read_layout(session, section_id, live.id if live is not None else None)
    if not variants:
        return layout, None
    main = exported_slots(read_layout(session, section_id).slots, include_unapproved)
    pages = [
        LayoutPage(
            variant.name,
            variant.slug,
            exported_slots(read_layout(session, section_id, variant.id).slots, include_unapproved),
            variant.starts_at,
            variant.ends_at,
        )
        for variant in variants
    ]
    name = live.name if live is not None else "main"
    return layout, schedule_of(layout.section.slug, moment, name, main, pages)


def scheduled_slots(schedule: Schedule | None) -> tuple[Slot, ...]:
    """Every slot the schedule's pages show: their stories need archive months too."""
    if schedule is None:
        return ()
    return tuple(slot for page in schedule.pages for slot in page.slots)


def section_has_variants(db: Database, section_id: int) -> bool:
    with db.read() as session:
        return has_variants(session, section_id)


def with_scheduled_months(session: Session, head: SiteSnapshot, schedule: Schedule | None) -> SiteSnapshot:
    """``head`` whose archive also counts the stories only the schedule's pages show (an unapproved one
    included by ``--include-unapproved``): each story page's month page must list it."""
    if schedule is None:
        return head
    archive = exported_archive(publishable_month_counts(session), head.slots + scheduled_slots(schedule))
    return replace(head, archive=archive)
