"""Backups, restore, salvage and check-db on a database server (issue 14, items 4, 10); check-db on both."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.cli import main
from ca_editor.domain.errors import StorageError
from ca_editor.domain.model import StoryFields
from ca_editor.locations import server_backups_dir
from ca_editor.persistence.backup import integrity_problem, sqlite_file, stored_revision
from ca_editor.persistence.migrate import head_revision
from ca_editor.services.container import Services


def _retitle_first(services: Services, title: str) -> int:
    story = services.stories.list()[0]
    full = services.stories.get(story.id)
    services.stories.update(story.id, replace(full.fields(), title=title), expected_version=full.version)
    return story.id


@pytest.mark.postgresql_only
def test_a_server_backup_is_a_verified_desk_file_here_and_restore_brings_it_back(services: Services) -> None:
    assert services.backups.available and not services.backups.automatic
    taken = services.backups.backup("Before the big EDIT!")
    assert taken.reason == "before-the-big-edit" and taken.is_good
    assert taken.path.parent == server_backups_dir(services.db.url) == services.backups.folder
    assert integrity_problem(taken.path) is None and stored_revision(taken.path) == head_revision()
    assert services.backups.backups() == [taken]
    story_id = _retitle_first(services, "Changed after the backup")
    kept = services.backups.restore(taken.path)
    assert kept is not None and kept.reason == "before-restore"
    titles = {s.id: s.title for s in services.stories.list()}
    assert titles[story_id] != "Changed after the backup"
    # The copy back set the sequences past the restored ids: new rows still get fresh ones.
    assert services.stories.create(StoryFields(title="After the restore")).id > max(titles)
    # The desk file is itself a desk ``--db`` can open.
    opened = open_services(str(taken.path), seed_demo=False)
    try:
        assert {s.title for s in opened.stories.list()} == set(titles.values())
    finally:
        opened.db.dispose()


@pytest.mark.postgresql_only
def test_nothing_is_backed_up_automatically_on_a_server_and_the_log_says_why_once(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ca_editor.services.backups"):
        assert services.backups.before("delete") is None
        assert services.backups.backup_if_changed() is None
        assert not services.backups.changed()
    said = [r.getMessage() for r in caplog.records if "no automatic backup" in r.getMessage()]
    assert len(said) == 1 and "pg_dump" in said[0]
    assert services.backups.backups() == []
    assert "Back up now" in services.backups.automatic_note()


@pytest.mark.postgresql_only
def test_the_commands_back_up_list_restore_and_refuse_salvage_on_a_server(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    url = services.db.url
    assert main(["--db", url, "backup", "--reason", "nightly"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.exists() and path.name.endswith("-nightly.sqlite")
    assert main(["--db", url, "backups"]) == 0
    assert str(path) in capsys.readouterr().out
    story_id = _retitle_first(services, "Changed on the server")
    assert main(["--db", url, "restore", "--latest", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "one transaction" in out and "before-restore" in out
    assert services.stories.get(story_id).title != "Changed on the server"
    assert main(["--db", url, "salvage"]) == 1
    err = capsys.readouterr().err
    assert "damaged SQLite file" in err and "PostgreSQL" in err and "Traceback" not in err
    with pytest.raises(StorageError, match="salvage reads what is left of a damaged SQLite file"):
        services.backups.salvage_into()


def test_server_backups_are_kept_apart_per_database_and_never_name_the_password() -> None:
    one = server_backups_dir("postgresql://aigerim:s3cret@db.example.org:5432/central_asia_desk")
    same = server_backups_dir("postgresql://timur@db.example.org:5432/central_asia_desk")
    other = server_backups_dir("postgresql://aigerim@db.example.org:5432/sports_desk")
    assert one == same != other
    assert "s3cret" not in str(one) and one.name.startswith("central_asia_desk-")


def test_check_db_reports_what_it_can_on_either_engine(
    services: Services, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = services.db.url
    assert main(["--db", url, "check-db"]) == 0
    out = capsys.readouterr().out
    assert f"schema revision {head_revision()} (this version's)" in out
    assert "every reference points at a row that exists" in out and "stories 8" in out
    assert ("quick_check found nothing wrong" in out) == (engine == "sqlite")
    assert ("connected to" in out) == (engine == "postgresql")
    # A reference to a story that is gone (constraints bypassed, as a hand-made repair might) is found.
    orphan = "UPDATE slots SET story_id = 999999 WHERE position = 1"
    file = sqlite_file(url)
    if file is not None:
        services.db.dispose()
        with sqlite3.connect(file) as raw:  # foreign keys are off on a plain connection
            raw.execute(orphan)
        raw.close()
    else:
        with services.db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE slots DISABLE TRIGGER ALL"))
            connection.execute(text(orphan))
            connection.execute(text("ALTER TABLE slots ENABLE TRIGGER ALL"))
    assert main(["--db", url, "check-db"]) == 1
    assert "PROBLEM: rows whose reference points nowhere: slots" in capsys.readouterr().out


@pytest.mark.postgresql_only
def test_check_db_on_a_server_that_cannot_be_reached_is_one_line_not_a_traceback(
    postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = f"postgresql://ca_admin@127.0.0.1:{postgres.port}/no_such_desk"
    assert main(["--db", gone, "check-db"]) == 1
    captured = capsys.readouterr()
    assert "PROBLEM: cannot read" in captured.out and "no_such_desk" in captured.out
    assert "Traceback" not in captured.out + captured.err
