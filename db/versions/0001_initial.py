"""Initial schema: sections, stories, slots, assets, and the story full-text index.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

# External-content FTS5 over stories, kept in step by triggers. SQLite only; PostgreSQL will get a tsvector.
_FTS = [
    """CREATE VIRTUAL TABLE stories_fts USING fts5(
           title, summary, body, content='stories', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER stories_fts_ai AFTER INSERT ON stories BEGIN
           INSERT INTO stories_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
       END""",
    """CREATE TRIGGER stories_fts_ad AFTER DELETE ON stories BEGIN
           INSERT INTO stories_fts(stories_fts, rowid, title, summary, body)
           VALUES ('delete', old.id, old.title, old.summary, old.body);
       END""",
    """CREATE TRIGGER stories_fts_au AFTER UPDATE OF title, summary, body ON stories BEGIN
           INSERT INTO stories_fts(stories_fts, rowid, title, summary, body)
           VALUES ('delete', old.id, old.title, old.summary, old.body);
           INSERT INTO stories_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
       END""",
]


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("byte_size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("slot_count", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("slot_count BETWEEN 1 AND 48", name="slot_count_range"),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("byline", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("image_sha256", sa.String(64), sa.ForeignKey("assets.sha256", ondelete="RESTRICT")),
        sa.Column("image_alt", sa.Text, nullable=False),
        sa.Column("image_caption", sa.Text, nullable=False),
        sa.Column("image_credit", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("status IN ('draft', 'ready', 'approved', 'published')", name="status_known"),
    )
    op.create_index("ix_stories_published_at", "stories", ["published_at"])
    op.create_index("ix_stories_status_published_at", "stories", ["status", "published_at"])
    op.create_table(
        "slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("headline_override", sa.String(300)),
        sa.Column("summary_override", sa.Text),
        sa.Column(
            "image_override_sha256", sa.String(64), sa.ForeignKey("assets.sha256", ondelete="RESTRICT")
        ),
        sa.Column("image_override_alt", sa.Text),
    )
    op.create_index("ix_slots_section_position", "slots", ["section_id", "position"])
    op.create_index("ix_slots_story_id", "slots", ["story_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in _FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS stories_fts")
    op.drop_table("slots")
    op.drop_table("stories")
    op.drop_table("sections")
    op.drop_table("assets")
