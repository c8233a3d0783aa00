"""Placeholder for the shared desk (issue 14): filled in by the change that owns it.

Revision ID: 0012_postgres_search
Revises: 0011_section_teaser_limit
Create Date: 2026-12-07
"""

revision = "0012_postgres_search"
down_revision = "0011_section_teaser_limit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
