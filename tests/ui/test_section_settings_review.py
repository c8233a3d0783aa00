"""Section › Settings… with a real mouse under Xvfb, then the review window: every setting changed since the
last sign-off (heading, slug, teaser advice…) is listed there, and the window's title follows the heading."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu
from pytestqt.exceptions import TimeoutError as WaitedTooLong
from pytestqt.qtbot import QtBot
from tests.ui.real_mouse import click_script, need_real_x, real_click, settle, start

from ca_editor.services.container import Services
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.section_settings_dialog import SectionSettingsDialog


def shot(tmp_path: Path, name: str) -> str:
    return str(Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path)) / name)


class DialogDriver:
    """Drives the modal settings form from its own event loop: a new slug typed, the teaser advice turned
    on, a screenshot, then OK, each step a real click once the previous one shows."""

    def __init__(self, picture: str) -> None:
        self.picture = picture
        self.step = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.timer = QTimer(interval=100)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SectionSettingsDialog) or not dialog.isVisible():
            return
        if self.process is not None and self.process.poll() is None:
            return  # the pointer is still busy
        if self.step == 0:
            slug = dialog.slug.mapToGlobal(dialog.slug.rect().center())
            self.process = start(click_script(slug, "key", "ctrl+a", "type", "--delay", "20", "asia-today"))
        elif self.step == 1 and dialog.slug.text() == "asia-today":
            box = dialog.teaser_on
            self.process = start(click_script(box.mapToGlobal(QPoint(8, box.height() // 2))))  # the tick box
        elif self.step == 2 and dialog.teaser_on.isChecked():
            dialog.grab().save(self.picture)
            ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
            self.process = start(click_script(ok.mapToGlobal(ok.rect().center())))
        else:
            return
        self.step += 1


@pytest.mark.xvfb
def test_settings_changed_with_a_real_mouse_show_in_the_review_since_sign_off(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    need_real_x()
    section_id = services.section_id()
    services.review.sign_off(section_id)
    window = open_desk(services)
    assert window.desk.layout.section.teaser_limit is None  # the demo section: advice off
    window.activateWindow()
    settle(qtbot, window.choice)
    bar = window.menuBar()
    section = next(a for a in bar.actions() if a.text() == "Se&ction")
    menu = section.menu()
    assert isinstance(menu, QMenu)
    for _ in range(3):  # a click that reaches the window while it takes focus may only activate it
        real_click(qtbot, bar.mapToGlobal(bar.actionGeometry(section).center()))
        try:
            qtbot.waitUntil(menu.isVisible, timeout=2_000)
            break
        except WaitedTooLong:
            continue
    assert menu.isVisible()
    settings = next(a for a in menu.actions() if a.text() == "&Settings…")
    driver = DialogDriver(shot(tmp_path, "section-settings-dialog.png"))
    click = start(click_script(menu.mapToGlobal(menu.actionGeometry(settings).center())))
    try:
        qtbot.waitUntil(lambda: window.desk.layout.section.slug == "asia-today", timeout=30_000)
    finally:
        driver.timer.stop()
        click.wait(5)
    assert driver.step == 3
    assert window.desk.layout.section.teaser_limit is not None  # turned on, at its default length
    review = window.show_review()
    qtbot.waitExposed(review)
    diff = review.since_sign_off.diff
    assert diff is not None
    assert [c.label for c in diff.section] == ["Slug", "Teaser advice"]
    text = review.since_sign_off.toPlainText()
    assert "The section's slug is now “asia-today” (was “central-asia”)." in text
    assert "The teaser advice is now over 400 characters (was off)." in text
    assert review.tabs.tabText(0) == "Since last sign-off (2)"
    review.grab().save(shot(tmp_path, "review-section-settings.png"))
    window.desk.undo_stack.undo()  # undo takes the change back; the review follows
    qtbot.waitUntil(lambda: review.tabs.tabText(0) == "Since last sign-off (no changes)", timeout=5_000)


def test_the_review_title_follows_the_heading(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services
) -> None:
    from dataclasses import replace

    from ca_editor.domain.section_settings import SectionSettings

    services.review.sign_off(services.section_id())
    window = open_desk(services)
    review = window.show_review()
    qtbot.waitExposed(review)
    assert review.windowTitle() == "Review layout — Central Asia — main layout"
    settings = SectionSettings.of(window.desk.layout.section)
    assert window.desk.change_settings(replace(settings, title="Central Asia tonight"))
    qtbot.waitUntil(
        lambda: review.windowTitle().startswith("Review layout — Central Asia tonight — "), timeout=5_000
    )
    assert "Section heading changed from “Central Asia” to “Central Asia tonight”." in (
        review.since_sign_off.toPlainText()
    )
