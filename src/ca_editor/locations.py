"""Where the app finds its shipped files and keeps its data.

A wheel carries ``db/`` and ``resources/`` inside the package as ``_data/``; a source checkout (editable
install, tests) has them at the repository root. Both are looked up here and nowhere else.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path

import platformdirs

APP_NAME = "ca-editor"
DB_ENV_VAR = "CA_EDITOR_DB"
_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _data_root() -> Path:
    for candidate in (_PACKAGE_DIR / "_data", _PACKAGE_DIR.parents[1]):
        if (candidate / "resources" / "templates").is_dir() and (candidate / "db" / "env.py").is_file():
            return candidate
    raise FileNotFoundError(
        f"ca-editor is installed without its data files (looked in {_PACKAGE_DIR / '_data'} "
        f"and {_PACKAGE_DIR.parents[1]}); reinstall the package"
    )


def resources_dir() -> Path:
    return _data_root() / "resources"


def templates_dir() -> Path:
    return resources_dir() / "templates"


def static_dir() -> Path:
    return resources_dir() / "static"


def demo_dir() -> Path:
    return resources_dir() / "demo"


def migrations_dir() -> Path:
    return _data_root() / "db"


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "ca-editor.sqlite3"


def recovery_dir() -> Path:
    """Where unsaved editor forms are kept between a crash and the next start (``services.recovery``)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "recovery"


def derivatives_dir() -> Path:
    """The export's cache of encoded image derivatives (``export.image_cache``): disposable, so it lives in
    the user cache folder (``$CA_EDITOR_CACHE`` moves it, for benchmarks)."""
    explicit = os.environ.get("CA_EDITOR_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "derivatives"


def backups_dir(database: Path) -> Path:
    """Where the backups of the SQLite file ``database`` go (``persistence.backup``).

    In the user data folder, one folder per database (its name and a hash of its full path), so backups are
    kept on the local disk even for a database on a read-only or shared folder, and never mix.
    """
    root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return root / "backups" / _database_key(database)


def server_backups_dir(url: str) -> Path:
    """Where this workstation keeps copy-format backups of the database server ``url`` names
    (``persistence/server_backup.py``): one folder per server database (its name and a hash of host, port
    and database; not of the login or password, so colleagues' URLs of one database would share it)."""
    from sqlalchemy.engine import make_url  # as in ``database_url``: not for the export's workers

    parsed = make_url(url)
    where = f"{parsed.get_backend_name()}://{parsed.host or ''}:{parsed.port or ''}/{parsed.database or ''}"
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", parsed.database or "server").strip("-") or "server"
    root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return root / "backups" / f"{name}-{digest}"


def known_sound_mark(database: Path) -> Path:
    """Where ca-editor notes the identity of the SQLite file ``database`` as it last knew it sound
    (``persistence.known_sound``): in the user data folder, one small file per database."""
    root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return root / "known-sound" / f"{_database_key(database)}.json"


def _database_key(database: Path) -> str:
    """A folder or file name for one database: its name and a hash of its full path (two never mix)."""
    resolved = str(database.expanduser().resolve())
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{database.stem}-{digest}"


def shown_url(url: str) -> str:
    """``url`` fit to show or log: an SQLite file as its path, a server URL with any password masked.

    The one place a database address turns into text for people (window, status bar, messages, logs,
    manifest): a password may sit after the user name or in the query (``?password=``), and neither leaves.
    """
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    masked = _USER_PASSWORD.sub(r"\1:***@", url)
    return _QUERY_PASSWORD.sub(r"\1***", masked)


_USER_PASSWORD = re.compile(r"^([a-z0-9+.-]+://[^:/@?#]*):[^@/?#]*@", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def database_url(explicit: str | None = None) -> str:
    """Resolve ``--db`` (a path or an SQLAlchemy URL), then ``$CA_EDITOR_DB``, then the user-data default."""
    chosen = explicit or os.environ.get(DB_ENV_VAR) or str(default_database_path())
    if "://" in chosen:
        return chosen
    path = Path(chosen).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Imported here: the export's page workers use this module and should not load SQLAlchemy (0.3 s).
    from sqlalchemy.engine import URL

    # Built, not formatted: a '?' or '%25' in a file name would otherwise be read as URL syntax.
    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)
