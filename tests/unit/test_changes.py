"""The change record (domain/changes.py): what it names, how two combine, what a pane asks of it."""

from __future__ import annotations

from datetime import UTC, datetime

from ca_editor.domain.changes import Change, Origin, layout_change, story_change
from ca_editor.domain.model import Section, SectionLayout, Slot, Story, StoryStatus

NOW = datetime(2026, 1, 5, 14, 5, tzinfo=UTC)


def _story(story_id: int, title: str = "A story") -> Story:
    return Story(
        id=story_id,
        slug=f"s{story_id}",
        title=title,
        summary="",
        body="",
        byline="",
        published_at=NOW,
        status=StoryStatus.APPROVED,
        tags=(),
        image=None,
        version=1,
        created_at=NOW,
        updated_at=NOW,
    )


def _layout(*story_ids: int, section_id: int = 7) -> SectionLayout:
    section = Section(id=section_id, slug="s", title="S", description="", slot_count=8)
    slots = tuple(Slot(id=100 + n, position=n + 1, story=_story(i)) for n, i in enumerate(story_ids))
    return SectionLayout(section, slots)


def test_an_empty_change_names_nothing() -> None:
    change = Change()
    assert change.empty
    assert not change.names_story(1) and not change.names_layout(7)
    assert change.origin is Origin.WINDOW


def test_everything_names_every_story_and_layout() -> None:
    change = Change.all(Origin.OTHER_PROCESS, "Timur")
    assert change.names_story(12345) and change.names_layout(99) and change.names_any_story({1})
    assert change.statuses and change.snapshots and change.dates_changed and change.who == "Timur"


def test_a_layout_change_names_the_section_and_the_stories_that_came_or_went() -> None:
    change = layout_change(_layout(1, 2, 3), _layout(3, 1, 4), origin=Origin.UNDO, who="Aigerim")
    assert change.layout_section_ids == {7} and change.names_layout(7) and not change.names_layout(8)
    assert change.placed_story_ids == {2, 4}  # 1 and 3 only moved: their list rows look the same
    assert change.names_story(4) and not change.names_story(1)
    assert change.layout is not None and change.layout.story_ids() == (3, 1, 4)
    assert change.origin is Origin.UNDO and change.who == "Aigerim"


def test_a_story_change_carries_the_story_as_saved() -> None:
    saved = _story(5, "Fresh title")
    change = story_change(saved, origin=Origin.WINDOW, who="A", created=True, status_changed=True)
    assert change.saved_story_ids == {5} and change.created_story_ids == {5}
    assert change.saved(5) is saved and change.saved(6) is None
    assert change.statuses and not change.snapshots and not change.layout_section_ids


def test_two_changes_combine_into_one_naming_both() -> None:
    restored = story_change(_story(5), origin=Origin.UNDO, who="A", created=True)
    put_back = layout_change(_layout(1), _layout(1, 5), origin=Origin.UNDO, who="A")
    both = restored | put_back
    assert both.saved_story_ids == {5} and both.layout_section_ids == {7}
    assert both.placed_story_ids == {5} and both.layout is put_back.layout
    assert both.saved(5) is not None and both.origin is Origin.UNDO


def test_a_later_delete_wins_over_an_earlier_save_and_the_other_way_round() -> None:
    saved = story_change(_story(5), origin=Origin.WINDOW, who="A")
    deleted = Change(deleted_story_ids=frozenset({5}))
    gone = saved | deleted
    assert gone.deleted_story_ids == {5} and gone.saved_story_ids == frozenset()
    assert gone.saved(5) is None
    back = deleted | saved
    assert back.saved_story_ids == {5} and back.deleted_story_ids == frozenset()


def test_the_origin_can_be_restated_and_the_record_stays_frozen() -> None:
    change = Change(snapshots=True)
    redone = change.with_origin(Origin.REDO)
    assert redone.origin is Origin.REDO and change.origin is Origin.WINDOW
    assert redone == Change(origin=Origin.REDO, snapshots=True)
    try:
        change.snapshots = False  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("a Change must be immutable")
