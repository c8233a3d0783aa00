"""The desk window open on a laptop desk: where it came from, said in the offline banner.

A laptop desk (made by File › Take section offline… or ``ca-editor checkout``) records its origin
(``checkout_origin``): the shared desk, who took it and when. Opened in the window, the banner says so and
how to bring the work back; once brought back, that what is changed here now stays here. Read on the
offline lane at the window's start (a second small connection to the file), never on the UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.local_time import moment
from ca_editor.locations import shown_url
from ca_editor.persistence.backup import sqlite_file
from ca_editor.services.container import Services

if TYPE_CHECKING:  # services/checkin.py loads on the offline lane, not before the window's first paint
    from ca_editor.services.checkin import LaptopOrigin


def laptop_of(services: Services) -> LaptopOrigin | None:
    """Where this desk was taken from, when it is a laptop desk; None for any other desk (any thread)."""
    file = sqlite_file(services.db.url)
    if file is None:
        return None
    from ca_editor.services.checkin import laptop_origin  # here, on the lane: off the first paint (issue 18)

    try:
        return laptop_origin(file)
    except CaEditorError:  # no laptop desk: the usual case
        return None


def laptop_text(origin: LaptopOrigin, section_title: str) -> str:
    """The banner's one line on a laptop desk (the whole address of its origin goes in the tooltip)."""
    source = _short(shown_url(origin.origin_url))
    if origin.checked_in_at is not None:
        return (
            f"This laptop desk was brought back to {source} {moment(origin.checked_in_at)}; what you change "
            "here now stays here."
        )
    return (
        f"Laptop desk of “{section_title}”, taken from {source} by {origin.taken_by} "
        f"{moment(origin.taken_at)}. Bring it back there with File › Bring section back…"
    )


def _short(address: str) -> str:
    """A file's name, or a server's host/database: what tells desks apart at a glance."""
    return address.rstrip("/").rsplit("/", 1)[-1] or address
