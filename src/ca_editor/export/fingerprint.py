"""Fingerprints of what each page is built from, so a re-export can tell unchanged pages without rendering.

A page's key covers its own data, the data every page shows (section, archive navigation) and the generator:
the templates and the code of the export and domain packages. Any change to one of those changes the key;
the worst a needless change costs is a render, whose output is still compared by content before writing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path

from ca_editor import __version__
from ca_editor.domain.dates import MonthBucket, YearBucket
from ca_editor.domain.model import Section, Slot, Story, StoryImage
from ca_editor.locations import templates_dir

_PACKAGE = Path(__file__).resolve().parents[1]


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


@cache
def generator_key() -> str:
    """The templates, the export and domain code, and the template engine's version."""
    versions = f"{__version__}|{version('jinja2')}|{version('markupsafe')}"
    digest = hashlib.sha256(versions.encode())
    sources = [*sorted(templates_dir().rglob("*.html"))]
    for package in ("export", "domain"):
        sources.extend(sorted((_PACKAGE / package).glob("*.py")))
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def frame_key(section: Section, archive: tuple[YearBucket, ...]) -> str:
    # Not the section's version: it moves with every slot change, which only the front page shows. The
    # teaser limit: the front page shows teasers whole without one (a rare change; pages compare on write).
    return _key(
        generator_key(), section.slug, section.title, section.description, section.teaser_limit, archive
    )


def _image(image: StoryImage | None) -> object:
    if image is None:
        return None
    asset = image.asset
    # The focal point chooses the crop, hence the derivatives' names in the page (``export.renditions``).
    return (asset.sha256, asset.media_type, asset.width, asset.height, image.alt, image.caption, image.credit,
            image.focus)  # fmt: skip


def _story(story: Story) -> tuple[object, ...]:
    when = story.published_at.isoformat() if story.published_at else None
    return (story.id, story.slug, story.title, story.summary, story.byline, when, story.status.value,
            story.tags, _image(story.image))  # fmt: skip


def listed_key(story: Story) -> str:
    """A key of everything a page shows of ``story`` beside its body (its list entry, its page's fields).

    Computed once per story per export and passed to ``story_key``, ``month_key`` and ``story_state``,
    which would each compute it again (a date formatted and a tuple repr'd per call)."""
    return hashlib.blake2b(repr(_story(story)).encode("utf-8"), digest_size=8).hexdigest()


def story_key(frame: str, story: Story, body_sha256: str, listed: str | None = None) -> str:
    return _key(frame, listed or listed_key(story), body_sha256)


def front_key(frame: str, slots: Iterable[Slot]) -> str:
    return _key(
        frame,
        [(s.position, s.headline, s.summary, _image(s.image), _story(s.story)) for s in slots],
    )


def month_key(frame: str, month: MonthBucket, stories: Iterable[Story]) -> str:
    return month_key_of(frame, month, [listed_key(s) for s in stories])


def month_key_of(frame: str, month: MonthBucket, listed: Iterable[str]) -> str:
    """``month_key`` from the month's stories' ``listed_key``s, in the same order."""
    return _key(frame, month, list(listed))


def year_key(frame: str, year: YearBucket, month_keys: Iterable[str]) -> str:
    return _key(frame, year, list(month_keys))


def story_state(story: Story, body_sha256: str, listed: str | None = None) -> str:
    """What the manifest keeps of a story for the next export, space-separated (slugs hold no spaces):
    its version and clean body's hash (a re-export reads only these two to find what changed), a key of
    what archive lists show of it, its slug and its month, so that an update in place knows which pages
    an edit touches without reading the story's earlier fields."""
    listed = listed or listed_key(story)
    when = story.published_at
    month = f"{when.year:04d}-{when.month:02d}" if when is not None else "-"
    return f"{story.version} {body_sha256} {listed} {story.slug} {month}"
