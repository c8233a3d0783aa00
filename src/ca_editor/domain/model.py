"""The nouns of the desk, as immutable values handed between layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ca_editor.domain.schedule import LayoutVariant


class StoryStatus(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    APPROVED = "approved"
    PUBLISHED = "published"


#: Statuses a reader may see; anything else in an export is reported as a problem.
PUBLISHABLE_STATUSES = frozenset({StoryStatus.APPROVED, StoryStatus.PUBLISHED})
DEFAULT_TEASER_LIMIT = 400  # a new section's teaser advice: phones cut longer card summaries

_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


@dataclass(frozen=True, slots=True)
class ImageAsset:
    """An image stored once by the sha256 of its bytes."""

    sha256: str
    media_type: str
    width: int
    height: int
    byte_size: int

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.media_type]

    @property
    def file_name(self) -> str:
        # Named by content, never by anything a user typed: safe on every file system and stable.
        return f"{self.sha256[:24]}.{self.extension}"


@dataclass(frozen=True, slots=True)
class StoryImage:
    asset: ImageAsset
    alt: str = ""
    caption: str = ""
    credit: str = ""
    # Where the crop centres: fractions (x, y) in 0..1 of the width and height after EXIF orientation.
    focus: tuple[float, float] | None = None  # None: the centre


@dataclass(frozen=True, slots=True)
class StoryFields:
    """Everything an editor can set on a story; the input of create and update."""

    title: str
    slug: str = ""
    summary: str = ""
    body: str = ""
    byline: str = ""
    published_at: datetime | None = None
    status: StoryStatus = StoryStatus.DRAFT
    tags: tuple[str, ...] = ()
    image_sha256: str | None = None
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""
    image_focus: tuple[float, float] | None = None  # see StoryImage.focus


#: What each story field is called on screen, everywhere: the editor's rows and problems, the conflict
#: differences, the layout comparison. Keys are ``StoryFields`` names, plus "image": the picture as a whole,
#: as validation problems name it.
FIELD_LABELS: dict[str, str] = {
    "title": "Title",
    "slug": "Slug",
    "summary": "Summary",
    "body": "Body",
    "byline": "Byline",
    "published_at": "Publication date",
    "status": "Status",
    "tags": "Tags",
    "image": "Image",
    "image_sha256": "Image",
    "image_alt": "Alt text",
    "image_caption": "Image caption",
    "image_credit": "Image credit",
    "image_focus": "Image focal point",
}


@dataclass(frozen=True, slots=True)
class Story:
    id: int
    slug: str
    title: str
    summary: str
    body: str
    byline: str
    published_at: datetime | None
    status: StoryStatus
    tags: tuple[str, ...]
    image: StoryImage | None
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str = ""  # who saved this version, as their name setting said then

    @classmethod
    def from_fields(
        cls,
        fields: StoryFields,
        *,
        story_id: int,
        image: ImageAsset | None,
        version: int,
        created_at: datetime,
        updated_at: datetime,
    ) -> Story:
        """The story ``fields`` describe (``image`` is the asset ``fields.image_sha256`` names): the inverse
        of ``fields()``, for a value that is not saved yet, such as the editor's unsaved form."""
        return cls(
            id=story_id,
            slug=fields.slug,
            title=fields.title,
            summary=fields.summary,
            body=fields.body,
            byline=fields.byline,
            published_at=fields.published_at,
            status=fields.status,
            tags=fields.tags,
            image=StoryImage(
                image, fields.image_alt, fields.image_caption, fields.image_credit, fields.image_focus
            )
            if image
            else None,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
        )

    def fields(self) -> StoryFields:
        return StoryFields(
            title=self.title,
            slug=self.slug,
            summary=self.summary,
            body=self.body,
            byline=self.byline,
            published_at=self.published_at,
            status=self.status,
            tags=self.tags,
            image_sha256=self.image.asset.sha256 if self.image else None,
            image_alt=self.image.alt if self.image else "",
            image_caption=self.image.caption if self.image else "",
            image_credit=self.image.credit if self.image else "",
            image_focus=self.image.focus if self.image else None,
        )


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of a story's workflow: ``from_status`` is None for the status it was created with."""

    story_id: int
    from_status: StoryStatus | None
    to_status: StoryStatus
    changed_by: str
    changed_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class StorySummary:
    """One row of the story list: what a table needs, nothing more."""

    id: int
    slug: str
    title: str
    published_at: datetime | None
    status: StoryStatus
    in_editors_choice: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    id: int
    slug: str
    title: str
    description: str
    slot_count: int
    version: int = 0  # bumped by every change to the section or its block; two editors collide on it
    updated_at: datetime | None = None
    updated_by: str = ""  # who made the change that produced ``version``
    # Cards whose summary is longer get the checklist's "phones cut teasers" advice; None: no advice.
    teaser_limit: int | None = DEFAULT_TEASER_LIMIT
    archived: bool = False  # kept with its history, but not live: ``export --all`` and the window skip it


@dataclass(frozen=True, slots=True)
class SlotOverrides:
    """Per-page replacements for a story's headline, summary or image; ``None`` means 'use the story's'."""

    headline: str | None = None
    summary: str | None = None
    image: StoryImage | None = None

    @property
    def any(self) -> bool:
        return self.headline is not None or self.summary is not None or self.image is not None


@dataclass(frozen=True, slots=True)
class SlotEntry:
    """A slot without identity: which story, with which overrides. Layout snapshots are lists of these."""

    story_id: int
    headline: str | None = None
    summary: str | None = None
    image_sha256: str | None = None
    image_alt: str | None = None
    image_focus: tuple[float, float] | None = None  # the override image's focal point (StoryImage.focus)


@dataclass(frozen=True, slots=True)
class Slot:
    id: int
    position: int  # 1-based, as editors count
    story: Story
    overrides: SlotOverrides = field(default_factory=SlotOverrides)

    @property
    def headline(self) -> str:
        return self.overrides.headline if self.overrides.headline is not None else self.story.title

    @property
    def summary(self) -> str:
        return self.overrides.summary if self.overrides.summary is not None else self.story.summary

    @property
    def image(self) -> StoryImage | None:
        return self.overrides.image if self.overrides.image is not None else self.story.image

    def entry(self) -> SlotEntry:
        image = self.overrides.image
        return SlotEntry(
            self.story.id,
            self.overrides.headline,
            self.overrides.summary,
            image.asset.sha256 if image else None,
            image.alt if image else None,
            image.focus if image else None,
        )


@dataclass(frozen=True, slots=True)
class SectionLayout:
    section: Section
    slots: tuple[Slot, ...]
    variant: LayoutVariant | None = None  # the scheduled variant this block is (issue 16); None: the main one

    @property
    def empty_slots(self) -> int:
        return max(0, self.section.slot_count - len(self.slots))

    def entries(self) -> tuple[SlotEntry, ...]:
        return tuple(slot.entry() for slot in self.slots)

    def story_ids(self) -> tuple[int, ...]:
        return tuple(slot.story.id for slot in self.slots)


@dataclass(frozen=True, slots=True)
class FormerSlot:
    """A story that was in the block and was taken out: the 'previously in editor's choice' list."""

    story: StorySummary
    last_position: int  # 1-based
    removed_at: datetime
    entry: SlotEntry  # the overrides it had, so putting it back restores them
