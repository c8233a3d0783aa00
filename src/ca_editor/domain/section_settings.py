"""A section's own settings: its heading, description, slug, number of slots and teaser advice.

``teaser_limit`` is the card-summary length above which the checklist says phones cut the teaser
(``summary_too_long``); ``None`` turns the advice off, for a page whose teasers are long by design (the
client's Central Asia page runs them to 1,370 characters). It belongs to the section, not the story: the
same story may sit on pages with different house styles.
"""

from __future__ import annotations

from dataclasses import dataclass

from ca_editor.domain.errors import Problem
from ca_editor.domain.model import DEFAULT_TEASER_LIMIT, Section
from ca_editor.domain.slugs import MAX_SLUG_LENGTH, is_valid_slug
from ca_editor.domain.validation import MAX_LENGTHS, unprintable_character

MAX_SLOTS = 48  # sections.slot_count's CHECK constraint
MAX_TITLE, MAX_DESCRIPTION = 300, 2_000
MAX_TEASER_LIMIT = MAX_LENGTHS["summary"]  # a longer advice could never be reached


@dataclass(frozen=True, slots=True)
class SectionSettings:
    slug: str
    title: str  # the page's heading
    description: str = ""
    slot_count: int = 8
    teaser_limit: int | None = DEFAULT_TEASER_LIMIT

    @classmethod
    def of(cls, section: Section) -> SectionSettings:
        return cls(section.slug, section.title, section.description, section.slot_count, section.teaser_limit)


def settings_problems(settings: SectionSettings) -> list[Problem]:
    """What keeps ``settings`` from being saved, each with a sentence that says how to fix it."""
    problems: list[Problem] = []
    if not is_valid_slug(settings.slug):
        problems.append(
            Problem(
                "slug",
                f"'{settings.slug[:40]}' must be lower-case letters, digits and single hyphens, "
                f"at most {MAX_SLUG_LENGTH} characters",
            )
        )
    if not settings.title.strip():
        problems.append(Problem("title", "a section needs a heading"))
    for name, limit in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION)):
        text: str = getattr(settings, name)
        if len(text) > limit:
            problems.append(Problem(name, f"is {len(text):,} characters long; the limit is {limit:,}"))
        message = unprintable_character(text)
        if message:
            problems.append(Problem(name, message))
    if not 1 <= settings.slot_count <= MAX_SLOTS:
        problems.append(
            Problem("slot_count", f"must be between 1 and {MAX_SLOTS}, not {settings.slot_count}")
        )
    teaser = settings.teaser_limit
    if teaser is not None and not 1 <= teaser <= MAX_TEASER_LIMIT:
        problems.append(
            Problem(
                "teaser_limit", f"must be between 1 and {MAX_TEASER_LIMIT:,} characters, or off; not {teaser}"
            )
        )
    return problems
