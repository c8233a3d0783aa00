"""Migration 0011: the teaser setting per section, and the client's teasers on an untouched demo desk."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path
from types import ModuleType

from alembic import command
from sqlalchemy import inspect
from tests import db_query

from ca_editor.app import open_services
from ca_editor.persistence.migrate import alembic_config, head_revision, upgrade
from ca_editor.services.container import Services

REPO_ROOT = Path(__file__).resolve().parents[2]
STEP = REPO_ROOT / "db" / "versions" / "0011_section_teaser_limit.py"
DEMO = REPO_ROOT / "resources" / "demo"


def the_step() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0011", STEP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_summaries() -> dict[str, str]:
    lines = (DEMO / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["slug"]: r["summary"] for r in map(json.loads, filter(str.strip, lines))}


def a_0010_demo_desk(path: Path) -> None:
    """A desk seeded before 0011: the demo at 0010, its stories holding the summaries we shipped then."""
    url = f"sqlite:///{path}"
    open_services(str(path)).db.dispose()
    command.downgrade(alembic_config(url), "0010_oriented_asset_sizes")
    shipped: dict[str, str] = the_step()._SHIPPED_SUMMARIES
    with sqlite3.connect(path) as connection:
        for slug, summary in shipped.items():
            connection.execute("UPDATE stories SET summary = ? WHERE slug = ?", (summary, slug))
        connection.execute(
            "INSERT INTO sections (slug, title, description, slot_count, version, created_at, updated_at, "
            "updated_by) VALUES ('other', 'Other', '', 4, 1, '2026-12-01 09:00:00.000000', "
            "'2026-12-01 09:00:00.000000', '')"
        )
    connection.close()


def test_0011_gives_an_untouched_demo_the_clients_teasers_and_keeps_edits(db_path: Path) -> None:
    a_0010_demo_desk(db_path)
    edited = next(iter(demo_summaries()))
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE stories SET summary = 'An editor wrote this.' WHERE slug = ?", (edited,))
        versions = dict(connection.execute("SELECT slug, version FROM stories"))
        before = connection.execute("SELECT generation FROM desk_generation").fetchone()[0]
    connection.close()

    upgrade(f"sqlite:///{db_path}")

    with sqlite3.connect(db_path) as connection:
        stories = {
            slug: (summary, version, by)
            for slug, summary, version, by in connection.execute(
                "SELECT slug, summary, version, updated_by FROM stories"
            )
        }
        limits = dict(connection.execute("SELECT slug, teaser_limit FROM sections"))
        after = connection.execute("SELECT generation FROM desk_generation").fetchone()[0]
    connection.close()
    for slug, teaser in demo_summaries().items():
        if slug == edited:
            assert stories[slug] == ("An editor wrote this.", versions[slug], stories[slug][2])
        else:
            assert stories[slug] == (teaser, versions[slug] + 1, "ca-editor demo")
    assert limits == {"central-asia": 0, "other": 400}  # 0: no advice (the client's page would fail 400)
    assert after > before
    assert head_revision() >= "0011_section_teaser_limit"  # later steps come after it


def test_0011_downgrade_keeps_the_sections_slots(services: Services) -> None:
    """Dropping the column is SQLite's own DROP COLUMN: a table rebuild would cascade-delete the slots.
    (On PostgreSQL, ALTER TABLE … DROP COLUMN; the later steps' downgrades run first on both.)"""
    url = services.db.url
    slots = db_query.scalar(url, "SELECT count(*) FROM slots")
    services.db.dispose()
    command.downgrade(alembic_config(url), "0010_oriented_asset_sizes")
    assert db_query.scalar(url, "SELECT count(*) FROM slots") == slots == 8
    with db_query.connected(url) as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("sections")}
    assert "teaser_limit" not in columns
