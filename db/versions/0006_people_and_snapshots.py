"""Who changed what: names on stories and sections, status history, layout snapshots, import sources.

- ``updated_by`` on stories and sections: a refused save can say "changed by NAME at TIME".
- ``story_status_changes``: every move along draft → ready → approved → published, with who and when.
- ``layout_snapshots``: the block (and the texts of its stories) at each sign-off, send-back and export, so a
  desk chief sees what changed since, and any two can be compared or one restored.
- ``source_guid`` / ``source_link`` on stories: wire imports deduplicate by the feed's guid and link.

Plain ADD COLUMN, not batch mode: a batch rebuild of ``stories`` would drop the search triggers.

Revision ID: 0006_people_and_snapshots
Revises: 0005_export_scan_index
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_people_and_snapshots"
down_revision = "0005_export_scan_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("updated_by", sa.String(120), nullable=False, server_default=""))
    op.add_column("stories", sa.Column("source_guid", sa.String(1000), nullable=True))
    op.add_column("stories", sa.Column("source_link", sa.String(2000), nullable=True))
    op.create_index("ix_stories_source_guid", "stories", ["source_guid"])
    op.create_index("ix_stories_source_link", "stories", ["source_link"])
    op.add_column("sections", sa.Column("updated_by", sa.String(120), nullable=False, server_default=""))
    op.create_table(
        "story_status_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("changed_by", sa.String(120), nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_story_status_changes_story", "story_status_changes", ["story_id", "changed_at"])
    op.create_table(
        "layout_snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=False),
        sa.Column("taken_by", sa.String(120), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("section_version", sa.Integer, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.CheckConstraint("kind IN ('sign_off', 'send_back', 'export')", name="snapshot_kind_known"),
    )
    op.create_index("ix_layout_snapshots_section", "layout_snapshots", ["section_id", "kind", "taken_at"])


def downgrade() -> None:
    op.drop_table("layout_snapshots")
    op.drop_table("story_status_changes")
    op.drop_column("sections", "updated_by")
    op.drop_index("ix_stories_source_link", "stories")
    op.drop_index("ix_stories_source_guid", "stories")
    op.drop_column("stories", "source_link")
    op.drop_column("stories", "source_guid")
    op.drop_column("stories", "updated_by")
