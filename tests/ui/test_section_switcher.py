"""The section switcher: a real mouse chooses the other section in the toolbar combo, the whole desk follows,
and the section last used opens next time; Cancel on unsaved edits keeps the window; an archived or gone
section falls back to the first live one.

The real-mouse test runs under Xvfb: ``xdotool`` moves and clicks the X server's pointer (XTest) from a
background process while Qt's event loop turns (as ``test_slots_dnd.py`` does).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMenu
from pytestqt.qtbot import QtBot
from tests.ui.real_mouse import real_click

from ca_editor.domain.model import SlotEntry
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.services.container import Services
from ca_editor.ui import section_switcher
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings
from ca_editor.ui.slots.models import StoryIdRole


def weekend(services: Services) -> list[int]:
    """A second section holding the demo block's last three stories, last first."""
    main = services.sections.sections()[0]
    chosen = [slot.story.id for slot in services.sections.layout(main.id).slots][::-1][:3]
    section = services.section_settings.create(SectionSettings("weekend", "The weekend page", slot_count=3))
    services.sections.replace_slots(section.id, [SlotEntry(story_id) for story_id in chosen])
    return chosen


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture(autouse=True)
def _no_windows_left() -> Iterator[None]:
    yield
    for window in list(section_switcher._OPENED):
        section_switcher._OPENED.remove(window)
        window.close()


def shown_story_ids(window: MainWindow) -> list[int]:
    model = window.choice.model
    ids = [model.index(row, 0).data(StoryIdRole) for row in range(model.rowCount())]
    return [story_id for story_id in ids if story_id is not None]


@pytest.mark.xvfb
def test_a_real_mouse_switches_the_desk_and_the_section_reopens_next_time(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, settings: Settings
) -> None:
    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip("needs a real X server: the pointer is moved by xdotool")
    if shutil.which("xdotool") is None:
        pytest.skip("needs xdotool to move the real pointer (scripts/install-system-deps test)")
    chosen = weekend(services)
    window = open_desk(services, settings)
    assert window.desk.layout.section.slug == "central-asia"
    combo = window.switcher.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["Central Asia", "The weekend page"]
    window.activateWindow()
    qtbot.wait(200)
    real_click(qtbot, combo.mapToGlobal(combo.rect().center()))
    qtbot.waitUntil(lambda: combo.view().isVisible(), timeout=5_000)  # the list is open
    view = combo.view()
    item = view.visualRect(combo.model().index(1, 0))
    real_click(qtbot, view.viewport().mapToGlobal(item.center()))
    qtbot.waitUntil(lambda: bool(section_switcher._OPENED), timeout=10_000)
    switched = section_switcher._OPENED[-1]
    assert isinstance(switched, MainWindow)
    qtbot.waitExposed(switched)
    assert not window.isVisible()  # one desk window, now on the weekend page
    assert switched.desk.layout.section.slug == "weekend"
    assert shown_story_ids(switched) == chosen  # the slot pane shows the weekend page's stories
    assert switched.switcher.combo.currentText() == "The weekend page"
    assert "The weekend page" in switched.windowTitle()
    switched.close()
    again = open_desk(services, Settings(QSettings(settings.store.fileName(), QSettings.Format.IniFormat)))
    assert again.desk.layout.section.slug == "weekend"  # the last section used opens next time
    assert shown_story_ids(again) == chosen


def test_the_menu_offers_each_live_section_and_cancel_on_unsaved_edits_stays(
    open_desk: Callable[..., MainWindow], services: Services, settings: Settings
) -> None:
    weekend(services)
    services.section_settings.create(SectionSettings("old-desk", "An archived page", slot_count=1))
    services.section_settings.archive("old-desk")
    window = open_desk(services, settings)
    titles = [a.text() for a in window.menuBar().actions()]
    section_menu = window.menuBar().actions()[titles.index("Se&ction")].menu()
    assert isinstance(section_menu, QMenu)
    assert section_menu.actions()[0].menu() is window.switcher.menu
    window.switcher.refresh()
    offered = [a.text() for a in window.switcher.menu.actions()]
    assert offered == ["Central Asia", "The weekend page"]  # the archived section is not offered
    asked: list[bool] = []

    def cancel() -> bool:
        asked.append(True)
        return False

    window.editor.maybe_leave = cancel  # type: ignore[method-assign]
    window.switcher.menu.actions()[1].trigger()
    assert asked == [True]  # asked first, as closing does
    assert not section_switcher._OPENED and window.isVisible()
    assert window.desk.layout.section.slug == "central-asia"
    assert window.switcher.combo.currentText() == "Central Asia"


def test_an_archived_or_unknown_last_section_falls_back_to_the_first_live_one(
    open_desk: Callable[..., MainWindow], services: Services, settings: Settings
) -> None:
    weekend(services)
    settings.last_section = "weekend"
    assert section_switcher.opening_section(services, settings) == services.section_id("weekend")
    services.section_settings.archive("weekend")
    assert section_switcher.opening_section(services, settings) == services.section_id("central-asia")
    settings.last_section = "no-such-section"
    window = open_desk(services, settings)
    assert window.desk.layout.section.slug == "central-asia"
    assert settings.last_section == "central-asia"
    assert isinstance(window, QMainWindow)
