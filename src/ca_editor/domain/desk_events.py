"""A colleague's change, as another desk on the same database learns of it: ``DeskEvent``.

Every write transaction leaves one event (``persistence/desk_events.py``) naming what it touched, in the
terms of ``Change``: the stories saved, created or deleted, the blocks whose slots changed, statuses,
snapshots. A desk that reads events it did not write turns them into one ``Change`` (origin: another
process) for the one broadcast, and into a sentence for the status bar: "Aigerim moved a slot in Central
Asia", "Timur saved “Story title”".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ca_editor.domain.changes import Change, Origin
from ca_editor.domain.model import StoryStatus
from ca_editor.domain.text import shorten
from ca_editor.domain.workflow import LABELS


class EventKind(StrEnum):
    """What a write mainly did, for the notice (the ``Change`` it becomes names everything it touched)."""

    SIGN_OFF = "sign_off"
    SEND_BACK = "send_back"
    EXPORT = "export"
    STATUS = "status"
    CREATED = "created"
    DELETED = "deleted"
    SAVED = "saved"
    SAVED_MANY = "saved_many"  # an import, a migration of texts
    SLOT_ADDED = "slot_added"
    SLOT_REMOVED = "slot_removed"
    SLOT_MOVED = "slot_moved"
    SLOT_EDITED = "slot_edited"
    SETTINGS = "settings"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class DeskEvent:
    """One write another desk made: who, when, what kind, and what it names."""

    id: int
    at: datetime
    who: str
    kind: EventKind
    section_id: int | None = None
    saved: frozenset[int] = frozenset()
    created: frozenset[int] = frozenset()
    deleted: frozenset[int] = frozenset()
    placed: frozenset[int] = frozenset()  # stories that entered or left a block
    sections: frozenset[int] = frozenset()  # blocks (or former lists, settings) that changed
    statuses: bool = False
    dates: bool = False
    snapshots: bool = False
    everything: bool = False  # too much to name one by one (a large import): re-read all
    title: str = ""  # the story's title (one story), for the notice
    section_title: str = ""
    to_status: str = ""  # a status step's target
    count: int = 0  # stories saved, for SAVED_MANY

    def change(self) -> Change:
        """The record panes follow; origin: another process (``Desk.follow`` adds the block as read)."""
        return Change(
            origin=Origin.OTHER_PROCESS,
            who=self.who,
            saved_story_ids=self.saved | self.created,
            created_story_ids=self.created,
            deleted_story_ids=self.deleted,
            layout_section_ids=self.sections,
            placed_story_ids=self.placed,
            statuses=self.statuses or self.everything,
            dates_changed=self.dates or self.everything,
            snapshots=self.snapshots or self.everything,
            everything=self.everything,
        )

    def notice(self, own_section: tuple[int, str] | None = None) -> str:
        """The status-bar sentence; ``own_section`` (id, title) names the desk's section if none came."""
        who = self.who or "Someone"
        section = self.section_title
        if not section and own_section is not None and self.section_id == own_section[0]:
            section = own_section[1]
        where = section or "another section"
        title = f"“{shorten(self.title, 60)}”" if self.title else "a story"
        status = _status_label(self.to_status)
        sentences = {
            EventKind.SIGN_OFF: f"{who} signed off {where}",
            EventKind.SEND_BACK: f"{who} sent {where} back",
            EventKind.EXPORT: f"{who} exported {where}",
            EventKind.STATUS: f"{who} moved {title} to {status}" if status else f"{who} stepped {title}",
            EventKind.CREATED: f"{who} created {title}",
            EventKind.DELETED: f"{who} deleted {title}",
            EventKind.SAVED: f"{who} saved {title}",
            EventKind.SAVED_MANY: f"{who} saved {self.count} stories",
            EventKind.SLOT_ADDED: f"{who} added {title} to {where}",
            EventKind.SLOT_REMOVED: f"{who} took {title} out of {where}",
            EventKind.SLOT_MOVED: f"{who} moved a slot in {where}",
            EventKind.SLOT_EDITED: f"{who} edited a slot in {where}",
            EventKind.SETTINGS: f"{who} changed the settings of {where}",
        }
        return sentences.get(self.kind, f"{who} changed the desk")


def change_of(events: Sequence[DeskEvent]) -> Change:
    """One record for a batch of events, oldest first (the later one's who and origin win)."""
    change = Change(origin=Origin.OTHER_PROCESS)
    for event in events:
        change = change | event.change()
    return change


def _status_label(value: str) -> str:
    try:
        return LABELS[StoryStatus(value)]
    except ValueError:
        return ""
