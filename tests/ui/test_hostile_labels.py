"""Markup in a story's text is shown as text everywhere in the desk window, never as Qt rich text.

A label left on Qt's automatic format renders anything that looks like HTML: a title such as
``<img src="/etc/...">`` would load a local file into the window and hide the real title.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings

HOSTILE = '<b>Bold</b><img src="/etc/hostname"> & <a href="javascript:x">link</a>'


@pytest.fixture
def window(qtbot: QtBot, services: Services, tmp_path: Path) -> Iterator[MainWindow]:
    layout = services.sections.layout(services.section_id())
    story = layout.slots[0].story
    services.stories.update(
        story.id,
        replace(story.fields(), title=f"Title {HOSTILE}", byline=HOSTILE[:200], summary=HOSTILE),
        expected_version=story.version,
    )
    slot = services.sections.layout(services.section_id()).slots[1]
    services.sections.replace_slots(
        services.section_id(),
        [
            replace(e, headline=f"Headline {HOSTILE}") if e.story_id == slot.story.id else e
            for e in layout.entries()
        ],
    )
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    opened = MainWindow(services, settings)
    opened.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(opened)
    opened.show()
    qtbot.waitExposed(opened)
    yield opened


def _rich_widgets_showing_markup(root: QWidget) -> list[str]:
    found = []
    for label in root.findChildren(QLabel):
        if "<b>Bold</b>" in label.text() and label.textFormat() != Qt.TextFormat.PlainText:
            found.append(f"QLabel {label.objectName() or label.text()[:40]!r}")
    return found


def test_hostile_titles_headlines_and_summaries_show_as_plain_text(qtbot: QtBot, window: MainWindow) -> None:
    story_rows = window.stories.model
    qtbot.waitUntil(lambda: story_rows.rowCount() > 0)
    for row in range(2):  # the story with the hostile title, then the slot with the hostile headline
        window.choice.view.setCurrentIndex(window.choice.model.index(row, 0))
        qtbot.wait(50)
    slot = window.choice.model.slot_at(0)
    assert slot is not None
    window.editor.show_story(slot.story.id)
    qtbot.wait(200)
    showing = [label for label in window.findChildren(QLabel) if "<b>Bold</b>" in label.text()]
    assert showing  # the check below looks at something: labels do carry the hostile text
    assert _rich_widgets_showing_markup(window) == []
