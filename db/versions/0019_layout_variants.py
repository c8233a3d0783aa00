"""Scheduled layout variants (issue 16, section 3): placeholder revision, filled in by the variants work.

Revision ID: 0019_layout_variants
Revises: 0018_checkouts
Create Date: 2026-12-07
"""

revision = "0019_layout_variants"
down_revision = "0018_checkouts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
