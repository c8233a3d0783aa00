"""Export marks: a no-change ``ca-editor export`` answers "up to date" without loading the ORM (issue 19).

- ``desk_generation``: one row, one integer, bumped by triggers after every insert, update or delete in the
  tables an export reads (the bundle, its checklist and its manifest's ``release``). The render cache and
  the search index are derived from those tables: no triggers on them.
- ``export_marks``: per bundle folder, the generation its last export left, the options and generator it
  was built with, a digest of its files' listing and the summary the command printed
  (``services.export_record``; read by ``ca_editor.export_uptodate`` with the stdlib driver).

The triggers are SQLite's (the fast path reads SQLite files only); other databases get the tables alone.
A later migration that rebuilds one of these tables (batch mode) must create its trigger again:
``tests/integration/test_export_uptodate.py`` fails when a table the export reads has none.

Revision ID: 0009_export_marks
Revises: 0008_image_focus
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_export_marks"
down_revision = "0008_image_focus"
branch_labels = None
depends_on = None

TRIGGERED = ("assets", "sections", "stories", "slots", "former_slots", "story_status_changes",
             "layout_snapshots")  # fmt: skip
_EVENTS = {"ai": "INSERT", "au": "UPDATE", "ad": "DELETE"}


def upgrade() -> None:
    op.create_table(
        "desk_generation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.CheckConstraint("id = 1", name="desk_generation_one_row"),
    )
    op.execute("INSERT INTO desk_generation (id, generation) VALUES (1, 0)")
    op.create_table(
        "export_marks",
        sa.Column("out_dir", sa.Text, primary_key=True),
        sa.Column("section_id", sa.Integer, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("include_unapproved", sa.Boolean, nullable=False),
        sa.Column("overridden", sa.Boolean, nullable=False),
        sa.Column("generator", sa.Text, nullable=False),
        sa.Column("listing", sa.Text, nullable=False),
        sa.Column("file_count", sa.Integer, nullable=False),
        sa.Column("exported_at", sa.DateTime, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for table in TRIGGERED:
            for suffix, event in _EVENTS.items():
                name = f"desk_generation_{table}_{suffix}"
                bump = "BEGIN UPDATE desk_generation SET generation = generation + 1; END"
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {bump}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TRIGGERED:
            for suffix in _EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS desk_generation_{table}_{suffix}")
    op.drop_table("export_marks")
    op.drop_table("desk_generation")
