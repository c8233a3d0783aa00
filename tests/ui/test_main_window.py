"""The first window opens on the demo database and shows its stories and editor's choice."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt

from ca_editor.locations import demo_dir
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.models.story_table import StoryTableModel


def _demo_titles() -> list[str]:
    lines = (demo_dir() / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["title"] for line in lines if line.strip()]


def test_window_shows_demo_stories_and_slots(qtbot, services, tmp_path: Path) -> None:
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    titles = _demo_titles()
    assert window.story_model.rowCount() == len(titles)
    shown = {window.story_model.story_at(r).title for r in range(window.story_model.rowCount())}
    assert shown == set(titles)
    assert window.slot_model.rowCount() == 8
    first_slot = window.slot_model.index(0, 0).data(Qt.ItemDataRole.DisplayRole)
    assert first_slot == f"1. {titles[0]}"

    window.search_box.setText("Steinmeier")
    assert window.story_model.rowCount() == 1
    assert "Steinmeier" in window.story_model.story_at(0).title
    window.search_box.setText('"unbalanced AND (')  # FTS syntax must never reach the user as an error
    assert window.story_model.rowCount() == 0
    window.search_box.clear()

    shot = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path)) / "main-window.png"
    assert window.grab().save(str(shot))
    assert shot.stat().st_size > 10_000


def test_story_table_model_is_consistent(qtmodeltester, services) -> None:
    model = StoryTableModel()
    model.set_rows(services.stories.list())
    qtmodeltester.check(model)


def test_slot_list_model_is_consistent(qtmodeltester, services) -> None:
    from ca_editor.ui.models.slot_list import SlotListModel

    model = SlotListModel()
    model.set_layout(services.sections.layout(services.section_id()))
    qtmodeltester.check(model)
