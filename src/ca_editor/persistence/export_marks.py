"""The desk's generation and the export marks (migration 0009), written in the export's own transactions.

``desk_generation`` is bumped by SQLite triggers on every table an export reads; an export mark records the
generation its export left. ``ca_editor.export_uptodate`` reads both with the stdlib driver. Marks are kept
on SQLite only: other databases have the tables but no triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class ExportMark:
    out_dir: str  # the bundle folder, resolved
    section_id: int
    include_unapproved: bool
    overridden: bool
    generator: str  # ``export.listing_digest.generator_stamp``
    listing: str  # ``export.listing_digest.listing_digest`` of the bundle as the export left it
    file_count: int
    exported_at: datetime  # when the export began: its checklist's "now" is no earlier
    summary: str  # JSON: the lines the command printed under "exported N files"


def generation(session: Session) -> int | None:
    """The desk's generation as this transaction sees it (``None``: not SQLite, no marks kept)."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    return int(session.execute(text("SELECT generation FROM desk_generation")).scalar_one())


def keep_mark(session: Session, mark: ExportMark, read_at: int | None, before_write: int | None) -> None:
    """Store ``mark`` with the generation the session now sees, or drop the folder's mark.

    ``read_at``: the generation the export read its data at; ``before_write``: the generation this write
    transaction found before recording the export's snapshot. When they differ, someone changed the desk
    while the export ran: the bundle may be older than the desk, so no mark says it is up to date.
    """
    session.execute(text("DELETE FROM export_marks WHERE out_dir = :out_dir"), {"out_dir": mark.out_dir})
    if read_at is None or read_at != before_write:
        return
    session.flush()  # the snapshot's insert has bumped the generation: the mark records it after
    now_at = generation(session)
    session.execute(
        text(
            "INSERT INTO export_marks (out_dir, section_id, generation, include_unapproved, overridden,"
            " generator, listing, file_count, exported_at, summary) VALUES (:out_dir, :section_id,"
            " :generation, :include_unapproved, :overridden, :generator, :listing, :file_count,"
            " :exported_at, :summary)"
        ),
        {
            "out_dir": mark.out_dir,
            "section_id": mark.section_id,
            "generation": now_at,
            "include_unapproved": int(mark.include_unapproved),
            "overridden": int(mark.overridden),
            "generator": mark.generator,
            "listing": mark.listing,
            "file_count": mark.file_count,
            "exported_at": stored_time(mark.exported_at),
            "summary": mark.summary,
        },
    )


def stored_time(when: datetime) -> str:
    """``when`` as SQLAlchemy stores a UTC datetime in SQLite (``models.UTCDateTime``): text that sorts."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
