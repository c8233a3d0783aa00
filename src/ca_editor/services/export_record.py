"""What a finished export leaves in the database: its EXPORT snapshot and its export mark, in one transaction.

The mark (``persistence.export_marks``) lets the next ``ca-editor export`` of the same folder answer "up to
date" without loading the ORM (``ca_editor.export_uptodate``) while nothing it reads has changed.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ca_editor.domain.snapshots import SnapshotContent, SnapshotKind
from ca_editor.export.listing_digest import generator_stamp, listing_digest
from ca_editor.export.manifest import Manifest
from ca_editor.persistence.database import Database, actor_of
from ca_editor.persistence.export_marks import ExportMark, generation, keep_mark
from ca_editor.persistence.models import LayoutSnapshotRow, SectionRow, utcnow
from ca_editor.persistence.people import is_shared
from ca_editor.services.snapshots import MAX_NOTE


def summary_lines(manifest: Manifest) -> list[str]:
    """What ``ca-editor export`` prints under "exported N files to OUT": checklist, sign-off, notes."""
    lines: list[str] = []
    done = manifest.release
    if done is not None and done.checks is not None:
        lines.append(
            f"  checklist: {len(done.checks.errors)} error(s), {len(done.checks.warnings)} warning(s)"
        )
        if done.overridden:
            lines.append(f"  errors overridden by {done.override_by}: {done.reason}")
        for slot in done.unapproved:
            fate = "included as it is" if slot.included else "left off the page"
            lines.append(
                f"  warning: slot {slot.slot}: '{slot.title}' is {slot.status}, not approved: {fate}"
            )
        if done.sign_off is None:
            lines.append("  no sign-off recorded for this layout")
        else:
            changed = "; the layout changed since" if done.sign_off.changed_since else ""
            lines.append(
                f"  signed off by {done.sign_off.by} at {done.sign_off.at:%Y-%m-%d %H:%M} UTC{changed}"
            )
    lines.extend(f"  note: {problem}" for problem in manifest.problems)
    return lines


def record_export(
    db: Database,
    by: str,
    section_id: int,
    out_dir: Path,
    manifest: Manifest,
    block: tuple[int, SnapshotContent, int | None],
    started: datetime,
    variant_id: int | None = None,
) -> None:
    """Keep the block as the export read it (an EXPORT snapshot) and the folder's export mark.

    ``block``: the section's version and the block as the export read them, and the desk's generation then.
    """
    section_version, content, read_at = block
    release = manifest.release
    checks = release.checks if release is not None else None
    target = out_dir.expanduser().resolve()
    note = f"{target.name or out_dir}: {len(manifest.files):,} files"
    if checks is not None:
        note += f"; {len(checks.errors)} error(s), {len(checks.warnings)} warning(s)"
    if release is not None and release.overridden:
        note += f"; exported anyway by {release.override_by}: {release.reason}"
    if release is not None and any(u.included for u in release.unapproved):
        note += f"; {sum(u.included for u in release.unapproved)} unapproved story(ies) included"
    mark = None
    listing = listing_digest(target) if read_at is not None else None
    if listing is not None:
        mark = ExportMark(
            out_dir=str(target),
            section_id=section_id,
            include_unapproved=release is not None and release.include_unapproved,
            overridden=release is not None and bool(release.reason),
            generator=generator_stamp(),
            listing=listing,
            file_count=len(manifest.files),
            exported_at=started,
            summary=json.dumps(summary_lines(manifest), ensure_ascii=False),
        )
    with db.write(by) as session:
        if session.get(SectionRow, section_id) is None:
            return  # deleted since: the bundle stands, there is nothing to attach the snapshot to
        before_write = generation(session)
        session.add(
            LayoutSnapshotRow(
                section_id=section_id,
                variant_id=variant_id,  # the layout on index.html: a scheduled variant's, or the main one
                kind=SnapshotKind.EXPORT.value,
                taken_at=utcnow(),
                taken_by=actor_of(session) if is_shared(session) else by,  # the login on a server
                note=note[:MAX_NOTE],
                section_version=section_version,
                content=content.to_json(),
            )
        )
        if mark is not None:
            keep_mark(session, mark, read_at, before_write)
