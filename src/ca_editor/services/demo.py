"""The demo section: the client's Central Asia page, loaded on first run by the same importer users use.

The page as the client's site shows it is ``resources/demo/central-asia-section.txt``; the demo carries it
in ``stories.jsonl`` and ``section.json``. Each card there shows the headline and a long teaser (444 to
1,370 characters, some cut mid-sentence by the site, one ending in a no-break space). Data model: a card's
text is the story's **summary**, so each demo story's summary holds the client's teaser verbatim. Chosen over
"the card shows the body cut at the section's teaser length": the client's teasers are not one length (one
is cut at 740 characters, others run whole to 1,370), so no single cut reproduces them, and a summary
keeps the card text an editor's own field, edited, overridden per page and checked like any other. The
story page leaves out its standfirst when the body opens with that text (``export.pages``), so a teaser
taken from the body is not printed twice. The section's ``teaser_limit`` is null (no "phones cut teasers"
advice): the client's own page would not pass the 400-character default. Migration 0011 carries untouched
demo summaries of older databases forward.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from ca_editor.domain.model import DEFAULT_TEASER_LIMIT
from ca_editor.locations import demo_dir
from ca_editor.persistence.database import Database
from ca_editor.persistence.engine import first_start_lock
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
        first_start_lock(session.connection())  # PostgreSQL's twin of that write lock
        if session.scalar(select(func.count(SectionRow.id))):
            return False
        write_records(session, records, name="demo")
        section = SectionRow(
            slug=meta["slug"],
            title=meta["title"],
            description=meta["description"],
            slot_count=int(meta.get("slot_count", 8)),
            teaser_limit=meta.get("teaser_limit", DEFAULT_TEASER_LIMIT) or 0,  # null: no advice (0)
        )
        session.add(section)
        for position, slug in enumerate(meta["editors_choice"]):
            story = session.scalar(select(StoryRow).where(StoryRow.slug == slug))
            if story is None:
                raise ValueError(f"demo section.json names '{slug}', which stories.jsonl does not hold")
            section.slots.append(SlotRow(story=story, position=position))
        return True
