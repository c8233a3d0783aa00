"""Layout snapshots: the editor's-choice block as it stood at a sign-off, a send-back or an export.

A snapshot is self-contained: besides the slot entries it keeps the texts of the stories in the block, so
it still says what the page showed after those stories were edited or deleted, and two snapshots can be
compared field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ca_editor.domain.model import SlotEntry, Story


class SnapshotKind(StrEnum):
    SIGN_OFF = "sign_off"
    SEND_BACK = "send_back"
    EXPORT = "export"

    @property
    def label(self) -> str:
        return {"sign_off": "Signed off", "send_back": "Sent back", "export": "Exported"}[self.value]


@dataclass(frozen=True, slots=True)
class SnapshotStory:
    """The fields of a story a reviewer compares; dates as ISO 8601 text so the JSON round-trips exactly."""

    id: int
    slug: str
    title: str
    summary: str
    body: str
    byline: str
    published_at: str | None
    status: str
    tags: tuple[str, ...]
    image_sha256: str | None
    image_alt: str
    image_caption: str
    image_credit: str
    version: int
    image_focus: tuple[float, float] | None = None  # absent from snapshots taken before 0008

    @classmethod
    def of(cls, story: Story) -> SnapshotStory:
        image = story.image
        return cls(
            id=story.id,
            slug=story.slug,
            title=story.title,
            summary=story.summary,
            body=story.body,
            byline=story.byline,
            published_at=story.published_at.isoformat() if story.published_at else None,
            status=story.status.value,
            tags=story.tags,
            image_sha256=image.asset.sha256 if image else None,
            image_alt=image.alt if image else "",
            image_caption=image.caption if image else "",
            image_credit=image.credit if image else "",
            version=story.version,
            image_focus=image.focus if image else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {
            "tags": list(self.tags),
            "image_focus": _focus_json(self.image_focus),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SnapshotStory:
        return cls(
            **{**data, "tags": tuple(data.get("tags", ())), "image_focus": _focus(data.get("image_focus"))}
        )


@dataclass(frozen=True, slots=True)
class SnapshotContent:
    section_title: str
    section_description: str
    slot_count: int
    entries: tuple[SlotEntry, ...]
    stories: Mapping[int, SnapshotStory] = field(default_factory=dict)  # by story id: those in ``entries``
    # The rest of the section's settings; None in snapshots taken before they were recorded (the layout
    # diff then says nothing about them rather than a change from nothing).
    section_slug: str | None = None
    teaser_limit: int | None = None  # characters; 0 = the teaser advice is off

    def to_json(self) -> dict[str, Any]:
        settings = {"section_slug": self.section_slug, "teaser_limit": self.teaser_limit}
        return {
            "section_title": self.section_title,
            "section_description": self.section_description,
            "slot_count": self.slot_count,
            **{name: value for name, value in settings.items() if value is not None},
            "entries": [
                {
                    "story_id": e.story_id,
                    "headline": e.headline,
                    "summary": e.summary,
                    "image_sha256": e.image_sha256,
                    "image_alt": e.image_alt,
                    "image_focus": _focus_json(e.image_focus),
                }
                for e in self.entries
            ],
            "stories": [self.stories[k].to_json() for k in sorted(self.stories)],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SnapshotContent:
        stories = (SnapshotStory.from_json(s) for s in data.get("stories", ()))
        return cls(
            section_title=str(data.get("section_title", "")),
            section_description=str(data.get("section_description", "")),
            slot_count=int(data.get("slot_count", 0)),
            entries=tuple(
                SlotEntry(**{**e, "image_focus": _focus(e.get("image_focus"))})
                for e in data.get("entries", ())
            ),
            stories={s.id: s for s in stories},
            section_slug=_text_or_none(data.get("section_slug")),
            teaser_limit=_int_or_none(data.get("teaser_limit")),
        )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _focus_json(focus: tuple[float, float] | None) -> list[float] | None:
    return list(focus) if focus is not None else None


def _focus(value: Any) -> tuple[float, float] | None:
    """A focal point read back from JSON (a list); None for snapshots taken before focal points."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    return (float(value[0]), float(value[1]))


@dataclass(frozen=True, slots=True)
class LayoutSnapshot:
    id: int
    section_id: int
    kind: SnapshotKind
    taken_at: datetime
    taken_by: str
    note: str
    section_version: int
    content: SnapshotContent
    variant_id: int | None = None  # the scheduled variant it is about (issue 16); None: the main layout
