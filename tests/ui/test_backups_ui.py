"""Backups in the window: the damaged-file dialog at start, File → Backups…, a full disk, read-only banner."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import event

from ca_editor.app import open_services
from ca_editor.domain.local_time import local_time
from ca_editor.persistence import backup as files
from ca_editor.persistence.backup import DamagedDatabaseError
from ca_editor.services.container import Services
from ca_editor.ui import backups as ui_backups
from ca_editor.ui.backups import BackupsDialog, RecoveryDialog, offer_recovery
from ca_editor.ui.desk import Desk
from ca_editor.ui.editor import StoryEditor


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    data[size * 3 : size * 5] = b"\xa5" * (size * 2)
    path.write_bytes(bytes(data))


def _titles(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [r[0] for r in connection.execute("SELECT title FROM stories ORDER BY id")]
    finally:
        connection.close()


@pytest.fixture
def damaged_with_backup(db_path: Path) -> Iterator[tuple[Path, files.Backup]]:
    services = open_services(str(db_path))
    taken = services.backups.backup("periodic")
    services.backups.close()
    services.db.dispose()
    _damage(db_path)
    yield db_path, taken


def _answer_with(monkeypatch: pytest.MonkeyPatch, button: str, shown: list[RecoveryDialog]) -> None:
    """Pre-answer the recovery dialog (never a real modal loop) and the message boxes after it."""

    def exec_(dialog: RecoveryDialog) -> int:
        shown.append(dialog)
        target = {
            "restore": dialog.restore_button,
            "salvage": dialog.salvage_button,
            "quit": dialog.quit_button,
        }
        target[button].click()  # type: ignore[union-attr]
        return 0

    monkeypatch.setattr(RecoveryDialog, "exec", exec_)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: QMessageBox.StandardButton.Ok)


def _damaged_error(path: Path) -> DamagedDatabaseError:
    with pytest.raises(DamagedDatabaseError) as caught:
        open_services(str(path))
    return caught.value


def test_the_damaged_dialog_names_the_file_and_the_backups_time(
    qtbot, damaged_with_backup: tuple[Path, files.Backup]
) -> None:
    path, taken = damaged_with_backup
    dialog = RecoveryDialog(_damaged_error(path), files.newest_good(path))
    qtbot.addWidget(dialog)

    assert str(path) in dialog.text() and "damaged" in dialog.text()
    assert dialog.restore_button is not None
    assert local_time(taken.taken_at) in dialog.restore_button.text()
    assert "today" in dialog.restore_button.text()
    assert "kept among the backups" in dialog.informativeText()
    assert "malformed" in dialog.detailedText() or "integrity" in dialog.detailedText()
    shots = os.environ.get("CA_EDITOR_SCREENSHOT_DIR")
    if shots:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.grab().save(str(Path(shots) / "damaged-database-dialog.png"))


def test_restore_from_the_dialog_brings_back_the_backup(
    qtbot, monkeypatch: pytest.MonkeyPatch, damaged_with_backup: tuple[Path, files.Backup]
) -> None:
    path, taken = damaged_with_backup
    shown: list[RecoveryDialog] = []
    _answer_with(monkeypatch, "restore", shown)

    assert offer_recovery(_damaged_error(path)) is True

    assert shown
    assert _titles(path) == _titles(taken.path)
    services = open_services(str(path))  # opens now
    services.db.dispose()
    assert any(b.reason == files.DAMAGED for b in files.list_backups(path))


def test_salvage_from_the_dialog_replaces_the_file_with_what_could_be_read(
    qtbot, monkeypatch: pytest.MonkeyPatch, damaged_with_backup: tuple[Path, files.Backup]
) -> None:
    path, _ = damaged_with_backup
    _answer_with(monkeypatch, "salvage", [])

    assert offer_recovery(_damaged_error(path)) is True

    assert files.integrity_problem(path) is None
    services = open_services(str(path))
    services.db.dispose()
    assert not list(path.parent.glob("*-salvaged-*"))  # it became the database
    assert any(b.reason == files.DAMAGED for b in files.list_backups(path))


def test_quit_leaves_the_damaged_file_alone(
    qtbot, monkeypatch: pytest.MonkeyPatch, damaged_with_backup: tuple[Path, files.Backup]
) -> None:
    path, _ = damaged_with_backup
    before = path.read_bytes()
    _answer_with(monkeypatch, "quit", [])

    assert offer_recovery(_damaged_error(path)) is False

    assert path.read_bytes() == before


def test_without_a_backup_only_salvage_is_offered(qtbot, db_path: Path) -> None:
    open_services(str(db_path)).db.dispose()
    _damage(db_path)
    dialog = RecoveryDialog(_damaged_error(db_path), None)
    qtbot.addWidget(dialog)
    assert dialog.restore_button is None
    assert "no backup" in dialog.informativeText()
    assert dialog.defaultButton() is dialog.salvage_button


def test_the_backups_dialog_backs_up_and_restores(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services, db_path: Path
) -> None:
    dialog = BackupsDialog(services)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0

    taken = dialog.back_up_now()
    assert taken is not None and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "manual"
    before = _titles(db_path)
    story = services.stories.get(services.stories.list()[0].id)
    services.stories.delete(story.id, expected_version=story.version)
    restored: list[object] = []
    dialog.restored.connect(restored.append)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)

    dialog.table.selectRow(0)
    assert dialog.restore_selected() is True

    assert restored == [taken]
    assert sorted(_titles(db_path)) == sorted(before)
    assert services.stories.get(story.id).title == story.title  # the open services see the restored file
    assert dialog.table.rowCount() == 2  # the file as it was before the restore was kept


def test_a_save_on_a_full_disk_keeps_the_editors_text(qtbot, services: Services, db_path: Path) -> None:
    desk = Desk(services, services.section_id())
    editor = StoryEditor(desk)
    qtbot.addWidget(editor)
    editor.show()
    story_id = services.stories.list()[0].id
    editor.show_story(story_id)
    saved_body = services.stories.get(story_id).body
    new_body = "A long afternoon of writing. " * 20_000
    editor.body_edit.setPlainText(new_body)
    pages = sqlite3.connect(db_path).execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(services.db.engine, "connect")
    def _cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    services.db.engine.dispose()

    assert editor.save() is False

    assert "disk is full" in editor.notice_message()
    assert editor.is_dirty()
    assert editor.body_edit.toPlainText() == new_body
    assert services.stories.get(story_id).body == saved_body


def test_the_window_shows_a_read_only_banner_and_no_periodic_backup(qtbot, tmp_path: Path) -> None:
    from ca_editor.ui.backups import WindowBackups

    services = open_services(str(tmp_path / "desk.sqlite3"))
    services.db.read_only = True  # as a locked share opens (the mount itself is tested in integration)
    from PySide6.QtWidgets import QMainWindow

    window = QMainWindow()
    qtbot.addWidget(window)
    backups = WindowBackups(window, services)  # type: ignore[arg-type]
    try:
        assert backups.banner is not None
        assert "Read-only" in backups.banner.findChild(ui_backups.QLabel, "read-only-text").text()
        assert not backups.timer.isActive()
    finally:
        services.db.read_only = False
        services.db.dispose()


def test_the_periodic_backup_runs_in_a_worker_and_reports_back(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMainWindow

    from ca_editor.ui.backups import WindowBackups

    services = open_services(str(tmp_path / "desk.sqlite3"))
    window = QMainWindow()
    qtbot.addWidget(window)
    backups = WindowBackups(window, services)  # type: ignore[arg-type]
    assert backups.timer.isActive()
    with qtbot.waitSignal(backups.finished, timeout=60_000) as blocker:
        backups.back_up_if_changed()
    assert blocker.args[0] is not None and blocker.args[0].reason == "periodic"
    with qtbot.waitSignal(backups.finished, timeout=60_000) as blocker:
        backups.back_up_if_changed()
    assert blocker.args[0] is None  # nothing changed since
    backups.finish()
    services.db.dispose()


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_on_a_server_the_dialog_says_automatic_backups_are_the_servers_and_backs_up_here(
    qtbot, monkeypatch: pytest.MonkeyPatch, services: Services
) -> None:
    from PySide6.QtWidgets import QMainWindow

    from ca_editor.ui.backups import WindowBackups

    window = QMainWindow()
    qtbot.addWidget(window)
    backups = WindowBackups(window, services)  # type: ignore[arg-type]
    assert not backups.timer.isActive()  # nothing periodic on a server
    dialog = BackupsDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "the server's job" in dialog.intro.text() and "pg_dump" in dialog.intro.text()
    assert dialog.backup_button.isEnabled()
    # A copy of the whole desk: on the dialog's lane, with a progress bar; the buttons wait meanwhile.
    with qtbot.waitSignal(dialog.backed_up, timeout=60_000) as taken:
        assert dialog.back_up_now() is None
        assert not dialog.backup_button.isEnabled() and dialog.progress.isVisible()
    assert taken.args[0].reason == "manual" and dialog.table.rowCount() == 1
    assert dialog.backup_button.isEnabled() and not dialog.progress.isVisible()
    story = services.stories.get(services.stories.list()[0].id)
    services.stories.delete(story.id, expected_version=story.version)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.restored, timeout=60_000):
        assert dialog.restore_selected() is True
    assert services.stories.get(story.id).title == story.title
    assert dialog.table.rowCount() == 2  # the desk as it was before the restore was kept
    backups.finish()  # the last backup on close: nothing on a server, no error
