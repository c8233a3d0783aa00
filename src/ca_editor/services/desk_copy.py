"""Moving a desk: the open database copied whole into another (``persistence/desk_copy.py`` does the work).

The source is the database the services were opened on (checked and migrated like any start); the target
is a path or a URL, as ``--db`` takes them. Backups of a database server use the same copy into an SQLite
file (``services/backups.py``).
"""

from __future__ import annotations

from ca_editor.locations import database_url
from ca_editor.persistence.database import Database
from ca_editor.persistence.desk_copy import CopyReport, Progress, copy_desk


def copy_to(
    source: Database,
    target: str,
    *,
    replace: bool = False,
    render_cache: bool = True,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the desk at ``source`` into ``target`` (a file path or URL); see ``persistence.desk_copy``."""
    return copy_desk(
        source.url, database_url(target), replace=replace, render_cache=render_cache, progress=progress
    )
