"""A section held by another PostgreSQL workstation: a lock timeout is a person's sentence, not the driver's.

The two-process race of 1,000 conflicting edits a process runs on both engines in
``test_concurrent_editors``; this is what only a server does: a row lock held by another workstation's
layout write, running into ``lock_timeout``.
"""

from __future__ import annotations

import pytest

from ca_editor.domain.errors import StorageError
from ca_editor.persistence.database import Database
from ca_editor.services.container import Services
from ca_editor.services.sections import lock_section

_DRIVER_WORDS = ("psycopg", "sqlalchemy", "sqlstate", "traceback", "error:", "detail:", "\n")


@pytest.mark.postgresql_only
def test_a_section_held_by_another_workstation_is_a_sentence_not_a_driver_error(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    reordered = list(layout.entries())[::-1]
    holder = Database(services.db.url)  # another workstation in the middle of a layout write
    waiting = Services.over(Database(services.db.url + "?options=-c%20lock_timeout%3D300"))
    try:
        with holder.write() as session:
            lock_section(session, section_id)
            with pytest.raises(StorageError) as refused:
                waiting.sections.replace_slots(section_id, reordered, expected_version=layout.section.version)
        message = str(refused.value)
        assert message.startswith("The database server stayed busy: another workstation is holding")
        assert not any(word in message.lower() for word in _DRIVER_WORDS), message
        # Let go, the same step goes through: nothing of the refused one was kept.
        after = waiting.sections.replace_slots(section_id, reordered, expected_version=layout.section.version)
        assert [slot.story.id for slot in after.slots] == [entry.story_id for entry in reordered]
    finally:
        holder.dispose()
        waiting.db.dispose()
