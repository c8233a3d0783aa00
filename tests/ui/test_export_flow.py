"""Export from the window: progress, cancel and failure leave the previous bundle exactly as it was."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ca_editor.services.container import Services
from ca_editor.ui.export_flow import ExportFlow


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_flow(qtbot: QtBot, services: Services, folder: Path, *, cancel: bool = False) -> ExportFlow:
    parent = QWidget()
    qtbot.addWidget(parent)
    flow = ExportFlow(parent, services, services.section_id(), folder)
    flow.show_result = False
    progress: list[tuple[int, int]] = []
    flow.worker.progressed.connect(lambda d, t: progress.append((d, t)))
    if cancel:
        flow.worker.cancel_event.set()
    flow.start()
    qtbot.waitUntil(lambda: flow.outcome is not None, timeout=60_000)
    assert flow.wait()
    flow.progress_seen = progress  # type: ignore[attr-defined]
    return flow


def test_export_reports_progress_and_files(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    flow = run_flow(qtbot, services, out)
    assert flow.outcome == "done", flow.message
    assert (out / "index.html").is_file()
    seen = flow.progress_seen  # type: ignore[attr-defined]
    assert seen and seen[-1][0] == seen[-1][1]
    assert flow.result_box is not None
    assert "files written" in flow.result_box.text()
    labels = [b.text() for b in flow.result_box.buttons()]
    assert "Open folder" in labels


def test_cancel_keeps_the_previous_bundle(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    assert run_flow(qtbot, services, out).outcome == "done"
    before = tree(out)
    story = services.stories.list()[0]
    opened = services.stories.get(story.id)
    services.stories.update(
        opened.id, replace(opened.fields(), title="Changed"), expected_version=opened.version
    )
    flow = run_flow(qtbot, services, out, cancel=True)
    assert flow.outcome == "cancelled"
    assert "untouched" in flow.message
    assert tree(out) == before


def test_failure_says_why_and_keeps_the_previous_bundle(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    assert run_flow(qtbot, services, out).outcome == "done"
    before = tree(out)
    (out / "notes-from-the-web-team.txt").write_text("ours", encoding="utf-8")  # not a bundle any more
    flow = run_flow(qtbot, services, out)
    assert flow.outcome == "failed"
    assert flow.result_box is not None and "untouched" in flow.result_box.informativeText()
    after = tree(out)
    after.pop("notes-from-the-web-team.txt")
    assert after == before
