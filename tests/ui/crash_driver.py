"""Runs the real app (``ca_editor.cli.main``: the same start as ``python -m ca_editor``) and drives it from
inside, for the kill tests (``tests/ui/test_crash_recovery.py``, ``tests/integration/
test_kill_during_write.py``), which load ``AppProcess`` from here.

    python crash_driver.py SCENARIO DB LOG [OUT_DIR]

Nothing here is in the app: this script patches ``MainWindow.show`` to start a scenario once the window is on
screen, shortens the autosave interval, and writes one JSON line per observable step to LOG (flushed, so the
test can wait for markers instead of sleeping). The test kills the process with SIGKILL whenever it likes;
the ``*-selfkill`` scenarios send SIGKILL to themselves at an exact point inside an export.

Scenarios:
  typing    save one story (committed), then type into another one's body without end
  offer     log what the start-up recovery dialog lists, press Restore, log the editor; then idle
  moves     move the first editor's-choice slot to the end, again and again, logging each committed order
  exports   save a story change, export through the window's export flow, log the bundle; again and again
  inplace-selfkill   one in-place export update, killed after its first file went in
  swap-selfkill      one full export, killed between renaming the old bundle away and the new one in
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

import ca_editor.ui.recovery as recovery
from ca_editor import cli, durable
from ca_editor.ui import main_window
from ca_editor.ui.export_flow import ExportFlow
from ca_editor.ui.recovery import RecoveryDialog

DRIVER = Path(__file__).resolve()
OUT: Path | None = None
_log_file: Any = None
_keep: list[Any] = []  # timers and flows that must outlive the scenario function


def log(event: str, **data: Any) -> None:
    _log_file.write(json.dumps({"event": event, **data}) + "\n")
    _log_file.flush()


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with its sha256."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def repeat(window: main_window.MainWindow, interval: int, step: Any) -> None:
    timer = QTimer(window, interval=interval)
    timer.timeout.connect(step)
    timer.start()
    _keep.append(timer)


def typing(window: main_window.MainWindow) -> None:
    editor = window.editor
    slots = window.desk.layout.slots
    saved_id, typed_id = slots[1].story.id, slots[0].story.id
    editor.show_story(saved_id)
    title = editor.title_edit.text() + " (saved before the crash)"
    editor.title_edit.setText(title)
    if not editor.save():
        log("error", message=f"save refused: {editor.problems()}")
        return
    log("committed", story_id=saved_id, title=title)
    editor.show_story(typed_id)
    editor.body_edit.setFocus()
    editor.body_edit.moveCursor(editor.body_edit.textCursor().MoveOperation.End)
    words = itertools.count()
    log("typing", story_id=typed_id)
    repeat(window, 10, lambda: QTest.keyClicks(editor.body_edit, f" word{next(words)}"))


def offer(window: main_window.MainWindow) -> None:
    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, RecoveryDialog) and dialog.isVisible():
            texts = [dialog.list.item(row).text() for row in range(dialog.list.count())]
            log("offered", items=texts)
            dialog.restore_button.click()
            QTimer.singleShot(0, report)

    def report() -> None:
        story = window.editor.current_story()
        log(
            "restored",
            story_id=story.id if story else None,
            body=window.editor.current_fields().body,
            dirty=window.editor.is_dirty(),
            notice=window.editor.notice_message(),
        )

    repeat(window, 30, look)


def moves(window: main_window.MainWindow) -> None:
    desk = window.desk

    def step() -> None:
        slots = desk.layout.slots
        if desk.move_slot(slots[0].id, len(slots)):
            log(
                "moved",
                order=[slot.story.id for slot in desk.layout.slots],
                version=desk.layout.section.version,
            )

    repeat(window, 0, step)


def _change_and_export(window: main_window.MainWindow, round_number: int, then: Any) -> None:
    """A committed story change, then an export through the window's own export flow."""
    assert OUT is not None
    services = window.services
    story = services.stories.get(window.desk.layout.slots[0].story.id)
    title = f"Round {round_number}: {story.title.split(': ', 1)[-1]}"
    fields = story.fields()
    if round_number % 2 and story.published_at is not None:
        # Another month: the archive counts change, so the export builds a new bundle and swaps it in.
        moved = datetime(2021 if story.published_at.year != 2021 else 2022, 3, 1, 9, tzinfo=UTC)
        fields = replace(fields, title=title, published_at=moved)
    else:
        fields = replace(fields, title=title)  # an update in place
    window.desk.update_story(story, fields)
    log("saved", round=round_number, story_id=story.id, title=title)
    flow = ExportFlow(window, services, window.desk.section_id, OUT)
    flow.show_result = False
    _keep.append(flow)
    flow.worker.finished.connect(lambda: then(flow))
    log("export-start", round=round_number)
    flow.start()


def exports(window: main_window.MainWindow) -> None:
    rounds = itertools.count()

    def next_round(_flow: ExportFlow | None = None) -> None:
        if _flow is not None:
            assert OUT is not None
            log("export-end", outcome=_flow.outcome, message=_flow.message, tree=tree(OUT))
        QTimer.singleShot(0, lambda: _change_and_export(window, next(rounds), next_round))

    next_round()


def inplace_selfkill(window: main_window.MainWindow) -> None:
    original = durable.write_synced  # the in-place update writes through durable.replace_atomically

    def write(path: Path, data: Any) -> None:
        if path.parent.name == "new" and path.name != "0":  # file 0 is in the bundle now, the rest not
            log("selfkill", at=f"in-place update, before {path.name}")
            os.kill(os.getpid(), signal.SIGKILL)
        original(path, data)

    durable.write_synced = write  # type: ignore[assignment]
    _change_and_export(window, 0, lambda flow: log("export-end", outcome=flow.outcome, message=flow.message))


def swap_selfkill(window: main_window.MainWindow) -> None:
    assert OUT is not None
    target = OUT.resolve()
    original = pathlib.Path.rename

    def rename(self: Path, destination: Any) -> Any:
        result = original(self, destination)
        if self == target and Path(destination).name.startswith(f".{target.name}.old-"):
            log("selfkill", at="between the renames of the swap")
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    pathlib.Path.rename = rename  # type: ignore[method-assign]
    _change_and_export(window, 1, lambda flow: log("export-end", outcome=flow.outcome, message=flow.message))


SCENARIOS = {
    "typing": typing,
    "offer": offer,
    "moves": moves,
    "exports": exports,
    "inplace-selfkill": inplace_selfkill,
    "swap-selfkill": swap_selfkill,
}


def main() -> int:
    global OUT, _log_file
    scenario, db, log_path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    OUT = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    recovery.AUTOSAVE_MS = 150
    _log_file = log_path.open("a", encoding="utf-8")
    show = main_window.MainWindow.show

    def show_then_drive(self: main_window.MainWindow) -> None:
        show(self)
        if not getattr(self, "_driven", False):
            self._driven = True  # type: ignore[attr-defined]
            log("started", pid=os.getpid())
            QTimer.singleShot(0, lambda: SCENARIOS[scenario](self))

    main_window.MainWindow.show = show_then_drive  # type: ignore[method-assign]
    return cli.main(["--db", db, "--user", "Crash Tester"])


# --- for the tests ---------------------------------------------------------------------------------------


class AppProcess:
    """The app under this driver in a child process; its log read back as events."""

    def __init__(self, scenario: str, db: Path, work: Path, out: Path | None = None) -> None:
        work.mkdir(parents=True, exist_ok=True)
        number = len(list(work.glob(f"{scenario}-*.log")))
        self.log = work / f"{scenario}-{number}.log"
        self.log.touch()
        self.stderr_path = work / f"{scenario}-{number}.stderr"
        args = [sys.executable, str(DRIVER), scenario, str(db), str(self.log)]
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*args, *([str(out)] if out is not None else [])],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
            )

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        lines = self.log.read_text(encoding="utf-8").split("\n")[:-1]  # the last one may be half-written
        found = [json.loads(line) for line in lines]
        return [e for e in found if name is None or e["event"] == name]

    def wait_for(self, ready: Callable[[], object], what: str, timeout: float = 90) -> None:
        """Poll until ``ready()`` is true; fail with the app's output if it dies or takes too long."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the app ended ({self.process.returncode}) before {what}:\n{self.output()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout} s:\n{self.output()}")
            time.sleep(0.02)
        errors = self.events("error")
        assert not errors, errors

    def wait_for_event(self, name: str, count: int = 1, timeout: float = 90) -> list[dict[str, Any]]:
        self.wait_for(lambda: len(self.events(name)) >= count, f"{count} × {name}", timeout)
        return self.events(name)

    def kill(self) -> None:
        """SIGKILL: no handler, no flush, no clean-up runs in the app."""
        self.process.send_signal(signal.SIGKILL)
        self.wait_killed()

    def wait_killed(self, timeout: float = 60) -> None:
        self.process.wait(timeout)
        assert self.process.returncode == -signal.SIGKILL, self.output()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")[-4000:]


def integrity_problems(db: Path) -> list[tuple[Any, ...]]:
    """What SQLite's own checks find wrong with the file (an empty list when it opens clean)."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    return [row for row in integrity if row != ("ok",)] + foreign


if __name__ == "__main__":
    sys.exit(main())
