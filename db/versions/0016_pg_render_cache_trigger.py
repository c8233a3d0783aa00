"""The render cache's trigger on PostgreSQL: a story whose body changes loses its cached HTML at once.

Migration 0003 gave SQLite ``rendered_bodies_body_changed`` (``AFTER UPDATE OF body ON stories``): however
the body changes (the desk, an import, a script, a copy), the stale rendering goes in the same transaction,
so an export never serves HTML of an older body. PostgreSQL had the table but no trigger; this is its twin,
a row trigger with ``WHEN (OLD.body IS DISTINCT FROM NEW.body)``. On SQLite this step does nothing.

Revision ID: 0016_pg_render_cache_trigger
Revises: 0015_desk_chiefs
Create Date: 2026-12-07
"""

from alembic import op

revision = "0016_pg_render_cache_trigger"
down_revision = "0015_desk_chiefs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION rendered_bodies_forget() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM rendered_bodies WHERE story_id = NEW.id; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER rendered_bodies_body_changed AFTER UPDATE OF body ON stories FOR EACH ROW "
        "WHEN (OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION rendered_bodies_forget()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS rendered_bodies_body_changed ON stories")
    op.execute("DROP FUNCTION IF EXISTS rendered_bodies_forget()")
