"""Presence (issue 14, item 7): who else has a section open, and which story each desk has in its editor.

One row per open desk window (``token``, a random id the window makes at start), rewritten by its heartbeat
every 15 seconds and deleted when the window closes (``services/presence.py``). A row whose ``seen_at`` is
older than 45 seconds belongs to a desk that crashed or lost its connection: readers ignore it and the next
heartbeat of any desk prunes it, so a crashed workstation's presence is gone within a minute.

On SQLite the table here stays empty: the rows go to a file beside the desk with the same table, so a
heartbeat never counts as a change of the desk file (``persistence/presence_store.py``).

No foreign keys on purpose: a presence row must never stop a story or a section from being deleted, and
the story a colleague had open may be deleted under them (the reader joins it and finds nothing). The one
index serves the reader: this section's rows seen lately.

Revision ID: 0014_presence
Revises: 0013_desk_events
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from ca_editor.persistence.models import UTCDateTime

revision = "0014_presence"
down_revision = "0013_desk_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("token", sa.String(36), primary_key=True),
        sa.Column("person", sa.String(120), nullable=False),
        sa.Column("section_id", sa.Integer, nullable=False),
        sa.Column("story_id", sa.Integer, nullable=True),
        sa.Column("unsaved", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("editing_since", UTCDateTime(), nullable=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_presence_section_seen", "presence", ["section_id", "seen_at"])


def downgrade() -> None:
    op.drop_index("ix_presence_section_seen", table_name="presence")
    op.drop_table("presence")
