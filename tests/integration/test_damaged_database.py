"""A damaged database file: refused at open with a clear message, untouched; salvage and restore recover."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ca_editor.app import open_services
from ca_editor.cli import main
from ca_editor.domain.errors import StorageError
from ca_editor.persistence import backup as files
from ca_editor.persistence.backup import DamagedDatabaseError
from ca_editor.persistence.salvage import salvage
from ca_editor.services.listing import StoryQuery

pytestmark = pytest.mark.sqlite_only  # damage, salvage and restore are about the SQLite file itself

STORIES = 400


def _make_database(path: Path) -> None:
    """A migrated database with many small stories (rows inline, several per page), each with a marker."""
    opened = open_services(str(path))
    opened.db.dispose()
    connection = sqlite3.connect(path)
    with connection:
        for number in range(STORIES):
            connection.execute(
                "INSERT INTO stories (slug, title, summary, body, byline, status, tags, image_alt, "
                "image_caption, image_credit, version, created_at, updated_at) VALUES (?, ?, '', ?, '', "
                "'draft', '[]', '', '', '', 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00')",
                (f"marker-{number:04d}", f"MARKER-{number:04d}", f"Body of story {number:04d}. " * 5),
            )
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _stories(path: Path) -> dict[str, str]:
    connection = sqlite3.connect(path)
    try:
        return dict(connection.execute("SELECT slug, body FROM stories"))
    finally:
        connection.close()


def _page_size(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:18], "big")


def _damage_page_holding(path: Path, number: int) -> int:
    """Overwrite the table page that holds story ``number``'s body with garbage; returns its number.

    The body text is only in the table's rows (titles and slugs are in indexes too, the full-text index keeps
    tokens), so this hits a leaf page of ``stories`` itself.
    """
    marker = f"Body of story {number:04d}. ".encode()
    data = bytearray(path.read_bytes())
    size = _page_size(path)
    offset = data.index(marker)
    page = offset // size
    data[page * size : (page + 1) * size] = bytes([0xA5]) * size
    path.write_bytes(bytes(data))
    return page + 1


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    _make_database(path)
    return path


def test_opening_a_damaged_file_says_so_and_changes_nothing(damaged: Path) -> None:
    _damage_page_holding(damaged, 200)
    before = damaged.read_bytes()

    with pytest.raises(DamagedDatabaseError) as caught:
        open_services(str(damaged))

    message = str(caught.value)
    assert str(damaged) in message and "is damaged" in message
    assert "ca-editor restore --latest" in message and "ca-editor salvage" in message
    assert caught.value.details  # what SQLite's check said
    assert damaged.read_bytes() == before
    wal = damaged.with_name(damaged.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the read-only check may leave an empty one


def test_a_truncated_file_is_reported_damaged(damaged: Path) -> None:
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])

    with pytest.raises(DamagedDatabaseError):
        open_services(str(damaged))


def test_an_overwritten_schema_page_is_reported_damaged_not_crashed(damaged: Path) -> None:
    data = bytearray(damaged.read_bytes())
    size = _page_size(damaged)
    data[100:size] = bytes([0xFF]) * (size - 100)  # page 1 after the header: the schema's root
    damaged.write_bytes(bytes(data))

    with pytest.raises(StorageError, match="damaged"):
        open_services(str(damaged))


def test_the_cli_prints_the_damage_and_the_restore_hint(
    damaged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _damage_page_holding(damaged, 100)

    assert main(["--db", str(damaged), "export", str(damaged.parent / "out")]) == 1

    err = capsys.readouterr().err
    assert "is damaged" in err and "ca-editor restore --latest" in err
    assert not (damaged.parent / "out").exists()


def test_salvage_recovers_every_readable_row_and_reports_the_loss(damaged: Path, tmp_path: Path) -> None:
    original = _stories(damaged)
    _damage_page_holding(damaged, 200)

    report = salvage(damaged, tmp_path / "salvaged.sqlite3")

    recovered = _stories(report.target)
    stories = next(t for t in report.tables if t.name == "stories")
    assert not stories.complete and "malformed" in stories.problem
    assert stories.rows == len(recovered)
    assert "marker-0200" not in recovered  # on the damaged page
    lost = set(original) - set(recovered)
    assert 0 < len(lost) < 40  # one page of small rows, not the rest of the table
    assert "marker-0000" in recovered and f"marker-{STORIES - 1:04d}" in recovered  # before and after it
    assert all(recovered[slug] == original[slug] for slug in recovered)  # what was read is exact
    assert report.check == "ok"
    assert "could not be read" in report.summary() and "stories" in report.summary()

    # The salvaged file is a working database: it opens, passes the check, and full-text search works.
    services = open_services(str(report.target))
    try:
        assert services.stories.count() == len(recovered)
        assert services.stories.count(StoryQuery(text="MARKER-0001")) == 1  # the rebuilt full-text index
        # Newest first reads the date-keyed index (0020), contentless: refilled from the stories, not copied.
        assert [s.slug for s in services.stories.list(StoryQuery(text="MARKER-0001"))] == ["marker-0001"]
        prefix = StoryQuery(text="marker-01")  # a prefix: the known-words list (0020) too
        assert 0 < len(services.stories.list(prefix)) == services.stories.count(prefix)
    finally:
        services.db.dispose()


def test_salvage_refuses_to_overwrite_a_file(damaged: Path, tmp_path: Path) -> None:
    taken = tmp_path / "exists.sqlite3"
    taken.write_text("mine")
    with pytest.raises(StorageError, match="already exists"):
        salvage(damaged, taken)
    assert taken.read_text() == "mine"


def test_restore_over_a_damaged_file_brings_back_the_backup_and_keeps_the_damaged_one(damaged: Path) -> None:
    backup = files.take_backup(damaged, "periodic")
    original = _stories(damaged)
    _damage_page_holding(damaged, 300)
    damaged_bytes = damaged.read_bytes()

    kept = files.restore(damaged, files.newest_good(damaged).path)  # type: ignore[union-attr]

    assert kept is not None and kept.reason == files.DAMAGED and not kept.is_good
    assert kept.path.read_bytes() == damaged_bytes  # the damaged file is kept as it was
    assert files.newest_good(damaged) == backup  # a damaged copy is never offered as a good backup
    services = open_services(str(damaged))
    try:
        assert services.stories.count() == len(original)
    finally:
        services.db.dispose()
    assert _stories(damaged) == original


def test_the_cli_restores_the_latest_backup_of_a_damaged_file(damaged: Path, capsys) -> None:
    assert main(["--db", str(damaged), "backup", "--reason", "before lunch"]) == 0
    backup_path = Path(capsys.readouterr().out.strip())
    assert backup_path.is_file() and backup_path.name.endswith("-before-lunch.sqlite")
    original = _stories(damaged)
    _damage_page_holding(damaged, 10)

    assert main(["--db", str(damaged), "restore", "--latest", "--yes"]) == 0

    out = capsys.readouterr().out
    assert f"restored {damaged} from {backup_path}" in out and "previous file is kept" in out
    assert _stories(damaged) == original
    assert main(["--db", str(damaged), "migrate"]) == 0


def test_the_cli_salvage_writes_a_new_file_and_says_how_to_use_it(damaged: Path, capsys) -> None:
    _damage_page_holding(damaged, 250)
    target = damaged.parent / "rescued.sqlite3"

    assert main(["--db", str(damaged), "salvage", "--into", str(target)]) == 0

    out = capsys.readouterr().out
    assert "Recovered" in out and "stories" in out and "incomplete" in out
    assert f"restore {target}" in out
    assert main(["--db", str(damaged), "restore", str(target), "--yes"]) == 0
    assert main(["--db", str(damaged), "migrate"]) == 0


def test_a_salvaged_copy_keeps_no_export_mark(damaged: Path, tmp_path: Path) -> None:
    """Salvage may lose rows a bundle shows: its copy must never answer "up to date" for that bundle."""
    out = tmp_path / "bundle"
    assert main(["--db", str(damaged), "export", str(out)]) == 0
    with sqlite3.connect(damaged) as connection:
        assert connection.execute("SELECT count(*) FROM export_marks").fetchone() == (1,)
    report = salvage(damaged, tmp_path / "salvaged.sqlite3")
    with sqlite3.connect(report.target) as connection:
        assert connection.execute("SELECT count(*) FROM export_marks").fetchone() == (0,)


def test_check_db_reports_the_damage_and_changes_nothing(damaged: Path, capsys) -> None:
    _damage_page_holding(damaged, 100)
    before = damaged.read_bytes()
    assert main(["--db", str(damaged), "check-db"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("PROBLEM: SQLite's quick_check:") and "restore a backup, or salvage" in out
    assert damaged.read_bytes() == before
