"""A layout's block as JSON Lines, out and in (issue 16: automation fills a variant from a script).

One line per slot, in page order; the story by its slug, then only the overrides that are set::

    {"story": "rogun-dam-turbines"}
    {"story": "almaty-metro", "headline": "Metro opens", "summary": "…", "image": "<sha256>",
     "image_alt": "…", "image_focus": [0.5, 0.3]}

Reading is all or nothing: every line is checked (a JSON object, known keys, a story that exists) before the
block is written through the one write path (``sections.write_block``: overrides checked, stories that
leave remembered as former slots). Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import Problem, ValidationError
from ca_editor.domain.model import SectionLayout, SlotEntry
from ca_editor.domain.text import shorten
from ca_editor.persistence.models import StoryRow

KEYS = ("story", "headline", "summary", "image", "image_alt", "image_focus")


def layout_lines(layout: SectionLayout) -> list[str]:
    """The block as JSON Lines (without line ends), in page order."""
    lines = []
    for slot in layout.slots:
        entry = slot.entry()
        record: dict[str, Any] = {"story": slot.story.slug}
        for key, value in (
            ("headline", entry.headline),
            ("summary", entry.summary),
            ("image", entry.image_sha256),
            ("image_alt", entry.image_alt if entry.image_sha256 else None),
            ("image_focus", list(entry.image_focus) if entry.image_focus and entry.image_sha256 else None),
        ):
            if value is not None:
                record[key] = value
        lines.append(json.dumps(record, ensure_ascii=False))
    return lines


def read_lines(session: Session, lines: Iterable[str]) -> tuple[SlotEntry, ...]:
    """The entries the lines describe; ValidationError naming every bad line (nothing is written)."""
    records: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record, problem = _record(line)
        if problem:
            problems.append(Problem(f"line {number}", problem))
        else:
            records.append((number, record))
    slugs = {str(r["story"]) for _, r in records}
    query = select(StoryRow.slug, StoryRow.id).where(StoryRow.slug.in_(slugs))
    ids = {row[0]: row[1] for row in session.execute(query)} if slugs else {}
    entries = []
    for number, record in records:
        story_id = ids.get(str(record["story"]))
        if story_id is None:
            problems.append(
                Problem(f"line {number}", f"no story has the slug '{shorten(str(record['story']), 80)}'")
            )
            continue
        focus = record.get("image_focus")
        entries.append(
            SlotEntry(
                story_id,
                record.get("headline"),
                record.get("summary"),
                record.get("image"),
                record.get("image_alt"),
                (float(focus[0]), float(focus[1])) if focus else None,
            )
        )
    if problems:  # in line order, whichever check found them
        raise ValidationError(sorted(problems, key=lambda p: int(p.field.split()[-1])))
    return tuple(entries)


def _record(line: str) -> tuple[dict[str, Any], str | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {}, f"is not JSON ({exc.msg})"
    if not isinstance(record, dict):
        return {}, 'is not a JSON object such as {"story": "a-slug"}'
    unknown = sorted(set(record) - set(KEYS))
    if unknown:
        return {}, f"has unknown key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})"
    if not isinstance(record.get("story"), str) or not record["story"].strip():
        return {}, 'names no story: give its slug as "story"'
    for key in ("headline", "summary", "image", "image_alt"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return {}, f'"{key}" must be text'
    focus = record.get("image_focus")
    if focus is not None and not (
        isinstance(focus, list) and len(focus) == 2 and all(isinstance(v, int | float) for v in focus)
    ):
        return {}, '"image_focus" must be two numbers [x, y]'
    return record, None
