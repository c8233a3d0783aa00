"""ORM rows to domain values. Called inside a session; what it returns is safe to keep after it closes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ca_editor.domain.model import (
    ImageAsset,
    Section,
    Slot,
    SlotOverrides,
    StatusChange,
    Story,
    StoryImage,
    StoryStatus,
    StorySummary,
)
from ca_editor.domain.schedule import LayoutVariant
from ca_editor.persistence.models import (
    AssetRow,
    LayoutVariantRow,
    SectionRow,
    SlotRow,
    StatusChangeRow,
    StoryRow,
)
from ca_editor.persistence.people import shown_name


def asset_from_row(row: AssetRow) -> ImageAsset:
    return ImageAsset(row.sha256, row.media_type, row.width, row.height, row.byte_size)


def focus_of(x: float | None, y: float | None) -> tuple[float, float] | None:
    """A focal point from its two nullable columns: both set, or the centre (None)."""
    return (x, y) if x is not None and y is not None else None


def story_from_row(row: StoryRow) -> Story:
    image = (
        StoryImage(
            asset_from_row(row.image),
            row.image_alt,
            row.image_caption,
            row.image_credit,
            focus_of(row.image_focus_x, row.image_focus_y),
        )
        if row.image is not None
        else None
    )
    return Story(
        id=row.id,
        slug=row.slug,
        title=row.title,
        summary=row.summary,
        body=row.body,
        byline=row.byline,
        published_at=row.published_at,
        status=StoryStatus(row.status),
        tags=tuple(row.tags or ()),
        image=image,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=shown_name(Session.object_session(row), row.updated_by or ""),
    )


def summary_from_columns(
    story_id: int, slug: str, title: str, published_at: datetime | None, status: str, in_slots: object
) -> StorySummary:
    return StorySummary(story_id, slug, title, published_at, StoryStatus(status), bool(in_slots))


def section_from_row(row: SectionRow) -> Section:
    return Section(
        row.id,
        row.slug,
        row.title,
        row.description,
        row.slot_count,
        row.version,
        row.updated_at,
        shown_name(Session.object_session(row), row.updated_by or ""),
        row.teaser_limit or None,  # 0 is stored for "no advice"
        row.archived_at is not None,
    )


def slot_from_row(row: SlotRow) -> Slot:
    image = None
    if row.image_override is not None:
        focus = focus_of(row.image_override_focus_x, row.image_override_focus_y)
        image = StoryImage(asset_from_row(row.image_override), row.image_override_alt or "", focus=focus)
    overrides = SlotOverrides(row.headline_override, row.summary_override, image)
    return Slot(id=row.id, position=row.position + 1, story=story_from_row(row.story), overrides=overrides)


def status_change_from_row(row: StatusChangeRow) -> StatusChange:
    return StatusChange(
        row.story_id,
        StoryStatus(row.from_status) if row.from_status else None,
        StoryStatus(row.to_status),
        shown_name(Session.object_session(row), row.changed_by),
        row.changed_at,
        row.note,
    )


def variant_from_row(row: LayoutVariantRow) -> LayoutVariant:
    return LayoutVariant(
        id=row.id,
        section_id=row.section_id,
        name=row.name,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )
