"""The benchmarks measure the same stories on both engines (bench/engines.py, bench/corpus.py).

Not a timing: whether SQLite and PostgreSQL, loaded each its own fast way, hold the same rows for a seed,
and whether the two raw full-text baselines find the same stories, so that a ratio on one engine and a
ratio on the other compare like with like.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from tests.postgres_server import PostgresServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import corpus
import engines

COLUMNS = "slug, title, summary, body, published_at, status"


def _load(spec: str, folder: Path) -> engines.BenchDb:
    with engines.servers() as running:
        return engines.database(
            spec, "rows", folder, running, lambda db: engines.bulk_load(db, corpus.desk_rows(300, seed=5))
        )


def _rows(db: engines.BenchDb) -> list[tuple[object, ...]]:
    connection = db.raw()
    try:
        rows = connection.execute(
            f"SELECT {COLUMNS} FROM stories WHERE slug LIKE 'bench-%' ORDER BY slug"
        ).fetchall()
    finally:
        connection.close()
    return [
        tuple(
            datetime.strptime(v, engines.SQLA_DATETIME) if i == 4 and isinstance(v, str) else v
            for i, v in enumerate(row)
        )
        for row in rows
    ]


def _found(db: engines.BenchDb, word: str) -> list[str]:
    where, params = db.search_filter(word)
    connection = db.raw()
    try:
        found = connection.execute(db.sql(f"SELECT slug FROM stories WHERE {where} ORDER BY slug"), params)
        return [slug for (slug,) in found.fetchall()]
    finally:
        connection.close()


def test_both_engines_hold_the_same_stories_and_find_the_same(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    lite, server = _load("sqlite", tmp_path), _load(postgres.url(), tmp_path)
    assert lite.engine == "sqlite" and server.engine == "postgresql"
    rows = _rows(lite)
    assert len(rows) == 300
    assert rows == _rows(server)
    assert rows == [tuple(row[i] for i in (0, 1, 2, 3, 5, 6)) for row in corpus.desk_rows(300, seed=5)]
    for word in ("glacier", "glac", "samarkand", "fr"):
        found = _found(lite, word)
        assert found, word
        assert found == _found(server, word), word
    # A second call finds the database complete and does not load it again.
    assert _load(postgres.url(), tmp_path) == server
    assert len(_rows(server)) == 300
