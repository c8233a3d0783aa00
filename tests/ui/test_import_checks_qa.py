"""QA pass over the import dialog, the checklist pane and the export gate: bugs a demanding user met."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from ca_editor.domain.model import StoryFields
from ca_editor.services.container import Services
from ca_editor.services.importing import ImportReport
from ca_editor.ui.checks import OverrideDialog
from ca_editor.ui.desk import Desk
from ca_editor.ui.importing import ImportDialog
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings


def _shown_text(label: QLabel) -> str:
    """What a person reads in ``label``, whichever text format it uses."""
    document = QTextDocument()
    if label.textFormat() == label.textFormat().PlainText:
        return label.text()
    document.setHtml(label.text())
    return document.toPlainText()


def _gate_with_draft(qtbot: QtBot, services: Services, title: str) -> OverrideDialog:
    desk = Desk(services, services.section_id())
    story = desk.create_story(StoryFields(title=title, body="Text.", summary="A teaser."))
    assert desk.assign([story.id], 2)
    dialog = OverrideDialog(services.checks.run(desk.section_id))
    qtbot.addWidget(dialog)
    return dialog


def _unapproved_text(dialog: OverrideDialog) -> str:
    return " ".join(_shown_text(label) for label in dialog.unapproved_box.findChildren(QLabel))


def test_the_gate_shows_markup_in_an_unapproved_title_as_text(qtbot: QtBot, services: Services) -> None:
    title = "Tenge <b>falls</b> past 500 & <i>keeps</i> falling"
    dialog = _gate_with_draft(qtbot, services, title)
    assert title in _unapproved_text(dialog)


def test_the_gate_names_an_unapproved_story_whose_title_has_is_in_it(
    qtbot: QtBot, services: Services
) -> None:
    title = "What is next for the Caspian ferries"
    dialog = _gate_with_draft(qtbot, services, title)
    assert f"slot 2: '{title}'" in _unapproved_text(dialog)


@pytest.fixture
def import_dialog(qtbot: QtBot, services: Services, tmp_path: Path) -> Iterator[ImportDialog]:
    dialog = ImportDialog(Desk(services, services.section_id()), str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.cancel()
    dialog.wait()


def _stuck_reading(monkeypatch: pytest.MonkeyPatch, services: Services) -> threading.Event:
    """Reading blocks, as feedparser does on a large feed, without looking at the cancel flag."""
    release = threading.Event()

    def preview(*_args: object, **_kwargs: object) -> object:
        release.wait(30)
        raise AssertionError("a cancelled read must not be shown")  # reported, but must be ignored

    monkeypatch.setattr(services.imports, "preview", preview)
    return release


def test_reading_a_large_feed_shows_progress_and_cancels_at_once(
    qtbot: QtBot, import_dialog: ImportDialog, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = _stuck_reading(monkeypatch, services)
    try:
        import_dialog.load([Path("big.xml")])
        qtbot.waitUntil(
            lambda: import_dialog._progress is not None and import_dialog._progress.isVisible(), timeout=2000
        )
        cancel = import_dialog._progress.findChild(QPushButton)
        assert cancel is not None
        cancel.click()
        qtbot.waitUntil(lambda: import_dialog.state == "cancelled", timeout=1000)
        assert import_dialog.message == "Reading cancelled; nothing was imported."
        assert import_dialog.files_button.isEnabled()
    finally:
        release.set()
    assert import_dialog.wait()
    qtbot.wait(100)
    assert import_dialog.state == "cancelled"  # the read's late outcome changes nothing


def test_closing_the_dialog_while_a_large_feed_is_read_does_not_freeze_the_window(
    qtbot: QtBot, import_dialog: ImportDialog, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = _stuck_reading(monkeypatch, services)
    try:
        import_dialog.load([Path("big.xml")])
        started = time.monotonic()
        import_dialog.close_button.click()
        assert time.monotonic() - started < 1.0
        assert not import_dialog.isVisible()
    finally:
        release.set()
    assert import_dialog.wait()


def test_the_import_report_counts_like_the_preview_with_thousands_separated() -> None:
    report = ImportReport("big.xml", tuple(f"s{i}" for i in range(5000)), ("u",), ("k",) * 1200)
    assert report.summary() == "5,000 created, 1 updated, 1,200 skipped"


def test_tab_leaves_the_preview_table_for_the_buttons(
    qtbot: QtBot, import_dialog: ImportDialog, tmp_path: Path
) -> None:
    feed = tmp_path / "wire.xml"
    items = "".join(
        f"<item><title>Story {n}</title><guid>g{n}</guid><description>About {n}</description></item>"
        for n in range(3)
    )
    feed.write_text(f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>', "utf-8")
    import_dialog.load([feed])
    qtbot.waitUntil(lambda: import_dialog.state == "ready", timeout=30_000)
    import_dialog.table.setFocus()
    import_dialog.table.selectRow(0)
    reached = []
    for _ in range(4):  # a keyboard user tabs on from the table towards Import
        QTest.keyClick(import_dialog.focusWidget(), Qt.Key.Key_Tab)
        reached.append(import_dialog.focusWidget())
    assert import_dialog.import_button in reached


def test_a_story_open_in_the_editor_shows_what_an_import_changed_in_it(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    story = services.stories.create(StoryFields(title="Kyrgyz media law", body="Deputies voted 68 to 4."))
    window = MainWindow(services, Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.show()
    window.editor.show_story(story.id)
    assert window.editor.body_edit.toPlainText() == "Deputies voted 68 to 4."
    feed = tmp_path / "wire.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>Wire</title><item><title>Kyrgyz media law</title>'
        "<guid>wire-14</guid><description>Deputies voted 70 to 4.</description></item></channel></rss>",
        "utf-8",
    )
    dialog = window.import_stories()
    dialog.load([feed])
    qtbot.waitUntil(lambda: dialog.state == "ready", timeout=30_000)
    assert dialog.plan is not None and dialog.plan.summary() == "0 to add, 1 to update, 0 skipped"
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=30_000)
    qtbot.waitUntil(lambda: window.editor.body_edit.toPlainText() == "Deputies voted 70 to 4.", timeout=5000)
    assert not window.editor.is_dirty()
