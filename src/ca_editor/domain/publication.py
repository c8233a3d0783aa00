"""What an export needs, gathered in one read: the input of the pure ``build_bundle`` function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ca_editor.domain import ordering
from ca_editor.domain.dates import YearBucket
from ca_editor.domain.model import PUBLISHABLE_STATUSES, Section, Slot, Story


@dataclass(frozen=True, slots=True)
class SiteSnapshot:
    section: Section
    slots: tuple[Slot, ...]
    stories: tuple[Story, ...]  # every story that gets a page: publishable ones plus any placed in a slot
    archive: tuple[YearBucket, ...]  # counted over dated stories of ``stories``
    generated_at: datetime

    def problems(self) -> list[str]:
        """Things the web team should know about this bundle; they do not stop the export."""
        found = []
        for slot in self.slots:
            if slot.story.status not in PUBLISHABLE_STATUSES:
                found.append(
                    f"slot {slot.position}: '{slot.story.title}' is {slot.story.status.value}, not approved"
                )
        for story_id in sorted(ordering.duplicates([slot.story.id for slot in self.slots])):
            positions = [str(s.position) for s in self.slots if s.story.id == story_id]
            title = next(s.story.title for s in self.slots if s.story.id == story_id)
            found.append(f"'{title}' is placed in more than one slot ({', '.join(positions)})")
        if len(self.slots) < self.section.slot_count:
            found.append(f"{self.section.slot_count - len(self.slots)} editor's-choice slot(s) are empty")
        return found
