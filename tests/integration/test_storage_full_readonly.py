"""A full disk and read-only storage: clear messages, nothing lost, the previous database and bundle kept.

Disk full is made two ways: ``PRAGMA max_page_count`` on every connection (the database cannot grow, on any
machine) and a real tiny tmpfs filled to the last byte (needs ``mount``, i.e. root with CAP_SYS_ADMIN, as on
this project's test machines; skipped elsewhere with the reason). Read-only is a tmpfs remounted ``ro``: as
root, ``chmod`` does not stop a write, a read-only mount does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

from ca_editor.app import open_services
from ca_editor.domain.errors import CaEditorError, ExportFailedError, StorageError
from ca_editor.domain.model import StoryFields
from ca_editor.persistence import backup as files
from ca_editor.persistence.backup import DamagedDatabaseError
from ca_editor.persistence.migrate import upgrade
from ca_editor.services.container import Services


def _mount_tmpfs(path: Path, size: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
        )
    except FileNotFoundError:
        pytest.skip("no mount command here")
    if result.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({result.stderr.strip()}); the max_page_count tests still run"
        )


def _unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB file system of its own (the real "disk full": ENOSPC from the kernel)."""
    mount = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    _mount_tmpfs(mount, "2m")
    yield mount
    _unmount(mount)


def _fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last byte."""
    filler = folder / "filler.bin"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    chunk = b"\0" * 4096
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(descriptor, chunk)
        with contextlib.suppress(OSError):
            while True:
                os.write(descriptor, b"\0")
    finally:
        os.close(descriptor)
    return filler


def _remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True, capture_output=True)


def _cap_pages(services: Services) -> None:
    """Every connection (present and future) may not grow the file: SQLite's own "disk full"."""
    engine = services.db.engine
    with sqlite3.connect(services.db.display_name) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]
    probe.close()

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()


def _dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- disk full: the database --------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # the file may not grow (max_page_count); a server's disk is the server's to watch
def test_a_save_on_a_full_disk_says_so_and_leaves_the_story_as_it_was(
    services: Services, db_path: Path
) -> None:
    story = services.stories.get(services.stories.list()[0].id)
    _cap_pages(services)

    with pytest.raises(StorageError, match="disk is full") as caught:
        services.stories.update(
            story.id,
            StoryFields(title=story.title, slug=story.slug, body="A long new body. " * 20_000),
            expected_version=story.version,
        )

    assert "was not saved" in str(caught.value)
    after = services.stories.get(story.id)
    assert (after.body, after.version) == (story.body, story.version)
    services.db.dispose()
    assert files.integrity_problem(db_path) is None


def test_a_database_on_a_really_full_disk_refuses_the_save_and_stays_sound(tiny_fs: Path) -> None:
    path = tiny_fs / "desk.sqlite3"
    services = open_services(str(path))
    story = services.stories.get(services.stories.list()[0].id)
    filler = _fill(tiny_fs)
    try:
        with pytest.raises(StorageError, match="disk is full"):
            services.stories.update(
                story.id,
                StoryFields(title=story.title, slug=story.slug, body="More words. " * 50_000),
                expected_version=story.version,
            )
        assert services.stories.get(story.id).body == story.body
    finally:
        services.backups.close()
        services.db.dispose()
        filler.unlink()
    assert files.integrity_problem(path) is None
    reopened = open_services(str(path))
    assert reopened.stories.get(story.id).body == story.body
    reopened.db.dispose()


# --- disk full: backups and the export ----------------------------------------------------------------------


def test_a_backup_on_a_full_disk_says_so_and_leaves_nothing_half_written(
    services: Services, tiny_fs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tiny_fs / "data"))
    first = services.backups.backup("manual")
    _fill(tiny_fs)
    services.stories.update(  # the database itself is elsewhere and has room
        services.stories.list()[0].id,
        StoryFields(title="Changed", slug="changed"),
        expected_version=services.stories.get(services.stories.list()[0].id).version,
    )

    with pytest.raises(StorageError, match="could not back up") as caught:
        services.backups.backup("manual")

    assert "disk is full" in str(caught.value) or "No space left" in str(caught.value)
    assert [b.path for b in services.backups.backups()] == [first.path]
    assert not list(first.path.parent.glob("*.partial"))
    assert files.integrity_problem(first.path) is None


@pytest.mark.sqlite_only  # the backup before a delete is a file's; on a server that is the server's job
def test_a_failed_backup_before_a_delete_stops_the_delete(
    services: Services, tiny_fs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ca_editor.ui.desk import Desk  # a QObject; no window needed

    monkeypatch.setenv("XDG_DATA_HOME", str(tiny_fs / "data"))
    _fill(tiny_fs)
    desk = Desk(services, services.section_id())
    story_id = services.stories.list()[0].id

    with pytest.raises(CaEditorError) as refused:  # the caller learns why; the window shows it
        desk.delete_story(story_id)
    failures = [str(refused.value)]

    assert services.stories.get(story_id).id == story_id  # still there
    assert failures and "could not back up" in failures[0]


def test_an_export_onto_a_full_disk_keeps_the_previous_bundle(services: Services, tiny_fs: Path) -> None:
    out = tiny_fs / "bundle"
    section = services.section_id()
    services.exports.export(section, out)
    before = _tree(out)
    story = services.stories.get(services.stories.list()[0].id)
    services.stories.update(  # a change the next export must write
        story.id,
        dataclasses.replace(story.fields(), title=story.title + " (updated)"),
        expected_version=story.version,
    )
    filler = _fill(tiny_fs)

    with pytest.raises(ExportFailedError) as caught:
        services.exports.export(section, out, full=True)

    assert "No space left on device" in str(caught.value) and "previous bundle" in str(caught.value)
    filler.unlink()
    assert _tree(out) == before
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["bundle"]  # no stage left behind


def test_the_export_keeps_the_previous_bundle_when_a_write_hits_enospc(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a tiny file system: ENOSPC injected at the file-writing level, everywhere."""
    out = tmp_path / "bundle"
    section = services.section_id()
    services.exports.export(section, out)
    before = _tree(out)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if len(data) > 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    import builtins

    real_open = builtins.open

    def open_full(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(m in mode for m in "wax") and str(file).startswith(str(tmp_path)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(os, "write", full)
    monkeypatch.setattr(builtins, "open", open_full)
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: full(-1, data))
    monkeypatch.setattr(Path, "write_text", lambda self, data, *a, **k: full(-1, data.encode()))

    with pytest.raises(ExportFailedError):
        services.exports.export(section, out, full=True)

    monkeypatch.undo()
    assert _tree(out) == before


# --- read-only storage --------------------------------------------------------------------------------------


@pytest.fixture
def read_only_copy(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A migrated, seeded database on a file system remounted read-only; with its dump for comparison."""
    mount = tmp_path / "share"
    _mount_tmpfs(mount, "8m")
    path = mount / "desk.sqlite3"
    services = open_services(str(path))
    services.db.dispose()
    dump = _dump(path)
    assert sorted(p.name for p in mount.iterdir()) == ["desk.sqlite3"]  # WAL checkpointed and gone
    _remount_read_only(mount)
    yield path, dump
    _unmount(mount)


def test_a_read_only_database_opens_for_reading_and_refuses_changes_clearly(
    read_only_copy: tuple[Path, list[str]],
) -> None:
    path, _dump_before = read_only_copy
    before = path.read_bytes()

    services = open_services(str(path))
    try:
        assert services.db.read_only
        assert services.db.display_name == str(path)
        stories = services.stories.list()
        assert stories  # reading works
        story = services.stories.get(stories[0].id)
        with pytest.raises(StorageError, match="open read-only") as caught:
            services.stories.update(
                story.id, StoryFields(title="Nope", slug=story.slug), expected_version=story.version
            )
        assert "not saved" in str(caught.value)
        assert not services.backups.available
        assert "read-only" in services.backups.unavailable_reason()
        assert services.backups.before("delete") is None
    finally:
        services.db.dispose()
    assert path.read_bytes() == before


def test_a_read_only_database_that_needs_a_migration_is_refused_clearly(tmp_path: Path) -> None:
    mount = tmp_path / "old-share"
    _mount_tmpfs(mount, "4m")
    try:
        path = mount / "old.sqlite3"
        upgrade(f"sqlite:///{path}", "0005_export_scan_index")
        _remount_read_only(mount)

        with pytest.raises(StorageError, match=r"cannot be written here .* needs an upgrade"):
            open_services(str(path))
    finally:
        _unmount(mount)


def test_a_damaged_database_on_a_read_only_share_is_reported_damaged(tmp_path: Path) -> None:
    mount = tmp_path / "bad-share"
    _mount_tmpfs(mount, "4m")
    try:
        path = mount / "desk.sqlite3"
        open_services(str(path)).db.dispose()
        data = bytearray(path.read_bytes())
        size = int.from_bytes(data[16:18], "big")
        data[size * 3 : size * 6] = b"\xa5" * (size * 3)
        path.write_bytes(bytes(data))
        _remount_read_only(mount)

        with pytest.raises(DamagedDatabaseError):
            open_services(str(path))
    finally:
        _unmount(mount)


def test_the_cli_export_from_a_read_only_database_says_why_it_cannot(
    read_only_copy: tuple[Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Today the export records what it wrote in the database, so a read-only one cannot be exported."""
    from ca_editor.cli import main

    path, _ = read_only_copy
    assert main(["--db", str(path), "export", str(tmp_path / "out")]) == 1
    assert "open read-only" in capsys.readouterr().err
    assert not (tmp_path / "out" / "index.html").exists()
