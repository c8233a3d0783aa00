"""Check-out and check-in of a section (issue 15): placeholder revision, filled in by the check-out work.

Revision ID: 0018_checkouts
Revises: 0017_section_archived
Create Date: 2026-12-07
"""

revision = "0018_checkouts"
down_revision = "0017_section_archived"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
