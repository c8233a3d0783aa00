"""The real app killed with SIGKILL in the middle of writing: during a run of slot moves, and during exports.

Each test starts ``ca_editor`` in a child process (``tests/ui/crash_driver.py`` drives its window from inside
and logs every committed step), kills it, and then checks what is on disk: the database passes SQLite's
integrity and foreign-key checks, every step the app reported as done is there, and the export folder holds
the previous bundle byte for byte or the new one complete, never a mixture.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ca_editor.export import inplace


def _load_driver() -> ModuleType:
    path = Path(__file__).parents[1] / "ui" / "crash_driver.py"
    spec = importlib.util.spec_from_file_location("crash_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


driver = _load_driver()


@pytest.fixture
def start(db_path: Path, tmp_path: Path) -> Iterator[Any]:
    running: list[Any] = []

    def start(scenario: str, out: Path | None = None) -> Any:
        app = driver.AppProcess(scenario, db_path, tmp_path / "runs", out)
        running.append(app)
        return app

    yield start
    for app in running:
        app.stop()


def _cli(db: Path, *args: str) -> None:
    """The command line in a process of its own. Not in this one: a process that opens the database file
    while it holds SQLite connections to it drops its POSIX locks (``close()`` releases them all), and a
    write another process commits after that can be lost (measured here)."""
    done = subprocess.run(
        [sys.executable, "-m", "ca_editor", "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _title(db: Path, story_id: int) -> str:
    with sqlite3.connect(db) as connection:
        return str(connection.execute("SELECT title FROM stories WHERE id = ?", (story_id,)).fetchone()[0])


def _slot_order(db: Path) -> list[int]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT story_id, position FROM slots ORDER BY position").fetchall()
    assert [position for _, position in rows] == list(range(len(rows))), "positions are 0..n-1, no gap"
    return [story_id for story_id, _ in rows]


def test_killed_during_a_run_of_slot_moves_the_layout_is_the_last_committed_one(
    db_path: Path, start: Any
) -> None:
    app = start("moves")  # on a new file: the app creates it with the demo section
    app.wait_for_event("moved", count=25)
    app.kill()

    assert driver.integrity_problems(db_path) == []
    moved = app.events("moved")
    last = moved[-1]["order"]
    # Each logged move was committed before it was logged; one more may have committed before the kill
    # reached the log. Either way every move the app reported is in the database, in order.
    one_more = last[1:] + last[:1]
    assert _slot_order(db_path) in (last, one_more)
    assert len(last) == len(set(last)) == 8  # the demo's eight slots: nothing lost, nothing doubled
    for previous, step in itertools.pairwise(moved):
        assert step["order"] == previous["order"][1:] + previous["order"][:1]
    with sqlite3.connect(db_path) as connection:
        version = connection.execute("SELECT max(version) FROM sections").fetchone()[0]
    assert version >= moved[-1]["version"]
    _cli(db_path, "export", str(db_path.parent / "after"))  # and it opens and exports again


def _tree(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _complete(folder: Path) -> bool:
    """Whether ``folder`` is one whole bundle: exactly the files its manifest lists, with those hashes."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = dict(manifest["files"])
    found = _tree(folder)
    found.pop("manifest.json")
    return found == listed


def _previous_bundle_is_back(out: Path, previous: dict[str, str]) -> str:
    """Check the folder after a kill; returns what state the kill left (for the test's message)."""
    old = sorted(out.parent.glob(f".{out.name}.old-*"))
    if (out / inplace.JOURNAL).is_dir():
        # Killed inside an update in place: the folder is part old, part new, with the journal to undo it.
        # The next export of either kind rolls it back before anything else; this is that step alone.
        inplace.recover(out)
        assert _tree(out) == previous, "the journal put the previous bundle back byte for byte"
        return "in-place update cut short, rolled back"
    if not out.exists():
        # Killed between the two renames of the swap: the previous bundle waits whole under its old name.
        assert len(old) == 1 and _tree(old[0]) == previous
        return "between the renames; the previous bundle is whole beside the folder"
    if _tree(out) == previous:
        return "before the swap: the previous bundle untouched"
    assert _complete(out), "a bundle that is not the previous one must be the new one, whole"
    return "after the swap: the new bundle, whole"


@pytest.mark.parametrize("scenario", ["inplace-selfkill", "swap-selfkill"])
def test_killed_at_the_worst_moment_of_an_export_the_previous_bundle_comes_back(
    db_path: Path, tmp_path: Path, start: Any, scenario: str
) -> None:
    out = tmp_path / "bundle"
    _cli(db_path, "export", str(out))
    previous = _tree(out)

    app = start(scenario, out)
    app.wait_for(lambda: app.events("selfkill") or app.events("export-end"), "the export")
    assert app.events("selfkill"), f"the export never reached the kill point: {app.events('export-end')}"
    app.wait_killed()
    state = _previous_bundle_is_back(out, previous)
    assert state.startswith("in-place" if scenario == "inplace-selfkill" else "between"), state
    assert driver.integrity_problems(db_path) == []
    saved = app.events("saved")[-1]
    assert _title(db_path, saved["story_id"]) == saved["title"]  # the save before it is kept
    _cli(db_path, "export", str(out))  # and the next export mends the folder and writes the new bundle
    assert _complete(out)
    assert not list(out.parent.glob(f".{out.name}.old-*")) and not (out / inplace.JOURNAL).exists()
    # The crashed export's half-built stage may stay: younger than an hour, it could be another window's.
    page = (out / "index.html").read_text(encoding="utf-8")
    assert saved["title"].split(": ", 1)[0] in page


def test_killed_at_a_random_moment_of_a_run_of_exports_the_folder_is_never_half(
    db_path: Path, tmp_path: Path, start: Any
) -> None:
    out = tmp_path / "bundle"
    _cli(db_path, "export", str(out))
    seed = random.randrange(1_000_000)
    pace = random.Random(seed)

    app = start("exports", out)
    ended = app.wait_for_event("export-end", count=2 + pace.randrange(3))
    assert all(e["outcome"] == "done" for e in ended), ended
    rounds = len(ended)
    app.wait_for(lambda: len(app.events("export-start")) > rounds, "the next export's start")
    time.sleep(pace.uniform(0, 0.25))  # somewhere inside that export (or just after it)
    app.kill()

    ended = [e for e in app.events("export-end") if e["outcome"] == "done"]
    state = _previous_bundle_is_back(out, ended[-1]["tree"])
    print(f"seed {seed}: killed {state}")
    assert driver.integrity_problems(db_path) == []
    saved = app.events("saved")[-1]
    assert _title(db_path, saved["story_id"]) == saved["title"]
    _cli(db_path, "export", str(out))
    assert _complete(out)
