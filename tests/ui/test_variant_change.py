"""Changing a scheduled variant's name and window from the window: *Change…* beside Remove (and Section ›
Change layout variant…) opens the Add dialog filled with the variant; the picker, the timeline and the
review window follow; an overlap is refused inside the dialog and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QPoint
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot
from tests.ui.real_mouse import need_real_x, real_click, settle
from tests.ui.test_variants_window import shot, tomorrow, weekend

from ca_editor.domain.schedule import SegmentKind
from ca_editor.services.container import Services
from ca_editor.services.variants import Window
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.variant_dialog import VariantDialog


def centre(widget: QWidget) -> QPoint:
    return widget.mapToGlobal(widget.rect().center())


def local(moment: datetime | None) -> QDateTime:
    assert moment is not None
    return QDateTime(moment.astimezone().replace(tzinfo=None))


def last_dialog(window: MainWindow) -> VariantDialog:
    return window.variant_bar.findChildren(VariantDialog)[-1]


@pytest.mark.xvfb
def test_change_a_variants_name_and_window_with_the_dialog(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    need_real_x()
    variant = weekend(services)
    section_id = services.section_id()
    blocks_before = services.sections.layout(section_id, variant.id).entries()
    window = open_desk(services)
    bar = window.variant_bar
    assert not bar.change_button.isEnabled() and not bar.change_action.isEnabled()  # the main layout
    titles = [a.text() for a in window.menuBar().actions()]
    section_menu = window.menuBar().actions()[titles.index("Se&ction")].menu()
    assert isinstance(section_menu, QMenu)
    assert bar.change_action in section_menu.actions()
    bar.choose(variant.id)
    assert bar.change_button.isEnabled() and bar.change_action.isEnabled()
    review = window.show_review()
    qtbot.waitExposed(review)
    window.activateWindow()
    settle(qtbot, bar)

    real_click(qtbot, centre(bar.change_button))
    qtbot.waitUntil(lambda: bool(bar.findChildren(VariantDialog)), timeout=5_000)
    dialog = last_dialog(window)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Change a layout variant"
    assert dialog.name.text() == "Weekend" and not dialog.open_ended.isChecked()
    assert dialog.starts.dateTime() == local(variant.starts_at)
    assert dialog.ends.dateTime() == local(variant.ends_at)
    assert dialog.copy_main.parent() is None  # a change keeps the block: no "start with" choice shown

    start, end = tomorrow() + timedelta(hours=12), tomorrow() + timedelta(days=3)
    dialog.name.setText("Long weekend")
    dialog.starts.setDateTime(local(start))
    dialog.ends.setDateTime(local(end))
    dialog.grab().save(shot(tmp_path, "h11-variant-change.png"))
    ok = dialog.buttons.buttons()[0]
    assert ok.isEnabled()
    real_click(qtbot, centre(ok))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)

    changed = services.variants.variants(section_id)
    assert [(v.id, v.name, v.starts_at, v.ends_at) for v in changed] == [
        (variant.id, "Long weekend", start, end)
    ]
    assert services.sections.layout(section_id, variant.id).entries() == blocks_before  # its stories kept
    assert window.desk.variant_id == variant.id
    assert bar.combo.currentText() == "Long weekend"
    assert "Live " in bar.combo.toolTip()
    shown = [s for s in bar.timeline.segments if s.kind is SegmentKind.VARIANT]
    assert [(s.live.id, s.starts_at, s.ends_at) for s in shown if s.live] == [(variant.id, start, end)]
    qtbot.waitUntil(lambda: "variant “Long weekend”" in review.windowTitle(), timeout=5_000)
    bar.grab().save(shot(tmp_path, "h11-variant-bar.png"))


def test_an_overlap_is_refused_in_the_dialog_and_nothing_changes(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services
) -> None:
    first = weekend(services)
    section_id = services.section_id()
    late = services.variants.add(
        section_id, Window("Late", tomorrow() + timedelta(days=4), tomorrow() + timedelta(days=5))
    )
    before = services.variants.variants(section_id)
    window = open_desk(services)
    bar = window.variant_bar
    segments_before = bar.timeline.segments
    bar.choose(late.id)
    bar.change_action.trigger()  # Section › Change layout variant…
    dialog = last_dialog(window)
    qtbot.addWidget(dialog)
    assert dialog.name.text() == "Late"
    dialog.starts.setDateTime(local(first.starts_at + timedelta(hours=6)))  # into the weekend
    dialog.ends.setDateTime(dialog.starts.dateTime().addSecs(-3600))
    ok = dialog.buttons.buttons()[0]
    assert "end must come after the start" in dialog.message.text() and not ok.isEnabled()
    dialog.ends.setDateTime(local(late.ends_at))
    assert ok.isEnabled()
    dialog.accept()
    assert dialog.isVisible() and dialog.variant is None
    assert "overlaps 'weekend'" in dialog.message.text().lower()
    dialog.name.setText("weekend")  # the other's page name: refused by the service too
    dialog.starts.setDateTime(local(late.starts_at))
    dialog.accept()
    assert dialog.isVisible() and "variants/weekend.html" in dialog.message.text()
    dialog.reject()
    assert services.variants.variants(section_id) == before
    assert bar.combo.currentText() == "Late" and window.desk.variant_id == late.id
    assert bar.timeline.segments == segments_before
