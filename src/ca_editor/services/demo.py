"""The demo section: the client's Central Asia page, loaded on first run by the same importer users use."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from ca_editor.locations import demo_dir
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import SectionRow, SlotRow, StoryRow

DEMO_AUTHOR = "ca-editor demo"


def seed_demo_if_empty(db: Database) -> bool:
    """Create the demo section and its stories if the database has no section yet; True if it did."""
    with db.read() as session:  # every start asks; only a first one takes the write lock and the importers
        if session.scalar(select(func.count(SectionRow.id))):
            return False
    from ca_editor.services.importing import read_jsonl, write_records

    folder = demo_dir()
    meta: dict[str, Any] = json.loads((folder / "section.json").read_text(encoding="utf-8"))
    records = read_jsonl(folder / "stories.jsonl")
    # Recorded as the demo's, not as whoever happened to start the app first ("created by root").
    with db.write(DEMO_AUTHOR) as session:  # BEGIN IMMEDIATE: two first starts at once seed only once
        if session.scalar(select(func.count(SectionRow.id))):
            return False
        write_records(session, records, name="demo")
        section = SectionRow(
            slug=meta["slug"],
            title=meta["title"],
            description=meta["description"],
            slot_count=int(meta.get("slot_count", 8)),
        )
        session.add(section)
        for position, slug in enumerate(meta["editors_choice"]):
            story = session.scalar(select(StoryRow).where(StoryRow.slug == slug))
            if story is None:
                raise ValueError(f"demo section.json names '{slug}', which stories.jsonl does not hold")
            section.slots.append(SlotRow(story=story, position=position))
        return True
