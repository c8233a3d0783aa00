"""The desk window's start (issue 18): the first paint waits for nothing it does not show. The preview's
QtWebEngine, the archive counts, the checklist, the live watch and presence come after it, and the counting
runs off the UI thread (the archive tree's, and the section preview's after a save)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings, Qt

from ca_editor.services.container import Services
from ca_editor.services.stories import StoryService
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.preview import PreviewMode, PreviewPane
from ca_editor.ui.settings import Settings

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")  # as tests/ui/test_preview.py says
pytestmark = pytest.mark.qt_log_ignore(
    "Failed to load vulkan",
    "No Vulkan library available",
    "Failed to create platform Vulkan instance",
    "Unable to detect GPU vendor",
    "GLX: No DRI3",
    "GPUInfo not initialized",
)


class FirstPaint(QObject):
    """What had started when the window's first paint event arrived."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.seen: dict[str, bool] | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.window and self.seen is None:
            self.seen = {
                "preview": self.window.preview.started,
                "archive counted": self.window.archive.model.rowCount() > 0,
                "presence": self.window.presence._timer.isActive(),
                "checks": self.window.checklist._timer.isActive() or self.window.checklist._lane.busy(),
            }
        return False


def test_the_first_paint_waits_for_none_of_what_comes_after_it(qtbot, services: Services, tmp_path: Path):
    window = MainWindow(services, Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(window)
    first = FirstPaint(window)
    assert not window.preview.started  # no QtWebEngine yet, nothing rendered
    window.show()
    qtbot.waitUntil(lambda: first.seen is not None, timeout=10_000)
    assert first.seen == {"preview": False, "archive counted": False, "presence": False, "checks": False}
    # Then, with the window on screen, each of them follows.
    qtbot.waitUntil(lambda: window.preview.started and window.archive.model.rowCount() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: window.presence._timer.isActive(), timeout=10_000)
    qtbot.waitUntil(lambda: window.checklist.report is not None, timeout=30_000)
    assert not window.preview._frames  # the side-by-side views are made when side by side is turned on


def test_archive_counts_after_the_first_paint_are_read_off_the_ui_thread(
    qtbot, open_desk, services: Services, monkeypatch
) -> None:
    threads: list[str] = []
    real = StoryService.archive_buckets

    def spy(self):
        threads.append(threading.current_thread().name)
        return real(self)

    monkeypatch.setattr(StoryService, "archive_buckets", spy)
    window = open_desk(services)
    qtbot.waitUntil(lambda: window.archive.model.rowCount() > 0, timeout=10_000)
    assert threads and threading.main_thread().name not in threads


def test_the_section_preview_counts_the_archive_off_the_ui_thread(
    qtbot, services: Services, monkeypatch
) -> None:
    import ca_editor.services.previewing as previewing

    threads: list[str] = []
    real = previewing.publishable_month_counts

    def spy(session):
        threads.append(threading.current_thread().name)
        return real(session)

    monkeypatch.setattr(previewing, "publishable_month_counts", spy)
    pane = PreviewPane(services, services.section_id())
    qtbot.addWidget(pane)
    with qtbot.waitSignal(pane.loaded, timeout=15_000):
        pane.show()
    services.previews.forget_counts()  # as after a save that moved a date
    pane.set_mode(PreviewMode.STORY)
    with qtbot.waitSignal(pane.loaded, timeout=15_000):
        pane.set_mode(PreviewMode.SECTION)
    assert len(threads) >= 2 and threading.main_thread().name not in threads


def test_slot_thumbnails_are_decoded_off_the_ui_thread(qtbot, services: Services, monkeypatch) -> None:
    import ca_editor.ui.slots.models as slot_models
    from ca_editor.ui.desk import Desk

    threads: list[str] = []
    real = slot_models.decode_oriented

    def spy(data: bytes, limit: int = 0):
        threads.append(threading.current_thread().name)
        return real(data, limit=limit)

    monkeypatch.setattr(slot_models, "decode_oriented", spy)
    desk = Desk(services, services.section_id())
    model = slot_models.SlotListModel(desk)
    row = next(n for n, slot in enumerate(desk.layout.slots) if slot.image is not None)
    index = model.index(row, 0)
    blank = index.data(Qt.ItemDataRole.DecorationRole).toImage()  # the outline while it is decoded
    qtbot.waitUntil(lambda: index.data(Qt.ItemDataRole.DecorationRole).toImage() != blank, timeout=5000)
    assert threads and threading.main_thread().name not in threads
