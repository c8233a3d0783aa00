"""An index on story titles, so the story list sorts and pages by title in SQL over a million stories.

Without it, each page of a title-sorted list reads and sorts every story (about 0.3 s at a million rows);
with it, a keyset page is an index walk of a few milliseconds. Date and status orders already have indexes.

Revision ID: 0004_list_indexes
Revises: 0003_render_cache
Create Date: 2026-11-27
"""

from alembic import op

revision = "0004_list_indexes"
down_revision = "0003_render_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stories_title", "stories", ["title"])


def downgrade() -> None:
    op.drop_index("ix_stories_title", "stories")
