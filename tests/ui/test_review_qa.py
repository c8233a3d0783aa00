"""A desk chief's QA pass over review, layout history and the review sheet: each test is a bug a user met."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from ca_editor.persistence.models import SectionRow
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk
from ca_editor.ui.history import LayoutHistoryPane
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.review import ReviewWindow
from ca_editor.ui.sheet import gather
from ca_editor.ui.sheet.flow import ReviewSheetFlow


@pytest.fixture
def window(open_desk: Callable[..., MainWindow], services: Services) -> MainWindow:
    services.identity.set("Dana Chief")
    return open_desk(services)


@pytest.fixture
def desk(qtbot: QtBot, services: Services) -> Desk:
    services.identity.set("Dana Chief")
    return Desk(services, services.section_id())


@pytest.fixture
def pane(qtbot: QtBot, desk: Desk) -> LayoutHistoryPane:
    pane = LayoutHistoryPane(desk)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


# --- the review sheet ---------------------------------------------------------------------------------------


class DialogDriver:
    """Plays the user at the (non-native) save dialog: types ``name``, presses Save, answers 'replace?' with
    ``replace``, and gives up (Cancel) if the dialog is still open after that."""

    def __init__(self, name: str, *, replace: bool) -> None:
        self.name, self.replace = name, replace
        self.typed = False
        self.asked: list[str] = []
        self.timer = QTimer(interval=30)
        self.timer.timeout.connect(self._step)
        self.timer.start()

    def _step(self) -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox):
            self.asked.append(modal.text())
            answer = QMessageBox.StandardButton.Yes if self.replace else QMessageBox.StandardButton.No
            modal.done(answer)  # as clicking it
        elif isinstance(modal, QFileDialog):
            if self.typed:
                modal.reject()  # the user said No to replacing, then closed the dialog
                return
            self.typed = True
            field = modal.findChild(QLineEdit, "fileNameEdit")
            assert field is not None
            field.setText(self.name)
            # Save may open a nested 'replace?' box: press it after this slot returns, not inside it.
            QTimer.singleShot(0, lambda: modal.accept())


def test_a_sheet_name_without_pdf_never_replaces_an_existing_file_unasked(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = tmp_path / "for-the-chief.pdf"
    existing.write_bytes(b"the chief's annotated copy")
    window.settings.last_export_folder = str(tmp_path)
    monkeypatch.setattr(QMessageBox, "exec", lambda _box: 0)  # the result box only
    driver = DialogDriver("for-the-chief", replace=False)
    try:
        flow = window.print_review_sheet()
    finally:
        driver.timer.stop()
    assert flow is not None and flow.outcome == "cancelled"
    assert existing.read_bytes() == b"the chief's annotated copy"
    assert driver.asked and "for-the-chief.pdf" in driver.asked[0]


def test_a_sheet_name_without_pdf_from_a_native_dialog_asks_before_replacing(
    window: MainWindow, services: Services, tmp_path: Path
) -> None:
    """A platform dialog may ignore the default suffix: the flow adds ".pdf" and asks itself."""
    existing = tmp_path / "for-the-chief.pdf"
    existing.write_bytes(b"the chief's annotated copy")
    flow = ReviewSheetFlow(window, services, window.desk.section_id, str(tmp_path))
    flow.show_result = False
    flow.choose_path = lambda _suggested: str(tmp_path / "for-the-chief")  # type: ignore[method-assign]
    asked: list[str] = []
    flow.confirm_replace = lambda path: asked.append(str(path)) or False  # type: ignore[method-assign]
    assert flow.run() is None
    assert flow.outcome == "cancelled"
    assert asked == [str(existing)]
    assert existing.read_bytes() == b"the chief's annotated copy"

    flow.confirm_replace = lambda _path: True  # type: ignore[method-assign]
    assert flow.run() == existing
    assert existing.read_bytes().startswith(b"%PDF")


# --- "changed since sign-off": one truth --------------------------------------------------------------------


def test_the_sheet_and_the_review_agree_whether_the_layout_changed_since_sign_off(
    services: Services,
) -> None:
    sid = services.section_id()
    services.review.sign_off(sid, "Tonight's page")
    assert services.review.state(sid).changed is False
    assert gather(services, sid).sign_off.changed_since is False  # type: ignore[union-attr]

    with services.db.write("another tool") as session:  # the block grows by two empty slots
        section = session.get(SectionRow, sid)
        assert section is not None
        section.slot_count += 2

    review = services.review.state(sid)
    printed = gather(services, sid).sign_off
    assert review.changed is True
    assert printed is not None and printed.changed_since is review.changed
    assert printed.snapshot_id == review.decision.id  # type: ignore[union-attr]


# --- layout history ---------------------------------------------------------------------------------------


def test_the_history_stops_saying_no_snapshots_once_there_are_some(
    desk: Desk, pane: LayoutHistoryPane
) -> None:
    pane.refresh()
    assert pane.hint.text().startswith("No snapshots yet")
    desk.services.review.sign_off(desk.section_id, "Morning page")
    pane.refresh()
    assert pane.model.rowCount() == 1
    assert "No snapshots yet" not in pane.hint.text()


def test_a_comparison_with_the_layout_now_follows_the_desk(
    qtbot: QtBot, desk: Desk, pane: LayoutHistoryPane
) -> None:
    signed = desk.services.review.sign_off(desk.section_id, "Morning page")
    pane.refresh()
    pane.select([signed.id])
    pane.compare()
    assert "No changes" in pane.diff_view.toPlainText()

    assert desk.move_slot(desk.layout.slots[4].id, 0)
    qtbot.waitUntil(lambda: "1 change: 1 moved" in pane.diff_view.toPlainText())
    assert "To: the layout now" in pane.diff_view.toPlainText()

    assert pane.restore()  # the block is what was signed off again
    qtbot.waitUntil(lambda: "No changes" in pane.diff_view.toPlainText())
    desk.undo_stack.undo()
    qtbot.waitUntil(lambda: "1 change: 1 moved" in pane.diff_view.toPlainText())


# --- the review window --------------------------------------------------------------------------------------


def test_the_signed_off_message_reads_well_and_goes_once_the_layout_changes(qtbot: QtBot, desk: Desk) -> None:
    review = ReviewWindow(desk)
    qtbot.addWidget(review)
    review.show()
    qtbot.waitExposed(review)
    review.note.setPlainText("Fine")
    assert review.approve() is not None
    said = review.message.text()
    assert said.startswith("Signed off today ") and " at today" not in said

    assert desk.move_slot(desk.layout.slots[0].id, 2)  # the 'signed off' message no longer holds
    qtbot.waitUntil(lambda: review.state_label.text().startswith("Changed since sign-off"))
    assert review.message.text() == ""

    review.note.setPlainText("Move it back")
    assert review.send_back() is not None
    review.close()
    review.show()  # reopened later: a fresh look, not the last decision's message
    assert review.message.text() == ""


def test_an_open_review_window_follows_an_export(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = window.show_review()
    qtbot.waitExposed(review)
    assert review.tabs.tabText(1) == "Since last export (8)"  # never exported
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *_a: str(bundle)))
    flow = window.export_section()
    assert flow is not None
    flow.show_result = False
    flow.ask_override = lambda _parent, _report: ("QA", True)  # type: ignore[assignment]
    qtbot.waitUntil(lambda: flow.outcome is not None, timeout=30_000)
    assert flow.outcome == "done", flow.message
    qtbot.waitUntil(lambda: review.tabs.tabText(1) == "Since last export (no changes)")
    assert "Compared with: Exported by Dana Chief" in review.since_export.toPlainText()
