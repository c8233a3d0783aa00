"""Salvage: copy every row that can still be read from a damaged SQLite file into a new one.

Table by table, in rowid order, past unreadable stretches (found again by probing further rowids), into a
new file with the damaged file's own schema; rows whose parent was lost are dropped so the copy opens like
any database; the report says what was recovered. ``ca-editor salvage`` and the damaged-database dialog
use it; the copy is put in place with ``persistence/backup.py``'s ``restore``.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ca_editor.domain.errors import StorageError
from ca_editor.durable import replacing
from ca_editor.persistence.backup import PARTIAL, read_only_uri
from ca_editor.persistence.search_by_date import FILL
from ca_editor.persistence.sqlite_driver import connect, error_sentence, quote_name


@dataclass(frozen=True, slots=True)
class TableSalvage:
    name: str
    rows: int  # rows copied
    complete: bool  # every row could be read
    problem: str = ""


@dataclass(frozen=True, slots=True)
class SalvageReport:
    target: Path
    tables: tuple[TableSalvage, ...]
    check: str  # "ok", or what the integrity check of the new file said

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def complete(self) -> bool:
        return all(t.complete for t in self.tables)

    def summary(self) -> str:
        incomplete = [t for t in self.tables if not t.complete]
        text = f"recovered {self.rows} rows from {len(self.tables)} tables into {self.target}"
        if incomplete:
            text += "; some rows could not be read in: " + ", ".join(
                f"{t.name} ({t.rows} recovered)" for t in incomplete
            )
        return text


def salvage(damaged: Path, target: Path) -> SalvageReport:
    """Copy what can be read from ``damaged`` into a new file ``target`` with the same schema.

    Tables are created from the damaged file's own schema (so the result keeps its schema revision and opens
    like any older database); rows are copied in rowid order, and a stretch that cannot be read is skipped by
    probing further rowids. Indexes and triggers come after the rows; a full-text index is rebuilt.
    """
    if target.exists():
        raise StorageError(f"{target} already exists; choose a new name for the salvaged copy")
    try:
        source = connect(read_only_uri(damaged), uri=True)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read anything from {damaged}: {error_sentence(exc)}") from exc
    staged = target.with_name(target.name + PARTIAL)
    staged.unlink(missing_ok=True)
    try:
        # Renamed into place (fsynced, with its folder) once the connections are done; removed on error.
        with replacing(target, temporary=staged) as partial, source, connect(str(partial)) as out:
            out.execute("PRAGMA foreign_keys = OFF")
            schema = _schema(source)
            tables: list[TableSalvage] = []
            shadow = {f"{name}_{part}" for name, _, kind, _ in schema if kind == "fts" for part in _FTS_PARTS}
            for name, sql, kind, _ in schema:
                if kind in ("table", "fts", "vocab") and name not in shadow:
                    out.execute(sql)
            for name, _, kind, _ in schema:
                if kind == "table" and name not in shadow and not name.startswith(SEARCH_TABLES):
                    tables.append(_copy_rows(source, out, name))
            out.commit()
            tables = _drop_orphans(out, tables)  # before the triggers, which would act on the deletes
            # An export mark says "this bundle shows this database"; a salvaged file may have lost rows the
            # bundle shows, so no export of it may be answered "up to date" from a mark it inherited.
            if any(name == "export_marks" for name, _, kind, _ in schema if kind == "table"):
                out.execute("DELETE FROM export_marks")
            for name, sql, kind, _ in schema:
                if kind in ("index", "trigger", "view"):
                    try:
                        out.execute(sql)
                    except sqlite3.Error as exc:  # e.g. a UNIQUE index over rows that now collide
                        tables.append(TableSalvage(name, 0, False, f"{kind} not recreated: {exc}"))
            for name, sql, kind, _ in schema:
                if kind == "fts" and not _CONTENTLESS.search(sql):
                    out.execute(f"INSERT INTO {quote_name(name)}({quote_name(name)}) VALUES ('rebuild')")  # noqa: S608
            if any(name == BY_DATE_TABLE for name, *_ in schema):
                # Contentless (0020): nothing to rebuild from, so filled again from the stories, as 0020 does.
                for statement in FILL:
                    out.execute(statement)
            out.commit()
            rows = out.execute("PRAGMA integrity_check").fetchall()
            check = "; ".join(str(r[0]) for r in rows[:3])
    except sqlite3.Error as exc:
        raise StorageError(f"could not salvage {damaged}: {error_sentence(exc)}") from exc
    except OSError as exc:
        raise StorageError(f"could not write the salvaged copy {target}: {exc.strerror or exc}") from exc
    return SalvageReport(target, tuple(tables), check)


_FTS_PARTS = ("data", "idx", "docsize", "config", "content")
#: Search tables (0001, 0020) are never copied row by row: their indexes are rebuilt or refilled from stories.
SEARCH_TABLES = "stories_fts"
BY_DATE_TABLE = "stories_fts_by_date"
_CONTENTLESS = re.compile(r"(?i)content\s*=\s*(''|\"\")")


def _schema(source: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    """(name, sql, kind, table) from sqlite_master; kind is table, fts, index, trigger or view."""
    try:
        rows = source.execute(
            "SELECT name, sql, type, tbl_name FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
    except sqlite3.Error as exc:
        raise StorageError(f"the list of tables cannot be read ({exc}); nothing can be recovered") from exc
    schema = []
    for name, sql, kind, table in rows:
        if name.startswith("sqlite_"):
            continue
        if kind == "table" and re.match(r"(?is)\s*create\s+virtual\s+table", sql):
            if re.search(r"(?i)using\s+fts5vocab", sql):
                kind = "vocab"  # a view of an fts table's words: created, never copied
            elif re.search(r"(?i)using\s+fts5", sql):
                kind = "fts"
            else:
                continue
        schema.append((str(name), str(sql), str(kind), str(table)))
    return schema


def _copy_rows(source: sqlite3.Connection, out: sqlite3.Connection, table: str) -> TableSalvage:
    """Copy rows in rowid order; past a read error, go on from the next rowid that can be read again.

    Every retry starts strictly after the previous one, so a stretch that keeps failing ends the table.
    Errors writing the new file are not the damaged file's and propagate.
    """
    quoted = quote_name(table)
    columns = [str(r[1]) for r in out.execute(f"PRAGMA table_info({quoted})")]
    names = ", ".join(quote_name(c) for c in columns)
    insert = f"INSERT OR IGNORE INTO {quoted} ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    select_after = f"SELECT rowid, {names} FROM {quoted} WHERE rowid > ? ORDER BY rowid"  # noqa: S608
    copied, problem = 0, ""
    floor = -(2**63)  # rows with a rowid above this are still to be read
    while True:
        start = floor
        try:
            cursor = source.execute(select_after, (floor,))
            row = cursor.fetchone()
        except sqlite3.DatabaseError as exc:
            row, problem = None, problem or str(exc)
        else:
            while row is not None:
                out.execute(insert, row[1:])  # a failure writing the new file is not a read error
                copied += 1
                floor = int(row[0])
                try:
                    row = cursor.fetchone()
                except sqlite3.DatabaseError as exc:
                    row, problem = None, problem or str(exc)
                    break
            else:
                break  # read to the end
        resume = _next_readable(source, quoted, max(floor, start))
        if resume is None:
            break
        floor = resume
    return TableSalvage(table, copied, not problem, problem)


def _drop_orphans(out: sqlite3.Connection, tables: list[TableSalvage]) -> list[TableSalvage]:
    """Remove rows whose parent row was lost (a slot of a story that could not be read), until none is left.

    The salvaged file must open like any database, and opening checks every reference.
    """
    dropped: dict[str, int] = defaultdict(int)
    while broken := out.execute("PRAGMA foreign_key_check").fetchall():
        for table, rowid, _parent, _key in broken:
            if rowid is None:
                continue
            out.execute(f"DELETE FROM {quote_name(str(table))} WHERE rowid = ?", (rowid,))  # noqa: S608
            dropped[str(table)] += 1
        out.commit()
    result = []
    for table in tables:
        lost = dropped.get(table.name, 0)
        if lost:
            note = f"{lost} rows dropped: what they belonged to could not be read"
            problem = f"{table.problem}; {note}" if table.problem else note
            table = TableSalvage(table.name, table.rows - lost, False, problem)
        result.append(table)
    return result


def _next_readable(source: sqlite3.Connection, quoted: str, after: int) -> int | None:
    """The lowest ``x > after`` from which ``rowid > x`` can be read again, or ``None``.

    Steps out in doubling strides until a probe reads, then narrows back between the last failing and the
    first working probe, so rows just past a damaged page are not skipped with it.
    """

    def readable(probe: int) -> bool:
        try:
            source.execute(f"SELECT rowid FROM {quoted} WHERE rowid > ? LIMIT 1", (probe,)).fetchone()  # noqa: S608
        except sqlite3.DatabaseError:
            return False
        return True

    failing, step = after, 1
    while step < 2**40:
        probe = after + step
        if readable(probe):
            while probe - failing > 1:
                middle = (failing + probe) // 2
                if readable(middle):
                    probe = middle
                else:
                    failing = middle
            return probe
        failing, step = probe, step * 2
    return None
