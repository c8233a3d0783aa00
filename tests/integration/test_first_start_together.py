"""Several workstations starting on one empty database at the same moment migrate and seed it exactly once.

On SQLite the writers' ``BEGIN IMMEDIATE`` queues them; on PostgreSQL an advisory lock taken first in the
migration's transaction and in the seeding's (``persistence.engine.first_start_lock``). Each round starts
its processes at once (released together after their imports), on a new empty database.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests import db_query
from tests.postgres_server import PostgresServer

from ca_editor.persistence.revisions import head_revision

ROUNDS, WORKSTATIONS = 3, 3

# What the desk window does first: open (create, migrate, seed) the database named by --db.
START_AT_ONCE = """
import sys
from ca_editor.app import open_services
import alembic.command, ca_editor.services.importing  # what a first start loads, loaded before the start
print("imported", flush=True)
sys.stdin.readline()  # the start signal, sent to every process at once
services = open_services(sys.argv[1])
print("database ready:", services.sections.sections()[0].slug)
"""


def _empty_database(engine: str, tmp_path: Path, request: pytest.FixtureRequest, round_: int) -> str:
    if engine == "sqlite":
        return str(tmp_path / f"round-{round_}.sqlite3")
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database()


def test_workstations_starting_at_once_migrate_and_seed_once(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, demo_stories: list
) -> None:
    for round_ in range(ROUNDS):
        url = _empty_database(engine, tmp_path, request, round_)
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", START_AT_ONCE, url],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(WORKSTATIONS)
        ]
        for process in processes:  # a barrier: all have imported before any starts
            assert process.stdout is not None and process.stdout.readline() == "imported\n"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, f"round {round_}: {err or out}"
            assert "database ready" in out
        assert db_query.rows(url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
        assert db_query.scalar(url, "SELECT count(*) FROM sections") == 1
        slugs = [row[0] for row in db_query.rows(url, "SELECT slug FROM stories ORDER BY slug")]
        assert slugs == sorted(story.slug for story in demo_stories), f"round {round_}"
