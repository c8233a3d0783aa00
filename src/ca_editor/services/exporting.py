"""Gather a consistent snapshot of the section in one read, then hand it to the pure bundle builder."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from ca_editor.domain.dates import YearBucket, group_buckets
from ca_editor.domain.errors import NotFoundError
from ca_editor.domain.model import PUBLISHABLE_STATUSES, Story
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.export.bundle import Progress, build_bundle
from ca_editor.export.manifest import Manifest
from ca_editor.persistence.database import Database
from ca_editor.persistence.mapping import section_from_row, slot_from_row, story_from_row
from ca_editor.persistence.models import AssetRow, SectionRow, StoryRow


def export_time() -> datetime:
    """Now, unless ``SOURCE_DATE_EPOCH`` pins it (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


class ExportService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def snapshot(self, section_id: int) -> SiteSnapshot:
        with self._db.read() as session:
            section = session.get(SectionRow, section_id)
            if section is None:
                raise NotFoundError(f"section {section_id} does not exist")
            slots = tuple(slot_from_row(s) for s in sorted(section.slots, key=lambda s: (s.position, s.id)))
            publishable = [s.value for s in PUBLISHABLE_STATUSES]
            rows = session.scalars(
                select(StoryRow)
                .where(StoryRow.status.in_(publishable))
                .order_by(StoryRow.published_at.desc(), StoryRow.id.desc())
            )
            stories: dict[int, Story] = {row.id: story_from_row(row) for row in rows}
            for slot in slots:  # a slotted story always gets its page, even if not yet approved
                stories.setdefault(slot.story.id, slot.story)
            # Counted over every story that gets a page, as the archive pages list them: a dated story's
            # breadcrumb always finds its month page, and a month's count matches its list.
            archive = _archive(list(stories.values()))
            return SiteSnapshot(
                section_from_row(section), slots, tuple(stories.values()), archive, export_time()
            )

    def export(
        self,
        section_id: int,
        out_dir: Path,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Manifest:
        """Write the bundle for ``section_id`` into ``out_dir``, replacing an earlier bundle atomically."""
        return build_bundle(
            self.snapshot(section_id), out_dir, self._read_asset, progress=progress, cancelled=cancelled
        )

    def _read_asset(self, sha256: str) -> bytes:
        with self._db.read() as session:
            data = session.scalar(select(AssetRow.data).where(AssetRow.sha256 == sha256))
            if data is None:
                raise NotFoundError(f"image {sha256[:12]} is missing from the database")
            return data


def _archive(stories: list[Story]) -> tuple[YearBucket, ...]:
    counts = Counter((s.published_at.year, s.published_at.month) for s in stories if s.published_at)
    return group_buckets([(y, m, c) for (y, m), c in counts.items()])
