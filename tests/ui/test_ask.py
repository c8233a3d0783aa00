"""The one question box with buttons of its own words (``ui.ask``); the full-block question uses it."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ca_editor.domain.model import Story
from ca_editor.ui.ask import ask
from ca_editor.ui.slots.pane import confirm_eviction


def _answer_with(label: str | None) -> None:
    """Press ``label`` in the next question box, or close it with Escape when None."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        if label is None:
            box.reject()
            return
        [button] = [b for b in box.buttons() if b.text() == label]
        button.click()

    QTimer.singleShot(0, press)


def test_ask_returns_the_pressed_words_and_cancel_when_closed(qtbot: QtBot) -> None:
    _answer_with("Keep mine")
    assert ask(
        None, QMessageBox.Icon.Question, "T", "<b>text</b>", "", ["Keep mine", "Cancel"], default="Cancel"
    ) == ("Keep mine")
    _answer_with(None)
    assert (
        ask(None, QMessageBox.Icon.Question, "T", "text", "", ["Keep mine", "Cancel"], default="Cancel")
        == "Cancel"
    )


def test_the_full_block_question_is_asked_with_ask(qtbot: QtBot, monkeypatch) -> None:
    seen: list[tuple[str, list[str], str]] = []

    def fake(_parent, _kind, title, _text, _detail, buttons, *, default, destructive=""):
        seen.append((title, list(buttons), default))
        return "Add and push out"

    monkeypatch.setattr("ca_editor.ui.slots.pane.ask", fake)
    story = Story.__new__(Story)
    object.__setattr__(story, "title", "Kazakh wheat")
    assert confirm_eviction(None, [story])
    assert seen == [("Editor's choice is full", ["Add and push out", "Cancel"], "Cancel")]
