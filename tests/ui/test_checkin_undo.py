"""A check-in is one undo step (issue 15 item 5): a story the laptop deleted comes back with its slot, a story
the laptop wrote goes, the block is as before; redo brings the laptop's work in again. A colleague's save
of a story the step would change refuses the undo before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ca_editor.app import open_services
from ca_editor.domain.errors import CaEditorError, NotFoundError
from ca_editor.domain.model import StoryFields
from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow


def bring_back(qtbot: QtBot, window: MainWindow, laptop: Path) -> None:
    flow = window.offline.checkin
    flow.plan_from(laptop)
    qtbot.waitUntil(lambda: flow.dialog is not None, timeout=30_000)
    assert flow.dialog is not None and not flow.dialog.cards  # nothing collides
    flow.dialog.accept()
    qtbot.waitUntil(lambda: flow.message is not None, timeout=30_000)
    flow.message.done(0)  # type: ignore[union-attr]


@pytest.mark.parametrize("delete_first", [False, True], ids=["write-then-delete", "delete-then-write"])
def test_undo_takes_the_whole_check_in_out_and_redo_brings_it_back(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path, delete_first: bool
) -> None:
    section_id = services.section_id()
    laptop_path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, laptop_path, 12)
    laptop = open_services(str(laptop_path))
    before = services.sections.layout(section_id)
    dropped = before.slots[-1].story
    layout = laptop.sections.layout(section_id)
    laptop.sections.replace_slots(section_id, layout.entries()[:-1], expected_version=layout.section.version)
    # Written after the delete, SQLite gives the new story the deleted one's id: still a new story (its
    # creation time tells it apart, services/merge_sides.py), the deleted one still deleted.
    if delete_first:
        laptop.stories.delete(dropped.id)
    written = laptop.stories.create(StoryFields(title="Written on the train", body="Offline."))
    if not delete_first:
        laptop.stories.delete(dropped.id)
    assert (written.id == dropped.id) == delete_first  # the newest story: its id is reused
    laptop.db.dispose()
    window = open_desk(services)

    bring_back(qtbot, window, laptop_path)
    try:
        services.stories.get(dropped.id)
        raise AssertionError("the story the laptop deleted is still here")
    except NotFoundError:
        pass
    new = services.stories.get_by_slug(written.slug)
    assert new.id != dropped.id and new.title == "Written on the train"
    assert [s.story.id for s in services.sections.layout(section_id).slots] == [
        s.story.id for s in before.slots[:-1]
    ]
    stack = window.desk.undo_stack
    assert stack.count() == 1

    stack.undo()
    assert services.stories.get(dropped.id).title == dropped.title  # back, under its id
    assert [s.story.id for s in services.sections.layout(section_id).slots] == [
        s.story.id for s in before.slots
    ]
    try:
        services.stories.get(new.id)
        raise AssertionError("the laptop's new story is still here after undo")
    except NotFoundError:
        pass
    assert [s.story.id for s in window.desk.layout.slots] == [s.story.id for s in before.slots]  # shown

    stack.redo()
    assert services.stories.get(new.id).title == "Written on the train"
    assert len(services.sections.layout(section_id).slots) == len(before.slots) - 1


def test_a_colleagues_save_since_refuses_the_undo_before_anything_is_written(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path, db_path: Path
) -> None:
    section_id = services.section_id()
    laptop_path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, laptop_path, 12)
    laptop = open_services(str(laptop_path))
    written = laptop.stories.create(StoryFields(title="Written on the train", body="Offline."))
    laptop.db.dispose()
    window = open_desk(services)
    refused: list[CaEditorError] = []
    window.desk.on_step_refused = refused.append
    bring_back(qtbot, window, laptop_path)
    new = services.stories.get_by_slug(written.slug)

    colleague = open_services(str(db_path))
    colleague.stories.update(
        new.id, StoryFields(title="Edited by a colleague", slug=new.slug), expected_version=new.version
    )
    colleague.db.dispose()
    window.desk.undo_stack.undo()
    assert refused and "saved since" in str(refused[0])
    assert services.stories.get(new.id).title == "Edited by a colleague"  # theirs kept, nothing undone
    assert window.desk.undo_stack.count() == 0  # the refused step left the history
