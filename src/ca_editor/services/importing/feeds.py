"""RSS and Atom feeds through feedparser, always handed bytes.

``feedparser.parse(str)`` treats a string that looks like a path or URL as one and opens it, so the file is
read here (within a size limit) and passed as ``BytesIO``. A feed that declares entities (billion laughs,
XXE) is refused before parsing; on bytes feedparser would not expand or fetch them either. HTML's named
entities, which CMSs put in feeds undeclared, become character references first (``entities``). Any
``bozo`` feed is refused whole, since its loose fallback parser may have dropped or mangled entries.
Entry HTML becomes Markdown (``wire_html``); feedparser's own sanitiser is off because nh3 cleans
everything first. Dates are read by ``date_forms`` from the text the feed gave.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser

from ca_editor.domain.errors import ImportFailedError
from ca_editor.domain.model import StoryFields
from ca_editor.domain.slugs import make_slug
from ca_editor.domain.text import collapse_spaces, shorten
from ca_editor.domain.validation import MAX_LENGTHS, SUMMARY_ADVISED_LENGTH
from ca_editor.services.importing.entities import declares_entities, html_entities_as_references
from ca_editor.services.importing.records import (
    MAX_ENTRIES,
    MAX_FEED_BYTES,
    Cancelled,
    EntryFailedError,
    ImportCancelledError,
    ImportRecord,
    ImportSource,
    InvalidEntry,
    Origin,
    Progress,
    check_fields,
    check_identity,
    entry_label,
    parse_date,
    read_limited,
)
from ca_editor.services.importing.wire_html import (
    html_to_markdown,
    html_to_text,
    text_to_markdown,
)

_KINDS = {"rss": "RSS feed", "rss20": "RSS 2.0 feed", "atom10": "Atom feed", "atom03": "Atom 0.3 feed"}
_DECLARES_ENTITIES = (
    "the file is not well-formed XML for a feed: it declares entities (<!ENTITY …>); entity declarations "
    "and external entities are not accepted (HTML's named entities such as &eacute; need none)"
)


def read_feed(
    path: Path, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> ImportSource:
    return parse_feed(read_limited(path, path.name, MAX_FEED_BYTES), path.name, progress, cancelled)


def parse_feed(
    raw: bytes, source: str, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> ImportSource:
    if not raw.strip():
        raise ImportFailedError(source, None, None, "the file is empty")
    if declares_entities(raw):
        raise ImportFailedError(source, None, None, _DECLARES_ENTITIES)
    parsed = feedparser.parse(io.BytesIO(html_entities_as_references(raw)), sanitize_html=False)
    if parsed.get("bozo"):
        raise ImportFailedError(source, None, None, _bozo_message(parsed.get("bozo_exception")))
    feed_title = html_to_text(parsed.get("feed", {}).get("title", ""))
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version:
        raise ImportFailedError(source, None, None, "this is not an RSS or Atom feed")
    if not entries:
        name = f"the feed '{shorten(feed_title, 60)}'" if feed_title else "the feed"
        raise ImportFailedError(source, None, None, f"{name} has no entries; there is nothing to import")
    if len(entries) > MAX_ENTRIES:
        raise ImportFailedError(
            source, None, None, f"the feed has {len(entries):,} entries; at most {MAX_ENTRIES:,} at once"
        )
    records = []
    invalid = []  # entries that failed their checks: named, and left out only when asked to
    for number, entry in enumerate(entries, start=1):
        if cancelled is not None and cancelled():
            raise ImportCancelledError
        try:
            records.append(_record(entry, source, number))
        except EntryFailedError as exc:
            invalid.append(InvalidEntry.of(exc))
        if progress is not None:
            progress(number, len(entries))
    kind = _KINDS.get(version, "RSS feed" if version.startswith("rss") else "Atom feed")
    return ImportSource(source, kind, tuple(records), feed_title, tuple(invalid))


def _bozo_message(exc: object) -> str:
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return f"the feed's text is not in the encoding it declares ({exc}); ask the sender for UTF-8"
    if isinstance(exc, feedparser.CharacterEncodingUnknown):
        return f"the feed's character encoding is unknown ({exc})"
    detail = str(exc).removeprefix("<unknown>:")
    return (
        f"the file is not well-formed XML (line {detail}); entity declarations and external entities "
        "are not accepted"
        if detail and detail[0].isdigit()
        else f"the file is not a well-formed feed ({detail or 'unknown problem'})"
    )


@dataclass(frozen=True, slots=True)
class _Text:
    value: str
    is_html: bool


def _record(entry: Any, source: str, number: int) -> ImportRecord:
    raw_title = entry.get("title", "") or ""
    title = html_to_text(raw_title) if _is_html(entry.get("title_detail")) else collapse_spaces(raw_title)
    origin = Origin(source, number, entry_label("entry", number, title))
    if not title:
        raise origin.fail("title", "the entry has no title")
    notes: list[str] = []
    content = _content(entry)
    description = _text(entry.get("summary"), entry.get("summary_detail"))
    body_source = content or description
    body, dropped = _markdown(body_source)
    if dropped:
        notes.append(
            f"{dropped} image{'s' if dropped > 1 else ''} left out (the bundle takes no remote images)"
        )
    summary = ""
    if content is not None and description is not None and description.value != content.value:
        summary = _plain(description)
    elif description is not None:
        teaser = _plain(description)
        summary = teaser if len(teaser) <= SUMMARY_ADVISED_LENGTH else ""
    if len(summary) > MAX_LENGTHS["summary"]:
        notes.append(f"summary shortened from {len(summary):,} characters")
        summary = shorten(summary, SUMMARY_ADVISED_LENGTH, at_word=True)
    author = entry.get("author_detail", {}).get("name") or entry.get("author") or ""
    when = entry.get("published") or entry.get("updated")
    published_at = parse_date(origin, "published_at", when) if when else None
    tags = _tags(entry.get("tags") or [])
    # An RSS guid without isPermaLink="false" is also the entry's link when it has no <link>: keep it once.
    link = None if entry.get("guidislink") else entry.get("link")
    guid, link = check_identity(origin, entry.get("id"), link)
    fields = StoryFields(
        title=title,
        slug=make_slug(title),
        summary=summary,
        body=body,
        byline=" ".join(author.split()),
        published_at=published_at,
        tags=tags,
    )
    check_fields(origin, fields)
    carried = {"title", "body"}
    carried |= {"summary"} if description is not None else set()
    carried |= {"byline"} if fields.byline else set()
    carried |= {"published_at"} if published_at else set()
    carried |= {"tags"} if tags else set()
    return ImportRecord(
        origin, fields, False, frozenset(carried), source_guid=guid, source_link=link, notes=tuple(notes)
    )


def _is_html(detail: Any) -> bool:
    return bool(detail) and detail.get("type") in ("text/html", "application/xhtml+xml")


def _text(value: Any, detail: Any) -> _Text | None:
    if not value or not isinstance(value, str) or not value.strip():
        return None
    return _Text(value, _is_html(detail) or detail is None)


def _content(entry: Any) -> _Text | None:
    for item in entry.get("content") or []:
        found = _text(item.get("value"), item)
        if found is not None:
            return found
    return None


def _markdown(text: _Text | None) -> tuple[str, int]:
    if text is None:
        return "", 0
    return html_to_markdown(text.value) if text.is_html else (text_to_markdown(text.value), 0)


def _plain(text: _Text) -> str:
    return html_to_text(text.value) if text.is_html else collapse_spaces(text.value)


def _tags(items: list[Any]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        term = " ".join(str(item.get("term") or item.get("label") or "").split())
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
    return tuple(seen.values())
