"""Presence in the window (issue 14, item 7): a second desk on the same database shows in the slot pane's
line and, once the window opens the story that desk edits, in the story editor's line; this window shows
in the other desk's reading too, and leaves it when it closes. On SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event
from tests.postgres_server import ENGINES

from ca_editor.app import open_services
from ca_editor.domain.errors import StorageError
from ca_editor.domain.local_time import clock_time
from ca_editor.domain.presence import Presence
from ca_editor.services.container import Services
from ca_editor.services.identity import Identity
from ca_editor.services.presence import PresenceService
from ca_editor.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services) -> MainWindow:
    services.identity.set("Aigerim")
    opened = open_desk(services)
    # The window announces itself once it is on screen (after its first paint: issue 18's start).
    qtbot.waitUntil(lambda: opened.presence._announced is not None, timeout=5000)
    return opened


@pytest.fixture
def timur(services: Services) -> Iterator[PresenceService]:
    """Another workstation: its own connection pool and name on the same database."""
    other = open_services(services.db.url, seed_demo=False)
    yield PresenceService(other.db, Identity("Timur"))
    other.db.dispose()


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_a_second_desk_shows_in_the_slot_pane_and_the_editor(
    qtbot: QtBot, window: MainWindow, timur: PresenceService
) -> None:
    section = window.desk.section_id
    story = window.desk.layout.slots[0].story
    timur.beat(section, story.id)
    (seen_by_timur,) = timur.others(section)  # the window announced itself on its own, at start
    assert seen_by_timur.person == "Aigerim"
    readers = PresenceService(window.services.db, Identity("reader")).others(section)
    (timur_row,) = [row for row in readers if row.person == "Timur"]
    since = clock_time(timur_row.editing_since or timur_row.opened_at)

    window.presence.refresh()
    qtbot.waitUntil(
        lambda: window.presence.lines()[0].startswith("Also open: Timur (editing “"), timeout=5000
    )
    assert window.presence.lines()[0].endswith(f"since {since})")
    assert window.presence.open_line.isVisible()
    assert window.presence.lines()[1] == ""  # the editor shows no story yet

    window.editor.show_story(story.id)
    qtbot.waitUntil(lambda: window.presence.lines()[1] == f"Also editing: Timur, since {since}", timeout=5000)
    assert window.presence.editing_line.isVisible()
    assert "Aigerim" not in " ".join(window.presence.lines())  # never itself

    qtbot.waitUntil(lambda: _editing(timur, section) == story.id, timeout=5000)  # it told Timur's desk

    timur.leave()
    window.presence.refresh()
    qtbot.waitUntil(lambda: window.presence.lines() == ("", ""), timeout=5000)
    assert not window.presence.open_line.isVisible()

    window.close()
    assert timur.others(section) == ()  # a clean close removes the window's row at once


def _editing(desk: PresenceService, section: int) -> int | None:
    (window_row,) = desk.others(section)
    return window_row.story_id


def test_opening_a_story_costs_one_heartbeat_and_one_reading(qtbot: QtBot, window: MainWindow) -> None:
    """What presence adds to a person's step, off the UI thread: one small write and one indexed read."""
    qtbot.waitUntil(lambda: not window.presence._lane.busy(), timeout=5000)  # the start's announcement
    seen: list[tuple[str, str]] = []

    def listener(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append((threading.current_thread().name, statement.split()[0].upper()))

    engines = {window.services.db.engine, window.services.presence.store.engine}  # one on a server
    for engine in engines:
        event.listen(engine, "before_cursor_execute", listener)
    try:
        window.editor.show_story(window.desk.layout.slots[0].story.id)
        qtbot.waitUntil(lambda: window.presence._announced is not None and not window.presence._lane.busy())
        qtbot.wait(300)  # nothing more follows
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", listener)
    presence = [kind for thread, kind in seen if thread.startswith("presence") and kind != "BEGIN"]
    assert presence == ["UPDATE", "SELECT"]


def test_a_database_that_does_not_answer_empties_the_lines_and_says_so_once(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    qtbot.waitUntil(lambda: not window.presence._lane.busy(), timeout=5000)
    window.presence._others = (Presence("Timur", datetime.now(UTC)),)
    window.presence._show()
    assert window.presence.lines()[0].startswith("Also open: Timur (since ")

    def unreachable(_section_id: int) -> tuple[Presence, ...]:
        raise StorageError("The database server cannot be reached")

    monkeypatch.setattr(window.services.presence, "others", unreachable)
    with caplog.at_level(logging.WARNING, logger="ca_editor.ui.presence"):
        for _ in range(3):
            window.presence.refresh()
            qtbot.waitUntil(lambda: not window.presence._lane.busy(), timeout=5000)
    assert window.presence.lines() == ("", "")  # nobody shown on the strength of an answer that never came
    assert [r.getMessage() for r in caplog.records].count(
        "Presence could not be brought up to date: The database server cannot be reached"
    ) == 1
