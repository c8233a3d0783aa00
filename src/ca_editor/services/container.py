"""The set of services one open database offers; built by the composition root, handed to the UI."""

from __future__ import annotations

from dataclasses import dataclass

from ca_editor.domain.errors import NotFoundError
from ca_editor.persistence.database import Database
from ca_editor.services.backups import BackupService
from ca_editor.services.checks import CheckService
from ca_editor.services.exporting import ExportService
from ca_editor.services.identity import Identity
from ca_editor.services.images import ImageService
from ca_editor.services.importing import ImportService
from ca_editor.services.previewing import PreviewService
from ca_editor.services.review import ReviewService
from ca_editor.services.sections import SectionService
from ca_editor.services.snapshots import SnapshotService
from ca_editor.services.stories import StoryService


@dataclass(frozen=True, slots=True)
class Services:
    db: Database
    stories: StoryService
    sections: SectionService
    imports: ImportService
    exports: ExportService
    images: ImageService
    previews: PreviewService
    snapshots: SnapshotService
    review: ReviewService  # sign-off and send-back of the layout, changes since, restore plans
    checks: CheckService  # the pre-export checklist
    identity: Identity  # who the changes are recorded for; the window sets it from the name setting
    backups: BackupService  # SQLite file backups: on demand, before destructive steps, periodically

    @classmethod
    def over(cls, db: Database, identity: Identity | None = None) -> Services:
        identity = identity or Identity()
        return cls(
            db,
            StoryService(db, identity),
            SectionService(db, identity),
            ImportService(db, identity),
            ExportService(db, identity),
            ImageService(db),
            PreviewService(db),
            SnapshotService(db, identity),
            ReviewService(db, identity),
            CheckService(db, identity),
            identity,
            BackupService(db),
        )

    def section_id(self, slug: str | None = None) -> int:
        """The id of the section named ``slug``, or of the first section when none is named."""
        sections = self.sections.sections()
        for section in sections:
            if slug is None or section.slug == slug:
                return section.id
        raise NotFoundError(f"no section '{slug}'" if slug else "the database holds no section")
