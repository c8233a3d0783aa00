"""The full check at open runs only when the file may have changed since ca-editor last knew it sound.

SQLite's own writes do not damage a file, so a file ca-editor closed cleanly and nobody touched since opens
without ``PRAGMA quick_check`` (0.3 s at 10,000 stories); anything written by another program, a WAL left
by a crash, or a file copied in is checked as before.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ca_editor.app import open_services
from ca_editor.locations import known_sound_mark
from ca_editor.persistence import sqlite_driver
from ca_editor.persistence.backup import DamagedDatabaseError
from ca_editor.persistence.known_sound import is_known_sound

pytestmark = pytest.mark.sqlite_only  # the known-sound note is about the SQLite file itself

STORIES = 300


@pytest.fixture
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], int]]:
    """How many ``PRAGMA quick_check`` statements SQLite was given (traced on every checking connection)."""
    statements: list[str] = []
    connect = sqlite_driver.connect

    def traced(target: str, *, uri: bool = False) -> sqlite3.Connection:
        connection = connect(target, uri=uri)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(sqlite_driver, "connect", traced)
    yield lambda: sum("quick_check" in statement.lower() for statement in statements)


def _closed_cleanly(path: Path) -> None:
    """A database with many stories, written by ca-editor and closed cleanly (the note of it is current)."""
    services = open_services(str(path))
    with services.db.engine.begin() as connection:
        for number in range(STORIES):
            connection.exec_driver_sql(
                "INSERT INTO stories (slug, title, summary, body, byline, status, tags, image_alt, "
                "image_caption, image_credit, version, created_at, updated_at) VALUES (?, ?, '', ?, '', "
                "'draft', '[]', '', '', '', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
                (f"marker-{number:04d}", f"MARKER-{number:04d}", f"Body of story {number:04d}. " * 5),
            )
    services.db.dispose()


def _damage_in_place(path: Path, number: int) -> None:
    """Another program overwrites the page holding story ``number``'s body, keeping the file's size."""
    data = path.read_bytes()
    size = int.from_bytes(data[16:18], "big")
    page = data.index(f"Body of story {number:04d}. ".encode()) // size
    with path.open("r+b") as file:  # in place: same inode, same size
        file.seek(page * size)
        file.write(bytes([0xA5]) * size)


def test_a_second_clean_open_skips_the_full_check(tmp_path: Path, quick_checks: Callable[[], int]) -> None:
    path = tmp_path / "desk.sqlite3"
    _closed_cleanly(path)
    assert not path.with_name(path.name + "-wal").exists()  # the last close checkpointed and removed it
    assert is_known_sound(path)

    for _ in range(2):
        open_services(str(path)).db.dispose()

    assert quick_checks() == 0
    assert is_known_sound(path)


def test_a_file_damaged_by_another_program_after_a_clean_close_is_still_detected(
    tmp_path: Path, quick_checks: Callable[[], int]
) -> None:
    path = tmp_path / "desk.sqlite3"
    _closed_cleanly(path)
    size = path.stat().st_size

    _damage_in_place(path, 150)

    assert path.stat().st_size == size
    assert not is_known_sound(path)
    with pytest.raises(DamagedDatabaseError):
        open_services(str(path))
    assert quick_checks() == 1
    with pytest.raises(DamagedDatabaseError):  # and again: a refused file is never noted sound
        open_services(str(path))


def test_damage_whose_writer_put_the_old_mtime_back_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _closed_cleanly(path)
    before = path.stat()

    _damage_in_place(path, 40)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p` or `rsync -t` would

    assert path.stat().st_mtime_ns == before.st_mtime_ns
    with pytest.raises(DamagedDatabaseError):
        open_services(str(path))


def test_a_wal_left_by_a_crash_gets_the_full_check(tmp_path: Path, quick_checks: Callable[[], int]) -> None:
    path = tmp_path / "desk.sqlite3"
    _closed_cleanly(path)
    crashed = sqlite3.connect(path)  # another writer, still open: its WAL has content, unchecked
    crashed.execute("PRAGMA journal_mode = WAL")
    with crashed:
        crashed.execute("UPDATE stories SET title = 'Changed' WHERE slug = 'marker-0001'")

    try:
        assert not is_known_sound(path)
        open_services(str(path)).db.dispose()
    finally:
        crashed.close()

    assert quick_checks() == 1


def test_a_file_copied_in_gets_the_full_check(tmp_path: Path, quick_checks: Callable[[], int]) -> None:
    path, other = tmp_path / "desk.sqlite3", tmp_path / "other.sqlite3"
    _closed_cleanly(path)
    _closed_cleanly(other)

    shutil.copyfile(other, path)  # same path, other content (and other mtime)
    open_services(str(path)).db.dispose()
    renamed = tmp_path / "copy.sqlite3"
    shutil.copy2(other, renamed)
    renamed.replace(path)  # a new inode under the old name, mtime kept
    open_services(str(path)).db.dispose()

    assert quick_checks() == 2


def test_a_note_that_cannot_be_read_means_a_check(tmp_path: Path, quick_checks: Callable[[], int]) -> None:
    path = tmp_path / "desk.sqlite3"
    _closed_cleanly(path)
    known_sound_mark(path).write_bytes(b"")  # what a power cut may leave of a note written without fsync

    open_services(str(path)).db.dispose()

    assert quick_checks() == 1
    assert is_known_sound(path)  # the check passed, so the file is noted sound again


def test_the_command_line_closes_cleanly_at_exit_so_the_next_start_skips_the_check(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    _closed_cleanly(path)
    command = [sys.executable, "-m", "ca_editor", "--db", str(path), "export", str(tmp_path / "out")]

    subprocess.run(command, check=True, capture_output=True, env=os.environ)

    assert not path.with_name(path.name + "-wal").exists()
    assert is_known_sound(path)  # the export's writes, closed cleanly at exit, noted sound
