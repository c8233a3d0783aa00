"""Opening a database that cannot be used says why, exits non-zero, and changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ca_editor.app import open_services
from ca_editor.cli import main
from ca_editor.domain.errors import StorageError
from ca_editor.locations import demo_dir


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path, capsys) -> None:
    path = tmp_path / "notes.sqlite3"
    original = b"these are someone's notes, not a database\n" * 200
    path.write_bytes(original)

    assert main(["--db", str(path), "export", str(tmp_path / "out")]) == 1

    assert "not a database" in capsys.readouterr().err
    assert path.read_bytes() == original
    assert not (tmp_path / "out").exists()


def test_a_database_from_a_newer_version_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    open_services(str(path)).db.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    before = _dump(path)

    with pytest.raises(StorageError, match="newer ca-editor") as caught:
        open_services(str(path))

    assert "0099_from_the_future" in str(caught.value)
    assert _dump(path) == before


def test_an_unwritable_data_folder_gets_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")

    with pytest.raises(StorageError, match="cannot create the database folder"):
        open_services(str(blocker / "sub" / "desk.sqlite3"))


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def test_another_programs_database_is_refused_and_not_changed(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        connection.execute("INSERT INTO notes (text) VALUES ('keep me')")
    before = _dump(path)

    with pytest.raises(StorageError, match="not a ca-editor database"):
        open_services(str(path))

    assert _dump(path) == before


@pytest.mark.parametrize("name", ["desk?v2.sqlite3", "100%25 done.sqlite3", "desk#1 ü.sqlite3"])
def test_db_paths_with_url_characters_open_the_file_named(tmp_path: Path, name: str, capsys) -> None:
    path = tmp_path / name

    assert main(["--db", str(path), "migrate"]) == 0

    assert path.is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite3") == [name]


def test_first_starts_at_once_all_open_the_same_seeded_database(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    path = tmp_path / "desk.sqlite3"
    # Every child imports first, then waits for the same moment, so the migrations really collide.
    child = (
        "import sys, time; from ca_editor.app import open_services\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time())); open_services(sys.argv[1])"
    )
    go = str(time.time() + 4)
    starts = [subprocess.Popen([sys.executable, "-c", child, str(path), go]) for _ in range(6)]

    assert [p.wait(timeout=120) for p in starts] == [0] * 6
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM sections").fetchone() == (1,)
        stories = connection.execute("SELECT count(*) FROM stories").fetchone()[0]
    assert stories == sum(1 for line in (demo_dir() / "stories.jsonl").open() if line.strip())
