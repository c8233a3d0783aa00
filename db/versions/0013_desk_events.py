"""The desk's event log: one row per write a desk makes, so the other desks on the database show it live.

``desk_events``: when (``at``), who, which desk wrote it (``token``: a desk ignores its own), what kind of
change (``kind``, for the status-bar notice) and, as JSON in ``detail``, what it names (the stories saved,
created or deleted, the blocks changed, statuses, snapshots, a title for the notice). Rows are appended in
the same transaction as the change they describe (``persistence/desk_events.py``), and pruned as they go.

On PostgreSQL an ``AFTER INSERT`` trigger sends ``pg_notify('ca_editor', id)``: the other desks, listening
on a connection of their own, wake up at the commit (notifications are delivered only then, and only to
listeners on this database). On SQLite the other desks watch ``PRAGMA data_version`` instead.

Revision ID: 0013_desk_events
Revises: 0012_postgres_search
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from ca_editor.persistence.models import UTCDateTime

revision = "0013_desk_events"
down_revision = "0012_postgres_search"
branch_labels = None
depends_on = None

_NOTIFY_FUNCTION = """
CREATE FUNCTION ca_editor_desk_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ca_editor', NEW.id::text);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "desk_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("who", sa.String(120), nullable=False, server_default=""),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("section_id", sa.Integer, nullable=True),  # no foreign key: an event outlives its section
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER desk_events_notify AFTER INSERT ON desk_events "
        "FOR EACH ROW EXECUTE FUNCTION ca_editor_desk_event_notify()"
    )


def downgrade() -> None:
    op.drop_table("desk_events")  # takes its trigger with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ca_editor_desk_event_notify()")
