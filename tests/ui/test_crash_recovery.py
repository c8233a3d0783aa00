"""Crash recovery in the window: unsaved edits are copied while typing, and a later start offers them back."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ca_editor.app import open_services
from ca_editor.domain.model import StoryFields
from ca_editor.locations import database_url
from ca_editor.services.container import Services
from ca_editor.services.recovery import RecoveryStore
from ca_editor.services.recovery_entry import BaseStory, RecoveredEdit, story_key
from ca_editor.ui import recovery
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.recovery import RecoveryDialog, describe, offer_recovery
from ca_editor.ui.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def _open_window(qtbot: QtBot, services: Services, settings: Settings) -> MainWindow:
    window = MainWindow(services, settings)
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]  # never a modal at teardown
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, services: Services, settings: Settings, monkeypatch) -> Iterator[MainWindow]:
    monkeypatch.setattr(recovery, "AUTOSAVE_MS", 50)
    yield _open_window(qtbot, services, settings)


def _store(services: Services) -> RecoveryStore:
    return RecoveryStore.for_database(services.db.url)


def _copies(services: Services) -> list[dict]:
    folder = _store(services).folder
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def _left_by_a_crash(services: Services, story_id: int | None, fields: StoryFields, **base_changes) -> None:
    """What a window killed while editing leaves behind: its copy, and a lock nobody holds."""
    session = _store(services).open_session()
    base = None
    if story_id is not None:
        story = services.stories.get(story_id)
        base = BaseStory(story.version, story.fields(), story.created_at, story.updated_at, story.updated_by)
        base = replace(base, **base_changes)
    session.save(story_key(story_id), fields=fields, base=base, who="Dana Karimova", story_id=story_id)
    session.close(keep=True)


def _first_story_id(window: MainWindow) -> int:
    return window.desk.layout.slots[0].story.id


def test_typing_is_copied_and_the_copy_goes_when_the_story_is_saved(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    story_id = _first_story_id(window)
    window.editor.show_story(story_id)
    window.editor.body_edit.setFocus()
    QTest.keyClicks(window.editor.body_edit, "Typed before the crash. ")

    qtbot.waitUntil(lambda: any("Typed before the crash" in c["fields"]["body"] for c in _copies(services)))
    [copy] = _copies(services)
    assert copy["story_id"] == story_id
    assert copy["base"]["version"] == services.stories.get(story_id).version
    assert copy["who"] == services.identity.name
    # Nothing typed since: the timer does not write (or fsync) again.
    assert window.autosaver.autosave() is False

    assert window.editor.save()
    assert _copies(services) == []
    assert "Typed before the crash" in services.stories.get(story_id).body


def test_reverting_or_switching_story_drops_the_copy_and_a_new_story_has_its_own(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    window.editor.show_story(_first_story_id(window))
    window.editor.title_edit.setText("A changed title")
    assert window.autosaver.autosave()
    assert len(_copies(services)) == 1
    window.editor.revert()
    assert _copies(services) == []

    window.editor.new_story()
    window.editor.title_edit.setText("A story nobody saved yet")
    qtbot.waitUntil(lambda: len(_copies(services)) == 1)
    assert _copies(services)[0]["key"] == "new"
    window.editor.show_story(_first_story_id(window))  # the unsaved form went away: so does its copy
    assert _copies(services) == []


def test_a_clean_close_leaves_nothing_to_offer(
    qtbot: QtBot, services: Services, settings: Settings, monkeypatch
) -> None:
    window = _open_window(qtbot, services, settings)
    window.editor.show_story(_first_story_id(window))
    window.editor.title_edit.setText("Saved before closing")
    assert window.autosaver.autosave()
    assert window.editor.save()
    window.close()
    assert not any(_store(services).folder.iterdir())
    assert offer_recovery(_open_window(qtbot, services, settings)) is None


def test_the_next_start_offers_the_edits_and_restore_puts_them_in_the_editor_dirty(
    qtbot: QtBot, services: Services, settings: Settings, tmp_path: Path
) -> None:
    story = services.stories.get(1)
    typed = replace(story.fields(), body=story.body + "\n\nA paragraph typed just before the crash.")
    _left_by_a_crash(services, story.id, typed)
    window = _open_window(qtbot, services, settings)

    def answer(dialog: RecoveryDialog) -> None:
        dialog.show()
        qtbot.waitExposed(dialog)
        shot = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path)) / "recovery-dialog.png"
        dialog.grab().save(str(shot))
        assert [e.story_id for e in dialog.edits()] == [story.id]
        assert (
            dialog.list.item(0).text().startswith(describe(dialog.edits()[0]) + "\nDana Karimova · story #")
        )
        assert dialog.list.item(0).text().startswith(f"“{story.title[:40]}")
        dialog.restore_button.click()

    dialog = offer_recovery(window, run=answer)

    assert dialog is not None and dialog.chosen is not None
    editor = window.editor
    assert editor.current_story() == services.stories.get(story.id)
    assert editor.current_fields().body == typed.body
    assert editor.is_dirty()
    assert "Restored your unsaved edits" in editor.notice_message()
    # The copy now belongs to this window: not offered to another, and gone once saved.
    assert _store(services).orphans() == []
    assert [c["fields"]["body"] for c in _copies(services)] == [typed.body]
    assert editor.save()
    assert services.stories.get(story.id).body == typed.body
    assert _copies(services) == []


def test_restoring_over_a_story_saved_since_goes_through_the_conflict_question(
    qtbot: QtBot, services: Services, settings: Settings, monkeypatch
) -> None:
    from ca_editor.ui import conflicts

    story = services.stories.get(2)
    _left_by_a_crash(services, story.id, replace(story.fields(), title="Mine, from before the crash"))
    services.stories.update(story.id, replace(story.fields(), title="Theirs"), expected_version=story.version)
    window = _open_window(qtbot, services, settings)
    asked: list[str] = []

    def ask(_parent, _kind, title, *_args, **_kwargs) -> str:
        asked.append(title)
        return "Cancel"  # keep editing

    monkeypatch.setattr(conflicts, "ask", ask)
    offer_recovery(window, run=lambda d: d.restore(d.edits()[0]))

    editor = window.editor
    assert editor.current_fields().title == "Mine, from before the crash"
    assert editor.current_story() is not None and editor.current_story().version == story.version
    assert editor.current_story().title == story.title  # the story as it was when the edits were made
    assert "was saved again" in editor.notice_message()
    assert not editor.save()  # the version check catches it: never a silent overwrite of "Theirs"
    assert asked == ["Changed by someone else"]
    assert services.stories.get(story.id).title == "Theirs"
    assert editor.is_dirty() and editor.current_fields().title == "Mine, from before the crash"


def test_edits_to_a_story_deleted_since_come_back_as_a_new_story(
    qtbot: QtBot, services: Services, settings: Settings
) -> None:
    story = services.stories.get(3)
    _left_by_a_crash(services, story.id, replace(story.fields(), summary="Rescued summary", slug=""))
    services.stories.delete(story.id, expected_version=story.version)
    window = _open_window(qtbot, services, settings)

    offer_recovery(window, run=lambda d: d.restore(d.edits()[0]))

    assert window.editor.is_new() and window.editor.is_dirty()
    assert window.editor.current_fields().summary == "Rescued summary"
    assert "was deleted" in window.editor.notice_message()


def test_a_new_story_is_listed_by_its_title_and_discard_and_later_do_what_they_say(
    qtbot: QtBot, services: Services, settings: Settings
) -> None:
    _left_by_a_crash(services, None, StoryFields(title="Untitled? No: the Aral sea returns"))
    _left_by_a_crash(services, 4, replace(services.stories.get(4).fields(), byline="Someone new"))
    window = _open_window(qtbot, services, settings)

    def later(dialog: RecoveryDialog) -> None:
        assert len(dialog.edits()) == 2
        assert any("“Untitled? No: the Aral sea returns” — unsaved edits from" in t for t in _texts(dialog))
        dialog.later_button.click()

    offer_recovery(window, run=later)
    assert not window.editor.is_dirty()
    assert len(_store(services).orphans()) == 2  # kept for the next start

    def discard_one(dialog: RecoveryDialog) -> None:
        dialog.list.setCurrentRow(0)
        dialog.discard_button.click()
        assert len(dialog.edits()) == 1
        dialog.later_button.click()

    offer_recovery(window, run=discard_one)
    assert len(_store(services).orphans()) == 1

    def discard_last(dialog: RecoveryDialog) -> None:
        dialog.discard_button.click()  # the last one: the dialog closes itself

    dialog = offer_recovery(window, run=discard_last)
    assert dialog is not None and dialog.chosen is None
    assert _store(services).orphans() == []
    assert offer_recovery(window) is None  # nothing left: no dialog at all


def test_a_copy_that_cannot_be_written_is_reported_once_in_the_status_bar(
    qtbot: QtBot, window: MainWindow, services: Services, monkeypatch
) -> None:
    from ca_editor.services import recovery as store_module

    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.os, "fsync", full)
    window.editor.show_story(_first_story_id(window))
    with qtbot.waitSignal(window.autosaver.failed) as reported:
        window.editor.title_edit.setText("Cannot be copied")
    assert "No space left on device" in reported.args[0]
    assert "No space left on device" in window.statusBar().currentMessage()
    window.editor.title_edit.setText("Cannot be copied either")
    with qtbot.assertNotEmitted(window.autosaver.failed, wait=200):
        window.autosaver.autosave()


def test_describe_names_the_story_and_the_time() -> None:
    from datetime import UTC, datetime

    moment = datetime(2025, 11, 27, 14, 5, tzinfo=UTC)
    edit = RecoveredEdit(
        path=Path("x"),
        session="0" * 16,
        key="new",
        story_id=None,
        base=None,
        fields=StoryFields(title="  "),
        saved_at=moment,
        who="",
    )
    local = moment.astimezone()
    text = describe(edit, now=datetime(2025, 12, 1, tzinfo=UTC))
    assert text == f"“Untitled new story” — unsaved edits from {local.day} {local:%b} {local:%H:%M}"
    assert describe(edit, now=datetime(2026, 1, 5, tzinfo=UTC)).endswith(f"{local:%b} 2025 {local:%H:%M}")


def _texts(dialog: RecoveryDialog) -> list[str]:
    return [dialog.list.item(row).text() for row in range(dialog.list.count())]


def test_the_offer_never_blocks_a_window_built_by_a_test(qtbot: QtBot, services: Services, settings) -> None:
    _left_by_a_crash(services, None, StoryFields(title="left over"))
    window = _open_window(qtbot, services, settings)  # MainWindow itself never asks
    assert QMessageBox is not None and not window.editor.is_dirty()
    qtbot.wait(50)
    assert all(not w.isVisible() for w in window.findChildren(RecoveryDialog))


def _load_driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crash_driver", Path(__file__).with_name("crash_driver.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_killed_while_typing_the_next_start_offers_what_was_typed(
    qtbot: QtBot, db_path: Path, tmp_path: Path, settings: Settings
) -> None:
    """The real app (a child process) saves one story, then types into another; SIGKILL mid-typing."""
    driver = _load_driver()
    store = RecoveryStore.for_database(database_url(str(db_path)))

    def copied_words() -> int:
        bodies = [c["fields"]["body"] for c in _read_copies(store)]
        return max((len(re.findall(r" word\d+", body)) for body in bodies), default=0)

    app = driver.AppProcess("typing", db_path, tmp_path / "runs")
    try:
        committed = app.wait_for_event("committed")[0]
        typed_id = app.wait_for_event("typing")[0]["story_id"]
        app.wait_for(lambda: copied_words() >= 30, "an autosave with 30 words in it")
        seen = copied_words()
        app.wait_for(lambda: copied_words() > seen, "typing going on after that autosave")
        app.kill()
    finally:
        app.stop()

    assert driver.integrity_problems(db_path) == []
    with sqlite3.connect(db_path) as connection:
        title = connection.execute(
            "SELECT title FROM stories WHERE id = ?", (committed["story_id"],)
        ).fetchone()
    assert title == (committed["title"],)  # the save before the crash is all there
    [edit] = store.orphans()
    assert edit.story_id == typed_id and edit.who == "Crash Tester"
    typed = re.findall(r" word(\d+)", edit.fields.body)
    assert [int(n) for n in typed] == list(range(len(typed))) and len(typed) > seen  # every word, in order

    # The next start of the real app offers it; Restore puts it in the editor, unsaved.
    second = driver.AppProcess("offer", db_path, tmp_path / "runs")
    try:
        [offered] = second.wait_for_event("offered")
        [restored] = second.wait_for_event("restored")
        second.kill()  # and it crashes again, before anyone saves
    finally:
        second.stop()
    assert len(offered["items"]) == 1 and offered["items"][0].startswith(describe(edit))
    assert restored["story_id"] == typed_id and restored["dirty"] is True
    assert restored["body"] == edit.fields.body
    assert "Restored your unsaved edits" in restored["notice"]
    [again] = store.orphans()  # a second crash loses nothing either
    assert again.fields == edit.fields and again.session != edit.session

    # In this process too: the window's offer, answered here.
    services = open_services(str(db_path))
    try:
        window = _open_window(qtbot, services, settings)
        dialog = offer_recovery(window, run=lambda d: d.restore(d.edits()[0]))
        assert dialog is not None and [e.fields for e in dialog.edits()] == [edit.fields]
        assert window.editor.current_fields().body == edit.fields.body and window.editor.is_dirty()
        assert window.editor.save()
        assert services.stories.get(typed_id).body == edit.fields.body
        assert store.orphans() == [] and _read_copies(store) == []
        window.close()
    finally:
        services.db.dispose()


def _read_copies(store: RecoveryStore) -> list[dict]:
    found = []
    for path in sorted(store.folder.glob("*.json")) if store.folder.is_dir() else []:
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            continue  # replaced between the listing and the read
    return found
