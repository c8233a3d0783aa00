"""The set of services one open database offers; built by the composition root, handed to the UI."""

from __future__ import annotations

from dataclasses import dataclass

from ca_editor.domain.errors import NotFoundError
from ca_editor.persistence.database import Database
from ca_editor.services.exporting import ExportService
from ca_editor.services.images import ImageService
from ca_editor.services.importer import ImportService
from ca_editor.services.previewing import PreviewService
from ca_editor.services.sections import SectionService
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

    @classmethod
    def over(cls, db: Database) -> Services:
        return cls(
            db,
            StoryService(db),
            SectionService(db),
            ImportService(db),
            ExportService(db),
            ImageService(db),
            PreviewService(db),
        )

    def section_id(self, slug: str | None = None) -> int:
        """The id of the section named ``slug``, or of the first section when none is named."""
        sections = self.sections.sections()
        for section in sections:
            if slug is None or section.slug == slug:
                return section.id
        raise NotFoundError(f"no section '{slug}'" if slug else "the database holds no section")
