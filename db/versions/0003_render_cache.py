"""Cache each story's rendered, sanitised body, so an export renders markdown once per edit.

A row is valid for one story version and one renderer version. On SQLite a trigger also drops the row when
a story's body changes by any path (even a bulk update that does not bump the version), so a stale body can
never be served from the cache.

Revision ID: 0003_render_cache
Revises: 0002_former_slots
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_render_cache"
down_revision = "0002_former_slots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rendered_bodies",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_version", sa.Integer, nullable=False),
        sa.Column("renderer_version", sa.String(120), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("html_sha256", sa.String(64), nullable=False),
        sa.Column("html", sa.Text, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER rendered_bodies_body_changed AFTER UPDATE OF body ON stories "
            "WHEN old.body IS NOT new.body "
            "BEGIN DELETE FROM rendered_bodies WHERE story_id = new.id; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS rendered_bodies_body_changed")
    op.drop_table("rendered_bodies")
