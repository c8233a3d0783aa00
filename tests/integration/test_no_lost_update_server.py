"""Two workstations, one PostgreSQL database: two OS processes edit the same rows at once, no update is lost.

Each child does ``ROUNDS`` read-modify-write increments of a counter in one story's title
(``StoryService.update`` with ``expected_version``) and of a counter in one slot's page headline while
rotating the whole block (``SectionService.replace_slots`` with ``expected_version``; the write locks the
section row first, ``services.sections.lock_section``), retrying on ``ConflictError`` as an editor would
after reloading. A lost update would leave a counter below ``2 * ROUNDS`` or the block's order out of step
with the rotations.

Whatever else went wrong must reach the caller as a person's sentence: a ``StorageError`` (a serialization
failure or deadlock named in words) is retried and counted; any other exception, or a sentence carrying the
driver's text, is a raw driver error and fails the test. (``test_concurrent_editors`` is the SQLite twin.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from ca_editor.domain.errors import StorageError
from ca_editor.domain.model import SectionLayout, SlotEntry, StoryFields, StoryStatus
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import SectionRow
from ca_editor.services.container import Services
from ca_editor.services.sections import lock_section

ROUNDS = 500  # per process, for the story and for the layout each: 1,000 conflicting edits a process

CHILD = r"""
import json, sys, time, traceback
from dataclasses import replace
from ca_editor.domain.errors import ConflictError, StorageError
from ca_editor.persistence.database import Database
from ca_editor.services.container import Services
from ca_editor.services.sections import lock_section
from ca_editor.services.identity import Identity

url, name = sys.argv[1], sys.argv[2]
story_id, section_id, tracked, rounds = (int(a) for a in sys.argv[3:7])
go = float(sys.argv[7])
services = Services.over(Database(url), Identity(name))
stories, sections = services.stories, services.sections
done = {"story": 0, "layout": 0}
conflicts = {"story": 0, "layout": 0}
storage_errors, raw_errors = [], []


def bump_story():
    story = stories.get(story_id)
    count = int(story.title.rsplit(" ", 1)[1])
    fields = replace(story.fields(), title=f"Counter {count + 1}")
    stories.update(story_id, fields, expected_version=story.version)


def bump_layout():
    layout = sections.layout(section_id)
    entries = list(layout.entries())
    at = next(i for i, e in enumerate(entries) if e.story_id == tracked)
    count = int(entries[at].headline.rsplit(" ", 1)[1])
    entries[at] = replace(entries[at], headline=f"Layout counter {count + 1}")
    entries = entries[1:] + entries[:1]  # every step also rotates the block by one
    sections.replace_slots(section_id, entries, expected_version=layout.section.version)


def until_done(kind, step):
    for _ in range(10_000):
        try:
            step()
            done[kind] += 1
            return
        except ConflictError:
            conflicts[kind] += 1  # what an editor sees as "changed by NAME at TIME": reload, redo the step
        except StorageError as exc:  # a person's sentence: retried, counted, its wording checked by the test
            storage_errors.append(str(exc))
        except Exception:  # a raw driver error (or any other): what a person must never see
            raw_errors.append(traceback.format_exc(limit=3))
            if len(raw_errors) > 20:
                return


time.sleep(max(0.0, go - time.time()))
started = time.perf_counter()
for _ in range(rounds):
    until_done("story", bump_story)
    until_done("layout", bump_layout)
print(json.dumps({
    "name": name,
    "seconds": round(time.perf_counter() - started, 1),
    "done": done,
    "conflicts": conflicts,
    "storage_errors": sorted(set(storage_errors)),
    "storage_error_count": len(storage_errors),
    "raw_errors": raw_errors[:5],
}))
"""
_DRIVER_WORDS = ("psycopg", "sqlalchemy", "sqlstate", "traceback", "error:", "detail:", "\n")


def _rotated(order: list[int], steps: int) -> list[int]:
    steps %= len(order)
    return order[steps:] + order[:steps]


def _shared_rows(services: Services) -> tuple[int, SectionLayout]:
    """A counter story and a small block of three stories, one slot carrying a counter headline."""
    counter = services.stories.create(StoryFields(title="Counter 0", status=StoryStatus.DRAFT))
    stories = [
        services.stories.create(
            StoryFields(title=f"Story {n}", body=f"Body {n}.", status=StoryStatus.APPROVED)
        )
        for n in range(3)
    ]
    with services.db.write() as session:
        section = SectionRow(slug="race", title="Race", description="", slot_count=3)
        session.add(section)
        session.flush()
        section_id = section.id
    entries = [SlotEntry(s.id) for s in stories]
    entries[0] = replace(entries[0], headline="Layout counter 0")
    return counter.id, services.sections.replace_slots(section_id, entries)


@pytest.mark.postgresql_only
@pytest.mark.slow  # two children of 1,000 edits each on one server: 25-40 s on two shared cores
def test_two_workstations_on_one_server_lose_no_update(empty_services: Services) -> None:
    services = empty_services
    url = services.db.url
    counter_id, layout = _shared_rows(services)
    counter = services.stories.get(counter_id)
    section_id, tracked = layout.section.id, layout.slots[0].story.id
    order_before = list(layout.story_ids())
    services.db.dispose()  # the parent holds no connection while the children work

    go = str(time.time() + 3)  # both children import first, then start at the same moment
    args = [str(counter.id), str(section_id), str(tracked), str(ROUNDS), go]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, name, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("Aigerim", "Timur")
    ]
    reports = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        reports.append(json.loads(out))
    print(json.dumps(reports, indent=1))  # timings and counts: shown with -s, and when a run fails

    assert [r["raw_errors"] for r in reports] == [[], []]  # no driver error reached anyone
    for sentence in (s for r in reports for s in r["storage_errors"]):
        assert not any(word in sentence.lower() for word in _DRIVER_WORDS), sentence
    assert [r["done"] for r in reports] == [{"story": ROUNDS, "layout": ROUNDS}] * 2
    # Both really collided: each saw the other's change at least once (otherwise this proves nothing).
    assert all(r["conflicts"]["story"] > 0 and r["conflicts"]["layout"] > 0 for r in reports)

    db = Database(url)
    try:
        after = Services.over(db)
        story = after.stories.get(counter.id)
        assert story.title == f"Counter {2 * ROUNDS}"  # every save counted once
        assert story.version == counter.version + 2 * ROUNDS
        layout_after: SectionLayout = after.sections.layout(section_id)
        assert list(layout_after.story_ids()) == _rotated(order_before, 2 * ROUNDS)
        headline = next(s.overrides.headline for s in layout_after.slots if s.story.id == tracked)
        assert headline == f"Layout counter {2 * ROUNDS}"
        assert layout_after.section.version == layout.section.version + 2 * ROUNDS
    finally:
        db.dispose()


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
