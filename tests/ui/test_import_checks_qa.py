"""QA pass over the import dialog, the checklist pane and the export gate: bugs a demanding user met."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ca_editor.domain.model import StoryFields
from ca_editor.services.container import Services
from ca_editor.ui.checks import OverrideDialog
from ca_editor.ui.desk import Desk


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
