"""Which stories an export gives a page: one rule for the export, its checklist and the in-place update."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from ca_editor.domain.model import PUBLISHABLE_STATUSES, Slot
from ca_editor.persistence.models import SlotRow, StoryRow


def exported_where(section_id: int, include_unapproved: bool = False) -> ColumnElement[bool]:
    """Approved and published stories; with ``include_unapproved``, also any story placed in the block."""
    publishable = StoryRow.status.in_([s.value for s in PUBLISHABLE_STATUSES])
    if not include_unapproved:
        return publishable
    slotted = select(SlotRow.story_id).where(SlotRow.section_id == section_id)
    return or_(publishable, StoryRow.id.in_(slotted))


def exported_slots(slots: tuple[Slot, ...], include_unapproved: bool = False) -> tuple[Slot, ...]:
    """The slots the front page shows: a slot whose story is left out of the bundle is left off the page."""
    if include_unapproved:
        return slots
    return tuple(slot for slot in slots if slot.story.status in PUBLISHABLE_STATUSES)
