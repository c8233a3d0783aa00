"""Slugs: readable, ASCII, URL- and file-safe, unique."""

from __future__ import annotations

import re
from collections.abc import Callable

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 80
# The transliteration table turns the Kazakh schwa into '@', which slugify then drops ('Әділет' -> 'dilet').
# Apostrophes join, whichever one was typed: "Dushanbe's" and "Almaty’s" give 'dushanbes' and 'almatys'
# (slugify split the ASCII one into 'dushanbe-s' and dropped the typographic one); Uzbek's ʻ likewise.
_REPLACEMENTS = (("Ә", "A"), ("ә", "a"), *((mark, "") for mark in "'’ʼʻ`"))


def make_slug(title: str, fallback: str = "story") -> str:
    """Transliterate and hyphenate a title ('Тоқаев' reads 'tokaev'); never returns an empty slug."""
    from slugify import slugify  # here: with ``unicodedata`` it costs every command 30 ms, an export none

    slug = slugify(title, max_length=MAX_SLUG_LENGTH, word_boundary=True, replacements=_REPLACEMENTS)
    return slug or fallback


def is_valid_slug(slug: str) -> bool:
    return len(slug) <= MAX_SLUG_LENGTH and bool(SLUG_PATTERN.fullmatch(slug))


def unique_slug(base: str, taken: Callable[[str], bool]) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever is free first."""
    if not taken(base):
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        if not taken(candidate):
            return candidate
        n += 1
