"""Scheduled layout variants in the window: the layout picker and the timeline above the one slot pane, a
real mouse choosing a variant on the timeline, keyboard twins and undo on the variant's block, the preview
"as of", adding and removing a variant, and the review window saying which layout it is about."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot
from tests.ui.real_mouse import need_real_x, real_click, real_drag, settle

from ca_editor.domain.schedule import LayoutVariant, SegmentKind
from ca_editor.services.container import Services
from ca_editor.services.variants import MAIN, Window
from ca_editor.ui import variant_bar
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.slots.models import StoryIdRole
from ca_editor.ui.timeline import segment_text
from ca_editor.ui.variant_dialog import VariantDialog


def shot(tmp_path: Path, name: str) -> str:
    return str(Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path)) / name)


def tomorrow() -> datetime:
    return (
        (datetime.now(UTC) + timedelta(days=1))
        .astimezone()
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )


def weekend(services: Services) -> LayoutVariant:
    """A variant live from tomorrow midnight for two days, starting with the main layout's stories."""
    start = tomorrow()
    window = Window("Weekend", start, start + timedelta(days=2))
    return services.variants.add(services.section_id(), window, copy_from=MAIN)


def shown_story_ids(window: MainWindow) -> list[int]:
    model = window.choice.model
    ids = [model.index(row, 0).data(StoryIdRole) for row in range(model.rowCount())]
    return [story_id for story_id in ids if story_id is not None]


def row_point(view: QAbstractItemView, row: int, where: str) -> QPoint:
    rect = view.visualRect(view.model().index(row, 0))
    y = {"center": rect.center().y(), "low": rect.bottom() - 3}[where]
    return view.viewport().mapToGlobal(QPoint(rect.left() + 140, y))


def segment_point(window: MainWindow, variant_id: int | None) -> QPoint:
    timeline = window.variant_bar.timeline
    index = next(i for i, s in enumerate(timeline.segments) if (s.live.id if s.live else None) == variant_id)
    return timeline.mapToGlobal(timeline.segment_rect(index).center().toPoint())


@pytest.mark.xvfb
def test_a_real_click_on_the_timeline_edits_the_variant_with_the_same_pane_and_undo(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    need_real_x()
    variant = weekend(services)
    section_id = services.section_id()
    main_before = services.sections.layout(section_id).entries()
    window = open_desk(services)
    bar = window.variant_bar
    assert bar.timeline.isVisible()
    assert [s.kind for s in bar.timeline.segments] == [
        SegmentKind.MAIN,
        SegmentKind.VARIANT,
        SegmentKind.MAIN,
    ]
    window.activateWindow()
    settle(qtbot, bar.timeline)
    bar.timeline.grab().save(shot(tmp_path, "variants-timeline.png"))

    real_click(qtbot, segment_point(window, variant.id))
    qtbot.waitUntil(lambda: window.desk.variant_id == variant.id, timeout=5_000)
    assert bar.combo.currentText() == "Weekend"
    assert window.desk.layout.variant is not None and window.desk.layout.variant.id == variant.id
    assert shown_story_ids(window) == [e.story_id for e in main_before]  # copied from the main layout

    window.choice.select_slot(window.desk.layout.slots[0].id)  # the keyboard twin of a drag: Alt+Down
    window.choice.view.setFocus()
    qtbot.keyClick(window.choice.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.desk.undo_stack.undoText().endswith(" (variant “Weekend”)")
    moved = services.sections.layout(section_id, variant.id).entries()
    assert [e.story_id for e in moved[:2]] == [main_before[1].story_id, main_before[0].story_id]
    assert services.sections.layout(section_id).entries() == main_before  # the main layout untouched
    assert shown_story_ids(window)[:2] == [main_before[1].story_id, main_before[0].story_id]
    keyed = services.sections.layout(section_id, variant.id).entries()
    view = window.choice.view  # a real drag in the same pane: slot 1 to below slot 3, on the variant
    real_drag(qtbot, row_point(view, 0, "center"), row_point(view, 2, "low"))
    qtbot.waitUntil(
        lambda: services.sections.layout(section_id, variant.id).entries() != keyed, timeout=5_000
    )
    dragged = services.sections.layout(section_id, variant.id).entries()
    assert [e.story_id for e in dragged[:3]] == [keyed[1].story_id, keyed[2].story_id, keyed[0].story_id]
    assert services.sections.layout(section_id).entries() == main_before
    window.grab().save(shot(tmp_path, "variants-window-weekend.png"))

    real_click(qtbot, segment_point(window, None))  # back to the main layout
    qtbot.waitUntil(lambda: window.desk.variant_id is None, timeout=5_000)
    assert shown_story_ids(window) == [e.story_id for e in main_before]
    assert bar.combo.currentText() == "Main layout"

    window.desk.undo_stack.undo()  # the drag was on the variant: undo goes back to it and undoes there
    assert window.desk.variant_id == variant.id
    assert services.sections.layout(section_id, variant.id).entries() == keyed
    window.desk.undo_stack.undo()
    assert services.sections.layout(section_id, variant.id).entries() == main_before
    assert services.sections.layout(section_id).entries() == main_before
    assert bar.combo.currentText() == "Weekend"


def test_the_preview_as_of_shows_the_layout_live_then(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services
) -> None:
    variant = weekend(services)
    section_id = services.section_id()
    services.variants.replace_slots(
        section_id, variant.id, services.sections.layout(section_id).entries()[:2]
    )
    window = open_desk(services)
    bar = window.variant_bar
    saturday = tomorrow() + timedelta(hours=12)
    bar.as_of_edit.setDateTime(QDateTime(saturday.replace(tzinfo=None)))
    bar.as_of.setChecked(True)
    qtbot.waitUntil(lambda: window.preview._layout is not None and window.preview._layout.variant is not None)
    assert len(window.preview._layout.slots) == 2  # the weekend page, though the desk edits the main one
    assert bar.as_of_note.text() == "shows: Weekend"
    assert window.desk.variant_id is None
    window.choice.select_slot(window.desk.layout.slots[0].id)  # a step on the main layout keeps "as of"
    window.choice.move_down_action.trigger()
    qtbot.waitUntil(lambda: window.preview._layout is not None and window.preview._layout.variant is not None)
    bar.as_of_edit.setDateTime(QDateTime(datetime.now().replace(microsecond=0)))
    qtbot.waitUntil(lambda: bar.as_of_note.text() == "shows: main layout")
    assert window.preview._layout is window.desk.layout
    bar.as_of.setChecked(False)
    assert window.preview._layout is window.desk.layout


def test_add_and_remove_a_variant_from_the_window(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_desk(services)
    bar = window.variant_bar
    assert not bar.isVisible() and not bar.remove_button.isEnabled()  # no variants: no bar
    assert [bar.combo.itemText(i) for i in range(bar.combo.count())] == ["Main layout"]
    titles = [a.text() for a in window.menuBar().actions()]
    section_menu = window.menuBar().actions()[titles.index("Se&ction")].menu()
    assert bar.add_action in section_menu.actions()
    dialogs: list[object] = []
    real_add = bar.add_variant
    monkeypatch.setattr(bar, "add_variant", lambda: dialogs.append(real_add()) or dialogs[-1])
    bar.add_action.triggered.disconnect()
    bar.add_action.triggered.connect(bar.add_variant)
    bar.add_action.trigger()
    dialog = dialogs[0]
    assert isinstance(dialog, VariantDialog)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled()  # no name yet
    dialog.name.setText("main")
    assert "'main' names the main layout" in dialog.message.text()
    dialog.name.setText("Election night")
    dialog.ends.setDateTime(dialog.starts.dateTime().addSecs(-3600))
    assert "end must come after the start" in dialog.message.text() and not ok.isEnabled()
    dialog.ends.setDateTime(dialog.starts.dateTime().addSecs(6 * 3600))
    assert ok.isEnabled()
    dialog.accept()
    qtbot.waitUntil(lambda: window.desk.variant_id is not None)
    added = services.variants.find(services.section_id(), "Election night")
    assert window.desk.variant_id == added.id and bar.remove_button.isEnabled()
    assert bar.isVisible() and bar.timeline.isVisible()
    assert bar.combo.count() == 2 and bar.combo.currentText() == "Election night"
    assert window.desk.layout.entries() == services.sections.layout(services.section_id()).entries()

    clash = bar.add_variant()  # the same window again: the service refuses the overlap, the form says so
    qtbot.addWidget(clash)
    clash.name.setText("Second")
    clash.starts.setDateTime(dialog.starts.dateTime())
    clash.accept()
    assert clash.variant is None and "overlaps 'election night'" in clash.message.text().lower()
    clash.reject()

    monkeypatch.setattr(variant_bar, "ask", lambda *_a, **_k: variant_bar.REMOVE)
    assert bar.remove_variant()
    assert window.desk.variant_id is None and services.variants.variants(services.section_id()) == []
    assert bar.combo.count() == 1 and not bar.isVisible()


def test_the_review_window_says_which_layout_it_is_about(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services
) -> None:
    variant = weekend(services)
    window = open_desk(services)
    review = window.show_review()
    qtbot.waitExposed(review)
    assert review.windowTitle() == "Review layout — Central Asia — main layout"
    window.variant_bar.choose(variant.id)
    qtbot.waitUntil(lambda: "variant “Weekend”" in review.windowTitle(), timeout=5_000)
    assert "variant “Weekend”" in review.layout_caption.text()
    signed = review.approve()  # the sign-off is the variant's, not the main layout's
    assert signed is not None and signed.variant_id == variant.id
    section_id = services.section_id()
    assert services.review.state(section_id).decision is None
    assert services.review.state(section_id, variant.id).decision is not None
    qtbot.waitUntil(lambda: window.review_status.text().startswith("Signed off"), timeout=5_000)
    window.layout_history.refresh()
    assert window.layout_history.model.rowCount() == 1  # the variant's history: its one sign-off
    window.variant_bar.choose(None)  # the main layout: never signed off, an empty history
    qtbot.waitUntil(lambda: not window.review_status.text().startswith("Signed off"), timeout=5_000)
    qtbot.waitUntil(lambda: window.layout_history.model.rowCount() == 0, timeout=5_000)
    qtbot.waitUntil(lambda: review.windowTitle().endswith("— main layout"), timeout=5_000)


def test_gaps_and_overlaps_are_marked_in_words_and_on_the_strip(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path
) -> None:
    section_id = services.section_id()
    start = tomorrow()
    services.variants.add(section_id, Window("Friday", start, start + timedelta(hours=12)))
    services.variants.add(
        section_id, Window("Saturday", start + timedelta(hours=24), start + timedelta(hours=60))
    )
    services.variants.add(
        section_id,
        Window("Late", start + timedelta(hours=48), start + timedelta(hours=84)),
        allow_overlap=True,
    )
    window = open_desk(services)
    timeline = window.variant_bar.timeline
    kinds = [s.kind for s in timeline.segments]
    assert SegmentKind.OVERLAP in kinds and any(s.gap for s in timeline.segments)
    texts = [segment_text(s) for s in timeline.segments]
    assert any(t.startswith("Main layout, ") and t.endswith("(a gap between two variants)") for t in texts)
    overlap = next(t for t in texts if t.startswith("Overlap, "))
    assert "“Saturday” and “Late” at once" in overlap and "“Late” shows" in overlap
    assert overlap in timeline.accessibleDescription()
    timeline.setFocus()  # the keyboard: Right to the next segment, Space chooses it
    first_variant = kinds.index(SegmentKind.VARIANT)
    for _ in range(first_variant):
        qtbot.keyClick(timeline, Qt.Key.Key_Right)
    qtbot.keyClick(timeline, Qt.Key.Key_Space)
    assert window.desk.layout.variant is not None and window.desk.layout.variant.name == "Friday"
    timeline.grab().save(shot(tmp_path, "variants-timeline-gap-overlap.png"))


def test_overrides_settings_and_a_colleagues_changes_on_a_variant(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services
) -> None:
    from dataclasses import replace

    from ca_editor.domain.changes import Change, Origin
    from ca_editor.domain.section_settings import SectionSettings

    variant = weekend(services)
    section_id = services.section_id()
    main_before = services.sections.layout(section_id).entries()
    window = open_desk(services)
    window.variant_bar.choose(variant.id)
    desk = window.desk
    slot = desk.layout.slots[0]
    assert desk.set_slot_overrides(slot.id, replace(slot.entry(), headline="Weekend only"))
    assert services.sections.layout(section_id, variant.id).entries()[0].headline == "Weekend only"
    assert services.sections.layout(section_id).entries() == main_before  # the main page keeps its own

    settings = SectionSettings.of(desk.layout.section)
    assert desk.change_settings(replace(settings, title="Central Asia weekend"))  # the section's, kept on
    assert desk.variant_id == variant.id and desk.layout.variant is not None
    assert desk.layout.section.title == "Central Asia weekend"

    late = Window("Late", tomorrow() + timedelta(days=3), tomorrow() + timedelta(days=4))
    other = services.variants.add(section_id, late)  # a colleague adds a variant: the bar lists it
    desk.follow(Change(origin=Origin.OTHER_PROCESS, layout_section_ids=frozenset({section_id})))
    bar = window.variant_bar
    assert [bar.combo.itemText(i) for i in range(bar.combo.count())] == ["Main layout", "Weekend", "Late"]
    services.variants.remove(section_id, variant.id)  # ... and removes the one this desk edits
    desk.follow(Change(origin=Origin.OTHER_PROCESS, layout_section_ids=frozenset({section_id})))
    assert desk.variant_id is None and desk.layout.variant is None
    assert bar.combo.currentText() == "Main layout"
    assert [bar.combo.itemText(i) for i in range(bar.combo.count())] == ["Main layout", "Late"]
    assert other.id in [s.live.id for s in bar.timeline.segments if s.live is not None]


def test_the_review_sheet_printed_from_a_variant_is_that_variants(
    open_desk: Callable[..., MainWindow],
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox
    from tests.ui.test_review_sheet import read

    from ca_editor.ui.sheet.flow import ReviewSheetFlow

    variant = weekend(services)
    section_id = services.section_id()
    services.variants.replace_slots(
        section_id, variant.id, services.sections.layout(section_id).entries()[:2]
    )
    window = open_desk(services)
    window.variant_bar.choose(variant.id)
    asked: list[str] = []

    def save_dialog(_flow: object, suggested: str) -> str:
        asked.append(suggested)
        return str(tmp_path / "weekend.pdf")

    monkeypatch.setattr(ReviewSheetFlow, "choose_path", save_dialog)
    monkeypatch.setattr(QMessageBox, "exec", lambda _box: 0)
    window.review_sheet_action.trigger()
    assert Path(asked[0]).name.startswith("central-asia-weekend-review-")
    pdf = read(tmp_path / "weekend.pdf")
    assert pdf.contains("variant “Weekend” (live")
    assert pdf.contains("2 of 8 slots filled")  # the variant's block, not the main one's eight
