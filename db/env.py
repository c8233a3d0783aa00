"""Alembic environment. The app calls it with an open connection (see ca_editor.persistence.migrate);
the ``alembic`` command line works too, given ``-x url=...`` or ``sqlalchemy.url``."""

from alembic import context

from ca_editor.persistence.engine import make_engine
from ca_editor.persistence.models import Base

config = context.config


def run_with(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite has little ALTER TABLE; batch mode rebuilds tables instead
        transactional_ddl=True,  # true on SQLite too, thanks to the driver recipe in persistence.engine
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = make_engine(url, enforce_foreign_keys=False)
    with engine.begin() as conn:
        run_with(conn)
    engine.dispose()
