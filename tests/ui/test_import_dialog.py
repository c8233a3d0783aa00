"""The import dialog: a preview before writing, counts, a desk refresh; failure and cancel write nothing."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from ca_editor.domain.model import StoryFields
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk
from ca_editor.ui.importing import ImportDialog
from ca_editor.ui.importing.workers import ApplyWorker
from ca_editor.ui.settings import Settings


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><pubDate>{date}</pubDate>"
        f"<description>About {guid}</description></item>"
        for title, guid, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Лента</title>'
        f"{body}</channel></rss>"
    ).encode()


def count_stories(db_path: Path) -> int:
    with sqlite3.connect(db_path) as connection:
        return int(connection.execute("SELECT count(*) FROM stories").fetchone()[0])


@pytest.fixture
def desk(services: Services) -> Desk:
    return Desk(services, services.section_id())


@pytest.fixture
def dialog(qtbot: QtBot, desk: Desk, tmp_path: Path) -> Iterator[ImportDialog]:
    dialog = ImportDialog(desk, str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.cancel()
    dialog.wait()


def preview(qtbot: QtBot, dialog: ImportDialog, *paths: Path) -> None:
    dialog.load(list(paths))
    qtbot.waitUntil(lambda: dialog.state != "reading", timeout=60_000)
    assert dialog.wait()


def test_preview_shows_counts_and_rows_before_anything_is_written(
    qtbot: QtBot, qtmodeltester, dialog: ImportDialog, services: Services, db_path: Path, tmp_path: Path
) -> None:
    known = services.stories.create(StoryFields(title="Bishkek water talks", body="Old"))
    feed = tmp_path / "wire.xml"
    feed.write_bytes(
        rss(
            ("Тоқаев встретился с Мирзиёевым", "g1", "Fri, 27 Nov 2026 14:05:00 +0500"),
            ("Қазақстан мен Өзбекстан", "g2", "27.11.2026"),
            ("Қазақстан мен Өзбекстан", "g2", "27.11.2026"),
            (known.title, "g3", "2026-11-26"),
        )
    )
    before = count_stories(db_path)
    preview(qtbot, dialog, feed)
    assert dialog.state == "ready"
    assert dialog.counts_label.text() == "RSS 2.0 feed 'Лента': 2 to add, 1 to update, 1 skipped"
    assert dialog.import_button.isEnabled()
    model = dialog.model
    qtmodeltester.check(model)
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert rows[0][:4] == [
        "Add",
        "Тоқаев встретился с Мирзиёевым",
        "tokaev-vstretilsia-s-mirzieevym",
        "27 Nov 2026 09:05",
    ]
    assert (
        rows[2][0] == "Skip" and rows[2][4] == "same guid as entry 2 'Қазақстан мен Өзбекстан' of this file"
    )
    assert rows[3][0] == "Update" and rows[3][4].startswith(f"same title and slug as story #{known.id}")
    dialog.table.selectRow(3)
    assert dialog.detail_label.text().startswith(
        f"entry 4 '{known.title}': update as '{known.slug}'. Same title"
    )
    assert count_stories(db_path) == before  # a preview writes nothing

    shots = os.environ.get("CA_EDITOR_SCREENSHOT_DIR")
    if shots:
        dialog.grab().save(str(Path(shots) / "import-preview.png"))


def test_import_writes_refreshes_the_desk_and_closes(
    qtbot: QtBot, dialog: ImportDialog, desk: Desk, services: Services, db_path: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss(("Astana summit", "g1", "2026-11-27"), ("Bishkek talks", "g2", "2026-11-27")))
    preview(qtbot, dialog, feed)
    before = count_stories(db_path)
    with qtbot.waitSignal(desk.changed, timeout=60_000):
        dialog.import_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.state == "done"
    assert dialog.message == "Imported from wire.xml: 2 created, 0 updated, 0 skipped."
    assert count_stories(db_path) == before + 2
    assert services.stories.get_by_slug("astana-summit").updated_by == services.identity.name


def test_a_bad_entry_is_named_and_nothing_can_be_imported_unless_skipped(
    qtbot: QtBot, dialog: ImportDialog, db_path: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "bad.xml"
    feed.write_bytes(rss(("Fine", "g1", "2026-11-27"), ("Which day?", "g2", "03/04/2026")))
    before = count_stories(db_path)
    preview(qtbot, dialog, feed)
    assert dialog.state == "ready"
    assert dialog.counts_label.text() == "RSS 2.0 feed 'Лента': 1 to add, 0 to update, 0 skipped, 1 invalid"
    assert dialog.invalid_list.isVisible()
    (listed,) = [dialog.invalid_list.item(r).text() for r in range(dialog.invalid_list.count())]
    assert listed.startswith("bad.xml, entry 2 'Which day?', field 'published_at': ")
    assert "could be 3 April or 4 March 2026" in listed
    assert dialog.message_label.isVisible()
    assert "1 of 2 entries is invalid" in dialog.message_label.text()
    assert dialog.skip_invalid_box.isVisible() and not dialog.skip_invalid_box.isChecked()
    assert dialog.skip_invalid_box.text() == "&Skip the 1 invalid entry and import the other 1"
    assert not dialog.import_button.isEnabled()  # the default: a bad entry imports nothing
    assert dialog.model.rowCount() == 1  # the valid entry's plan is shown
    assert count_stories(db_path) == before


def test_a_valid_file_shows_no_skip_choice(qtbot: QtBot, dialog: ImportDialog, tmp_path: Path) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss(("Astana summit", "g1", "2026-11-27")))
    preview(qtbot, dialog, feed)
    assert not dialog.skip_invalid_box.isVisible()
    assert not dialog.invalid_list.isVisible()
    assert dialog.import_button.isEnabled()


def test_skipping_invalid_lines_imports_the_others_in_one_go(
    qtbot: QtBot, dialog: ImportDialog, desk: Desk, services: Services, db_path: Path, tmp_path: Path
) -> None:
    lines = []
    for n in range(1, 21):
        story: dict[str, object] = {"title": f"Wire story {n}", "slug": f"wire-story-{n}", "tags": ["Asia"]}
        if n == 4:
            story["tags"] = ["Kazakh\x07stan"]
        if n == 9:
            story["tags"] = ["x" * 70]
        if n == 15:
            story["published_at"] = "the day after tomorrow"
        lines.append(json.dumps(story))
    source = tmp_path / "wire.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = count_stories(db_path)
    preview(qtbot, dialog, source)
    listed = [dialog.invalid_list.item(r).text() for r in range(dialog.invalid_list.count())]
    assert [row.split(":")[0] for row in listed] == [
        "wire.jsonl, line 4, field 'tags'",
        "wire.jsonl, line 9, field 'tags'",
        "wire.jsonl, line 15, field 'published_at'",
    ]
    assert dialog.skip_invalid_box.text() == "&Skip the 3 invalid entries and import the other 17"
    assert not dialog.import_button.isEnabled()
    shots = os.environ.get("CA_EDITOR_SCREENSHOT_DIR")
    if shots:
        dialog.grab().save(str(Path(shots) / "import-invalid.png"))

    dialog.skip_invalid_box.click()
    assert dialog.import_button.isEnabled()
    assert "Import leaves them out" in dialog.message
    dialog.skip_invalid_box.click()  # changing one's mind turns Import off again
    assert not dialog.import_button.isEnabled()
    dialog.skip_invalid_box.click()
    with qtbot.waitSignal(desk.changed, timeout=60_000):
        dialog.import_button.click()
    assert dialog.state == "done"
    assert dialog.message == "Imported from wire.jsonl: 17 created, 0 updated, 0 skipped, 3 invalid left out."
    assert count_stories(db_path) == before + 17
    slugs = {s.slug for s in services.stories.list()}
    assert "wire-story-3" in slugs and "wire-story-4" not in slugs


def test_nothing_new_means_nothing_to_import(
    qtbot: QtBot, dialog: ImportDialog, services: Services, tmp_path: Path
) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss(("Astana summit", "g1", "2026-11-27")))
    services.imports.import_path(feed)
    preview(qtbot, dialog, feed)
    assert dialog.counts_label.text().endswith("0 to add, 0 to update, 1 skipped")
    assert "nothing to import" in dialog.message
    assert not dialog.import_button.isEnabled()


def test_cancel_while_importing_leaves_nothing(
    qtbot: QtBot, dialog: ImportDialog, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = tmp_path / "big.xml"
    feed.write_bytes(rss(*((f"Story {n}", f"g{n}", "2026-11-27") for n in range(200))))
    preview(qtbot, dialog, feed)
    assert dialog.plan is not None and dialog.plan.writes == 200
    reached: list[int] = []
    original = ApplyWorker._progress

    def held(worker: ApplyWorker, done: int, total: int) -> None:
        original(worker, done, total)
        if done == 50:  # half-way: hold the transaction open until the person's cancel arrives
            reached.append(done)
            worker.cancel_event.wait(30)

    monkeypatch.setattr(ApplyWorker, "_progress", held)
    before = count_stories(db_path)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: bool(reached), timeout=60_000)
    assert count_stories(db_path) == before  # not committed while it runs
    dialog.cancel()
    qtbot.waitUntil(lambda: dialog.state == "cancelled", timeout=60_000)
    assert dialog.wait()
    assert dialog.message == "Import cancelled; nothing was written."
    assert count_stories(db_path) == before
    assert dialog.import_button.isEnabled()  # the plan still stands; Import tries again
    monkeypatch.setattr(ApplyWorker, "_progress", original)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.state == "done", timeout=60_000)
    assert count_stories(db_path) == before + 200


def test_a_stale_preview_is_refused_and_can_be_read_again(
    qtbot: QtBot, dialog: ImportDialog, services: Services, db_path: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss(("Astana summit", "g1", "2026-11-27")))
    preview(qtbot, dialog, feed)
    services.imports.import_path(feed)  # another desk imports it first
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.state == "failed", timeout=60_000)
    assert "changed since the preview" in dialog.message
    assert dialog.import_button.text() == "&Preview again"
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.state == "ready", timeout=60_000)
    assert dialog.counts_label.text().endswith("0 to add, 0 to update, 1 skipped")
    assert count_stories(db_path) == services.stories.count()


def test_the_window_action_opens_the_dialog_and_reports_in_the_status_bar(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from ca_editor.ui.main_window import MainWindow

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(services, settings)
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.show()
    feed = tmp_path / "feeds" / "wire.xml"
    feed.parent.mkdir()
    feed.write_bytes(rss(("Astana summit", "g1", "2026-11-27")))
    window.import_action.trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.before_write = None  # the backup before an import is the backups feature's own test
    preview(qtbot, dialog, feed)
    with qtbot.waitSignal(window.desk.changed, timeout=60_000):
        dialog.import_button.click()
    qtbot.waitUntil(lambda: "Imported from wire.xml" in window.statusBar().currentMessage(), timeout=10_000)
    assert settings.last_import_folder == str(feed.parent)
    assert any(s.slug == "astana-summit" for s in services.stories.list())
