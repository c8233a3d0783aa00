"""Opening a database that cannot be used says why, exits non-zero, and changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ca_editor.app import open_services
from ca_editor.cli import main
from ca_editor.domain.errors import StorageError


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
