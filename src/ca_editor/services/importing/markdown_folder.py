"""Markdown files with YAML front matter: one story per file, from a folder (not its subfolders) or one file.

Front matter is read with PyYAML's ``BaseLoader``: like ``safe_load`` it builds no Python objects, and
unlike it every scalar stays text, so ``title: 1984`` or ``title: no`` stay titles (YAML 1.1 would make them
a number and ``False``) and ``date: 2026-11-27`` goes through the same date reader as every other import.
Aliases are resolved as shared references, never copied, and the front matter is limited in size, so a
YAML "billion laughs" cannot grow. Keys other importers' files carry (``layout``, ``weight``…) are ignored
and named in the preview.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ca_editor.domain.errors import ImportFailedError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.slugs import make_slug
from ca_editor.domain.text import shorten
from ca_editor.services.importing.records import (
    MAX_ENTRIES,
    MAX_FRONT_MATTER_BYTES,
    MAX_MARKDOWN_BYTES,
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

SUFFIXES = (".md", ".markdown")
# Front matter key -> story field; several names are common for the same thing.
_KEYS = {
    "title": "title",
    "slug": "slug",
    "summary": "summary",
    "description": "summary",
    "byline": "byline",
    "author": "byline",
    "date": "published_at",
    "published": "published_at",
    "published_at": "published_at",
    "tags": "tags",
    "status": "status",
    "draft": "draft",
    "image": "image",
    "image_alt": "image_alt",
    "image_caption": "image_caption",
    "image_credit": "image_credit",
    "guid": "guid",
    "link": "link",
}
_FENCE = re.compile(r"^---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_REMOTE_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?(?:https?:)?//", re.IGNORECASE)


def markdown_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))


def read_markdown(
    paths: list[Path],
    root: Path,
    *,
    name: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportSource:
    """Read ``paths`` (files inside ``root``); the source is ``name``, else named after ``root``."""
    name = name or root.name or str(root)
    if not paths:
        raise ImportFailedError(name, None, None, "the folder holds no .md or .markdown files")
    if len(paths) > MAX_ENTRIES:
        raise ImportFailedError(name, None, None, f"{len(paths):,} files; at most {MAX_ENTRIES:,} at once")
    hashes = ImageHashes()
    records = []
    invalid = []  # files that failed their checks: named, and left out only when asked to
    seen_slugs: dict[str, str] = {}
    for number, path in enumerate(paths, start=1):
        if cancelled is not None and cancelled():
            raise ImportCancelledError
        origin = Origin(name, number, f"file '{path.name}'")
        try:
            record = _read_file(path, root, origin, hashes)
            if record.explicit_slug:
                if record.fields.slug in seen_slugs:
                    raise record.origin.fail(
                        "slug", f"'{record.fields.slug}' is also the slug of {seen_slugs[record.fields.slug]}"
                    )
                seen_slugs[record.fields.slug] = record.origin.label
            records.append(record)
        except EntryFailedError as exc:
            invalid.append(InvalidEntry.of(exc))
        except ImportFailedError as exc:  # the file itself: too large, unreadable
            invalid.append(InvalidEntry.of(origin.fail(None, exc.reason)))
        if progress is not None:
            progress(number, len(paths))
    return ImportSource(name, "Markdown", tuple(records), invalid=tuple(invalid))


def _read_file(path: Path, root: Path, origin: Origin, hashes: ImageHashes) -> ImportRecord:
    if not path.resolve().is_relative_to(root.resolve()):
        raise origin.fail(None, "the file is a link to somewhere outside the folder")
    raw = read_limited(path, origin.source, MAX_MARKDOWN_BYTES, what=f"'{path.name}'")
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise origin.fail(None, f"the file is not UTF-8 text (byte {exc.start})") from None
    if text.startswith("+++"):
        raise origin.fail(None, "TOML front matter (+++) is not supported; use YAML between --- lines")
    meta, body = _split(text, origin)
    notes: list[str] = []
    unknown = sorted(set(meta) - set(_KEYS))
    if unknown:
        notes.append(f"ignored: {', '.join(shorten(k, 20) for k in unknown[:6])}")
    values: dict[str, Any] = {}
    for key, field_name in _KEYS.items():
        if key in meta and field_name not in values:
            values[field_name] = meta[key]
    for field_name, value in values.items():
        if field_name != "tags" and not isinstance(value, str):
            raise origin.fail(
                field_name, f"must be text, not a {'list' if isinstance(value, list) else 'map'}"
            )
    title = " ".join(str(values.get("title", "")).split())
    if not title:
        heading = _HEADING.search(body)
        if heading is None:
            raise origin.fail(
                "title", "no title: give 'title:' in the front matter or start with '# Heading'"
            )
        title = heading.group(1).strip()
        body = (body[: heading.start()] + body[heading.end() :]).strip("\n")
    published_at = (
        parse_date(origin, "published_at", values["published_at"]) if "published_at" in values else None
    )
    status = _status(origin, values)
    guid, link = check_identity(origin, values.get("guid"), values.get("link"))
    fields = StoryFields(
        title=title,
        slug=values.get("slug") or make_slug(title),
        summary=values.get("summary", ""),
        body=body.strip("\n"),
        byline=values.get("byline", ""),
        published_at=published_at,
        status=status or StoryStatus.DRAFT,
        tags=_tags(origin, values.get("tags")),
        image_alt=values.get("image_alt", ""),
        image_caption=values.get("image_caption", ""),
        image_credit=values.get("image_credit", ""),
    )
    check_fields(origin, fields)
    carried = {"title", "body"} | {f for f in values if f in StoryFields.__dataclass_fields__}
    if status is not None:
        carried.add("status")
    image, path_found = values.get("image", ""), None
    if _REMOTE_IMAGE.search(fields.body):
        notes.append("images from the web in the body are not shown in the bundle")
    if image and re.match(r"^(?:https?:)?//", image, re.IGNORECASE):
        notes.append("image is a web address; it was not downloaded")
        image = ""
    elif image:
        path_found = image_path(origin, image, path.parent)
        fields = replace(fields, image_sha256=hashes.of(origin, path_found, image))
        carried |= {"image_sha256", "image_alt", "image_caption", "image_credit"}
    return ImportRecord(
        origin,
        fields,
        bool(values.get("slug")),
        frozenset(carried),
        source_guid=guid,
        source_link=link,
        image_name=image,
        image_path=path_found,
        notes=tuple(notes),
    )


def _split(text: str, origin: Origin) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    match = _FENCE.match(text)
    if match is None:
        raise origin.fail(None, "the front matter that starts with '---' has no closing '---' line")
    block = match.group(1) or ""
    if len(block.encode()) > MAX_FRONT_MATTER_BYTES:
        raise origin.fail(None, f"the front matter is over {MAX_FRONT_MATTER_BYTES // 1024} KB")
    try:
        meta = yaml.load(block, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str/list/dict
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on front matter line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "it is not valid YAML"
        raise origin.fail(None, f"cannot read the front matter{where}: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise origin.fail(None, "the front matter must be 'key: value' lines")
    return meta, text[match.end() :]


def _status(origin: Origin, values: dict[str, Any]) -> StoryStatus | None:
    if "status" in values:
        try:
            return StoryStatus(values["status"].strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in StoryStatus)
            raise origin.fail("status", f"must be one of {allowed}") from None
    if "draft" in values:
        flag = values["draft"].strip().lower()
        if flag in ("true", "yes"):
            return StoryStatus.DRAFT
        if flag not in ("false", "no"):
            raise origin.fail("draft", "must be true or false")
    return None


def _tags(origin: Origin, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise origin.fail("tags", "must be a list of words or one line separated by commas")
    return tuple(dict.fromkeys(t.strip() for t in items if t.strip()))
