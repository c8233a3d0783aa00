"""The checklist pane follows the desk, and the export flow stops at errors unless given a reason."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from tests import layout_steps

from ca_editor.domain.checklist import CheckReport, FixPlace
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.services.container import Services
from ca_editor.ui.checks import ChecklistPane, OverrideDialog
from ca_editor.ui.desk import Desk
from ca_editor.ui.export_flow import ExportFlow
from ca_editor.ui.slots import EditorsChoicePane


def make_pane(qtbot: QtBot, services: Services) -> tuple[Desk, ChecklistPane]:
    desk = Desk(services, services.section_id())
    pane = ChecklistPane(desk)
    qtbot.addWidget(pane)
    with qtbot.waitSignal(pane.checked, timeout=30_000):
        pane.refresh_now()
    return desk, pane


def texts(pane: ChecklistPane) -> list[str]:
    return [pane.list.item(row).text() for row in range(pane.list.count())]


def test_the_pane_follows_the_desk_and_findings_lead_to_their_slot(qtbot: QtBot, services: Services) -> None:
    desk, pane = make_pane(qtbot, services)
    assert texts(pane) == []
    assert "every check passed" in pane.summary.text()
    with qtbot.waitSignal(pane.checked, timeout=30_000):  # a desk change, no refresh asked for
        desk.remove_slots([desk.layout.slots[1].id])
    assert texts(pane) == ["Slot 8: the slot is empty"]
    assert "1 error" in pane.summary.text()
    with qtbot.waitSignal(pane.slot_requested) as asked:
        pane.list.itemClicked.emit(pane.list.item(0))
    assert asked.args == [8]
    pane.wait_idle()


def test_a_story_finding_opens_the_story(qtbot: QtBot, services: Services) -> None:
    story = services.stories.create(
        StoryFields(title="Undated but approved", status=StoryStatus.APPROVED, summary="s")
    )
    _desk, pane = make_pane(qtbot, services)
    [item] = [pane.list.item(r) for r in range(pane.list.count()) if "Undated" in pane.list.item(r).text()]
    with qtbot.waitSignal(pane.story_requested) as asked:
        pane.list.itemActivated.emit(item)
    assert asked.args == [story.id]
    pane.wait_idle()


def test_slot_findings_select_the_slot_in_editors_choice(qtbot: QtBot, services: Services) -> None:
    desk, pane = make_pane(qtbot, services)
    choice = EditorsChoicePane(desk)
    qtbot.addWidget(choice)
    pane.slot_requested.connect(lambda p: choice.select_slot(desk.layout.slots[p - 1].id))
    pane.slot_requested.emit(3)
    selected = choice.selected_slot()
    assert selected is not None and selected.position == 3
    pane.wait_idle()


def run_flow(qtbot: QtBot, services: Services, folder: Path, answer: tuple[str, bool] | None) -> ExportFlow:
    parent = EditorsChoicePane(Desk(services, services.section_id()))
    qtbot.addWidget(parent)
    flow = ExportFlow(parent, services, services.section_id(), folder)
    flow.show_result = False
    asked: list[CheckReport] = []

    def ask(_parent: object, report: CheckReport) -> tuple[str, bool] | None:
        asked.append(report)
        return answer

    flow.ask_override = ask
    flow.start()
    qtbot.waitUntil(lambda: flow.outcome is not None, timeout=60_000)
    assert flow.wait()
    flow.asked = asked  # type: ignore[attr-defined]
    return flow


def test_export_flow_stops_at_errors_when_cancelled(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    section_id = services.section_id()
    layout_steps.remove(services, section_id, services.sections.layout(section_id).slots[0].id)
    flow = run_flow(qtbot, services, tmp_path / "out", None)
    assert flow.outcome == "blocked"
    assert "1 error" in flow.message
    assert [f.code for f in flow.asked[0].errors] == ["empty_slot"]  # type: ignore[attr-defined]
    assert not (tmp_path / "out").exists()


def test_export_flow_exports_anyway_with_the_reason(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    section_id = services.section_id()
    layout_steps.remove(services, section_id, services.sections.layout(section_id).slots[0].id)
    flow = run_flow(qtbot, services, tmp_path / "out", ("filled in tomorrow", False))
    assert flow.outcome == "done", flow.message
    release = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["release"]
    assert release["override"]["reason"] == "filled in tomorrow"
    assert flow.result_box is not None
    assert "reason recorded" in flow.result_box.informativeText()


def test_the_override_dialog_needs_a_reason_and_names_unapproved_stories(
    qtbot: QtBot, services: Services
) -> None:
    section_id = services.section_id()
    draft = services.stories.create(
        StoryFields(title="Border talks", status=StoryStatus.READY, published_at=None, summary="s")
    )
    layout = services.sections.layout(section_id)
    layout_steps.remove(services, section_id, layout.slots[-1].id)
    layout_steps.assign(services, section_id, draft.id)
    dialog = OverrideDialog(services.checks.run(section_id))
    qtbot.addWidget(dialog)
    assert not dialog.unapproved_box.isHidden()
    assert "Border talks" in dialog.unapproved_box.findChildren(type(dialog.heading))[0].text()
    assert not dialog.export_button.isEnabled()  # undated remains an error: a reason is needed
    dialog.include.setChecked(True)
    assert not dialog.export_button.isEnabled()
    dialog.reason.setPlainText("  the desk knows  ")
    assert dialog.export_button.isEnabled()
    assert dialog.reason_text == "the desk knows"
    assert dialog.include_unapproved


# --- photo findings (issue 17): a hint of its own, and a Fix button that opens the place to fix it -------


def _square_override(services: Services, desk: Desk, slot: int, alt: str) -> None:
    import io

    from PIL import Image

    from ca_editor.domain.model import SlotEntry

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1200), (30, 80, 120)).save(buffer, "PNG")
    asset = services.images.add(buffer.getvalue())
    target = desk.layout.slots[slot - 1]
    assert desk.set_slot_overrides(
        target.id, SlotEntry(target.story.id, image_sha256=asset.sha256, image_alt=alt)
    )


def test_a_hint_is_listed_last_looks_apart_and_fix_opens_the_slot(qtbot: QtBot, services: Services) -> None:
    desk, pane = make_pane(qtbot, services)
    with qtbot.waitSignal(pane.checked, timeout=30_000):
        _square_override(services, desk, 3, alt="")
    assert pane.report is not None and len(pane.report.hints) == 1
    assert "1 error</b>, 1 warning, 1 hint" in pane.summary.text()
    last = pane.list.item(pane.list.count() - 1)
    assert last.text().startswith("Slot 3: the slot's own image is cut around its middle")
    assert last.font().italic() and not pane.list.item(0).font().italic()
    assert last.data(Qt.ItemDataRole.AccessibleTextRole).startswith("Hint: ")
    assert not pane.fix_button.isEnabled()  # nothing selected yet

    pane.list.setCurrentItem(last)
    assert pane.fix_button.isEnabled() and pane.fix_button.text() == "Fix: open the slot's image"
    with qtbot.waitSignal(pane.fix_requested) as asked:
        pane.fix_button.click()
    [finding] = asked.args
    assert (finding.code, finding.slot, finding.fix) == ("no_focal_point", 3, FixPlace.SLOT_IMAGE)
    pane.wait_idle()


def test_fix_in_the_window_lands_on_the_slot_override_and_the_story_image(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from ca_editor.domain.checklist import Finding, Severity
    from ca_editor.ui.main_window import MainWindow
    from ca_editor.ui.settings import Settings

    window = MainWindow(services, Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    def active() -> bool:  # focus goes only to the active window; without a window manager, ask again
        window.activateWindow()
        return window.isActiveWindow()

    qtbot.waitUntil(active)
    _square_override(services, window.desk, 2, alt="A square")
    slot = window.desk.layout.slots[1]

    window.checklist.fix_requested.emit(
        Finding("no_focal_point", Severity.HINT, "…", 2, slot.story.id, FixPlace.SLOT_IMAGE)
    )
    selected = window.choice.selected_slot()
    assert selected is not None and selected.id == slot.id
    qtbot.waitUntil(window.choice.overrides.image_picker.view.hasFocus, timeout=3000)

    story = window.desk.layout.slots[4].story
    window.checklist.fix_requested.emit(
        Finding("missing_alt", Severity.ERROR, "…", 5, story.id, FixPlace.STORY_IMAGE)
    )
    current = window.editor.current_story()
    assert current is not None and current.id == story.id
    qtbot.waitUntil(lambda: window.editor.alt_edit.hasFocus(), timeout=3000)
    window.checklist.wait_idle()
