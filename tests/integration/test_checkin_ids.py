"""A story is its id and its creation time (issue 15): SQLite gives a story written after the newest one was
deleted that deleted story's id, on the laptop desk or on a SQLite shared desk. The check-in must read such a
row as a new story of that desk (written under a new id) and the taken story as deleted there, never as the
taken story edited; the undo of a delete (same id, same creation time) is still the same story.

The shared desk is the ``services`` fixture's database (SQLite and PostgreSQL); the laptop is SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ca_editor.app import open_services
from ca_editor.domain.errors import NotFoundError
from ca_editor.domain.model import SlotEntry, Story, StoryFields
from ca_editor.services.checkin import CheckinResult
from ca_editor.services.container import Services


@pytest.fixture
def laptop(services: Services, tmp_path: Path) -> Iterator[tuple[Path, Services]]:
    path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(services.section_id(), path, 12)
    opened = open_services(str(path), seed_demo=False)
    yield path, opened
    opened.db.dispose()


def newest(services: Services) -> Story:
    return services.stories.get(max(s.id for s in services.stories.list()))


def take_out_of_block(services: Services, story_id: int) -> None:
    layout = services.sections.layout(services.section_id())
    entries = [e for e in layout.entries() if e.story_id != story_id]
    services.sections.replace_slots(services.section_id(), entries, expected_version=layout.section.version)


def check_in(services: Services, path: Path) -> CheckinResult:
    return services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})


def titles(services: Services) -> dict[int, str]:
    return {s.id: s.title for s in services.stories.list()}


def gone(services: Services, story_id: int) -> bool:
    try:
        services.stories.get(story_id)
    except NotFoundError:
        return True
    return False


def delete_newest_then_write(mine: Services, title: str) -> tuple[Story, Story]:
    """On the laptop: the newest taken story out of the block and deleted, then a new one written (it
    gets the deleted one's id: the case under test)."""
    deleted = newest(mine)
    take_out_of_block(mine, deleted.id)
    mine.stories.delete(deleted.id)
    written = mine.stories.create(StoryFields(title=title, body="Offline."))
    assert written.id == deleted.id  # SQLite reused the id
    return deleted, written


def test_a_story_written_on_the_laptop_under_a_deleted_ones_id_arrives_as_new(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    deleted, written = delete_newest_then_write(mine, "Written on the train")
    before = titles(services)

    result = check_in(services, path)

    after = titles(services)
    assert gone(services, deleted.id)
    arrived = services.stories.get_by_slug(written.slug)
    assert arrived.title == "Written on the train" and arrived.id not in before
    assert {i: t for i, t in after.items() if i != arrived.id} == {
        i: t for i, t in before.items() if i != deleted.id
    }  # nothing overwritten
    assert result.applied is not None
    assert (result.applied.created, result.applied.deleted, result.applied.updated) == (1, 1, 0)
    assert result.applied.created_ids == [arrived.id]


def test_edited_on_the_shared_desk_the_deleted_one_is_kept_beside_the_new_one(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    deleted, written = delete_newest_then_write(mine, "Written on the train")
    shared = services.stories.get(deleted.id)
    services.stories.update(
        deleted.id, replace(shared.fields(), title="Edited at the desk"), expected_version=shared.version
    )

    result = check_in(services, path)

    assert services.stories.get(deleted.id).title == "Edited at the desk"
    arrived = services.stories.get_by_slug(written.slug)
    assert arrived.id != deleted.id and arrived.title == "Written on the train"
    assert result.applied is not None and any("kept" in n for n in result.applied.notices)


def test_a_new_story_under_a_reused_id_placed_in_the_block_takes_its_new_id_there(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    section_id = services.section_id()
    deleted, written = delete_newest_then_write(mine, "Front page from the train")
    layout = mine.sections.layout(section_id)
    entries = [SlotEntry(written.id, headline="Offline lead"), *layout.entries()]
    mine.sections.replace_slots(section_id, entries, expected_version=layout.section.version)
    shared_before = titles(services)

    check_in(services, path)

    slots = services.sections.layout(section_id).slots
    arrived = services.stories.get_by_slug(written.slug)
    assert arrived.id not in shared_before
    assert slots[0].story.id == arrived.id and slots[0].story.title == "Front page from the train"
    assert slots[0].headline == "Offline lead"
    assert deleted.id not in [s.story.id for s in slots] and gone(services, deleted.id)


def test_a_delete_undone_on_the_laptop_is_still_the_same_story(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    story = newest(mine)
    mine.stories.delete(story.id)
    restored = mine.stories.restore(story)  # the undo of the delete: same id, same creation time
    mine.stories.update(
        story.id, replace(restored.fields(), body="Edited after the undo"), expected_version=restored.version
    )
    count = len(services.stories.list())

    result = check_in(services, path)

    assert services.stories.get(story.id).body == "Edited after the undo"
    assert services.stories.get(story.id).title == story.title
    assert len(services.stories.list()) == count
    assert result.applied is not None
    assert (result.applied.created, result.applied.deleted, result.applied.updated) == (0, 0, 1)


def test_a_shared_desk_story_under_a_deleted_ones_id_is_left_alone(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    """The same on the shared desk's side (a SQLite shared desk reuses ids too): the laptop's edit of the
    story deleted there comes back as a story of its own, the shared desk's new one is untouched."""
    path, mine = laptop
    taken = newest(services)
    assert taken.id == newest(mine).id  # the check-out took the newest story
    take_out_of_block(services, taken.id)
    services.stories.delete(taken.id)
    desk_story = services.stories.create(StoryFields(title="Written at the desk", body="Desk."))
    laptop_copy = mine.stories.get(taken.id)
    mine.stories.update(
        taken.id,
        replace(laptop_copy.fields(), body="Edited on the train"),
        expected_version=laptop_copy.version,
    )

    result = check_in(services, path)

    here = services.stories.get(desk_story.id)
    assert (here.title, here.body) == ("Written at the desk", "Desk.")
    back = [s for s in services.stories.list() if s.title == taken.title]
    assert len(back) == 1 and back[0].id != desk_story.id
    assert services.stories.get(back[0].id).body == "Edited on the train"
    assert result.applied is not None and any("kept" in n for n in result.applied.notices)


def test_a_story_brought_back_keeps_its_creation_time_for_another_check_out(
    services: Services, laptop: tuple[Path, Services], tmp_path: Path
) -> None:
    """Deleted at the desk, edited on two laptops: the first check-in brings it back under its id and its
    creation time, so the second merges into it instead of bringing a second copy."""
    first_path, first = laptop
    second_path = tmp_path / "second.sqlite3"
    services.checkouts.checkout(services.section_id(), second_path, 12)
    second = open_services(str(second_path), seed_demo=False)
    story = services.stories.get(services.sections.layout(services.section_id()).slots[-1].story.id)
    take_out_of_block(services, story.id)
    services.stories.delete(story.id)
    for mine, change in ((first, {"body": "From the first laptop"}), (second, {"byline": "Second laptop"})):
        taken = mine.stories.get(story.id)
        mine.stories.update(story.id, replace(taken.fields(), **change), expected_version=taken.version)  # type: ignore[arg-type]
    second.db.dispose()
    count = len(services.stories.list())

    check_in(services, first_path)
    back = services.stories.get(story.id)
    assert back.created_at == story.created_at and back.body == "From the first laptop"
    result = check_in(services, second_path)

    merged = services.stories.get(story.id)
    assert (merged.body, merged.byline) == ("From the first laptop", "Second laptop")
    assert len(services.stories.list()) == count + 1  # the one story back, no copy
    assert result.applied is not None and result.applied.created == 0
