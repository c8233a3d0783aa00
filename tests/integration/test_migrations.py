"""Migrations on real databases (SQLite files, PostgreSQL): the schema they create, connection settings,
all-or-nothing runs."""

from __future__ import annotations

import shutil
import sqlite3
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from tests import db_query, layout_steps

from ca_editor.locations import database_url
from ca_editor.persistence.database import Database
from ca_editor.persistence.engine import make_engine
from ca_editor.persistence.migrate import current_revision, head_revision, known_revisions, upgrade
from ca_editor.persistence.models import Base
from ca_editor.services.container import Services

REPO_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = REPO_ROOT / "db"
FTS_TRIGGERS = {"stories_fts_ai", "stories_fts_ad", "stories_fts_au"}

BROKEN_MIGRATION = textwrap.dedent(
    '''
    """A migration that fails half-way, after it has already changed the schema and written a row."""

    import sqlalchemy as sa
    from alembic import op

    revision = "9999_broken"
    down_revision = "@PREVIOUS@"
    branch_labels = None
    depends_on = None


    def upgrade() -> None:
        op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("INSERT INTO half_done (id) VALUES (1)")
        with op.batch_alter_table("stories") as batch:
            batch.add_column(sa.Column("half_done_flag", sa.Integer, nullable=True))
        op.execute("UPDATE stories SET half_done_flag = 1")
        raise RuntimeError("9999_broken fails on purpose")


    def downgrade() -> None:
        op.drop_table("half_done")
    '''
)


def url_for(path: Path) -> str:
    return f"sqlite:///{path}"


_PG_SCHEMA = """
SELECT 'table', table_name, '' FROM information_schema.tables WHERE table_schema = 'public'
UNION ALL SELECT 'column', table_name || '.' || column_name, data_type || ' ' || is_nullable
    FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
UNION ALL SELECT 'function', proname, pg_get_functiondef(p.oid) FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prokind = 'f'
ORDER BY 1, 2
"""


def raw_schema(where: Path | str) -> list[tuple[str, str, str | None]]:
    """Every schema object of the database: SQLite's own table of them, or PostgreSQL's catalogue."""
    if isinstance(where, Path) or not where.startswith("postgresql"):
        path = Path(str(where).removeprefix("sqlite:///"))
        with sqlite3.connect(path) as connection:
            rows = connection.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
            ).fetchall()
        connection.close()
        return rows
    return [tuple(row) for row in db_query.rows(where, _PG_SCHEMA)]  # type: ignore[misc]


def raw_dump(where: Path | str) -> list[str]:
    """Every row of every table, as text, in a fixed order."""
    if isinstance(where, Path) or not where.startswith("postgresql"):
        connection = sqlite3.connect(Path(str(where).removeprefix("sqlite:///")))
        try:
            return list(connection.iterdump())
        finally:
            connection.close()
    with db_query.connected(where) as connection:
        dump = []
        for table in sorted(inspect(connection).get_table_names()):
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).fetchall()
            dump += sorted(f"{table}: {tuple(row)!r}" for row in rows)
        return dump


def raw_revision(where: Path | str) -> str | None:
    if isinstance(where, Path) or not where.startswith("postgresql"):
        connection = sqlite3.connect(Path(str(where).removeprefix("sqlite:///")))
        try:
            if not connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone():
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            connection.close()
    with db_query.connected(where) as connection:
        if "alembic_version" not in inspect(connection).get_table_names():
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@pytest.fixture
def broken_scripts(tmp_path: Path) -> Path:
    """A copy of the project's migrations with a failing ``9999_broken`` on top."""
    copied = tmp_path / "db-copy"
    shutil.copytree(MIGRATIONS, copied, ignore=shutil.ignore_patterns("__pycache__"))
    broken = BROKEN_MIGRATION.replace("@PREVIOUS@", str(head_revision()))
    (copied / "versions" / "9999_broken.py").write_text(broken, encoding="utf-8")
    return copied


def test_every_revision_id_fits_alembic_version_on_postgresql() -> None:
    """``alembic_version.version_num`` is VARCHAR(32): PostgreSQL refuses a longer id, SQLite never did."""
    assert all(len(revision) <= 32 for revision in known_revisions()), sorted(known_revisions())


def test_head_revision_is_the_newest_file_in_versions() -> None:
    revisions = {p.stem for p in (MIGRATIONS / "versions").glob("*.py")}
    assert head_revision() in revisions
    assert head_revision(MIGRATIONS) == head_revision()


def test_upgrade_creates_tables_fts_and_triggers(db_path: Path) -> None:
    assert not db_path.exists()
    upgrade(url_for(db_path))

    schema = raw_schema(db_path)
    tables = {name for kind, name, _ in schema if kind == "table"}
    triggers = {name for kind, name, _ in schema if kind == "trigger"}
    assert set(Base.metadata.tables) <= tables
    assert {"stories_fts", "alembic_version"} <= tables
    assert triggers >= FTS_TRIGGERS
    fts_sql = next(sql for kind, name, sql in schema if name == "stories_fts")
    assert fts_sql is not None
    assert "fts5" in fts_sql.lower()

    engine = make_engine(url_for(db_path))
    try:
        assert current_revision(engine) == head_revision()
        assert head_revision() is not None
    finally:
        engine.dispose()
    assert raw_revision(db_path) == head_revision()


def test_orm_columns_match_the_migrated_tables(db_path: Path) -> None:
    upgrade(url_for(db_path))
    connection = sqlite3.connect(db_path)
    try:
        for table in Base.metadata.sorted_tables:
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table.name})")}
            assert columns == {c.name for c in table.columns}, table.name
    finally:
        connection.close()


def test_fts_triggers_follow_inserts_updates_and_deletes(db_path: Path) -> None:
    upgrade(url_for(db_path))
    db = Database(url_for(db_path))
    try:
        columns = (
            "slug, title, summary, body, byline, status, tags, image_alt, image_caption, image_credit, "
            "version, created_at, updated_at"
        )
        values = (
            "'s', 'Alpha title', 'sum', 'body words', '', 'draft', '[]', '', '', '', 1, "
            "'2024-01-01', '2024-01-01'"
        )
        with db.write() as session:
            session.execute(text(f"INSERT INTO stories ({columns}) VALUES ({values})"))

        def hits(word: str) -> int:
            with db.read() as session:
                return int(
                    session.execute(
                        text("SELECT count(*) FROM stories_fts WHERE stories_fts MATCH :q"), {"q": word}
                    ).scalar_one()
                )

        assert hits("alpha") == 1
        with db.write() as session:
            session.execute(text("UPDATE stories SET title = 'Omega title'"))
        assert hits("alpha") == 0
        assert hits("omega") == 1
        with db.write() as session:
            session.execute(text("DELETE FROM stories"))
        assert hits("omega") == 0
        with db.write() as session:  # raises if the external-content index and the table disagree
            session.execute(text("INSERT INTO stories_fts(stories_fts) VALUES ('integrity-check')"))
    finally:
        db.dispose()


def test_every_connection_has_foreign_keys_wal_and_a_busy_timeout(db_path: Path) -> None:
    upgrade(url_for(db_path))
    db = Database(url_for(db_path))
    try:
        # Two connections open at once, so the pool cannot hand out the same one twice.
        with db.engine.connect() as first, db.engine.connect() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert str(connection.exec_driver_sql("PRAGMA journal_mode").scalar()).lower() == "wal"
                assert int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) > 0
        for opener in (db.read, db.write):
            with opener() as session:
                assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert str(session.execute(text("PRAGMA journal_mode")).scalar()).lower() == "wal"
                assert int(session.execute(text("PRAGMA busy_timeout")).scalar() or 0) > 0
    finally:
        db.dispose()
    # WAL is a property of the file: a plain driver connection sees it too.
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        connection.close()


def test_foreign_keys_are_enforced_in_practice(db_path: Path) -> None:
    upgrade(url_for(db_path))
    db = Database(url_for(db_path))
    try:
        with pytest.raises(IntegrityError), db.write() as session:
            session.execute(text("INSERT INTO slots (section_id, position, story_id) VALUES (999, 0, 999)"))
        with db.read() as session:
            assert session.execute(text("SELECT count(*) FROM slots")).scalar() == 0
    finally:
        db.dispose()


def test_failing_migration_leaves_a_database_at_its_revision_exactly_as_it_was(
    services: Services, broken_scripts: Path
) -> None:
    # ``services`` migrated the database to the head and seeded the demo: there are rows a rebuild could lose.
    url = services.db.url
    assert head_revision(broken_scripts) == "9999_broken"  # the broken step really is on the path
    assert raw_revision(url) == head_revision()
    schema_before = raw_schema(url)
    dump_before = raw_dump(url)
    assert any(
        ("stories" in line and "INSERT" in line) or line.startswith("stories: ") for line in dump_before
    )

    with pytest.raises(RuntimeError, match="9999_broken fails on purpose"):
        upgrade(url, script_location=broken_scripts)

    assert raw_revision(url) == head_revision()
    schema_after = raw_schema(url)
    assert "half_done" not in {name for _, name, _ in schema_after}
    assert schema_after == schema_before
    assert raw_dump(url) == dump_before
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_failing_migration_on_a_new_database_leaves_nothing_behind(db_url: str, broken_scripts: Path) -> None:
    url = database_url(db_url)
    before = raw_schema(url) if url.startswith("postgresql") else []  # a new PostgreSQL database: empty
    with pytest.raises(RuntimeError, match="9999_broken fails on purpose"):
        upgrade(url, script_location=broken_scripts)

    # The real migrations ran in the same transaction as the failing one, so they are rolled back too.
    assert raw_schema(url) == before
    assert raw_revision(url) is None
    # ...and the next start migrates it normally.
    upgrade(url)
    assert raw_revision(url) == head_revision()


def test_upgrade_to_a_chosen_revision_then_to_the_broken_head(db_path: Path, broken_scripts: Path) -> None:
    upgrade(url_for(db_path), revision="0001_initial", script_location=broken_scripts)
    assert raw_revision(db_path) == "0001_initial"
    before = raw_schema(db_path)
    with pytest.raises(RuntimeError):
        upgrade(url_for(db_path), script_location=broken_scripts)
    assert raw_schema(db_path) == before
    assert raw_revision(db_path) == "0001_initial"


def test_upgrading_twice_is_a_no_op(services: Services) -> None:
    url = services.db.url
    schema_before = raw_schema(url)
    dump_before = raw_dump(url)
    upgrade(url)
    upgrade(url)
    assert raw_schema(url) == schema_before
    assert raw_dump(url) == dump_before
    assert raw_revision(url) == head_revision()


def test_alembic_version_holds_exactly_one_row(services: Services) -> None:
    assert db_query.rows(services, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def test_0008_carries_a_0007_database_forward_with_centred_images(db_path: Path) -> None:
    """Stories, slot overrides, former slots and snapshots written before focal points keep working."""
    import io
    import json

    from PIL import Image

    from ca_editor.app import open_services
    from ca_editor.domain.model import SlotEntry, SlotOverrides

    upgrade(url_for(db_path), revision="0007_render_cache_scan_index")
    picture = io.BytesIO()
    Image.new("RGB", (1200, 900), (10, 20, 30)).save(picture, "PNG")
    sha = "ab" * 32
    old_entry = {"story_id": 1, "headline": None, "summary": None, "image_sha256": sha, "image_alt": "A"}
    snapshot = {"section_title": "S", "section_description": "", "slot_count": 8, "entries": [old_entry]}
    now = "2026-11-27 09:00:00.000000"
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "INSERT INTO assets VALUES (?, 'image/png', 1200, 900, ?, ?, ?)",
            (sha, len(picture.getvalue()), picture.getvalue(), now),
        )
        connection.execute(
            "INSERT INTO sections (id, slug, title, description, slot_count, version, created_at, updated_at)"
            " VALUES (1, 'central-asia', 'Central Asia', '', 8, 1, ?, ?)",
            (now, now),
        )
        for story_id in (1, 2):
            connection.execute(
                "INSERT INTO stories (id, slug, title, summary, body, byline, status, tags, image_sha256,"
                " image_alt, image_caption, image_credit, version, created_at, updated_at)"
                " VALUES (?, ?, ?, '', '', '', 'draft', '[]', ?, 'A photo', '', '', 1, ?, ?)",
                (story_id, f"story-{story_id}", f"Story {story_id}", sha, now, now),
            )
        connection.execute(
            "INSERT INTO slots (section_id, position, story_id, image_override_sha256, image_override_alt)"
            " VALUES (1, 0, 1, ?, 'A')",
            (sha,),
        )
        connection.execute(
            "INSERT INTO former_slots (section_id, story_id, last_position, removed_at,"
            " image_override_sha256, image_override_alt) VALUES (1, 2, 1, ?, ?, 'B')",
            (now, sha),
        )
        connection.execute(
            "INSERT INTO layout_snapshots (section_id, kind, taken_at, taken_by, section_version, content)"
            " VALUES (1, 'sign_off', ?, 'Ann', 1, ?)",
            (now, json.dumps(snapshot)),
        )
    connection.close()

    services = open_services(str(db_path), seed_demo=False)
    try:
        assert raw_revision(db_path) == head_revision()
        assert {name for kind, name, _ in raw_schema(db_path) if kind == "trigger"} >= FTS_TRIGGERS
        story = services.stories.get(1)
        assert story.image is not None and story.image.focus is None and story.image.alt == "A photo"
        [slot] = services.sections.layout(1).slots
        assert slot.overrides.image is not None and slot.overrides.image.focus is None
        [former] = services.sections.former(1)
        assert former.entry.image_sha256 == sha and former.entry.image_focus is None
        [taken] = services.snapshots.list(1)
        assert taken.content.entries[0] == SlotEntry(1, image_sha256=sha, image_alt="A")

        fields = story.fields()
        services.stories.update(1, replace(fields, image_focus=(0.25, 0.6)), expected_version=story.version)
        assert services.stories.get(1).image.focus == (0.25, 0.6)  # type: ignore[union-attr]
        moved = SlotOverrides(image=replace(slot.overrides.image, focus=(0.9, 0.1)))  # type: ignore[type-var]
        layout_steps.set_overrides(services, 1, slot.id, moved)
        assert services.sections.layout(1).slots[0].overrides.image.focus == (0.9, 0.1)  # type: ignore[union-attr]
    finally:
        services.db.dispose()


def test_0010_turns_the_sizes_of_rotated_photos_in_a_0009_database(db_path: Path) -> None:
    """A camera portrait stored before 0010 kept its pixel grid's size; the upgrade stores the turned size
    (and bumps the desk generation, so the next export notices), leaving other pictures alone."""
    import io

    from PIL import Image

    def picture(fmt: str, size: tuple[int, int], orientation: int | None) -> bytes:
        exif = Image.Exif()
        if orientation is not None:
            exif[0x0112] = orientation
        buffer = io.BytesIO()
        Image.new("RGB", size, (10, 20, 30)).save(buffer, fmt, exif=exif.tobytes())
        return buffer.getvalue()

    upgrade(url_for(db_path), revision="0009_export_marks")
    rows = {
        "a" * 64: ("image/jpeg", picture("JPEG", (1000, 600), 6)),  # turned a quarter: swapped
        "b" * 64: ("image/webp", picture("WEBP", (800, 500), 8)),  # turned a quarter: swapped
        "c" * 64: ("image/jpeg", picture("JPEG", (1000, 600), 3)),  # a half turn: same size
        "d" * 64: ("image/jpeg", picture("JPEG", (1000, 600), None)),  # no orientation
        "e" * 64: ("image/jpeg", b"not a picture at all"),  # damaged: left as it was
    }
    connection = sqlite3.connect(db_path)
    with connection:
        for sha, (media_type, data) in rows.items():
            width, height = (1000, 600) if sha != "b" * 64 else (800, 500)
            connection.execute(
                "INSERT INTO assets VALUES (?, ?, ?, ?, ?, ?, '2026-12-01 09:00:00.000000')",
                (sha, media_type, width, height, len(data), data),
            )
        before = connection.execute("SELECT generation FROM desk_generation").fetchone()[0]
    connection.close()

    upgrade(url_for(db_path))

    connection = sqlite3.connect(db_path)
    try:
        sizes = dict(connection.execute("SELECT substr(sha256, 1, 1), width || 'x' || height FROM assets"))
        after = connection.execute("SELECT generation FROM desk_generation").fetchone()[0]
    finally:
        connection.close()
    assert sizes == {"a": "600x1000", "b": "500x800", "c": "1000x600", "d": "1000x600", "e": "1000x600"}
    assert after > before
    assert raw_revision(db_path) == head_revision()
