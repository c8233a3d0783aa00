"""Who is who on a shared desk: people (a database login and the name shown for it), section desk chiefs,
and sign-offs as rows of their own.

- ``people``: one row per database login (PostgreSQL's ``current_user``) with the display name the person
  gave once. On PostgreSQL every save, step and sign-off records the login; the name is shown through
  this table. A single SQLite workstation has no logins and leaves it empty.
- ``section_chiefs``: the logins whose sign-off counts as approval of a section on a shared desk. None
  named: anyone allowed to sign off may.
- ``sign_offs``: one row per sign-off snapshot, written in the same transaction. It is what the grants
  hold back: a role without INSERT on ``sign_offs`` cannot sign off, whatever program it uses (README,
  "Roles and grants"). Existing sign-offs are copied in, under the name they were taken by.

Revision ID: 0015_desk_chiefs
Revises: 0014_presence
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_desk_chiefs"
down_revision = "0014_presence"
branch_labels = None
depends_on = None


_EVENTS = {"ai": "INSERT", "au": "UPDATE", "ad": "DELETE"}  # as 0009 names its triggers


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("login", sa.String(120), primary_key=True),
        sa.Column("display_name", sa.String(120), nullable=False),
    )
    op.create_table(
        "section_chiefs",
        sa.Column(
            "section_id", sa.Integer, sa.ForeignKey("sections.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("login", sa.String(120), primary_key=True),
    )
    op.create_table(
        "sign_offs",
        sa.Column(
            "snapshot_id",
            sa.Integer,
            sa.ForeignKey("layout_snapshots.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("signed_by", sa.String(120), nullable=False),
    )
    op.execute(
        "INSERT INTO sign_offs (snapshot_id, signed_by) "
        "SELECT id, taken_by FROM layout_snapshots WHERE kind = 'sign_off'"
    )
    if op.get_bind().dialect.name == "sqlite":
        # An export reads sign_offs (whether the block is approved): like every table it reads, a change
        # must move the desk generation (0009), or a sign-off could hide behind "up to date".
        bump = "BEGIN UPDATE desk_generation SET generation = generation + 1; END"
        for suffix, event in _EVENTS.items():
            op.execute(f"CREATE TRIGGER desk_generation_sign_offs_{suffix} AFTER {event} ON sign_offs {bump}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in _EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS desk_generation_sign_offs_{suffix}")
    op.drop_table("sign_offs")
    op.drop_table("section_chiefs")
    op.drop_table("people")
