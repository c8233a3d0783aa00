"""Rules a story must satisfy before it is saved, with messages that explain themselves."""

from __future__ import annotations

from ca_editor.domain.errors import Problem
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


def validate_story(fields: StoryFields) -> list[Problem]:
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
        if "\x00" in getattr(fields, name):
            problems.append(Problem(name, "contains a NUL character"))
    if any("\x00" in tag for tag in fields.tags):
        problems.append(Problem("tags", "a tag contains a NUL character"))
    if fields.image_sha256 and not fields.image_alt.strip():
        problems.append(
            Problem(
                "image_alt", "the image has no alt text; describe it for readers who cannot see it", "warning"
            )
        )
    if len(fields.summary) > SUMMARY_ADVISED_LENGTH:
        problems.append(
            Problem(
                "summary",
                f"is {len(fields.summary)} characters; phones cut teasers over {SUMMARY_ADVISED_LENGTH}",
                "warning",
            )
        )
    return problems


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
