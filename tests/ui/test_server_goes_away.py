"""The server goes away under an open desk, and comes back: no crash, no lost edit, no raw error.

A private PostgreSQL server (the session's ``postgres`` is shared by every test of the run, so it is never
stopped): a desk is open on it, a story has unsaved edits, the server stops. The desk says the connection
is lost and that it is retrying; Save is refused with a sentence and the edits stay (and stay in the
autosave on this computer); the server starts again, the desk says "Connected again" by itself, and the
same Save saves them. The command line against a stopped server prints one line and exits 1.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.services.container import Services
from ca_editor.ui.connection import BACK_TEXT, LOST_TEXT
from ca_editor.ui.desk import StepRefused
from ca_editor.ui.main_window import MainWindow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PostgresServer]:
    started = PostgresServer.start(tmp_path / "pg")
    try:
        started.admin('CREATE DATABASE "desk"')
        yield started
    finally:
        started.stop("immediate")


@pytest.fixture
def desk(
    open_desk: Callable[..., MainWindow], server: PostgresServer
) -> Iterator[tuple[MainWindow, Services]]:
    services = open_services(server.url("desk"))
    yield open_desk(services), services
    services.db.dispose()


def test_the_desk_keeps_edits_while_the_server_is_away_and_saves_them_when_it_is_back(
    qtbot: QtBot, desk: tuple[MainWindow, Services], server: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    window, services = desk
    watch = window.connection
    assert watch.watching and not watch.down and not watch.label.isVisible()
    story = window.desk.layout.slots[0].story
    window.editor.show_story(story.id)
    edited = f"{story.title} (updated while the server was away)"
    window.editor.title_edit.setText(edited)
    assert window.editor.is_dirty()

    server.stop("fast")
    qtbot.waitUntil(lambda: watch.down, timeout=15_000)
    assert watch.label.isVisible() and watch.label.text() == LOST_TEXT
    assert "edits are kept" in window.statusBar().currentMessage()

    assert window.editor.save() is False  # refused, clearly, and nothing of the form is lost
    notice = window.editor.notice.text.text()
    assert notice.startswith("Could not save: The database server cannot be reached")
    assert "Your edits are kept" in notice
    assert not any(word in notice.lower() for word in ("psycopg", "sqlalchemy", "connection refused", "\n"))
    assert window.editor.is_dirty() and window.editor.title_edit.text() == edited
    first = window.desk.layout.slots[0]
    unreachable = r"^Could not move .*: The database server cannot be reached"
    with pytest.raises(StepRefused, match=unreachable) as refused:
        window.desk.move_slots([first.id], 3)
    assert "could not be re-read" not in str(refused.value)
    assert window.desk.layout.slots[0].id == first.id and window.choice.model.rowCount() == 8
    window.autosaver.autosave()  # the copy on this computer's disk needs no server (its timer may have run)
    assert window.autosaver.written_key is not None

    server.restart()
    qtbot.waitUntil(lambda: not watch.down, timeout=15_000)
    assert watch.label.text() == BACK_TEXT
    assert window.statusBar().currentMessage().startswith(BACK_TEXT)
    assert window.editor.title_edit.text() == edited  # the reload on return kept the unsaved edits
    assert window.editor.notice.text.text().startswith(f"{BACK_TEXT}. Your edits are still here")

    assert window.editor.save() is True
    assert services.stories.get(story.id).title == edited
    assert not window.editor.is_dirty()
    qtbot.waitUntil(lambda: not watch.label.isVisible(), timeout=15_000)  # "Connected again" goes away
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]  # no traceback


def test_a_command_against_a_stopped_server_prints_one_line_and_fails(server: PostgresServer) -> None:
    url = server.url("desk")
    server.stop("fast")
    result = subprocess.run(
        [sys.executable, "-m", "ca_editor", "--db", url, "section", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ca-editor: cannot open the database postgresql://")
    assert "the database server cannot be reached" in lines[0]
    assert "Traceback" not in result.stderr
