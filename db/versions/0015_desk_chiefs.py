"""Placeholder for the shared desk (issue 14): filled in by the change that owns it.

Revision ID: 0015_desk_chiefs
Revises: 0014_presence
Create Date: 2026-12-07
"""

revision = "0015_desk_chiefs"
down_revision = "0014_presence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
