"""SQLAlchemy 2 mapping, engine set-up, migrations and the unit of work. No Qt."""
