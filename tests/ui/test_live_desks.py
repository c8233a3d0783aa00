"""Two desks on one database (issue 14, items 6 and 13): what one does, the other shows within 2 seconds.

Two ``MainWindow``s, each over its own ``Services`` and ``Database`` (two workstations: two connection
pools, two event tokens) on one PostgreSQL database, and on one SQLite file. Timur moves a slot by dropping
it in his editor's choice; Aigerim's editor's choice shows the new order and her status bar says who did
it. A colleague's save of the story in front of her replaces the form only when she has no unsaved edits.
``CA_EDITOR_SCREENSHOT_DIR`` keeps a picture of both desks.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from pytestqt.qtbot import QtBot
from tests.postgres_server import ENGINES

from ca_editor.app import open_services
from ca_editor.services.container import Services
from ca_editor.ui.dnd import SLOT_IDS_MIME, encode_ids
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings

LIVE_MS = 2_000  # the promise: another desk shows a change within 2 seconds


def _open(qtbot: QtBot, services: Services, name: str, folder: Path) -> MainWindow:
    services.identity.set(name)
    settings = Settings(QSettings(str(folder / f"{name}.ini"), QSettings.Format.IniFormat))
    window = MainWindow(services, settings)
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def desks(qtbot: QtBot, services: Services, tmp_path: Path) -> Iterator[tuple[MainWindow, MainWindow]]:
    """Aigerim's desk and Timur's, a second workstation on the same database (its own pool and events),
    both settled: first paints, the previews' and checklists' first runs share one UI thread here, unlike
    two workstations, and the promise is about a desk at work, not one starting."""
    second = open_services(services.db.url, seed_demo=False)
    windows = (_open(qtbot, services, "Aigerim", tmp_path), _open(qtbot, second, "Timur", tmp_path))
    for _ in range(3):
        qtbot.wait(700)
        for window in windows:
            window.checklist.wait_idle()
    yield windows
    for window in windows:
        window.close()
        window.deleteLater()
    second.db.dispose()


def _slot_order(window: MainWindow) -> list[int]:
    return [slot.id for slot in window.choice.model.slots]


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_a_slot_moved_on_one_desk_shows_on_the_other_within_two_seconds(
    qtbot: QtBot, desks: tuple[MainWindow, MainWindow]
) -> None:
    aigerim, timur = desks
    moved = timur.desk.layout.slots[0]
    data = encode_ids(SLOT_IDS_MIME, [moved.id])

    started = time.monotonic()
    timur.choice.model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    wanted = _slot_order(timur)
    assert wanted[2] == moved.id
    qtbot.waitUntil(lambda: _slot_order(aigerim) == wanted, timeout=LIVE_MS)
    print(f"\nslot move shown on the other desk after {1000 * (time.monotonic() - started):.0f} ms")

    section = aigerim.desk.layout.section.title
    assert aigerim.statusBar().currentMessage() == f"Timur moved a slot in {section}"
    assert aigerim.desk.layout.section.version == timur.desk.layout.section.version
    assert timur.statusBar().currentMessage() != f"Timur moved a slot in {section}"  # not its own
    shots = os.environ.get("CA_EDITOR_SCREENSHOT_DIR")
    if shots:
        aigerim.grab().save(str(Path(shots) / f"live-desk-aigerim-{aigerim.services.db.engine.name}.png"))
        timur.grab().save(str(Path(shots) / f"live-desk-timur-{timur.services.db.engine.name}.png"))


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_a_colleagues_save_replaces_an_unedited_form_and_never_unsaved_edits(
    qtbot: QtBot, desks: tuple[MainWindow, MainWindow]
) -> None:
    aigerim, timur = desks
    first, other = aigerim.desk.layout.slots[0].story, aigerim.desk.layout.slots[1].story

    aigerim.editor.show_story(first.id)  # no edits: shows what Timur saves
    opened = timur.services.stories.get(first.id)
    timur.desk.update_story(opened, dataclasses.replace(opened.fields(), title="Retitled by Timur"))
    qtbot.waitUntil(lambda: aigerim.editor.title_edit.text() == "Retitled by Timur", timeout=LIVE_MS)
    assert aigerim.statusBar().currentMessage() == "Timur saved “Retitled by Timur”"
    assert aigerim.desk.layout.slots[0].story.title == "Retitled by Timur"

    aigerim.editor.show_story(other.id)  # unsaved edits: kept, and told
    aigerim.editor.title_edit.setText("Aigerim's unsaved title")
    assert aigerim.editor.is_dirty()
    opened = timur.services.stories.get(other.id)
    timur.desk.update_story(opened, dataclasses.replace(opened.fields(), title="Timur's saved title"))
    qtbot.waitUntil(lambda: "changed elsewhere" in aigerim.editor.notice_message(), timeout=LIVE_MS)
    assert aigerim.editor.title_edit.text() == "Aigerim's unsaved title"
    assert aigerim.editor.is_dirty()
