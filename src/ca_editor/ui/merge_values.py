"""A merge conflict's three values as a desk editor reads them: one short line each, the whole in a tooltip.

The domain's merge compares JSON-able values (``domain/merge.py``): strings, numbers, lists of tags, ISO
date strings, story keys for a slot, ``None`` for "not there". ``value_text`` turns each into words: a
story key into its headline, a date into the desk's one time style, an empty value into "(empty)". Long
texts (a story's body) are cut to ``LIMIT`` characters at a word, their lines kept; the whole text goes in
the tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ca_editor.domain.local_time import full_time
from ca_editor.domain.text import ELLIPSIS

#: Characters shown in a column before the text is cut (about six lines at the dialog's width).
LIMIT = 360
NOT_THERE = "(not there)"
EMPTY = "(empty)"


def value_text(value: object, titles: Mapping[str, str] | None = None) -> str:
    """``value`` in words (the whole of it): see the module."""
    if value is None:
        return NOT_THERE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        if titles and value in titles:
            return f"“{titles[value]}”"
        when = _iso_moment(value)
        if when is not None:
            return full_time(when)
        return value if value.strip() else EMPTY
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item, titles) for item in value) if value else EMPTY
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {value_text(item, titles)}" for key, item in value.items()) or EMPTY
    return str(value)


def shown_text(whole: str) -> str:
    """What a column shows of ``whole``: all of it, or its first ``LIMIT`` characters cut at a word."""
    if len(whole) <= LIMIT:
        return whole
    cut = whole[: LIMIT - 1]
    space = cut.rfind(" ")
    if space > LIMIT // 2:  # a word is not cut in two, unless the text has no space to cut at
        cut = cut[:space]
    return cut.rstrip(" ,;:.\n") + ELLIPSIS


def _iso_moment(text: str) -> datetime | None:
    """An ISO date-time as the merge carries dates ("2026-12-07T10:00:00+00:00"), else None."""
    if len(text) < 16 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None
