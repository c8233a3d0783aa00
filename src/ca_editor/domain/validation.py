"""Rules a story must satisfy before it is saved, with messages that explain themselves."""

from __future__ import annotations

import re

from ca_editor.domain.dates import DateParseError, ensure_utc
from ca_editor.domain.errors import Problem
from ca_editor.domain.focus import focus_error
from ca_editor.domain.model import StoryFields
from ca_editor.domain.slugs import MAX_SLUG_LENGTH, is_valid_slug

# Limits keep one pasted megabyte from freezing a table cell or bloating every page of the bundle.
MAX_LENGTHS = {
    "title": 300,
    "summary": 2_000,
    "body": 1_000_000,
    "byline": 200,
    "image_alt": 500,
    "image_caption": 1_000,
    "image_credit": 300,
}
MAX_TAGS, MAX_TAG_LENGTH = 30, 60
SUMMARY_ADVISED_LENGTH = 400


def validate_story(fields: StoryFields, teaser_limit: int | None = SUMMARY_ADVISED_LENGTH) -> list[Problem]:
    """Every problem of ``fields``; ``teaser_limit`` is the section's teaser advice (None: no advice)."""
    problems: list[Problem] = []
    if not fields.title.strip():
        problems.append(Problem("title", "a story needs a title"))
    for name, limit in MAX_LENGTHS.items():
        value: str = getattr(fields, name)
        if len(value) > limit:
            problems.append(Problem(name, f"is {len(value):,} characters long; the limit is {limit:,}"))
    if fields.slug and not is_valid_slug(fields.slug):
        problems.append(
            Problem(
                "slug",
                f"'{fields.slug[:40]}' must be lower-case letters, digits and single hyphens, "
                f"at most {MAX_SLUG_LENGTH} characters",
            )
        )
    if len(fields.tags) > MAX_TAGS:
        problems.append(Problem("tags", f"{len(fields.tags)} tags; at most {MAX_TAGS} are allowed"))
    for tag in fields.tags:
        if not tag.strip() or len(tag) > MAX_TAG_LENGTH:
            problems.append(Problem("tags", f"each tag must be 1–{MAX_TAG_LENGTH} characters"))
            break
    for name in ("title", "summary", "body", "byline", "image_alt", "image_caption", "image_credit"):
        message = unprintable_character(getattr(fields, name))
        if message:
            problems.append(Problem(name, message))
    for tag in fields.tags:
        message = unprintable_character(tag)
        if message:
            problems.append(Problem("tags", f"a tag {message}"))
            break
    if fields.published_at is not None:
        try:
            ensure_utc(fields.published_at)
        except DateParseError as exc:
            problems.append(Problem("published_at", str(exc)))
        if fields.published_at.tzinfo is None:
            problems.append(Problem("published_at", "has no time zone; give it one (UTC if unsure)"))
    focus_problem = focus_error(fields.image_focus)
    if focus_problem:
        problems.append(Problem("image_focus", focus_problem))
    if fields.image_sha256 and not fields.image_alt.strip():
        problems.append(
            Problem(
                "image_alt", "the image has no alt text; describe it for readers who cannot see it", "warning"
            )
        )
    if teaser_limit is not None and len(fields.summary) > teaser_limit:
        problems.append(
            Problem(
                "summary",
                f"is {len(fields.summary)} characters; phones cut teasers over {teaser_limit}",
                "warning",
            )
        )
    return problems


# Characters no HTML page may carry (C0/C1 controls but tab and line breaks, surrogates, noncharacters):
# Word's soft line break (U+000B) is the usual one to arrive by paste.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def unprintable_character(text: str) -> str | None:
    """Why ``text`` cannot go on a page, or ``None`` when it can."""
    found = _UNPRINTABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character"
    code, where = ord(found.group()), found.start() + 1
    return (
        f"contains an invisible control character (U+{code:04X}) at position {where}; "
        "remove it (it often comes with text pasted from a word processor)"
    )


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
