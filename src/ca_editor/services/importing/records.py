"""What every import source produces: one ``ImportRecord`` per story, named so a person can find it.

Sources (JSON Lines, feeds, Markdown files) only read and check; planning and writing are shared. Limits
keep a hostile or mistaken file from exhausting memory or freezing the window, and every refusal names the
file, the entry (line, feed entry or file name) and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from ca_editor.domain.date_forms import parse_date_text
from ca_editor.domain.dates import DateParseError
from ca_editor.domain.errors import ImportFailedError, ValidationError
from ca_editor.domain.model import StoryFields
from ca_editor.domain.text import shorten
from ca_editor.domain.validation import errors_only, validate_story
from ca_editor.services.images import MAX_IMAGE_BYTES, inspect_image

MAX_JSONL_BYTES = 512 * 1024 * 1024  # the Foundation's archive dumps: one line per story, read in one go
MAX_FEED_BYTES = 32 * 1024 * 1024  # feedparser holds the whole document and every entry at once
MAX_MARKDOWN_BYTES = 4 * 1024 * 1024  # one story: the body limit is a million characters
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_ENTRIES = 20_000  # per import; larger archives go in several files
MAX_GUID_LENGTH, MAX_LINK_LENGTH = 1000, 2000  # the stories table's columns

Progress = Callable[[int, int], None]  # (done, total)
Cancelled = Callable[[], bool]


class ImportCancelledError(Exception):
    """The person cancelled; nothing was written (a write transaction was rolled back)."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: ``source`` (file name), ``number`` (line, entry, file) and a label."""

    source: str
    number: int
    label: str  # "line 4", "entry 3 'Astana summit'", "file 'summit.md'"

    def fail(self, field_name: str | None, message: str) -> EntryFailedError:
        return EntryFailedError(self, field_name, message)


class EntryFailedError(ImportFailedError):
    """One entry (line, feed entry, file) is invalid; its message says "entry 3 'Title'", not "line 3"."""

    def __init__(self, origin: Origin, field_name: str | None, message: str) -> None:
        super().__init__(origin.source, origin.number, field_name, message)
        self.origin = origin
        where = f"{origin.source}, {origin.label}" + (f", field '{field_name}'" if field_name else "")
        self.args = (f"{where}: {message}. Nothing was imported.",)


@dataclass(frozen=True, slots=True)
class InvalidEntry:
    """An entry a reader refused, kept so the import can name it, and leave it out when asked to."""

    source: str  # the file
    label: str  # "line 17", "entry 3 'Title'", "file 'a.md'"
    number: int  # the line, entry or file number
    field: str | None
    reason: str
    message: str  # the whole refusal, as it reads when this entry stops the import

    @classmethod
    def of(cls, error: EntryFailedError) -> InvalidEntry:
        origin = error.origin
        return cls(origin.source, origin.label, origin.number, error.field, error.reason, str(error))

    def __str__(self) -> str:
        """'wire.jsonl, line 17, field 'tags': each tag must be 1–60 characters'."""
        field_part = f", field '{self.field}'" if self.field else ""
        return f"{self.source}, {self.label}{field_part}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One story as a source describes it, checked, before it is matched against the database.

    ``fields.slug`` is the slug the source gave (``explicit_slug``) or one derived from the title.
    ``carried`` names the fields the source actually gives: an update changes those and keeps the desk's
    values for the rest (a feed says nothing about status or image; a JSON line without ``status`` neither).
    """

    origin: Origin
    fields: StoryFields
    explicit_slug: bool
    carried: frozenset[str]
    source_guid: str | None = None
    source_link: str | None = None
    image_name: str = ""
    image_path: Path | None = None  # checked and hashed while reading, stored only while writing
    notes: tuple[str, ...] = field(default=())

    @property
    def line(self) -> int:
        return self.origin.number


@dataclass(frozen=True, slots=True)
class ImportSource:
    """Everything read from what the person chose, ready to plan."""

    name: str  # a file or folder name, or "3 files"
    kind: str  # "JSON Lines", "RSS 2.0 feed", "Atom feed", "Markdown"
    records: tuple[ImportRecord, ...]
    title: str = ""  # a feed's own title
    invalid: tuple[InvalidEntry, ...] = ()  # entries refused while reading, in file order

    @property
    def entry_count(self) -> int:
        return len(self.records) + len(self.invalid)


def refuse_invalid(source: ImportSource, *, skip_invalid: bool) -> None:
    """Raise unless every entry is valid, or the person chose to skip the invalid ones (and some are left).

    The refusal is the first invalid entry's own (its ``line`` and ``field``), saying how many there are.
    """
    if not source.invalid:
        return
    first, count = source.invalid[0], len(source.invalid)
    if skip_invalid and source.records:
        return
    error = ImportFailedError(first.source, first.number, first.field, first.reason)
    if skip_invalid:
        error.args = (f"{first.message} None of its {count:,} entries is valid.",)
    elif count > 1:
        valid = len(source.records)
        rest = f"; skipping them would import the other {valid:,}" if valid else ""
        error.args = (f"{first.message} {count:,} entries are invalid in all{rest}.",)
    else:
        error.args = (first.message,)
    raise error


def check_fields(origin: Origin, fields: StoryFields) -> None:
    problems = errors_only(validate_story(fields))
    if problems:
        raise origin.fail(problems[0].field, problems[0].message)


def parse_date(origin: Origin, field_name: str, text: str) -> datetime:
    try:
        return parse_date_text(text)
    except DateParseError as exc:
        raise origin.fail(field_name, str(exc)) from None


def check_identity(origin: Origin, guid: str | None, link: str | None) -> tuple[str | None, str | None]:
    guid = (guid or "").strip() or None
    link = (link or "").strip() or None
    if guid and len(guid) > MAX_GUID_LENGTH:
        raise origin.fail("guid", f"is {len(guid):,} characters long; the limit is {MAX_GUID_LENGTH:,}")
    if link and len(link) > MAX_LINK_LENGTH:
        raise origin.fail("link", f"is {len(link):,} characters long; the limit is {MAX_LINK_LENGTH:,}")
    return guid, link


def read_limited(path: Path, source: str, limit: int, what: str = "the file") -> bytes:
    """The file's bytes (a leading UTF-8 BOM removed), refused before reading when it is over ``limit``."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportFailedError(
                source, None, None, f"{what} is {size / 2**20:.0f} MB; the limit is {limit // 2**20} MB"
            )
        with path.open("rb") as handle:  # read at most limit + 1: the file may grow after the stat
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise ImportFailedError(source, None, None, f"cannot read {what} ({exc.strerror or exc})") from exc
    if len(raw) > limit:
        raise ImportFailedError(source, None, None, f"{what} grew past {limit // 2**20} MB while reading")
    return raw.removeprefix(b"\xef\xbb\xbf")  # editors on Windows save a BOM


def image_path(origin: Origin, relative: str, base: Path) -> Path:
    """The image file ``relative`` names, which must lie inside ``base`` (the import's folder)."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    if "\x00" in relative or pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise origin.fail(
            "image", f"'{shorten(relative, 60)}' must be a path inside the import file's folder"
        )
    path = (base / pure).resolve()
    if not path.is_relative_to(base.resolve()):
        raise origin.fail("image", f"'{shorten(relative, 60)}' leads outside the import file's folder")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise origin.fail("image", f"cannot read '{shorten(relative, 60)}' ({exc.strerror or exc})") from None
    if size > MAX_IMAGE_BYTES:
        raise origin.fail("image", f"'{shorten(relative, 60)}' is larger than {MAX_IMAGE_BYTES // 2**20} MB")
    return path


class ImageHashes:
    """The sha256 of each image file, read and checked once however many records name it."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def of(self, origin: Origin, path: Path, relative: str) -> str:
        if path not in self._known:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise origin.fail(
                    "image", f"cannot read '{shorten(relative, 60)}' ({exc.strerror or exc})"
                ) from None
            try:  # decoded now, so the preview never promises a story whose picture the write refuses
                inspect_image(data, name=f"the image '{shorten(relative, 60)}'")
            except ValidationError as exc:
                raise origin.fail("image", exc.problems[0].message) from None
            self._known[path] = hashlib.sha256(data).hexdigest()
        return self._known[path]


def entry_label(kind: str, number: int, title: str) -> str:
    title = " ".join(title.split())
    return f"{kind} {number} '{shorten(title, 50)}'" if title else f"{kind} {number}"
