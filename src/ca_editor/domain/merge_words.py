"""How check-in's merge words what it found, for the conflict dialog, the CLI and the check-in record.

A conflict's label names the thing as the screen where it is edited names it (the settings dialog's
"Heading", the story editor's ``FIELD_LABELS``, the slot pane's "Headline on this page", "Slot 3"); each
of its three values gets one line of text. The two desks are "the shared desk" (theirs) and "the laptop"
(mine), as the check-in's menu entries call them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ca_editor.domain.merge_fields import MISSING, Side
from ca_editor.domain.model import FIELD_LABELS
from ca_editor.domain.text import shorten

#: The section settings as the settings dialog names them, in its order.
SETTING_LABELS: dict[str, str] = {
    "title": "Heading",
    "description": "Description",
    "slug": "Slug",
    "slot_count": "Number of slots",
    "teaser_limit": "Teaser limit",
}
#: A slot's page-only overrides (``SlotEntry`` fields) as the slot pane names them.
OVERRIDE_LABELS: dict[str, str] = {
    "headline": "Headline on this page",
    "summary": "Summary on this page",
    "image_sha256": "Image on this page",
    "image_alt": "Alt text of the image on this page",
    "image_focus": "Focal point of the image on this page",
}
SIDE_NAMES: dict[Side, str] = {"theirs": "the shared desk", "mine": "the laptop"}
TEXT_LIMIT = 300  # a value's line: a body is shown in full by whoever has room for it
_KEY = re.compile(r"(\D*)(\d*)(.*)", re.DOTALL)


def other(side: Side) -> Side:
    return "mine" if side == "theirs" else "theirs"


def natural_key(key: str) -> tuple[str, int, str]:
    """``s9`` before ``s10``: story keys sort by their letters, then their number."""
    match = _KEY.fullmatch(key)
    assert match is not None  # the pattern matches every string
    letters, digits, rest = match.groups()
    return letters, int(digits) if digits else -1, rest


def story_title(story: Mapping[str, object], key: str) -> str:
    title = story.get("title")
    return shorten(title, 60) if isinstance(title, str) and title.strip() else key


def field_label(kind: str, name: str, title: str, at: int | None) -> str:
    """A setting ("Heading"), a story field ("Title of “Floods”") or an override, with its slot."""
    if kind == "setting":
        return SETTING_LABELS.get(name, name.replace("_", " ").capitalize())
    if kind == "story":
        return f"{FIELD_LABELS.get(name, name)} of “{title}”"
    where = f"slot {at}" if at else "out of the block"
    return f"{OVERRIDE_LABELS.get(name, name)}: “{title}” ({where})"


def slot_label(name: str, title: str, at: int | None) -> str:
    """One slot given two stories ("Slot 3"), or one story given two places ("Place of “Floods”")."""
    if name == "place":
        return f"Place of “{title}”"
    return f"Slot {at}" if at else "A slot past the end of the block"


def value_text(name: str, value: object) -> str:
    if value is MISSING:
        return "not set"
    if value is None:
        return "off" if name == "teaser_limit" else "none"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "none"
    if isinstance(value, str):
        return shorten(value, TEXT_LIMIT) or "empty"
    return str(value)


def place_text(position: object) -> str:
    return f"slot {position}" if position else "not in the block"


def kept_though_deleted(title: str, deleted_on: Side) -> str:
    return (
        f"“{title}” was deleted on {SIDE_NAMES[deleted_on]} but changed on {SIDE_NAMES[other(deleted_on)]}: "
        "it is kept."
    )


def kept_though_taken_out(title: str, taken_out_on: Side) -> str:
    return (
        f"“{title}” was taken out of the block on {SIDE_NAMES[taken_out_on]} but its overrides were "
        f"changed on {SIDE_NAMES[other(taken_out_on)]}: it stays in the block."
    )


def kept_out_though_moved(title: str, taken_out_on: Side) -> str:
    return (
        f"“{title}” was moved on {SIDE_NAMES[other(taken_out_on)]} but taken out of the block on "
        f"{SIDE_NAMES[taken_out_on]}: it stays out."
    )
