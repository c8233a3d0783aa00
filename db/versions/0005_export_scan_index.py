"""A covering index for the incremental export's scan of exported stories.

The scan reads id, version and image of every publishable story to find what changed since the last bundle.
On SQLite those columns sit after the body in each row, so the table scan walked every body's overflow
pages (77 ms for 10,000 stories); the index answers it alone (41 ms).

Revision ID: 0005_export_scan_index
Revises: 0004_list_indexes
Create Date: 2026-11-27
"""

from alembic import op

revision = "0005_export_scan_index"
down_revision = "0004_list_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stories_export_scan", "stories", ["status", "version", "image_sha256"])


def downgrade() -> None:
    op.drop_index("ix_stories_export_scan", "stories")
