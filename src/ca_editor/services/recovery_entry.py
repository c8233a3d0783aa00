"""One recovery file: what it holds (an unsaved form, and the story it was opened on), its key, and its JSON.

``services/recovery.py`` writes and finds these files; this module says what is in one. A file is
``<session>.<key>.json`` with ``key`` ``story-<id>`` or ``new``; reading is strict (``parse_entry`` raises
``ValueError`` for anything not exactly as ``fields_json``/``base_json`` write it), so a damaged or foreign
file is set aside instead of offered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ca_editor.domain.focus import focus_error
from ca_editor.domain.model import StoryFields, StoryStatus

FORMAT = "ca-editor-recovery"
FORMAT_VERSION = 1
NEW_KEY = "new"
#: What may stand between the session and the suffix in a file name.
KEY = re.compile(r"^(?:story-[1-9][0-9]{0,18}|new)$")
ENTRY_SUFFIX = ".json"


@dataclass(frozen=True, slots=True)
class BaseStory:
    """The story as the editor had it open when the edits were made: what a save would replace."""

    version: int
    fields: StoryFields
    created_at: datetime
    updated_at: datetime
    updated_by: str = ""


@dataclass(frozen=True, slots=True)
class RecoveredEdit:
    """One unsaved form found on disk."""

    path: Path
    session: str
    key: str  # "story-<id>" or "new"
    story_id: int | None  # None for a story that was never saved
    base: BaseStory | None  # None for a new story
    fields: StoryFields
    saved_at: datetime  # aware UTC: when the copy was written
    who: str  # the name the window recorded changes for

    @property
    def title(self) -> str:
        """The title to show for it: the edited one, else the saved one, else ''."""
        return self.fields.title.strip() or (self.base.fields.title.strip() if self.base else "")


def story_key(story_id: int | None) -> str:
    return f"story-{story_id}" if story_id is not None else NEW_KEY


def fields_json(fields: StoryFields) -> dict[str, Any]:
    """A form's fields as JSON values (dates in ISO 8601 with their zone)."""
    return {
        "title": fields.title,
        "slug": fields.slug,
        "summary": fields.summary,
        "body": fields.body,
        "byline": fields.byline,
        "published_at": fields.published_at.isoformat() if fields.published_at else None,
        "status": fields.status.value,
        "tags": list(fields.tags),
        "image_sha256": fields.image_sha256,
        "image_alt": fields.image_alt,
        "image_caption": fields.image_caption,
        "image_credit": fields.image_credit,
        "image_focus": list(fields.image_focus) if fields.image_focus is not None else None,
    }


def base_json(base: BaseStory | None) -> dict[str, Any] | None:
    """The story the form was opened on, as JSON values; ``None`` for a new story."""
    if base is None:
        return None
    return {
        "version": base.version,
        "fields": fields_json(base.fields),
        "created_at": base.created_at.isoformat(),
        "updated_at": base.updated_at.isoformat(),
        "updated_by": base.updated_by,
    }


def parse_entry(path: Path, document: object) -> RecoveredEdit:
    """The edit a recovery file holds; ``ValueError`` or ``KeyError`` for anything not as written."""
    data = _object(document, "the file")
    if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
        raise ValueError(
            f"not a recovery file of this version ({data.get('format')!r} {data.get('version')!r})"
        )
    key = _str(data, "key")
    if not KEY.match(key) or path.name != f"{path.name.split('.', 1)[0]}.{key}{ENTRY_SUFFIX}":
        raise ValueError(f"key {key!r} does not match the file name")
    story_id = data.get("story_id")
    if key == NEW_KEY:
        if story_id is not None:
            raise ValueError("a new story with a story id")
    elif not isinstance(story_id, int) or isinstance(story_id, bool) or key != story_key(story_id):
        raise ValueError(f"story_id {story_id!r} does not match the key {key!r}")
    raw_base = data.get("base")
    base = None
    if raw_base is not None:
        base_data = _object(raw_base, "base")
        version = base_data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValueError("base.version is not a number")
        base = BaseStory(
            version=version,
            fields=_fields(_object(base_data.get("fields"), "base.fields")),
            created_at=_moment(_str(base_data, "created_at")),
            updated_at=_moment(_str(base_data, "updated_at")),
            updated_by=_str(base_data, "updated_by"),
        )
    if (base is None) != (story_id is None):
        raise ValueError("a saved story needs its base version, a new one has none")
    return RecoveredEdit(
        path=path,
        session=path.name.split(".", 1)[0],
        key=key,
        story_id=story_id,
        base=base,
        fields=_fields(_object(data.get("fields"), "fields")),
        saved_at=_moment(_str(data, "saved_at")),
        who=_str(data, "who"),
    )


def _fields(data: dict[str, Any]) -> StoryFields:
    published = data.get("published_at")
    tags = data.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("tags is not a list of texts")
    image = data.get("image_sha256")
    if image is not None and not (isinstance(image, str) and re.fullmatch(r"[0-9a-f]{64}", image)):
        raise ValueError("image_sha256 is not a sha256")
    return StoryFields(
        title=_str(data, "title"),
        slug=_str(data, "slug"),
        summary=_str(data, "summary"),
        body=_str(data, "body"),
        byline=_str(data, "byline"),
        published_at=None if published is None else _moment(published),
        status=StoryStatus(_str(data, "status")),
        tags=tuple(tags),
        image_sha256=image,
        image_alt=_str(data, "image_alt"),
        image_caption=_str(data, "image_caption"),
        image_credit=_str(data, "image_credit"),
        image_focus=_focus(data.get("image_focus")),  # absent from files written before focal points
    )


def _focus(value: object) -> tuple[float, float] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
        raise ValueError("image_focus is not two numbers")
    focus = (float(value[0]), float(value[1]))
    if focus_error(focus):
        raise ValueError("image_focus lies outside the image")
    return focus


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not an object")
    return value


def _str(data: dict[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a text")
    return value


def _moment(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("a date is not a text")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment.astimezone(UTC)
