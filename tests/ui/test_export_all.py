"""File › Export all sections…: every live section into one bundle off the UI thread, with its progress,
its result (where each section's page is), and a section whose checklist refuses the bundle named."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMenu
from pytestqt.qtbot import QtBot

from ca_editor.domain.checklist import CheckReport
from ca_editor.domain.model import SlotEntry
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services
from ca_editor.services.variants import MAIN, Window
from ca_editor.ui import export_all, export_flow
from ca_editor.ui.checks.gate import OverrideDialog
from ca_editor.ui.export_flow import ExportFlow
from ca_editor.ui.main_window import MainWindow


def add_weekend(services: Services, slot_count: int = 3) -> int:
    """A second live section holding three of the demo block's stories."""
    main = services.sections.sections()[0]
    chosen = [slot.story.id for slot in services.sections.layout(main.id).slots][:3]
    section = services.section_settings.create(
        SectionSettings("weekend", "The weekend page", slot_count=slot_count)
    )
    services.sections.replace_slots(section.id, [SlotEntry(story_id) for story_id in chosen])
    return section.id


def file_menu_action(window: MainWindow, text: str) -> object:
    titles = [a.text() for a in window.menuBar().actions()]
    menu = window.menuBar().actions()[titles.index("&File")].menu()
    assert isinstance(menu, QMenu)
    texts = [a.text() for a in menu.actions()]
    assert text in texts, texts
    assert texts.index(text) == texts.index(window.export_action.text()) + 1  # beside Export section…
    return menu.actions()[texts.index(text)]


def run(qtbot: QtBot, window: MainWindow, folder: Path, monkeypatch: pytest.MonkeyPatch) -> ExportFlow:
    """Trigger the menu item, answer the folder question, and wait for the outcome."""
    flows: list[ExportFlow | None] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(folder))
    real = export_all.export_every_section

    def keep(w: MainWindow, f: str | None = None) -> ExportFlow | None:
        flow = real(w, f)
        if flow is not None:
            flow.show_result = False  # its outcome arrives later, through the event loop
            flow.progress_seen = []  # type: ignore[attr-defined]
            flow.worker.progressed.connect(lambda d, t: flow.progress_seen.append((d, t)))  # type: ignore[attr-defined]
        flows.append(flow)
        return flow

    monkeypatch.setattr(export_all, "export_every_section", keep)
    action = file_menu_action(window, export_all.ACTION_TEXT)
    action.trigger()  # type: ignore[attr-defined]
    assert flows and flows[0] is not None
    flow = flows[0]
    assert flow.dialog.isVisible() or flow.outcome is not None  # progress shows while it runs
    qtbot.waitUntil(lambda: flow.outcome is not None, timeout=60_000)
    assert flow.wait()
    return flow


def test_export_all_writes_every_live_section_and_says_where_each_page_is(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    weekend_id = add_weekend(services)
    window = open_desk(services)
    out = tmp_path / "bundle"
    flow = run(qtbot, window, out, monkeypatch)
    assert flow.outcome == "done", flow.message
    assert (out / "index.html").is_file()
    assert (out / "sections" / "weekend" / "index.html").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [s["slug"] for s in manifest["sections"]] == ["central-asia", "weekend"]
    assert "2 sections, one bundle" in flow.message
    assert "The weekend page: sections/weekend/index.html" in flow.message
    assert flow.result_box is not None and "sections/weekend/index.html" in flow.result_box.text()
    seen = flow.progress_seen  # type: ignore[attr-defined]
    assert seen and seen[-1][0] == seen[-1][1]
    assert window.settings.last_export_folder == str(out)
    for section_id in (window.desk.section_id, weekend_id):  # each section's export is recorded
        assert services.snapshots.latest(section_id, SnapshotKind.EXPORT) is not None


def test_a_refused_section_is_named_and_nothing_is_written(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    add_weekend(services, slot_count=4)  # one slot empty: an error on the weekend page's checklist
    window = open_desk(services)
    asked: list[str] = []

    def stop(_parent: object, _report: object, section: str = "") -> None:
        asked.append(section)  # the question names the section whose checklist refused the bundle

    monkeypatch.setattr(export_flow, "ask_override", stop)
    out = tmp_path / "bundle"
    flow = run(qtbot, window, out, monkeypatch)
    assert flow.outcome == "blocked"
    assert asked == ["weekend"]
    assert "checklist of section 'weekend'" in flow.message
    assert not out.exists()


def test_the_question_names_the_section(
    open_desk: Callable[..., MainWindow], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_desk(services)
    titles: list[str] = []

    def capture(dialog: OverrideDialog) -> int:
        titles.append(dialog.windowTitle())
        return int(OverrideDialog.DialogCode.Rejected)

    monkeypatch.setattr(OverrideDialog, "exec", capture)
    assert export_flow.ask_override(window, CheckReport(()), "weekend") is None
    assert titles == ["The checklist of section 'weekend' has errors"]


def test_export_all_from_the_window_writes_a_sections_variants_beside_its_front(
    qtbot: QtBot, open_desk: Callable[..., MainWindow], services: Services, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    weekend_id = add_weekend(services)
    now = datetime.now(UTC)
    services.variants.add(
        weekend_id, Window("Today", now - timedelta(hours=1), now + timedelta(days=1)), copy_from=MAIN
    )
    window = open_desk(services)
    out = tmp_path / "bundle"
    flow = run(qtbot, window, out, monkeypatch)
    assert flow.outcome == "done", flow.message
    folder = out / "sections" / "weekend"
    assert sorted(p.name for p in (folder / "variants").glob("*.html")) == ["main.html", "today.html"]
    schedule = json.loads((folder / "schedule.json").read_text(encoding="utf-8"))
    assert schedule["index"] == "Today" and schedule["main"]["file"] == "variants/main.html"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"sections/weekend/schedule.json", "sections/weekend/variants/today.html"} <= set(
        manifest["files"]
    )
    seen = flow.progress_seen  # type: ignore[attr-defined]
    assert seen and seen[-1][0] == seen[-1][1]  # the variants' pages counted in the progress total
