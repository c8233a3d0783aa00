"""Scheduled layout variants (issue 16, section 3): ``layout_variants`` and the variant of a block's rows.

- ``layout_variants``: a section's named variants, each live from ``starts_at`` until ``ends_at`` (UTC;
  NULL: open-ended), with who created and last changed it. ``slug`` names its exported page.
- ``slots.variant_id``, ``former_slots.variant_id``, ``layout_snapshots.variant_id``: the variant a row
  belongs to; NULL is the main layout, so every existing row stays the main layout's (its section intact:
  no row is rewritten). Sign-offs hang off snapshots, so they are per variant too.
- ``former_slots`` was unique on (section, story); now once per layout: a partial unique index for the main
  layout, (variant, story) for variants. SQLite cannot drop a table's UNIQUE: the table is rebuilt (batch
  mode), and 0009's desk-generation triggers on it are created again; ``layout_variants`` gets its own.

Revision ID: 0019_layout_variants
Revises: 0018_checkouts
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from ca_editor.persistence.models import UTCDateTime

revision = "0019_layout_variants"
down_revision = "0018_checkouts"
branch_labels = None
depends_on = None

_EVENTS = {"ai": "INSERT", "au": "UPDATE", "ad": "DELETE"}
_VARIANT_FK = "REFERENCES layout_variants (id) ON DELETE CASCADE"


def upgrade() -> None:
    op.create_table(
        "layout_variants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("section_id", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False, server_default=""),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False, server_default=""),
        sa.UniqueConstraint("section_id", "slug", name="uq_layout_variants_section_slug"),
    )
    op.create_index("ix_layout_variants_section_id", "layout_variants", ["section_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # an export reads the variants (its pages, schedule.json): "up to date" must see them change
        _generation_triggers("layout_variants")
    for table in ("slots", "layout_snapshots"):
        if sqlite:  # a column with REFERENCES and no default: SQLite's own ADD COLUMN takes it, no rebuild
            op.execute(f"ALTER TABLE {table} ADD COLUMN variant_id INTEGER {_VARIANT_FK}")
        else:
            op.add_column(table, sa.Column("variant_id", sa.Integer, nullable=True))
            op.create_foreign_key(
                f"fk_{table}_variant_id", table, "layout_variants", ["variant_id"], ["id"], ondelete="CASCADE"
            )
        op.create_index(f"ix_{table}_variant_id", table, ["variant_id"])
    _former_slots_per_layout(sqlite)


def _former_slots_per_layout(sqlite: bool) -> None:
    if sqlite:
        with op.batch_alter_table("former_slots", recreate="always") as batch:
            batch.add_column(sa.Column("variant_id", sa.Integer, nullable=True))
            batch.create_foreign_key(
                "fk_former_slots_variant_id", "layout_variants", ["variant_id"], ["id"], ondelete="CASCADE"
            )
            batch.drop_constraint("uq_former_slots_section_story", type_="unique")
            batch.create_unique_constraint("uq_former_slots_variant_story", ["variant_id", "story_id"])
        _generation_triggers("former_slots")  # the rebuilt table lost 0009's triggers
    else:
        op.add_column("former_slots", sa.Column("variant_id", sa.Integer, nullable=True))
        op.create_foreign_key(
            "fk_former_slots_variant_id",
            "former_slots",
            "layout_variants",
            ["variant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        op.drop_constraint("uq_former_slots_section_story", "former_slots", type_="unique")
        op.create_unique_constraint(
            "uq_former_slots_variant_story", "former_slots", ["variant_id", "story_id"]
        )
    op.create_index(
        "uq_former_slots_main_story",
        "former_slots",
        ["section_id", "story_id"],
        unique=True,
        sqlite_where=sa.text("variant_id IS NULL"),
        postgresql_where=sa.text("variant_id IS NULL"),
    )


def downgrade() -> None:
    # Variants' rows go with them; the main layout's rows stay as they were before 0019.
    for table in ("slots", "former_slots", "layout_snapshots"):
        op.execute(f"DELETE FROM {table} WHERE variant_id IS NOT NULL")  # noqa: S608 - fixed names
    op.drop_index("uq_former_slots_main_story", "former_slots")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that has REFERENCES: each table is rebuilt, and its triggers made again.
        for table in ("slots", "former_slots", "layout_snapshots"):
            if table != "former_slots":
                op.drop_index(f"ix_{table}_variant_id", table)
            with op.batch_alter_table(table, recreate="always") as batch:
                if table == "former_slots":
                    batch.drop_constraint("uq_former_slots_variant_story", type_="unique")
                    batch.create_unique_constraint(
                        "uq_former_slots_section_story", ["section_id", "story_id"]
                    )
                batch.drop_column("variant_id")
            _generation_triggers(table)
    else:
        op.drop_constraint("uq_former_slots_variant_story", "former_slots", type_="unique")
        op.create_unique_constraint(
            "uq_former_slots_section_story", "former_slots", ["section_id", "story_id"]
        )
        for table in ("slots", "former_slots", "layout_snapshots"):
            if table != "former_slots":
                op.drop_index(f"ix_{table}_variant_id", table)
            op.drop_constraint(f"fk_{table}_variant_id", table, type_="foreignkey")
            op.drop_column(table, "variant_id")
    op.drop_index("ix_layout_variants_section_id", "layout_variants")
    op.drop_table("layout_variants")


def _generation_triggers(table: str) -> None:
    """0009's triggers on ``table``, again: a batch rebuild drops a table's triggers with it."""
    for suffix, event in _EVENTS.items():
        name = f"desk_generation_{table}_{suffix}"
        bump = "BEGIN UPDATE desk_generation SET generation = generation + 1; END"
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} {bump}")
