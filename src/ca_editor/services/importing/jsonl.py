"""JSON Lines, the Foundation's format: one story object per line, every line checked before planning.

A line that fails its checks is kept as an ``InvalidEntry`` and reading goes on, so a refusal can name
every bad line, and an import told to skip them can write the others.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from ca_editor.domain.errors import ImportFailedError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.slugs import make_slug
from ca_editor.services.importing.records import (
    MAX_ENTRIES,
    MAX_JSONL_BYTES,
    Cancelled,
    EntryFailedError,
    ImageHashes,
    ImportCancelledError,
    ImportRecord,
    ImportSource,
    InvalidEntry,
    Origin,
    Progress,
    check_fields,
    check_identity,
    image_path,
    parse_date,
    read_limited,
)

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
    "guid",
    "link",
)
KNOWN_KEYS = frozenset({*STRING_KEYS, "published_at", "tags", "status"})
_CARRIED = {"image": ("image_sha256", "image_alt", "image_caption", "image_credit")}


def read_jsonl(
    path: Path, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> ImportSource:
    source = path.name
    raw = read_limited(path, source, MAX_JSONL_BYTES)
    lines = raw.splitlines()
    records: list[ImportRecord] = []
    invalid: list[InvalidEntry] = []  # refused lines: the import stops at them unless told to skip
    seen_slugs: dict[str, int] = {}
    hashes = ImageHashes()
    for number, raw_line in enumerate(lines, start=1):
        if cancelled is not None and cancelled():
            raise ImportCancelledError
        if progress is not None and number % 200 == 0:
            progress(number, len(lines))
        if not raw_line.strip():
            continue
        if len(records) + len(invalid) == MAX_ENTRIES:
            raise ImportFailedError(source, number, None, f"more than {MAX_ENTRIES:,} stories in one file")
        try:
            record = _parse_line(raw_line, Origin(source, number, f"line {number}"), path.parent, hashes)
            if record.explicit_slug:
                if record.fields.slug in seen_slugs:
                    raise record.origin.fail(
                        "slug", f"'{record.fields.slug}' is also on line {seen_slugs[record.fields.slug]}"
                    )
                seen_slugs[record.fields.slug] = number
        except EntryFailedError as exc:
            invalid.append(InvalidEntry.of(exc))
            continue
        records.append(record)
    if not records and not invalid:
        raise ImportFailedError(source, None, None, "the file holds no stories")
    return ImportSource(source, "JSON Lines", tuple(records), invalid=tuple(invalid))


def _parse_line(raw_line: bytes, origin: Origin, base: Path, hashes: ImageHashes) -> ImportRecord:
    fail = origin.fail
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
            raise fail("published_at", "must be a date string such as 2024-05-20 or 2024-05-20T09:30:00Z")
        published_at = parse_date(origin, "published_at", data["published_at"])
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail("tags", "must be a list of strings")
    try:
        status = StoryStatus(data.get("status") or "draft")
    except ValueError:
        raise fail("status", f"must be one of {', '.join(s.value for s in StoryStatus)}") from None
    guid, link = check_identity(origin, data.get("guid"), data.get("link"))
    explicit_slug = bool(data.get("slug"))
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
    check_fields(origin, fields)
    path = None
    if data.get("image"):
        path = image_path(origin, data["image"], base)
        fields = replace(fields, image_sha256=hashes.of(origin, path, data["image"]))
    # A line is the whole story except status (kept unless given), guid and link: an update sets the rest,
    # so a line without an image takes the story's image away, as it always has.
    carried = {"title", "summary", "body", "byline", "published_at", "tags", *_CARRIED["image"]}
    if "status" in data:
        carried.add("status")
    return ImportRecord(
        origin,
        fields,
        explicit_slug,
        frozenset(carried),
        source_guid=guid,
        source_link=link,
        image_name=data.get("image") or "",
        image_path=path,
    )
