"""Who is at the keyboard: the name recorded with every save, status change, sign-off and export.

The window asks for it on first run and keeps it in the settings; scripts pass ``--user`` or set
``$CA_EDITOR_USER``. Until then the operating system's login name stands in, so nothing is recorded as
nobody. On a shared desk (PostgreSQL) the database login is recorded instead and this is the name shown
for it (``services.people``); the login stands in until a name is given.
"""

from __future__ import annotations

import getpass
import os

MAX_NAME = 120


class Identity:
    """The current user's display name; shared by every service of one window, changed in place."""

    def __init__(self, name: str = "") -> None:
        self._name = ""
        self.login = ""  # the database login on a shared desk (services.people.adopt); "" on SQLite
        self.set(name)

    @property
    def name(self) -> str:
        return self._name or self.login or fallback_name()

    @property
    def is_set(self) -> bool:
        """Whether a person gave their name (not the login name standing in for it)."""
        return bool(self._name)

    def set(self, name: str) -> None:
        self._name = " ".join(name.split())[:MAX_NAME]


def fallback_name() -> str:
    env = os.environ.get("CA_EDITOR_USER", "").strip()
    if env:
        return " ".join(env.split())[:MAX_NAME]
    try:
        return getpass.getuser()[:MAX_NAME] or "unknown"
    except (OSError, KeyError):  # no login name in a container without a passwd entry
        return "unknown"
