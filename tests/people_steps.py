"""Who is at the keyboard, on either engine: a typed name on SQLite, the login's display name on a server."""

from __future__ import annotations

from ca_editor.services.container import Services


def call_me(services: Services, name: str) -> None:
    """Work as NAME: on SQLite the name is recorded as typed; on PostgreSQL the login is recorded and NAME
    becomes its display name (``services.people``), so what people are shown is NAME on both engines."""
    services.identity.set(name)
    services.people.rename(name)
