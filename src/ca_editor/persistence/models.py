"""ORM rows. They never leave the service layer: services turn them into domain dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, WriteOnlyMapped, mapped_column, relationship

STATUSES = ("draft", "ready", "approved", "published")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if isinstance(value, datetime) else None


class Base(DeclarativeBase):
    pass


class AssetRow(Base):
    __tablename__ = "assets"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SectionRow(Base):
    __tablename__ = "sections"
    __table_args__ = (CheckConstraint("slot_count BETWEEN 1 AND 48", name="slot_count_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    slot_count: Mapped[int] = mapped_column(Integer, default=8)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The checklist's teaser advice for this page (0011); 0: off (domain: None). Not NULL for "off": the ORM
    # would send the default for an explicit None.
    teaser_limit: Mapped[int] = mapped_column(Integer, default=400, server_default="400")
    # When the section was archived (0017): kept with its history, but not live (``export --all``, the
    # window's first choice); NULL while live.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)

    # The main layout's block: the slots of no variant (0019); a variant's: ``LayoutVariantRow.slots``.
    slots: Mapped[list[SlotRow]] = relationship(
        primaryjoin="and_(SectionRow.id == SlotRow.section_id, SlotRow.variant_id.is_(None))",
        order_by="SlotRow.position",
        cascade="all, delete-orphan",
        overlaps="slots",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it at class creation


class LayoutVariantRow(Base):
    """A scheduled variant of a section's block (0019): live from ``starts_at`` until ``ends_at`` (UTC).

    Its slots, former slots and layout snapshots (sign-offs) carry its id; theirs with NULL are the main
    layout's. Removing a variant removes them with it.
    """

    __tablename__ = "layout_variants"
    __table_args__ = (UniqueConstraint("section_id", "slug", name="uq_layout_variants_section_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80))  # its page's file name: variants/<slug>.html
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="", server_default="")

    slots: Mapped[list[SlotRow]] = relationship(
        order_by="SlotRow.position", cascade="all, delete-orphan", passive_deletes=True, overlaps="slots"
    )


class StoryRow(Base):
    __tablename__ = "stories"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        Index("ix_stories_published_at", "published_at"),
        Index("ix_stories_status_published_at", "status", "published_at"),
        Index("ix_stories_title", "title"),  # the story list sorts and pages by title
        # On PostgreSQL the three list indexes end in id, and stories has search_vector (a generated tsvector,
        # GIN-indexed): migration 0012. Not mapped here: SQLite has neither (persistence.search names it).
        # Covers the incremental export's scan (status, version, image; id is the rowid): no body pages read.
        Index("ix_stories_export_scan", "status", "version", "image_sha256"),
        Index("ix_stories_source_guid", "source_guid"),
        Index("ix_stories_source_link", "source_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    byline: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    image_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("assets.sha256", ondelete="RESTRICT"), nullable=True
    )
    image_alt: Mapped[str] = mapped_column(Text, default="")
    image_caption: Mapped[str] = mapped_column(Text, default="")
    image_credit: Mapped[str] = mapped_column(String(300), default="")
    # The image's focal point as fractions of its oriented width and height; NULL: the centre (0008).
    image_focus_x: Mapped[float | None] = mapped_column(Float, nullable=True)
    image_focus_y: Mapped[float | None] = mapped_column(Float, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Where a wire import found the story: later imports of the same feed update it instead of duplicating.
    source_guid: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    source_link: Mapped[str | None] = mapped_column(String(2000), nullable=True)

    image: Mapped[AssetRow | None] = relationship(lazy="joined")
    # Write-only: recording a change appends a row without loading the story's whole history.
    status_changes: WriteOnlyMapped[StatusChangeRow] = relationship(
        order_by="StatusChangeRow.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SlotRow(Base):
    __tablename__ = "slots"
    # No UNIQUE on (section_id, position): positions are renumbered in place, and SQLite checks row by row.
    __table_args__ = (Index("ix_slots_section_position", "section_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    # The variant whose block it is in (0019); NULL: the main layout's.
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("layout_variants.id", ondelete="CASCADE"), nullable=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # 0-based, contiguous per section
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    headline_override: Mapped[str | None] = mapped_column(String(300), nullable=True)
    summary_override: Mapped[str | None] = mapped_column(Text, nullable=True)
    image_override_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("assets.sha256", ondelete="RESTRICT"), nullable=True
    )
    image_override_alt: Mapped[str | None] = mapped_column(Text, nullable=True)
    image_override_focus_x: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0008
    image_override_focus_y: Mapped[float | None] = mapped_column(Float, nullable=True)

    section: Mapped[SectionRow] = relationship(viewonly=True)
    story: Mapped[StoryRow] = relationship(lazy="joined")
    image_override: Mapped[AssetRow | None] = relationship(lazy="joined")


class FormerSlotRow(Base):
    """A story that left a section's editor's-choice block, with the overrides it had, to put back later."""

    __tablename__ = "former_slots"
    # Once per layout: the main layout's (variant NULL) per section, a variant's per variant (0019).
    __table_args__ = (
        Index(
            "uq_former_slots_main_story",
            "section_id",
            "story_id",
            unique=True,
            sqlite_where=text("variant_id IS NULL"),
            postgresql_where=text("variant_id IS NULL"),
        ),
        UniqueConstraint("variant_id", "story_id", name="uq_former_slots_variant_story"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("layout_variants.id", ondelete="CASCADE"), nullable=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    last_position: Mapped[int] = mapped_column(Integer)  # 0-based, like SlotRow.position
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    headline_override: Mapped[str | None] = mapped_column(String(300), nullable=True)
    summary_override: Mapped[str | None] = mapped_column(Text, nullable=True)
    image_override_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("assets.sha256", ondelete="RESTRICT"), nullable=True
    )
    image_override_alt: Mapped[str | None] = mapped_column(Text, nullable=True)
    image_override_focus_x: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0008
    image_override_focus_y: Mapped[float | None] = mapped_column(Float, nullable=True)

    story: Mapped[StoryRow] = relationship(lazy="joined")


RENDER_SCAN_INDEX = "ix_rendered_bodies_scan"  # named by the export scan (``INDEXED BY``)


class RenderedBodyRow(Base):
    """A story body rendered and sanitised once per edit; valid for one story version and renderer version.

    Filled when a story is saved and, for misses (an import, a renderer upgrade), by the next export.
    """

    __tablename__ = "rendered_bodies"
    # Covers the export scan's join (version check and body hash) without reading the wide rows (0007).
    __table_args__ = (
        Index(RENDER_SCAN_INDEX, "story_id", "story_version", "renderer_version", "html_sha256"),
    )

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    story_version: Mapped[int] = mapped_column(Integer)
    renderer_version: Mapped[str] = mapped_column(String(120))
    source_sha256: Mapped[str] = mapped_column(String(64))
    html_sha256: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)


class StatusChangeRow(Base):
    """One move of a story along draft → ready → approved → published (or back), with who and when."""

    __tablename__ = "story_status_changes"
    __table_args__ = (Index("ix_story_status_changes_story", "story_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None: the story was created
    to_status: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


SNAPSHOT_KINDS = ("sign_off", "send_back", "export")


class LayoutSnapshotRow(Base):
    """The block, and the texts of the stories in it, at a sign-off, a send-back or an export.

    ``content`` is ``domain.snapshots.SnapshotContent.to_json()``: self-contained, so a snapshot still
    describes the page after its stories were edited or deleted.
    """

    __tablename__ = "layout_snapshots"
    __table_args__ = (
        CheckConstraint(f"kind IN {SNAPSHOT_KINDS!r}", name="snapshot_kind_known"),
        Index("ix_layout_snapshots_section", "section_id", "kind", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    # The variant it is about (0019); NULL: the main layout. Sign-offs are per layout.
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("layout_variants.id", ondelete="CASCADE"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    section_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)


class PersonRow(Base):
    """A database login and the name shown for it, given once by the person (migration 0015)."""

    __tablename__ = "people"

    login: Mapped[str] = mapped_column(String(120), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))


class SectionChiefRow(Base):
    """A login whose sign-off counts as approval of the section on a shared desk."""

    __tablename__ = "section_chiefs"

    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), primary_key=True)
    login: Mapped[str] = mapped_column(String(120), primary_key=True)


class SignOffRow(Base):
    """The approval beside a sign-off snapshot: the row a role without INSERT here cannot write (grants)."""

    __tablename__ = "sign_offs"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("layout_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    signed_by: Mapped[str] = mapped_column(String(120))


class PresenceRow(Base):
    """One open desk window: who, which section, which story in its editor; kept fresh by a heartbeat.

    Not data: a row expires when its heartbeat stops (``services/presence.py``); no foreign keys, so it
    never stands in the way of deleting a story or a section (migration 0014). On SQLite the rows live in a
    file beside the desk (``persistence/presence_store.py``).
    """

    __tablename__ = "presence"
    __table_args__ = (Index("ix_presence_section_seen", "section_id", "seen_at"),)

    token: Mapped[str] = mapped_column(String(36), primary_key=True)
    person: Mapped[str] = mapped_column(String(120))
    section_id: Mapped[int] = mapped_column(Integer)
    story_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unsaved: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    editing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
