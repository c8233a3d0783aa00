"""Placeholder for the shared desk (issue 14): filled in by the change that owns it.

Revision ID: 0014_presence
Revises: 0013_desk_events
Create Date: 2026-12-07
"""

revision = "0014_presence"
down_revision = "0013_desk_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
