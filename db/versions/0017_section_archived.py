"""Archived sections: ``sections.archived_at``, set when a section is archived, NULL while it is live.

An archived section keeps its block, former slots, snapshots, sign-offs and exports (nothing is deleted);
it is only no longer live: ``ca-editor export --all`` leaves it out and the window does not open it first.
Every existing section stays live. Nullable: no default, so adding it rewrites no rows on either engine.

Revision ID: 0017_section_archived
Revises: 0016_pg_render_cache_trigger
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from ca_editor.persistence.models import UTCDateTime

revision = "0017_section_archived"
down_revision = "0016_pg_render_cache_trigger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sections", sa.Column("archived_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # SQLite's own DROP COLUMN (3.35+), not a batch copy: rebuilding ``sections`` would drop its triggers
    # (0009) and cascade-delete its slots (as 0011's downgrade).
    op.execute("ALTER TABLE sections DROP COLUMN archived_at")
