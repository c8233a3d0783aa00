"""``ca-editor export OUT`` when nothing changed since OUT's last export: "up to date", as ``make`` says it.

Answered with the stdlib ``sqlite3`` driver (the file opened read-only) and a few stats: no SQLAlchemy, no
ORM, no Jinja, no Markdown, no checklist (a third of a second of imports). The export that wrote OUT left a
mark (``services.export_record``): the desk's generation after it (bumped by triggers on every table an
export reads, migration 0009), its options, a stamp of our code and templates, a digest of OUT's listing.
OUT is up to date when all of them still hold and no story's date passed from the future into the past
since (the checklist warns about future dates, and the export's time is its own).

Any doubt is a ``None``: the normal export runs, which also checks the file and reports damage. A
PostgreSQL URL, a database at another revision, a missing mark or any ``sqlite3`` error are doubts.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from ca_editor.export.listing_digest import generator_stamp, listing_digest
from ca_editor.locations import DB_ENV_VAR, default_database_path
from ca_editor.persistence.revisions import head_revision

_SQLITE_URL = "sqlite:///"
_MARK = (
    "SELECT section_id, generation, include_unapproved, overridden, generator, listing, file_count,"
    " exported_at, summary FROM export_marks WHERE out_dir = ?"
)
# Indexed (``ix_stories_published_at``): did any story's date pass from the future since the export?
_DATE_PASSED = "SELECT 1 FROM stories WHERE published_at > ? AND published_at <= ? LIMIT 1"


def up_to_date(db: str | None, out_dir: Path, section: str | None) -> str | None:
    """What to print when ``out_dir`` needs no export (``None``: export as usual)."""
    database = _database_file(db)
    if database is None or not database.is_file():
        return None
    target = out_dir.expanduser().resolve()
    try:
        connection = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")  # one snapshot for every question below
        mark = _current_mark(connection, target, section)
    except sqlite3.Error:  # damaged, locked, not ours: the normal path says what is wrong
        return None
    finally:
        connection.close()
    if mark is None:
        return None
    generator, listing, file_count, exported_at, summary = mark
    if generator != generator_stamp() or listing != listing_digest(target):
        return None
    when = datetime.strptime(exported_at, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).astimezone()
    lines = [
        f"{out_dir} is up to date: nothing changed since the export at {when:%H:%M}, "
        f"{when.day} {when:%b %Y} ({file_count:,} files); nothing written.",
        *json.loads(summary),
    ]
    return "\n".join(lines)


def _current_mark(
    connection: sqlite3.Connection, target: Path, section: str | None
) -> tuple[str, str, int, str, str] | None:
    """The folder's mark while the database still says what it said then (generator, listing, file count,
    time, summary)."""
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    if revision is None or revision[0] != head_revision():
        return None
    row = connection.execute(_MARK, (str(target),)).fetchone()
    if row is None:
        return None
    (
        section_id,
        generation,
        include_unapproved,
        overridden,
        generator,
        listing,
        files,
        exported_at,
        summary,
    ) = row
    if include_unapproved or overridden:
        return None  # those exports always run: the options are the caller's, each time
    if section is None:
        # The first live section, as ``Services.section_id`` chooses (an archived one only when all are).
        first = "SELECT id FROM sections ORDER BY archived_at IS NOT NULL, id LIMIT 1"
        chosen = connection.execute(first).fetchone()
    else:
        chosen = connection.execute("SELECT id FROM sections WHERE slug = ?", (section,)).fetchone()
    if chosen is None or chosen[0] != section_id:
        return None
    if connection.execute("SELECT generation FROM desk_generation").fetchone() != (generation,):
        return None
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if connection.execute(_DATE_PASSED, (exported_at, now)).fetchone() is not None:
        return None
    return generator, listing, files, exported_at, summary


def _database_file(db: str | None) -> Path | None:
    """The SQLite file ``--db``/``$CA_EDITOR_DB``/the default names (``None``: a URL of another database,
    or an SQLite URL with options, which the normal path reads as SQLAlchemy does)."""
    chosen = db or os.environ.get(DB_ENV_VAR) or str(default_database_path())
    if "://" in chosen:
        if not chosen.startswith(_SQLITE_URL) or "?" in chosen or "%" in chosen:
            return None
        chosen = chosen.removeprefix(_SQLITE_URL)
        if not chosen:
            return None  # sqlite:/// alone: a database in memory
    return Path(chosen).expanduser().resolve()
