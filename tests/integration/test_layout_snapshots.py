"""replace_slots (the primitive of undo/redo), the 'previously in editor's choice' list, and story restore."""

from __future__ import annotations

import pytest
from tests import layout_steps

from ca_editor.domain.errors import ConflictError, NotFoundError, ValidationError
from ca_editor.domain.model import SlotEntry, SlotOverrides
from ca_editor.services.container import Services


def test_replace_slots_round_trips_a_captured_layout(services: Services) -> None:
    section_id = services.section_id()
    before = services.sections.layout(section_id)
    kept_ids = {slot.story.id: slot.id for slot in before.slots}
    reordered = tuple(reversed(before.entries()))[:5]
    after = services.sections.replace_slots(section_id, reordered, expected_version=before.section.version)
    assert after.entries() == reordered
    # Slots whose story stayed keep their identity.
    assert all(kept_ids[slot.story.id] == slot.id for slot in after.slots)
    restored = services.sections.replace_slots(section_id, before.entries())
    assert restored.entries() == before.entries()


def test_replace_slots_refuses_a_block_changed_since(services: Services) -> None:
    section_id = services.section_id()
    before = services.sections.layout(section_id)
    layout_steps.move(services, section_id, before.slots[0].id, 3)
    with pytest.raises(ConflictError, match=r"changed by \S+ at \d\d:\d\d since you opened it"):
        services.sections.replace_slots(section_id, before.entries(), expected_version=before.section.version)
    assert services.sections.layout(section_id).slots[2].story.id == before.slots[0].story.id


def test_replace_slots_validates_before_writing(services: Services) -> None:
    section_id = services.section_id()
    before = services.sections.layout(section_id)
    too_many = (*before.entries(), before.entries()[0])
    with pytest.raises(ValidationError):
        services.sections.replace_slots(section_id, too_many)
    with pytest.raises(NotFoundError):
        services.sections.replace_slots(section_id, (SlotEntry(999_999),))
    with pytest.raises(ValidationError):
        services.sections.replace_slots(section_id, (SlotEntry(before.slots[0].story.id, headline="  "),))
    assert services.sections.layout(section_id).entries() == before.entries()


def test_removed_stories_are_remembered_with_their_overrides_until_put_back(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    third = layout.slots[2]
    layout_steps.set_overrides(services, section_id, third.id, SlotOverrides(headline="Page-only headline"))
    layout_steps.remove(services, section_id, third.id)
    former = services.sections.former(section_id)
    assert [f.story.id for f in former] == [third.story.id]
    assert former[0].last_position == 3
    assert former[0].entry.headline == "Page-only headline"

    layout_steps.assign(services, section_id, third.story.id, 1)
    assert services.sections.former(section_id) == []


def test_an_evicted_story_is_remembered(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    newcomer = services.sections.former(section_id)
    assert newcomer == []
    layout_steps.remove(services, section_id, layout.slots[0].id)
    layout_steps.assign(services, section_id, layout.slots[0].story.id, 1)
    assert len(services.sections.layout(section_id).slots) == layout.section.slot_count
    change = layout_steps.assign(
        services, section_id, layout.slots[3].story.id, 1
    )  # a full block: one falls out
    assert change.evicted is not None
    assert [f.story.id for f in services.sections.former(section_id)] == [change.evicted.id]


def test_a_deleted_story_comes_back_under_its_old_id(services: Services) -> None:
    story = services.stories.get_by_slug(services.stories.list()[0].slug)
    services.stories.delete(story.id)
    with pytest.raises(NotFoundError):
        services.stories.get(story.id)
    restored = services.stories.restore(story)
    assert restored.id == story.id
    assert restored.fields() == story.fields()
    assert restored.created_at == story.created_at
    with pytest.raises(ConflictError):
        services.stories.restore(story)
