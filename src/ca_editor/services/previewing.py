"""HTML for the desk's preview pane: one story page or the section page, rendered as the export renders them.

It shows what the default export publishes: a slotted story that is not approved is left off the section
page (the checklist says so). Cheap on a large database: it reads the section, the block and the archive
counts (index range counts, by the export's own rule: ``archive_counts.exported_archive``), never the whole
story table as
``ExportService.snapshot`` does. The story and the layout come in as values, so unsaved edits show before
they are saved.

The archive counts are the one part whose cost grows with the table (about 0.3 s over a million stories on
SQLite), and they change only when a story is saved; they are kept between renders until
``forget_counts()``, so a live preview of an edit costs a few milliseconds whatever the table size.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ca_editor.domain.dates import YearBucket
from ca_editor.domain.model import SectionLayout, Slot, Story
from ca_editor.export import preview
from ca_editor.export.image_cache import DerivativeCache
from ca_editor.export.pictures import PictureFile, PicturePlanner
from ca_editor.export.preview import RenderedPage
from ca_editor.export.renditions import Picture
from ca_editor.locations import derivatives_dir, static_dir
from ca_editor.persistence.database import Database
from ca_editor.services.archive_counts import exported_archive, publishable_month_counts
from ca_editor.services.export_scope import exported_slots
from ca_editor.services.exporting import export_time
from ca_editor.services.images import ImageService
from ca_editor.services.sections import read_layout
from ca_editor.services.variants import layout_as_of

__all__ = ["PictureFile", "PreviewService", "RenderedPage"]


class PreviewService:
    def __init__(self, db: Database, derivatives: DerivativeCache | None = None) -> None:
        self._db = db
        self._counts: dict[tuple[int, int], int] | None = None
        # The export's own derivative cache: what the preview encodes the next export finds ready.
        self._pictures = PicturePlanner(derivatives or DerivativeCache(derivatives_dir()), self._read_asset)

    def picture_files(self, picture: Picture) -> list[PictureFile]:
        """The files a previewed page's picture needs (encoded now if the cache does not have them)."""
        return self._pictures.files(picture)

    def _read_asset(self, sha256: str) -> bytes:
        return ImageService(self._db).read(sha256)

    def forget_counts(self) -> None:
        """Count the archive again at the next render (call it after stories were saved or imported)."""
        self._counts = None

    def story_page(self, section_id: int, story: Story) -> RenderedPage:
        """The page ``story`` (possibly with unsaved edits) would get in the bundle of ``section_id``."""
        with self._db.read() as session:
            layout = read_layout(session, section_id)
            archive = self._archive(session, exported_slots(layout.slots))
        return preview.story_page(layout.section, story, archive, export_time(), self._pictures.picture)

    def section_page(
        self,
        section_id: int,
        layout: SectionLayout | None = None,
        *,
        edited: Story | None = None,
        as_of: datetime | None = None,
    ) -> RenderedPage:
        """The section front for ``layout`` (the saved one when None), showing ``edited``'s unsaved edits;
        with ``as_of`` (and no ``layout``), the layout live then: the preview "as of" (issue 16)."""
        with self._db.read() as session:
            if layout is None:
                live = layout_as_of(session, section_id, as_of) if as_of is not None else None
                layout = live or read_layout(session, section_id)
            slots = layout.slots if edited is None else preview.with_edited_story(layout.slots, edited)
            # As the default export: a slotted story that is not approved is left off the page.
            slots = exported_slots(slots)
            archive = self._archive(session, slots)
        return preview.section_page(layout.section, slots, archive, export_time(), self._pictures.picture)

    def message_page(self, title: str, message: str) -> str:
        return preview.message_page(title, message)

    def _archive(self, session: Session, slots: tuple[Slot, ...]) -> tuple[YearBucket, ...]:
        """The bundle's archive counts, with the publishable part kept between renders."""
        if self._counts is None:
            self._counts = publishable_month_counts(session)
        return exported_archive(self._counts, slots)

    @staticmethod
    def stylesheet() -> bytes:
        return (static_dir() / "style.css").read_bytes()
