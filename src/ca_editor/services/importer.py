"""JSON Lines import: one story per line, one transaction per file.

Every line is parsed and checked before anything is written, so a bad line imports nothing and the message
names the line and the field. Stories whose slug exists are updated, not duplicated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ca_editor.domain.dates import DateParseError, parse_published_at
from ca_editor.domain.errors import ImportFailedError, ValidationError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.slugs import make_slug, unique_slug
from ca_editor.domain.validation import errors_only, validate_story
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import StoryRow
from ca_editor.services.identity import Identity
from ca_editor.services.images import MAX_IMAGE_BYTES, store_image
from ca_editor.services.stories import apply_fields, slug_taken

MAX_FILE_BYTES = 512 * 1024 * 1024
STRING_KEYS = (
    "title",
    "slug",
    "summary",
    "body",
    "byline",
    "image",
    "image_alt",
    "image_caption",
    "image_credit",
)
KNOWN_KEYS = frozenset({*STRING_KEYS, "published_at", "tags", "status"})


@dataclass(frozen=True, slots=True)
class ImportRecord:
    line: int
    fields: StoryFields
    explicit_slug: bool
    image_name: str = ""
    image_path: Path | None = None  # checked while parsing, read only while writing: one image in memory


@dataclass(frozen=True, slots=True)
class ImportReport:
    source: str
    created: tuple[str, ...]
    updated: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated)


class ImportService:
    def __init__(self, db: Database, identity: Identity | None = None) -> None:
        self._db = db
        self._identity = identity or Identity()

    def import_jsonl(self, path: Path) -> ImportReport:
        records = read_jsonl(path)
        with self._db.write(self._identity.name) as session:
            return write_records(session, records, source=path.name)


def read_jsonl(path: Path) -> list[ImportRecord]:
    source = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailedError(
                source, None, None, f"the file is {size / 2**20:.0f} MB; the limit is 512 MB"
            )
        raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")  # editors on Windows save a BOM
    except OSError as exc:
        raise ImportFailedError(source, None, None, f"cannot read the file ({exc.strerror or exc})") from exc
    records: list[ImportRecord] = []
    seen_slugs: dict[str, int] = {}
    for number, raw_line in enumerate(raw.splitlines(), start=1):
        if not raw_line.strip():
            continue
        record = _parse_line(raw_line, number, source, path.parent)
        if record.explicit_slug:
            if record.fields.slug in seen_slugs:
                raise ImportFailedError(
                    source,
                    number,
                    "slug",
                    f"'{record.fields.slug}' is also on line {seen_slugs[record.fields.slug]}",
                )
            seen_slugs[record.fields.slug] = number
        records.append(record)
    if not records:
        raise ImportFailedError(source, None, None, "the file holds no stories")
    return records


def write_records(session: Session, records: Iterable[ImportRecord], *, source: str) -> ImportReport:
    """Create or update a story per record inside the caller's transaction."""
    created: list[str] = []
    updated: list[str] = []
    written: dict[str, int] = {}  # slug -> line, for stories this import has already written
    images: dict[Path, str] = {}  # the same picture on many lines is read and stored once
    for record in records:
        fields = record.fields
        try:
            if record.image_path is not None:
                if record.image_path not in images:
                    data = _read_image(record.image_path, record.image_name, record.line, source)
                    name = f"the image '{_short(record.image_name)}'"
                    images[record.image_path] = store_image(session, data, name=name).sha256
                fields = replace(fields, image_sha256=images[record.image_path])
            row = _existing(session, record)
            if row is not None and row.slug in written:
                if record.explicit_slug:
                    raise ImportFailedError(
                        source,
                        record.line,
                        "slug",
                        f"'{row.slug}' was already given to line {written[row.slug]}",
                    )
                row = None  # same title as an earlier line of this file: a second story, not an update
            is_new = row is None
            if row is None:
                row = StoryRow()
                if not record.explicit_slug:
                    fields = replace(fields, slug=unique_slug(fields.slug, lambda s: slug_taken(session, s)))
            apply_fields(session, row, fields)
            session.add(row)  # only now: an autoflush must never see a half-filled row
            session.flush()
        except ValidationError as exc:
            problem = exc.problems[0]
            raise ImportFailedError(source, record.line, problem.field, problem.message) from exc
        (created if is_new else updated).append(row.slug)
        written[row.slug] = record.line
    return ImportReport(source, tuple(created), tuple(updated))


def _parse_line(raw_line: bytes, number: int, source: str, base: Path) -> ImportRecord:
    def fail(field: str | None, message: str) -> ImportFailedError:
        return ImportFailedError(source, number, field, message)

    try:
        data: Any = json.loads(raw_line.decode("utf-8"))
    except UnicodeDecodeError:
        raise fail(None, "the line is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise fail(None, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise fail(None, "the JSON is nested too deeply to be a story") from None
    if not isinstance(data, dict):
        raise fail(None, "each line must be one JSON object")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key; the known keys are {', '.join(sorted(KNOWN_KEYS))}")
    for key in STRING_KEYS:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise fail(key, f"must be a string, not {type(data[key]).__name__}")
    title = data.get("title") or ""
    if not title.strip():
        raise fail("title", "a story needs a title")
    published_at = None
    if data.get("published_at") is not None:
        if not isinstance(data["published_at"], str):
            raise fail("published_at", "must be an ISO 8601 date string")
        try:
            published_at = parse_published_at(data["published_at"])
        except DateParseError as exc:
            raise fail("published_at", str(exc)) from None
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail("tags", "must be a list of strings")
    try:
        status = StoryStatus(data.get("status") or "draft")
    except ValueError:
        raise fail("status", f"must be one of {', '.join(s.value for s in StoryStatus)}") from None
    explicit_slug = bool(data.get("slug"))
    image_path = _image_path(data["image"], base, fail) if data.get("image") else None
    fields = StoryFields(
        title=title,
        slug=data.get("slug") or make_slug(title),
        summary=data.get("summary") or "",
        body=data.get("body") or "",
        byline=data.get("byline") or "",
        published_at=published_at,
        status=status,
        tags=tuple(t.strip() for t in tags),
        image_alt=data.get("image_alt") or "",
        image_caption=data.get("image_caption") or "",
        image_credit=data.get("image_credit") or "",
    )
    problems = errors_only(validate_story(fields))
    if problems:
        raise fail(problems[0].field, problems[0].message)
    return ImportRecord(number, fields, explicit_slug, data.get("image") or "", image_path)


def _image_path(relative: str, base: Path, fail: Any) -> Path:
    pure = PurePosixPath(relative.replace("\\", "/"))
    if "\x00" in relative or pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise fail("image", f"'{_short(relative)}' must be a path inside the import file's folder")
    path = (base / pure).resolve()
    if not path.is_relative_to(base.resolve()):
        raise fail("image", f"'{_short(relative)}' leads outside the import file's folder")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise fail("image", f"cannot read '{_short(relative)}' ({exc.strerror or exc})") from None
    if size > MAX_IMAGE_BYTES:
        raise fail("image", f"'{_short(relative)}' is larger than {MAX_IMAGE_BYTES // 2**20} MB")
    return path


def _read_image(path: Path, relative: str, line: int, source: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:  # removed or locked between parsing and writing
        message = f"cannot read '{_short(relative)}' ({exc.strerror or exc})"
        raise ImportFailedError(source, line, "image", message) from None


def _existing(session: Session, record: ImportRecord) -> StoryRow | None:
    row = session.scalar(select(StoryRow).where(StoryRow.slug == record.fields.slug))
    if row is None or record.explicit_slug:
        return row
    # A derived slug only identifies the same story when the title matches too.
    return row if row.title == record.fields.title.strip() else None


def _short(text: str | None, limit: int = 60) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
