"""Remember stories that left the editor's-choice block, so editors can put them back.

Revision ID: 0002_former_slots
Revises: 0001_initial
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_former_slots"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "former_slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("last_position", sa.Integer, nullable=False),
        sa.Column("removed_at", sa.DateTime, nullable=False),
        sa.Column("headline_override", sa.String(300)),
        sa.Column("summary_override", sa.Text),
        sa.Column(
            "image_override_sha256", sa.String(64), sa.ForeignKey("assets.sha256", ondelete="RESTRICT")
        ),
        sa.Column("image_override_alt", sa.Text),
        sa.UniqueConstraint("section_id", "story_id", name="uq_former_slots_section_story"),
    )
    op.create_index("ix_former_slots_story_id", "former_slots", ["story_id"])


def downgrade() -> None:
    op.drop_table("former_slots")
