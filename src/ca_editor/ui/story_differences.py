"""Mine against theirs, field by field, when two editors saved one story: what differs and who changed it.

Qt-free pieces of the story conflict (``ui/conflicts.py``): each differing field as a person reads it, with
whether I or they changed it since the story was opened; the copy of my fields that *Keep mine as a copy*
saves; the sentence saying who changed the story and when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from ca_editor.domain.focus import format_focus
from ca_editor.domain.local_time import clock_time
from ca_editor.domain.model import FIELD_LABELS, StoryFields, StoryStatus
from ca_editor.domain.slugs import MAX_SLUG_LENGTH, make_slug, unique_slug
from ca_editor.domain.text import shorten
from ca_editor.domain.validation import MAX_LENGTHS

COPY_SUFFIX = " (copy)"

#: The fields compared, in form order (their names on screen: ``FIELD_LABELS``).
_COMPARED = (
    "title", "slug", "summary", "body", "byline", "published_at", "status", "tags",
    "image_sha256", "image_alt", "image_caption", "image_credit", "image_focus",
)  # fmt: skip
_MULTILINE = frozenset({"summary", "body"})


def field_text(fields: StoryFields, name: str) -> str:
    """A field as a person reads it (dates in local time, tags joined, an image by its short hash)."""
    value = getattr(fields, name)
    if name == "published_at":
        return f"{value.astimezone():%Y-%m-%d %H:%M}" if value is not None else "(no date)"
    if name == "tags":
        return ", ".join(value) if value else "(no tags)"
    if name == "image_sha256":
        return f"image {value[:12]}" if value else "(no image)"
    if name == "image_focus":
        return format_focus(value)
    if isinstance(value, StoryStatus):
        return value.value
    return str(value)


@dataclass(frozen=True, slots=True)
class FieldDifference:
    name: str
    label: str
    mine: str
    theirs: str
    changed_by_me: bool  # since the story was opened
    changed_by_them: bool

    @property
    def multiline(self) -> bool:
        return self.name in _MULTILINE


def story_differences(opened: StoryFields, mine: StoryFields, theirs: StoryFields) -> list[FieldDifference]:
    """The fields where mine and theirs differ, in form order, each with who changed it since opening."""
    result = []
    for name in _COMPARED:
        label = FIELD_LABELS[name]
        mine_value, theirs_value = getattr(mine, name), getattr(theirs, name)
        if mine_value == theirs_value:
            continue
        result.append(
            FieldDifference(
                name,
                label,
                field_text(mine, name),
                field_text(theirs, name),
                changed_by_me=mine_value != getattr(opened, name),
                changed_by_them=theirs_value != getattr(opened, name),
            )
        )
    return result


def copy_fields(mine: StoryFields, slug_taken: Callable[[str], bool]) -> StoryFields:
    """My fields as a new draft: title + " (copy)", a slug no other story has. Draft, so it never goes
    out with the next export beside the original by accident."""
    limit = MAX_LENGTHS["title"] - len(COPY_SUFFIX)
    title = mine.title.strip()[:limit].rstrip() + COPY_SUFFIX
    base = (mine.slug or make_slug(mine.title))[: MAX_SLUG_LENGTH - len("-copy")].rstrip("-") + "-copy"
    return replace(mine, title=title, slug=unique_slug(base, slug_taken), status=StoryStatus.DRAFT)


def changed_by_line(title: str, who: str, when: datetime | None) -> str:
    """“Title” was changed by NAME at 14:05 since you opened it."""
    at = f" at {clock_time(when)}" if when is not None else ""
    return f"“{shorten(title, 60)}” was changed by {who or 'someone else'}{at} since you opened it."
