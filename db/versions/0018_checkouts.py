"""Check-out and check-in of a section (issue 15): who took a section offline, and what a laptop desk took.

On the shared desk, ``checkouts``: one row per check-out (a random ``token`` the laptop desk keeps too),
with who took which section when and to where, how many months of archive, and how it ended: released by
someone (an abandoned laptop) or checked in. A section may be out more than once at a time; it stays
editable on the shared desk meanwhile (the check-in merges three ways).

On the laptop desk (a new SQLite file made by ``ca-editor checkout``): ``checkout_origin``, one row saying
where it came from (the desk's address WITHOUT any password: the check-in reads it from ``~/.pgpass`` or
``--db`` as every command does), the base of the section's settings and block as JSON (the merge's
``DeskSide`` of that moment), and whether it was checked in; ``checkout_base_stories``, every story it took
as it was then (version and fields), the base of the field-by-field merge, and its ``created_at``: a row
under a taken id whose creation time differs is another story (SQLite hands a deleted newest story's id to
the next one written), never the taken one edited. No foreign keys from the laptop
tables: the laptop may delete a story it took, and the base of it must stay.

Revision ID: 0018_checkouts
Revises: 0017_section_archived
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from ca_editor.persistence.models import UTCDateTime

revision = "0018_checkouts"
down_revision = "0017_section_archived"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkouts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(36), nullable=False, unique=True),
        sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("taken_by", sa.String(120), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("taken_to", sa.Text, nullable=False, server_default=""),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("released_by", sa.String(120), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_by", sa.String(120), nullable=True),
    )
    op.create_index("ix_checkouts_section", "checkouts", ["section_id"])
    op.create_table(
        "checkout_origin",
        sa.Column("token", sa.String(36), primary_key=True),
        sa.Column("section_id", sa.Integer, nullable=False),
        sa.Column("origin_url", sa.Text, nullable=False),
        sa.Column("taken_by", sa.String(120), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("base", sa.JSON, nullable=False),
        sa.Column("checked_in_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_by", sa.String(120), nullable=True),
    )
    op.create_table(
        "checkout_base_stories",
        sa.Column("story_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkout_base_stories")
    op.drop_table("checkout_origin")
    op.drop_index("ix_checkouts_section", table_name="checkouts")
    op.drop_table("checkouts")
