"""The story list follows the desk's broadcast: the rows a change names in place, the page if one may move."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event

from ca_editor.domain.changes import Change, Origin, layout_change, story_change
from ca_editor.domain.model import SlotEntry, Story, StoryStatus
from ca_editor.services.container import Services
from ca_editor.ui.stories import StoryListModel, StoryListPane


@pytest.fixture
def pane(qtbot, services: Services) -> StoryListPane:
    widget = StoryListPane(services.stories)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@contextmanager
def counted(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(services.db.engine, "before_cursor_execute", listener)


def _save(services: Services, story: Story, **changes: object) -> Change:
    saved = services.stories.update(
        story.id, replace(story.fields(), **changes), expected_version=story.version
    )
    return story_change(saved, origin=Origin.WINDOW, who="test")


def _listed(pane: StoryListPane, count: int = 5) -> Story:
    return pane._stories.get(pane.model.story_at(count).id)


def test_a_saved_title_under_date_order_changes_its_row_without_a_read(
    pane: StoryListPane, services: Services
) -> None:
    story = _listed(pane)
    order = [pane.model.story_at(row).id for row in range(pane.model.rowCount())]
    pane.select_story(story.id)
    change = _save(services, story, title="A title edited in place", slug="edited-in-place")
    with counted(services) as seen:
        pane.follow(change)
    assert seen == []
    row = pane.model.row_of(story.id)
    assert pane.model.story_at(row).title == "A title edited in place"
    assert pane.model.story_at(row).slug == "edited-in-place"
    assert pane.model.index(row, StoryListModel.TITLE).data() == "A title edited in place"
    assert [pane.model.story_at(r).id for r in range(pane.model.rowCount())] == order
    assert pane.selected_story_ids() == [story.id]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda s: {"status": StoryStatus.DRAFT}, id="status"),
        pytest.param(lambda s: {"published_at": s.published_at - timedelta(days=3000)}, id="date"),
    ],
)
def test_a_saved_date_or_status_re_reads_the_page(
    pane: StoryListPane, services: Services, edit: Callable[[Story], dict[str, object]]
) -> None:
    candidates = [services.stories.get(pane.model.story_at(row).id) for row in range(pane.model.rowCount())]
    story = next(s for s in candidates[3:] if s.published_at is not None)
    change = _save(services, story, **edit(story))
    with counted(services) as seen:
        pane.follow(change)
    assert seen  # the page again: the row may have moved, or left a filter
    listed = [pane.model.story_at(row).id for row in range(pane.model.rowCount())]
    assert listed == [s.id for s in services.stories.list(pane.model.query())]  # the SQL order
    row = pane.model.row_of(story.id)
    assert row is not None
    shown = pane.model.story_at(row)
    assert (shown.status, shown.published_at) == (
        services.stories.get(story.id).status,
        services.stories.get(story.id).published_at,
    )


def test_under_a_status_filter_a_story_stepped_out_leaves_the_list(
    qtbot, pane: StoryListPane, services: Services
) -> None:
    labels = [pane.status_filter.itemText(i) for i in range(pane.status_filter.count())]
    pane.status_filter.setCurrentIndex(labels.index("Published"))  # the demo's stories all are
    qtbot.waitUntil(lambda: pane.model.query().status is StoryStatus.PUBLISHED, timeout=3000)
    story = services.stories.get(pane.model.story_at(0).id)
    pane.follow(_save(services, story, status=StoryStatus.READY))
    assert pane.model.row_of(story.id) is None


def test_under_title_order_a_saved_title_moves_its_row(pane: StoryListPane, services: Services) -> None:
    pane.view.sortByColumn(StoryListModel.TITLE, Qt.SortOrder.AscendingOrder)
    story = _listed(pane)
    pane.follow(_save(services, story, title="AAA first now"))
    assert pane.model.row_of(story.id) == 0


def test_a_story_placed_into_the_block_gets_its_star_without_a_read(
    pane: StoryListPane, services: Services
) -> None:
    section_id = services.section_id()
    before = services.sections.layout(section_id)
    if len(before.slots) >= before.section.slot_count:  # room for one more
        entries = before.entries()[:-1]
        before = services.sections.replace_slots(section_id, entries, expected_version=before.section.version)
        pane.refresh()
    outside = next(
        pane.model.story_at(row)
        for row in range(pane.model.rowCount())
        if not pane.model.story_at(row).in_editors_choice
    )
    entries = (*before.entries(), SlotEntry(outside.id))
    after = services.sections.replace_slots(section_id, entries, expected_version=before.section.version)
    change = layout_change(before, after, origin=Origin.WINDOW, who="test")
    assert change.placed_story_ids == {outside.id}
    with counted(services) as seen:
        pane.follow(change)
    assert seen == []
    assert pane.model.story_at(pane.model.row_of(outside.id)).in_editors_choice


def test_a_story_taken_out_of_the_block_is_re_read(pane: StoryListPane, services: Services) -> None:
    section_id = services.section_id()
    before = services.sections.layout(section_id)
    gone = before.slots[0].story.id
    after = services.sections.replace_slots(
        section_id, before.entries()[1:], expected_version=before.section.version
    )
    pane.follow(layout_change(before, after, origin=Origin.WINDOW, who="test"))
    row = pane.model.row_of(gone)
    assert row is not None and not pane.model.story_at(row).in_editors_choice
