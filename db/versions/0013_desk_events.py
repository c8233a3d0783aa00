"""Placeholder for the shared desk (issue 14): filled in by the change that owns it.

Revision ID: 0013_desk_events
Revises: 0012_postgres_search
Create Date: 2026-12-07
"""

revision = "0013_desk_events"
down_revision = "0012_postgres_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
