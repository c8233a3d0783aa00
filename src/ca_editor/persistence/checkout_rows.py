"""The check-out tables (migration 0018) as ORM rows, and a story's fields as the merge compares them.

``CheckoutRow`` lives on the shared desk; ``CheckoutOriginRow`` and ``BaseStoryRow`` on a laptop desk made
by ``ca-editor checkout`` (``persistence/checkout_copy.py``). ``story_fields`` turns a story's columns, read
through the ORM or as plain rows of either engine, into the JSON-able mapping the three-way merge works on
(``domain/merge.py``): base, theirs and mine must come out of one function or equal stories would differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ca_editor.persistence.models import Base, UTCDateTime

#: The story columns the merge compares, in StoryFields' order (``image_focus`` is two columns).
STORY_FIELD_COLUMNS = (
    "slug",
    "title",
    "summary",
    "body",
    "byline",
    "published_at",
    "status",
    "tags",
    "image_sha256",
    "image_alt",
    "image_caption",
    "image_credit",
    "image_focus_x",
    "image_focus_y",
)


class CheckoutRow(Base):
    """A section taken offline from this (shared) desk, and how that ended."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(36), unique=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    taken_by: Mapped[str] = mapped_column(String(120))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_to: Mapped[str] = mapped_column(Text, default="", server_default="")
    months: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class CheckoutOriginRow(Base):
    """On a laptop desk: where its section came from, the base of its block, whether it went back."""

    __tablename__ = "checkout_origin"

    token: Mapped[str] = mapped_column(String(36), primary_key=True)
    section_id: Mapped[int] = mapped_column(Integer)
    origin_url: Mapped[str] = mapped_column(Text)  # never with a password
    taken_by: Mapped[str] = mapped_column(String(120))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    months: Mapped[int] = mapped_column(Integer)
    base: Mapped[dict[str, Any]] = mapped_column(JSON)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class BaseStoryRow(Base):
    """On a laptop desk: a story it took, as it was at the check-out. ``created_at`` tells the taken story
    from another one written later under its id (``services/merge_sides.py``)."""

    __tablename__ = "checkout_base_stories"

    story_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def story_fields(columns: Mapping[str, Any]) -> dict[str, Any]:
    """A story's fields, JSON-able and the same whichever engine or API read them: a time as ISO text in
    UTC, tags as a list, the focal point as ``[x, y]`` or None."""
    published = columns["published_at"]
    if isinstance(published, datetime):
        aware = published if published.tzinfo else published.replace(tzinfo=UTC)
        published = aware.astimezone(UTC).isoformat()
    x, y = columns["image_focus_x"], columns["image_focus_y"]
    return {
        "slug": columns["slug"],
        "title": columns["title"],
        "summary": columns["summary"] or "",
        "body": columns["body"] or "",
        "byline": columns["byline"] or "",
        "published_at": published,
        "status": columns["status"],
        "tags": list(columns["tags"] or ()),
        "image_sha256": columns["image_sha256"],
        "image_alt": columns["image_alt"] or "",
        "image_caption": columns["image_caption"] or "",
        "image_credit": columns["image_credit"] or "",
        "image_focus": [float(x), float(y)] if x is not None and y is not None else None,
    }
