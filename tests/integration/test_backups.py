"""Backups: taken whole and verified, rotated per reason, listed, restored; a bad backup is never restored."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ca_editor.app import open_services
from ca_editor.domain.errors import StorageError
from ca_editor.domain.model import StoryFields
from ca_editor.locations import backups_dir
from ca_editor.persistence import backup as files
from ca_editor.persistence.migrate import upgrade
from ca_editor.services.container import Services

# The SQLite file's own backups (VACUUM INTO, restore by rename); a server's: test_server_backups.py
pytestmark = pytest.mark.sqlite_only


def _titles(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [r[0] for r in connection.execute("SELECT title FROM stories ORDER BY id")]
    finally:
        connection.close()


def _rename_first_story(services: Services, title: str) -> None:
    with services.db.write() as session:
        session.execute(
            text("UPDATE stories SET title = :t WHERE id = (SELECT min(id) FROM stories)"), {"t": title}
        )


def test_a_backup_is_a_verified_copy_named_by_time_and_reason(services: Services, db_path: Path) -> None:
    taken = services.backups.backup("Before the big EDIT!")

    assert taken.path.parent == backups_dir(db_path)
    assert taken.reason == "before-the-big-edit"
    assert taken.path.name.endswith("Z-before-the-big-edit.sqlite")
    assert abs(taken.taken_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert taken.size == taken.path.stat().st_size > 0
    assert files.integrity_problem(taken.path) is None
    assert _titles(taken.path) == _titles(db_path)
    assert not list(taken.path.parent.glob("*.partial"))
    assert services.backups.backups() == [taken]


def test_a_backup_taken_while_another_connection_writes_is_a_consistent_snapshot(
    services: Services, db_path: Path
) -> None:
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE stories SET title = 'uncommitted'")  # in flight while the copy is taken

    taken = services.backups.backup("manual")
    writer.execute("ROLLBACK")
    writer.close()

    assert "uncommitted" not in _titles(taken.path)
    assert _titles(taken.path) == _titles(db_path)


def test_rotation_keeps_the_newest_of_each_reason(db_path: Path, services: Services) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for minute in range(files.KEEP_PERIODIC + 3):
        files.take_backup(db_path, files.PERIODIC, now=start + timedelta(minutes=minute))
    for minute in range(files.KEEP_PER_REASON + 2):
        files.take_backup(db_path, "before-delete", now=start + timedelta(minutes=minute))
    files.take_backup(db_path, "before-migration", now=start)

    kept = files.list_backups(db_path)
    by_reason: dict[str, list[datetime]] = {}
    for backup in kept:
        by_reason.setdefault(backup.reason, []).append(backup.taken_at)
    assert len(by_reason["periodic"]) == files.KEEP_PERIODIC
    assert len(by_reason["before-delete"]) == files.KEEP_PER_REASON
    assert len(by_reason["before-migration"]) == 1  # a busy reason never pushes out another
    assert min(by_reason["periodic"]) == start + timedelta(minutes=3)  # the oldest went
    assert [b.taken_at for b in kept] == sorted((b.taken_at for b in kept), reverse=True)


def test_two_backups_in_the_same_millisecond_get_two_names(db_path: Path, services: Services) -> None:
    moment = datetime(2026, 5, 1, 12, tzinfo=UTC)
    first = files.take_backup(db_path, "manual", now=moment)
    second = files.take_backup(db_path, "manual", now=moment)
    assert first.path != second.path
    assert first.path.exists() and second.path.exists()


def test_restore_brings_back_the_backups_rows_and_keeps_the_current_file(
    services: Services, db_path: Path
) -> None:
    before = _titles(db_path)
    taken = services.backups.backup("manual")
    _rename_first_story(services, "Changed after the backup")

    kept = services.backups.restore(taken.path)

    assert _titles(db_path) == before
    assert kept is not None and kept.reason == "before-restore"
    assert "Changed after the backup" in _titles(kept.path)
    # The services keep working on the restored file (the engine reconnects to it).
    assert sorted(s.title for s in services.stories.list()) == sorted(before)


def test_restore_refuses_a_damaged_backup_and_changes_nothing(services: Services, db_path: Path) -> None:
    taken = services.backups.backup("manual")
    _damage(taken.path)
    _rename_first_story(services, "Current work")
    _close(services)
    before = _titles(db_path)

    with pytest.raises(StorageError, match="damaged"):
        files.restore(db_path, taken.path)

    assert _titles(db_path) == before
    assert [b.reason for b in files.list_backups(db_path)] == ["manual"]  # no safety copy was needed


def test_restore_refuses_a_file_that_is_not_a_database(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    _close(services)

    with pytest.raises(StorageError, match="not an SQLite database"):
        files.restore(db_path, notes)


def test_restore_is_refused_while_another_program_has_the_database_open(
    services: Services, db_path: Path
) -> None:
    taken = services.backups.backup("manual")
    _close(services)
    other = sqlite3.connect(db_path)
    other.execute("SELECT count(*) FROM stories").fetchone()  # another window, idle but open
    try:
        with pytest.raises(StorageError, match="open in another"):
            files.restore(db_path, taken.path)
    finally:
        other.close()
    files.restore(db_path, taken.path)  # once it is closed, it works


def test_restore_drops_a_stale_wal_of_the_old_file(
    services: Services, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A -wal left beside the file must not be replayed into the restored copy (it would corrupt it).

    Normally the in-use probe's connection checkpoints and removes it; here it stays, as a damaged file's may.
    """
    taken = services.backups.backup("manual")
    _close(services)
    monkeypatch.setattr(files, "_refuse_if_in_use", lambda _path: None)
    # A WAL written for another file: crash leftovers of the file being replaced.
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("CREATE TABLE stories (x)")
        for i in range(200):
            connection.execute("INSERT INTO stories VALUES (?)", (f"x{i}",))
        wal = (other.parent / "other.sqlite3-wal").read_bytes()
        (db_path.parent / (db_path.name + "-wal")).write_bytes(wal)

    files.restore(db_path, taken.path)

    assert files.integrity_problem(db_path) is None
    assert _titles(db_path) == _titles(taken.path)


def test_the_periodic_backup_runs_only_when_the_data_changed(services: Services) -> None:
    first = services.backups.backup_if_changed()
    assert first is not None and first.reason == "periodic"
    assert services.backups.backup_if_changed() is None  # nothing changed since

    _rename_first_story(services, "Edited")
    assert services.backups.changed()
    assert services.backups.backup_if_changed() is not None
    assert services.backups.backup_if_changed() is None


def test_a_change_by_another_process_counts_as_a_change(services: Services, db_path: Path) -> None:
    services.backups.backup("manual")
    assert not services.backups.changed()

    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute(\"UPDATE sections SET title = 'x'\"); c.commit()"
    )
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True)

    assert services.backups.changed()


def test_before_a_destructive_step_backs_up_once_per_change(services: Services) -> None:
    assert services.backups.before("delete") is not None
    assert services.backups.before("delete") is None  # nothing changed: the last backup covers it
    _rename_first_story(services, "Edited")
    taken = services.backups.before("delete")
    assert taken is not None and taken.reason == "before-delete"


def test_a_migration_is_preceded_by_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    upgrade(f"sqlite:///{path}", "0005_export_scan_index")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO sections (slug, title, description, slot_count, version, created_at, updated_at) "
            "VALUES ('old', 'Old section', '', 8, 1, '2025-01-01', '2025-01-01')"
        )

    opened = open_services(str(path), seed_demo=False)
    opened.db.dispose()

    backups = files.list_backups(path)
    assert [b.reason for b in backups] == ["before-migration"]
    with sqlite3.connect(backups[0].path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0005_export_scan_index",
        )
        assert connection.execute("SELECT title FROM sections").fetchall() == [("Old section",)]
    # A second start has nothing to migrate and takes no backup.
    open_services(str(path), seed_demo=False).db.dispose()
    assert len(files.list_backups(path)) == 1


def test_a_new_database_takes_no_migration_backup(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    open_services(str(path)).db.dispose()
    assert files.list_backups(path) == []


def test_a_cut_off_backup_leaves_only_a_partial_file_that_a_later_backup_clears(
    services: Services, db_path: Path
) -> None:
    folder = backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / "2026-01-01T00-00-00.000Z-periodic.sqlite.partial"
    stale.write_bytes(b"half a copy")
    import os

    os.utime(stale, (0, 0))  # from long ago

    services.backups.backup("manual")

    assert not stale.exists()
    assert [b.reason for b in services.backups.backups()] == ["manual"]


def test_fields_survive_a_round_trip_through_backup_and_restore(services: Services, db_path: Path) -> None:
    created = services.stories.create(
        StoryFields(title="Kept in the backup", slug="kept-in-the-backup", summary="s", body="Body **text**")
    )
    taken = services.backups.backup("manual")
    services.stories.delete(created.id, expected_version=created.version)

    services.backups.restore(taken.path)

    assert services.stories.get(created.id).body == "Body **text**"


def _close(services: Services) -> None:
    """Close every connection this process has to the database (as a window does before a restore)."""
    services.backups.close()
    services.db.dispose()


def _damage(path: Path) -> None:
    """Overwrite pages in the middle of the file (the header stays, so it still looks like SQLite)."""
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, min(len(data), 6 * page)):
        data[offset] = 0x5A
    path.write_bytes(bytes(data))


def test_checking_the_header_keeps_this_processs_locks_on_the_database(tmp_path: Path) -> None:
    """Closing any descriptor of a file drops every POSIX lock the process holds on it. Reading the header
    with open() while the app held a write lock let another process write under it (a lost save, measured).
    """
    import sqlite3
    import subprocess
    import sys

    from ca_editor.persistence.backup import has_sqlite_header

    database = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # this process now holds the write lock
    holder.execute("INSERT INTO t VALUES (1)")
    try:
        assert has_sqlite_header(database)
        other = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)\n"
            "try:\n    c.execute('BEGIN IMMEDIATE'); print('got the lock')\n"
            "except sqlite3.OperationalError as e:\n    print(e)"
        )
        command = [sys.executable, "-c", other, str(database)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        assert result.stdout.strip() == "database is locked"  # with open()/close(): "got the lock"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
