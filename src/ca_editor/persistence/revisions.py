"""The migrations' head, read from the migration files' text: stdlib only.

``persistence.migrate`` and the no-change export's fast path (``ca_editor.export_uptodate``, which must not
import SQLAlchemy) both ask it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ca_editor.domain.errors import StorageError
from ca_editor.locations import migrations_dir

# The module-level assignments every migration file has (``revision = "0007_…"``, ``down_revision = …``).
_REVISION = re.compile(r"""^revision\s*(?::[^=]*)?=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"""^down_revision\s*(?::[^=]*)?=\s*(.*)$""", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def known_revisions(script_location: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Every revision in ``versions/`` with the revisions it follows, read from the files' text.

    No Alembic: these are the two assignments Alembic itself reads from each file, so the answer is the
    same (a test compares it with Alembic's own ``ScriptDirectory``), and a new migration file counts at
    once, without a constant to keep in step.
    """
    folder = (script_location or migrations_dir()) / "versions"
    revisions: dict[str, tuple[str, ...]] = {}
    for file in folder.glob("*.py"):
        source = file.read_text(encoding="utf-8")
        named = _REVISION.search(source)
        if named is None:
            continue  # not a migration (a helper module beside them)
        down = _DOWN_REVISION.search(source)
        revisions[named.group(1)] = tuple(_QUOTED.findall(down.group(1))) if down else ()
    return revisions


def head_revision(script_location: Path | None = None) -> str | None:
    """The newest revision: the one no other revision follows (``None`` when there are no migrations)."""
    revisions = known_revisions(script_location)
    followed = {down for downs in revisions.values() for down in downs}
    heads = sorted(set(revisions) - followed)
    if len(heads) > 1:
        raise StorageError(f"the migrations have {len(heads)} heads ({', '.join(heads)}); merge them")
    return heads[0] if heads else None
