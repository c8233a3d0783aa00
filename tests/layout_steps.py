"""Editor's-choice changes for test set-up, written the way the app writes them.

``SectionService`` has one layout write, ``replace_slots`` (the desk works out the new block and writes it
whole: one transaction per user action, the primitive behind undo and redo). Tests that need "story X in
slot 3" or "slot 2 gone" before what they check call these steps, which read the block, compute the new
one with ``domain.ordering`` as the desk does, and write it through ``replace_slots``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ca_editor.domain import ordering
from ca_editor.domain.errors import ConflictError, ConflictKind, NotFoundError
from ca_editor.domain.model import SectionLayout, SlotEntry, SlotOverrides, Story
from ca_editor.services.container import Services


@dataclass(frozen=True, slots=True)
class SlotChange:
    layout: SectionLayout
    evicted: Story | None = None  # the story that fell out of a full block


def assign(services: Services, section_id: int, story_id: int, position: int | None = None) -> SlotChange:
    """Put a story into the block at 1-based ``position`` (the end by default); a full block drops one."""
    layout = services.sections.layout(section_id)
    entries = layout.entries()
    at = len(entries) if position is None else position - 1
    order, evicted = ordering.insert(entries, SlotEntry(story_id), at, layout.section.slot_count)
    fallen = layout.slots[-1].story if evicted is not None else None
    return SlotChange(services.sections.replace_slots(section_id, order), fallen)


def remove(services: Services, section_id: int, slot_id: int) -> SectionLayout:
    layout = services.sections.layout(section_id)
    index = _index(layout, slot_id)
    entries = layout.entries()
    return services.sections.replace_slots(section_id, entries[:index] + entries[index + 1 :])


def move(services: Services, section_id: int, slot_id: int, position: int) -> SectionLayout:
    """Move a slot so it ends at 1-based ``position``."""
    layout = services.sections.layout(section_id)
    order = ordering.move(layout.entries(), _index(layout, slot_id), position - 1)
    return services.sections.replace_slots(section_id, order)


def restore_order(services: Services, section_id: int, slot_ids: Sequence[int]) -> SectionLayout:
    """Put the slots back in a captured order; a block whose slots changed since is a conflict."""
    layout = services.sections.layout(section_id)
    by_id = {slot.id: slot.entry() for slot in layout.slots}
    if set(by_id) != set(slot_ids) or len(slot_ids) != len(by_id):
        raise ConflictError(
            "the editor's choice changed since this step; the order was not restored",
            kind=ConflictKind.LAYOUT,
            subject_id=section_id,
        )
    return services.sections.replace_slots(section_id, [by_id[i] for i in slot_ids])


def set_overrides(
    services: Services, section_id: int, slot_id: int, overrides: SlotOverrides
) -> SectionLayout:
    """This slot's headline, summary and image for this page only; the story is untouched."""
    layout = services.sections.layout(section_id)
    index = _index(layout, slot_id)
    image = overrides.image
    entry = SlotEntry(
        layout.slots[index].story.id,
        overrides.headline,
        overrides.summary,
        image.asset.sha256 if image else None,
        image.alt if image else None,
        image.focus if image else None,
    )
    entries = layout.entries()
    return services.sections.replace_slots(section_id, (*entries[:index], entry, *entries[index + 1 :]))


def story_that_would_fall_out(services: Services, section_id: int) -> Story | None:
    """The story a new assignment would push out of a full block."""
    layout = services.sections.layout(section_id)
    slot = ordering.would_evict(layout.slots, layout.section.slot_count)
    return slot.story if slot else None


def _index(layout: SectionLayout, slot_id: int) -> int:
    for index, slot in enumerate(layout.slots):
        if slot.id == slot_id:
            return index
    raise NotFoundError(
        "that editor's-choice slot was removed, perhaps by someone else; the view will refresh"
    )
