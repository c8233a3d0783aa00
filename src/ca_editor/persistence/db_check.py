"""``ca-editor check-db``: what can be checked of a database without changing it, on either engine.

SQLite: the file's header and ``PRAGMA quick_check`` (``persistence/backup.py``), the schema revision,
``PRAGMA foreign_key_check`` and the desk's row counts, read through a read-only connection. PostgreSQL has
no ``quick_check`` (its storage is the server's: ``amcheck``, ``pg_checksums``, which need the server's own
rights); what a desk login can see is checked instead: the connection and the server's version, the schema
revision, every foreign key by query (a child row whose parent is missing, which a constraint disabled or
dropped by hand would let in), and the row counts. Nothing is written, nothing migrated; a database that
cannot be reached is a finding, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, MetaData, and_, exists, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ca_editor.locations import shown_url
from ca_editor.persistence.backup import has_sqlite_header, integrity_problem, readable_url, sqlite_file
from ca_editor.persistence.desk_tables import desk_tables, row_count
from ca_editor.persistence.engine import make_engine
from ca_editor.persistence.revisions import head_revision


@dataclass(frozen=True, slots=True)
class Finding:
    ok: bool
    text: str

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'PROBLEM'}: {self.text}"


def check_database(url: str) -> list[Finding]:
    """Findings about the database at ``url``, in the order they were made (see the module)."""
    file = sqlite_file(url)
    findings: list[Finding] = []
    read_url = url
    if file is not None:
        if not file.exists():
            return [Finding(False, f"{file} does not exist")]
        if not has_sqlite_header(file):
            return [Finding(False, f"{file} is not an SQLite database file")]
        problem = integrity_problem(file, immutable=True)
        if problem is not None:
            return [Finding(False, f"SQLite's quick_check: {problem} (restore a backup, or salvage)")]
        findings.append(Finding(True, f"{file}: SQLite's quick_check found nothing wrong"))
        read_url = readable_url(file)
    engine = make_engine(read_url)
    try:
        with engine.connect() as connection:
            if file is None:
                version = connection.execute(text("SHOW server_version")).scalar_one()
                who = connection.execute(text("SELECT current_user")).scalar_one()
                findings.append(Finding(True, f"connected to {shown_url(url)} as {who} (server {version})"))
            findings += _schema_and_rows(connection)
    except (DBAPIError, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        findings.append(Finding(False, f"cannot read {shown_url(url)}: {reason}"))
    finally:
        engine.dispose()
    return findings


def _schema_and_rows(connection: Connection) -> list[Finding]:
    found = connection.execute(
        text("SELECT version_num FROM alembic_version")
        if "alembic_version" in _table_names(connection)
        else text("SELECT NULL")
    ).scalar()
    head = head_revision()
    if found is None:
        return [Finding(False, "no ca-editor schema (an empty database, or another program's)")]
    findings = [
        Finding(True, f"schema revision {found} (this version's)")
        if found == head
        else Finding(False, f"schema revision {found}, this version has {head}: open it once to upgrade")
    ]
    tables = desk_tables(connection)
    broken = _broken_references(connection, tables)
    findings.append(
        Finding(True, "every reference points at a row that exists")
        if not broken
        else Finding(False, "rows whose reference points nowhere: " + ", ".join(broken))
    )
    counts = {name: row_count(connection, table) for name, table in sorted(tables.tables.items())}
    findings.append(Finding(True, "rows: " + ", ".join(f"{name} {n}" for name, n in counts.items())))
    return findings


def _broken_references(connection: Connection, tables: MetaData) -> list[str]:
    """``table.column -> parent: N`` for every foreign key with rows whose parent is missing."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(text("PRAGMA foreign_key_check")).all()
        counted: dict[str, int] = {}
        for row in rows:
            where = f"{row[0]} -> {row[2]}"
            counted[where] = counted.get(where, 0) + 1
        return [f"{where}: {n}" for where, n in counted.items()]
    broken = []
    for table in tables.sorted_tables:
        for key in table.foreign_key_constraints:
            parent = key.referred_table
            matches = and_(*(e.column == e.parent for e in key.elements))
            present = and_(*(e.parent.isnot(None) for e in key.elements))
            orphan = select(func.count()).select_from(table).where(present, ~exists().where(matches))
            n = int(connection.execute(orphan).scalar_one())
            if n:
                columns = ", ".join(e.parent.name for e in key.elements)
                broken.append(f"{table.name}.{columns} -> {parent.name}: {n}")
    return broken


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())
