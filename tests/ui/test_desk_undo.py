"""Undo and redo round trips for every desk command, checked against the database, not the widgets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QApplication

from ca_editor.domain.errors import ValidationError
from ca_editor.domain.model import SlotEntry, StoryFields, StoryStatus
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk, StepRefused


@pytest.fixture
def desk(qapp: QApplication, services: Services) -> Iterator[Desk]:
    desk = Desk(services, services.section_id())
    yield desk
    desk.deleteLater()


def db_entries(desk: Desk) -> tuple[SlotEntry, ...]:
    return desk.services.sections.layout(desk.section_id).entries()


def round_trip(desk: Desk, before: object, after: object, read: object) -> None:
    """The command left ``after``; undo gives ``before``; redo gives ``after`` again; twice over."""
    assert read() == after  # type: ignore[operator]
    for _ in range(2):
        desk.undo_stack.undo()
        assert read() == before  # type: ignore[operator]
        desk.undo_stack.redo()
        assert read() == after  # type: ignore[operator]


def test_move_slot_round_trip(desk: Desk) -> None:
    before = db_entries(desk)
    assert desk.move_slot(desk.layout.slots[0].id, 4)
    after = db_entries(desk)
    assert after[3] == before[0]
    assert sorted(after, key=repr) == sorted(before, key=repr)  # nothing lost, nothing duplicated
    round_trip(desk, before, after, lambda: db_entries(desk))
    assert desk.undo_stack.count() == 1


def test_assign_into_a_full_block_round_trip_brings_back_the_evicted_story_with_its_overrides(
    desk: Desk,
) -> None:
    last = desk.layout.slots[-1]
    desk.set_slot_overrides(last.id, replace(last.entry(), headline="Page-only"))
    removed_story = desk.layout.slots[2].story.id
    desk.remove_slots([desk.layout.slots[2].id])
    assert [f.story.id for f in desk.former()] == [removed_story]
    before = db_entries(desk)
    desk.assign([removed_story])  # back in, at the end: the block is full again
    full = db_entries(desk)
    assert len(full) == desk.layout.section.slot_count
    evicting_story = desk.services.stories.create(
        StoryFields(title="A newcomer", status=StoryStatus.APPROVED)
    )
    assert [s.story.id for s in desk.falls_out_if_added()] == [full[-1].story_id]
    assert desk.assign([evicting_story.id], 1)
    after = db_entries(desk)
    assert after[0].story_id == evicting_story.id
    assert full[-1] not in after
    desk.undo_stack.undo()
    assert db_entries(desk) == full  # the evicted slot is back in its place with its overrides
    desk.undo_stack.undo()
    assert db_entries(desk) == before
    desk.undo_stack.redo()
    desk.undo_stack.redo()
    assert db_entries(desk) == after


def test_remove_and_put_back_round_trips(desk: Desk) -> None:
    start = db_entries(desk)
    victim = desk.layout.slots[1]
    desk.set_slot_overrides(victim.id, SlotEntry(victim.story.id, summary="Only on this page"))
    with_override = db_entries(desk)
    desk.remove_slots([desk.layout.slots[1].id])
    removed = db_entries(desk)
    round_trip(desk, with_override, removed, lambda: db_entries(desk))
    assert desk.put_back(victim.story.id)
    put_back = db_entries(desk)
    assert put_back == with_override  # same place, same override
    round_trip(desk, removed, put_back, lambda: db_entries(desk))
    for _ in range(3):
        desk.undo_stack.undo()
    assert db_entries(desk) == start


def test_override_round_trip_never_touches_the_story(desk: Desk) -> None:
    slot = desk.layout.slots[0]
    story_before = desk.services.stories.get(slot.story.id)
    before = db_entries(desk)
    assert desk.set_slot_overrides(slot.id, SlotEntry(slot.story.id, headline="Shorter headline"))
    after = db_entries(desk)
    round_trip(desk, before, after, lambda: db_entries(desk))
    assert desk.services.stories.get(slot.story.id) == story_before


def test_story_edit_round_trip(desk: Desk) -> None:
    opened = desk.services.stories.get(desk.layout.slots[0].story.id)
    saved = desk.update_story(opened, replace(opened.fields(), title="A new title", summary="New summary"))
    assert saved.title == "A new title"
    assert desk.layout.slots[0].headline == "A new title"  # the block follows the story
    round_trip(
        desk,
        opened.fields(),
        saved.fields(),
        lambda: desk.services.stories.get(opened.id).fields(),
    )


def test_create_and_delete_round_trips(desk: Desk) -> None:
    created = desk.create_story(StoryFields(title="Fresh from the desk", body="Hello"))
    exists = lambda: desk.services.stories.count()  # noqa: E731
    count_after = exists()
    round_trip(desk, count_after - 1, count_after, exists)
    assert desk.services.stories.get(created.id).title == "Fresh from the desk"

    in_block = desk.layout.slots[3].story
    before = db_entries(desk)
    assert desk.delete_story(in_block.id)
    assert in_block.id not in desk.layout.story_ids()
    desk.undo_stack.undo()
    assert desk.services.stories.get(in_block.id).fields() == in_block.fields()
    assert db_entries(desk) == before
    desk.undo_stack.redo()
    assert in_block.id not in db_entries(desk)


def test_a_refused_change_never_enters_the_history(desk: Desk) -> None:
    with pytest.raises(StepRefused) as refused:  # the caller learns why; the window shows it
        desk.assign([987_654])
    messages = [str(refused.value)]
    assert desk.undo_stack.count() == 0
    assert messages and "no longer exists" in messages[0]
    opened = desk.services.stories.get(desk.layout.slots[0].story.id)
    with pytest.raises(ValidationError):
        desk.update_story(opened, replace(opened.fields(), title="  "))
    assert desk.undo_stack.count() == 0


def test_undo_refuses_to_overwrite_someone_elses_change(desk: Desk, services: Services) -> None:
    messages: list[str] = []
    desk.on_step_refused = lambda error: messages.append(str(error))  # where the window shows it
    desk.move_slot(desk.layout.slots[0].id, 2)
    # Another editor (another desk on the same database) moves a slot meanwhile.
    other = Desk(services, desk.section_id)
    other.move_slot(other.layout.slots[5].id, 1)
    theirs = db_entries(desk)
    desk.undo_stack.undo()
    assert db_entries(desk) == theirs  # nothing overwritten
    assert messages and "since you opened it" in messages[0]
    assert desk.layout.entries() == theirs  # the desk reloaded what is really there
    other.deleteLater()


def test_undoing_a_story_edit_refuses_when_someone_saved_it_since(desk: Desk, services: Services) -> None:
    messages: list[str] = []
    desk.on_step_refused = lambda error: messages.append(str(error))  # where the window shows it
    opened = services.stories.get(desk.layout.slots[0].story.id)
    mine = desk.update_story(opened, replace(opened.fields(), title="Mine"))
    services.stories.update(opened.id, replace(mine.fields(), title="Theirs"), expected_version=mine.version)
    desk.undo_stack.undo()
    assert services.stories.get(opened.id).title == "Theirs"
    assert messages and "since you opened it" in messages[0]


def test_undoing_an_addition_does_not_list_the_story_as_taken_out(desk: Desk) -> None:
    newcomer = desk.services.stories.create(StoryFields(title="Just arrived", status=StoryStatus.APPROVED))
    desk.remove_slots([desk.layout.slots[-1].id])
    listed_before = [f.story.id for f in desk.former()]
    assert desk.assign([newcomer.id], 1)
    desk.undo_stack.undo()
    assert [f.story.id for f in desk.former()] == listed_before  # the newcomer was never taken out
    desk.undo_stack.undo()  # the removal: its story is back and leaves the list
    assert desk.former() == []
    desk.undo_stack.redo()
    assert [f.story.id for f in desk.former()] == listed_before  # taken out again
    desk.undo_stack.redo()
    assert desk.layout.slots[0].story.id == newcomer.id


def test_history_names_the_story_each_step_touched(desk: Desk) -> None:
    first = desk.layout.slots[0]
    desk.move_slot(first.id, 3)
    assert "Tajikistan" in desk.undo_stack.text(0)
    assert "to 3" in desk.undo_stack.text(0)
    leaving = desk.layout.slots[0]
    desk.remove_slots([leaving.id])
    assert desk.undo_stack.text(1) == f"Remove “{leaving.headline[:39]}…” from editor's choice"
