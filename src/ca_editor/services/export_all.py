"""``ca-editor export OUT --all``: one bundle with every live section, sharing story, archive and image files.

The first live section (by id: the desk's main one) is ``index.html`` and frames the shared story and
archive pages; every other live section's front is ``sections/<slug>/index.html`` (``export.site``), its
links relative to its own folder. Archived sections are left out. The bundle holds the stories any of the
fronts may link to (approved and published; with ``--include-unapproved`` also those slotted in any live
section), one archive over them, and one manifest: its ``sections`` list gives every front's slug, page,
heading, block and release (checklist, sign-off), so the web team checks all of them against one file.

A section with scheduled variants also gets its variant pages and ``schedule.json`` beside its front, as a
one-section export writes them (``services.export_variants``, ``export.schedule``): ``variants/`` and
``schedule.json`` at the root for the first section, ``sections/<slug>/variants/`` and
``sections/<slug>/schedule.json`` for the others; each ``schedule.json`` names its pages relative to its own
folder, and the manifest's ``sections`` entry of such a section gives its ``schedule`` path in the bundle.

Each section's checklist runs before anything is written: one section with errors refuses the whole
bundle unless a reason is given. An ``--all`` bundle is always built anew beside the old one (its unchanged
pages linked from it by fingerprint, as ``export.bundle`` does), never updated in place: its manifest's
``frame`` differs from any one section's, so neither kind of export updates the other's folder in place.
Each section gets its EXPORT snapshot (review window, layout history); no export mark is kept, so the next
``--all`` export always looks (the "up to date" shortcut is one section's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import NotFoundError
from ca_editor.domain.model import SectionLayout
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.domain.release import Release, ReleaseBlockedError
from ca_editor.export import site
from ca_editor.export.bundle import Progress, SectionFront, write_bundle
from ca_editor.export.manifest import Manifest, slot_entries
from ca_editor.export.schedule import Schedule
from ca_editor.persistence.models import SectionRow, StoryRow
from ca_editor.services import rendering
from ca_editor.services.archive_counts import exported_archive, publishable_month_counts
from ca_editor.services.checks import prepare_release
from ca_editor.services.export_record import record_export
from ca_editor.services.export_scope import exported_slots, exported_where
from ca_editor.services.export_variants import layouts_to_export, scheduled_slots
from ca_editor.services.exporting import ExportService, StoryStreamOf, export_time
from ca_editor.services.sections import read_layout
from ca_editor.services.snapshots import content_of
from ca_editor.services.variants import layout_as_of


def export_all(
    exports: ExportService,
    out_dir: Path,
    *,
    full: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    release: Release | None = None,
    as_of: datetime | None = None,
) -> Manifest:
    """Write every live section into ``out_dir`` as one bundle (see the module); returns its manifest.
    Each front is its section's layout live ``as_of`` (default: now); a section with variants gets their
    pages and ``schedule.json`` beside its front."""
    release = release or Release()
    started = datetime.now(UTC)
    moment = as_of or export_time()
    db, by, derivatives = exports.db, exports.by, exports.derivatives
    with db.read() as session:
        ids = _live_ids(session)
        for section_id in ids:  # every checklist before any work: a refused export costs no rendering
            try:
                prepare_release(
                    session, section_id, release, by, layout=layout_as_of(session, section_id, moment)
                )
            except ReleaseBlockedError as blocked:
                blocked.section_slug = read_layout(session, section_id).section.slug  # which page it is
                raise
        where = _exported_where(ids, release.include_unapproved)
        missing = rendering.missing_ids(session, where)
    rendering.fill_cache(db, missing)
    with db.read() as session:
        exported = [layouts_to_export(session, i, moment, release.include_unapproved) for i in ids]
        layouts = [layout for layout, _ in exported]
        schedules = [schedule for _, schedule in exported]
        filled = [prepare_release(session, s.section.id, release, by, layout=s) for s in layouts]
        shown = [exported_slots(layout.slots, release.include_unapproved) for layout in layouts]
        every_slot = tuple(slot for slots in shown for slot in slots)
        every_slot += tuple(slot for schedule in schedules for slot in scheduled_slots(schedule))
        archive = exported_archive(publishable_month_counts(session), every_slot)
        now = export_time()
        head = SiteSnapshot(layouts[0].section, shown[0], (), archive, now)
        fronts = [
            SectionFront(layout.section, slots, schedule)
            for layout, slots, schedule in zip(layouts[1:], shown[1:], schedules[1:], strict=True)
        ]
        listed = tuple(
            _manifest_entry(
                layout, SiteSnapshot(layout.section, slots, (), archive, now), done, index == 0, schedule
            )
            for index, (layout, slots, done, schedule) in enumerate(
                zip(layouts, shown, filled, schedules, strict=True)
            )
        )
        count = int(session.scalar(select(func.count(StoryRow.id)).where(where)) or 0)
        manifest = write_bundle(
            head,
            StoryStreamOf(session, where),
            count,
            out_dir,
            exports.read_asset,
            full=full,
            progress=progress,
            cancelled=cancelled,
            release=filled[0],
            cache=derivatives,
            fronts=fronts,
            sections_manifest=listed,
            schedule=schedules[0],
        )
    for layout, done in zip(layouts, filled, strict=True):
        # Each section's snapshot notes its own release; no export mark (see the module).
        block = (layout.section.version, content_of(layout), None)
        variant_id = layout.variant.id if layout.variant is not None else None
        recorded = replace(manifest, release=done)
        record_export(db, by, layout.section.id, out_dir, recorded, block, started, variant_id)
    derivatives.prune_now_and_then()
    return manifest


def _live_ids(session: Session) -> list[int]:
    ids = list(
        session.scalars(select(SectionRow.id).where(SectionRow.archived_at.is_(None)).order_by(SectionRow.id))
    )
    if not ids:
        raise NotFoundError("the desk has no live section to export (every one is archived)")
    return ids


def _exported_where(section_ids: list[int], include_unapproved: bool) -> ColumnElement[bool]:
    """The bundle's stories: publishable ones; with ``include_unapproved`` also any live section's slotted."""
    if not include_unapproved:
        return exported_where(section_ids[0])
    return or_(*(exported_where(section_id, True) for section_id in section_ids))


def _manifest_entry(
    layout: SectionLayout, snapshot: SiteSnapshot, release: Release, main: bool, schedule: Schedule | None
) -> dict[str, object]:
    section = layout.section
    folder = "" if main else site.section_folder(section.slug)
    entry: dict[str, object] = {
        "slug": section.slug,
        "page": folder + site.INDEX,
        "heading": section.title,
        "editors_choice": list(slot_entries(snapshot)),
        "release": release.to_json(),
    }
    if schedule is not None:  # where its variants' schedule is (its pages are named relative to it)
        entry["schedule"] = folder + site.SCHEDULE
    return entry
