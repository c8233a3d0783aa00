"""Moving a desk: ``ca-editor copy --to`` from SQLite to PostgreSQL and back (issue 14, item 9)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from tests import layout_steps
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.cli import main
from ca_editor.domain.errors import StorageError
from ca_editor.domain.model import SlotOverrides, StoryFields, StoryStatus
from ca_editor.domain.release import Release
from ca_editor.locations import database_url
from ca_editor.persistence import desk_copy, desk_tables
from ca_editor.persistence.desk_copy import CopyMismatchError, copy_desk
from ca_editor.persistence.desk_events import SELECT_AFTER, event_from_row
from ca_editor.services.container import Services
from ca_editor.services.listing import StoryQuery


def _busy_desk(services: Services) -> None:
    """A desk with a bit of everything: steps, overrides, a former slot, a sign-off, an export."""
    services.identity.set("Aigerim Sadykova")
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    story = layout.slots[0].story
    services.stories.update(story.id, replace(story.fields(), status=StoryStatus.READY), expected_version=1)
    layout_steps.set_overrides(
        services, section_id, layout.slots[1].id, SlotOverrides(headline="A headline for this page «only»")
    )
    layout_steps.remove(services, section_id, layout.slots[-1].id)  # a former slot
    services.stories.create(StoryFields(title="A draft with ünïcode and 'quotes'", tags=("a", "b")))
    services.people.set_chiefs(section_id, ("sam",))  # kept on SQLite, enforced on a server
    services.identity.set("Desk chief")
    services.review.sign_off(section_id, "fine for tonight")


def _export(services: Services, out: Path) -> dict[str, bytes]:
    services.identity.set("Desk chief")  # the manifest names who overrode the checklist
    release = Release(override_reason="one slot short tonight", include_unapproved=True)
    services.exports.export(services.section_id(), out, release=release)
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_round_trip_sqlite_postgresql_sqlite_gives_an_identical_export(
    tmp_path: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The manifest records the export's time and nothing of the database: pinned, every byte must agree.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = open_services(str(tmp_path / "first.sqlite3"))
    _busy_desk(first)
    before = _export(first, tmp_path / "bundle-first")  # also fills the render cache and an EXPORT snapshot
    server = postgres.database()
    there = copy_desk(first.db.url, server)
    assert {t.name: t.rows for t in there.tables}["layout_snapshots"] == 2
    assert {t.name: t.rows for t in there.tables}["rendered_bodies"] > 0
    assert {t.name: t.rows for t in there.tables}["former_slots"] == 1
    assert {t.name: t.rows for t in there.tables}["section_chiefs"] == 1
    back = copy_desk(server, database_url(str(tmp_path / "back.sqlite3")))
    assert [(t.name, t.rows, t.checksum) for t in back.tables] == [
        (t.name, t.rows, t.checksum) for t in there.tables
    ]
    on_server, returned = open_services(server), open_services(str(tmp_path / "back.sqlite3"))
    try:
        assert _export(on_server, tmp_path / "bundle-server") == before
        assert _export(returned, tmp_path / "bundle-back") == before
        # The server's sequences were set past the copied ids: a new story gets a fresh one.
        created = on_server.stories.create(StoryFields(title="Written on the server"))
        assert created.id > max(s.id for s in first.stories.list())
        assert on_server.sections.former(on_server.section_id()) == first.sections.former(first.section_id())
        assert on_server.people.chiefs(on_server.section_id()) == ("sam",)
        # What the target derives itself came with the rows: PostgreSQL's tsvector, SQLite's FTS5 index.
        for desk in (on_server, returned):
            found = desk.stories.list(StoryQuery(text="ünïcode quotes"))
            assert [s.title for s in found] == ["A draft with ünïcode and 'quotes'"]
        assert on_server.stories.status_history(created.id - 1) == first.stories.status_history(
            created.id - 1
        )
    finally:
        for opened in (first, on_server, returned):
            opened.db.dispose()


@pytest.mark.parametrize("target_engine", ["sqlite", "postgresql"])
def test_a_target_holding_a_desk_is_refused_unless_replace(
    tmp_path: Path, postgres: PostgresServer, target_engine: str
) -> None:
    source = open_services(str(tmp_path / "source.sqlite3"))
    source.stories.create(StoryFields(title="Only in the source"))
    target = str(tmp_path / "target.sqlite3") if target_engine == "sqlite" else postgres.database()
    open_services(target).db.dispose()  # the demo desk
    target_url = database_url(target)
    with pytest.raises(StorageError, match=r"already holds a desk .*add --replace"):
        copy_desk(source.db.url, target_url)
    report = copy_desk(source.db.url, target_url, replace=True)
    assert report.replaced
    copied = open_services(target)
    try:
        assert copied.stories.get_by_slug(source.stories.list()[0].slug)
        assert copied.stories.count() == source.stories.count()
        # Desks open on the target hear of it: one event that makes them re-read everything.
        with copied.db.read() as session:
            row = session.execute(text(SELECT_AFTER.format("0"))).all()[-1]
        assert event_from_row(tuple(row)).everything
    finally:
        copied.db.dispose()
        source.db.dispose()


@pytest.mark.parametrize("target_engine", ["sqlite", "postgresql"])
def test_a_checksum_that_differs_rolls_the_whole_copy_back(
    tmp_path: Path, postgres: PostgresServer, target_engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = open_services(str(tmp_path / "source.sqlite3"))
    target = database_url(str(tmp_path / "t.sqlite3") if target_engine == "sqlite" else postgres.database())
    real = desk_tables.tally

    def off_by_one(connection, table, columns):  # type: ignore[no-untyped-def]
        found = real(connection, table, columns)
        return desk_tables.Tally(found.rows, "0" * 64) if table.name == "stories" else found

    monkeypatch.setattr(desk_copy, "tally", off_by_one)
    with pytest.raises(CopyMismatchError, match=r"copy of stories .* rolled back"):
        copy_desk(source.db.url, target)
    monkeypatch.undo()
    source.db.dispose()
    copied = open_services(target, seed_demo=False)
    try:
        with copied.db.read() as session:
            assert session.execute(text("SELECT count(*) FROM stories")).scalar_one() == 0
            assert session.execute(text("SELECT count(*) FROM assets")).scalar_one() == 0
    finally:
        copied.db.dispose()


def test_the_same_database_or_another_programs_is_refused(tmp_path: Path) -> None:
    source = open_services(str(tmp_path / "desk.sqlite3"))
    source.db.dispose()
    with pytest.raises(StorageError, match="the same database"):
        copy_desk(source.db.url, database_url(str(tmp_path / "desk.sqlite3")))
    import sqlite3

    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        connection.execute("INSERT INTO invoices VALUES (1)")
    connection.close()
    with pytest.raises(StorageError, match="not a ca-editor database"):
        copy_desk(source.db.url, database_url(str(foreign)))


def test_the_command_copies_prints_each_table_and_refuses_a_full_target(
    tmp_path: Path, postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = str(tmp_path / "desk.sqlite3")
    open_services(desk).db.dispose()  # the demo desk
    server = postgres.database()
    assert main(["--db", desk, "copy", "--to", server, "--without-render-cache"]) == 0
    out = capsys.readouterr().out
    assert "counts and checksums verified" in out and "  stories: 8" in out
    assert "rendered_bodies" not in out
    assert main(["copy", "--to", server, "--db", desk]) == 1
    assert "already holds a desk" in capsys.readouterr().err
    assert main(["--db", server, "copy", "--to", str(tmp_path / "back.sqlite3")]) == 0


def test_one_server_database_under_two_logins_is_the_same_and_an_unreachable_target_is_one_sentence(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    server = postgres.database()
    other_login = server.replace("ca_admin@", "timur:secret@")
    with pytest.raises(StorageError, match="the same database"):
        copy_desk(server, other_login)
    source = open_services(str(tmp_path / "desk.sqlite3"))
    source.db.dispose()
    gone = f"postgresql://ca_admin:secret@127.0.0.1:{postgres.port}/no_such_desk"
    with pytest.raises(StorageError, match=r"no_such_desk.*as it was") as caught:
        copy_desk(source.db.url, gone)
    assert "secret" not in str(caught.value) and "Traceback" not in str(caught.value)
