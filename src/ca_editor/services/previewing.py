"""HTML for the desk's preview pane: one story page or the section page, rendered as the export renders them.

Cheap on a large database: it reads the section, the block and the archive counts (one SQL aggregate, the
way ``StoryService.archive_buckets`` does it), never the whole story table as ``ExportService.snapshot``
does. The story and the layout come in as values, so unsaved edits show before they are saved.

The archive counts are the one part whose cost grows with the table (about a second over a million stories
on SQLite), and they change only when a story is saved; they are kept between renders until
``forget_counts()``, so a live preview of an edit costs a few milliseconds whatever the table size.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ca_editor.domain.dates import YearBucket, group_buckets
from ca_editor.domain.errors import NotFoundError
from ca_editor.domain.model import PUBLISHABLE_STATUSES, SectionLayout, Slot, Story
from ca_editor.export import preview
from ca_editor.export.preview import RenderedPage
from ca_editor.locations import static_dir
from ca_editor.persistence.database import Database
from ca_editor.persistence.mapping import section_from_row, slot_from_row
from ca_editor.persistence.models import SectionRow
from ca_editor.services.exporting import export_time
from ca_editor.services.stories import count_by_month

__all__ = ["PreviewService", "RenderedPage"]


class PreviewService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._counts: dict[tuple[int, int], int] | None = None

    def forget_counts(self) -> None:
        """Count the archive again at the next render (call it after stories were saved or imported)."""
        self._counts = None

    def story_page(self, section_id: int, story: Story) -> RenderedPage:
        """The page ``story`` (possibly with unsaved edits) would get in the bundle of ``section_id``."""
        with self._db.read() as session:
            layout = _layout(session, section_id)
            archive = self._archive(session, layout.slots)
        return preview.story_page(layout.section, story, archive, export_time())

    def section_page(
        self, section_id: int, layout: SectionLayout | None = None, *, edited: Story | None = None
    ) -> RenderedPage:
        """The section front for ``layout`` (the saved one when None), showing ``edited``'s unsaved edits."""
        with self._db.read() as session:
            if layout is None:
                layout = _layout(session, section_id)
            archive = self._archive(session, layout.slots)
        slots = layout.slots if edited is None else preview.with_edited_story(layout.slots, edited)
        return preview.section_page(layout.section, slots, archive, export_time())

    def message_page(self, title: str, message: str) -> str:
        return preview.message_page(title, message)

    def _archive(self, session: Session, slots: tuple[Slot, ...]) -> tuple[YearBucket, ...]:
        """Year and month counts over the stories the bundle gives a page: publishable ones and slotted ones.

        The publishable ones are counted in SQL; the few slotted stories that are not publishable are added
        here, as ``ExportService.snapshot`` counts them.
        """
        if self._counts is None:
            self._counts = _publishable_counts(session)
        counts = dict(self._counts)
        extra = {s.story.id: s.story for s in slots if s.story.status not in PUBLISHABLE_STATUSES}
        for story in extra.values():
            if story.published_at is not None:
                key = (story.published_at.year, story.published_at.month)
                counts[key] = counts.get(key, 0) + 1
        return group_buckets([(y, m, c) for (y, m), c in counts.items()])

    @staticmethod
    def stylesheet() -> bytes:
        return (static_dir() / "style.css").read_bytes()


def _layout(session: Session, section_id: int) -> SectionLayout:
    section = session.get(SectionRow, section_id)
    if section is None:
        raise NotFoundError(f"section {section_id} does not exist")
    slots = sorted(section.slots, key=lambda s: (s.position, s.id))
    return SectionLayout(section_from_row(section), tuple(slot_from_row(s) for s in slots))


def _publishable_counts(session: Session) -> dict[tuple[int, int], int]:
    # Range counts on the status+date index: a GROUP BY over a million dates took over a second.
    return {(y, m): c for y, m, c in count_by_month(session, PUBLISHABLE_STATUSES)}
