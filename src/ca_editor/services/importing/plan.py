"""The import plan: for every record, add, update or skip, with the reason, before anything is written.

Pure: it sees the database only through a ``StoryLookup`` (the service passes one over a session, tests a
dict), so the preview and the write compute the same plan from the same records. A record is the same story
as an existing one when it has the same guid, else the same link, else the same slug (a slug derived from
the title only when the title matches too, so two stories called "Daily briefing" stay two). Inside one
file, an entry whose guid or link an earlier entry already had is skipped; two records may not claim one
explicit slug. New stories get a readable slug that no story and no earlier record has (``-2``, ``-3``…).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Protocol

from ca_editor.domain.model import FIELD_LABELS, StoryFields
from ca_editor.domain.slugs import unique_slug
from ca_editor.services.importing.records import ImportRecord, ImportSource

_FIELD_NAMES = tuple(f.name for f in fields(StoryFields))


class Action(StrEnum):
    ADD = "add"
    UPDATE = "update"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class ExistingStory:
    """What planning needs to know about a story already in the database."""

    id: int
    version: int
    fields: StoryFields
    source_guid: str | None = None
    source_link: str | None = None


class StoryLookup(Protocol):
    def by_guid(self, guid: str) -> ExistingStory | None: ...
    def by_link(self, link: str) -> ExistingStory | None: ...
    def by_slug(self, slug: str) -> ExistingStory | None: ...


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    record: ImportRecord
    action: Action
    reason: str
    fields: StoryFields  # what will be written (updates: the story's values merged with the record's)
    story_id: int | None = None  # the story updated or matched
    story_version: int | None = None  # its version when planned; the write refuses if it moved

    @property
    def slug(self) -> str:
        return self.fields.slug

    @property
    def decision(self) -> tuple[str, str, int | None, int | None, str]:
        return (self.record.origin.label, self.action.value, self.story_id, self.story_version, self.slug)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    source: ImportSource
    entries: tuple[PlannedEntry, ...]

    def count(self, action: Action) -> int:
        return sum(1 for e in self.entries if e.action is action)

    @property
    def writes(self) -> int:
        return self.count(Action.ADD) + self.count(Action.UPDATE)

    def summary(self) -> str:
        """'12 to add, 3 to update, 5 skipped' (and ', 2 invalid' when the source had invalid entries)."""
        invalid = f", {len(self.source.invalid):,} invalid" if self.source.invalid else ""
        return (
            f"{self.count(Action.ADD):,} to add, {self.count(Action.UPDATE):,} to update, "
            f"{self.count(Action.SKIP):,} skipped{invalid}"
        )

    def decisions(self) -> tuple[tuple[str, str, int | None, int | None, str], ...]:
        return tuple(e.decision for e in self.entries)


def make_plan(source: ImportSource, lookup: StoryLookup) -> ImportPlan:
    return ImportPlan(source, tuple(_Planner(lookup).plan(source.records)))


class _Planner:
    def __init__(self, lookup: StoryLookup) -> None:
        self.lookup = lookup
        self.slugs: dict[str, str] = {}  # slug -> label of the record this plan gives it
        self.guids: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.claimed: dict[int, str] = {}  # existing story id -> label of the record that updates it

    def plan(self, records: Iterable[ImportRecord]) -> Iterable[PlannedEntry]:
        for record in records:
            yield self._one(record)

    def _one(self, record: ImportRecord) -> PlannedEntry:
        label = record.origin.label
        guid, link = record.source_guid, record.source_link
        if guid and guid in self.guids:
            return self._skip(record, f"same guid as {self.guids[guid]} of this file")
        if not guid and link and link in self.links:  # with a guid, the guid alone decides
            return self._skip(record, f"same link as {self.links[link]} of this file")
        if guid:
            self.guids[guid] = label
        if link:
            self.links.setdefault(link, label)
        existing, why = self._match(record)
        if existing is not None and existing.id in self.claimed:
            if record.explicit_slug and existing.fields.slug == record.fields.slug:
                raise record.origin.fail(
                    "slug", f"'{record.fields.slug}' was already given to {self.claimed[existing.id]}"
                )
            existing = None  # an earlier record updates that story: this one is another story
        if existing is None:
            return self._add(record)
        return self._update(record, existing, why)

    def _match(self, record: ImportRecord) -> tuple[ExistingStory | None, str]:
        if record.source_guid:
            found = self.lookup.by_guid(record.source_guid)
            if found is not None:
                return found, f"same guid as story #{found.id}"
        if record.source_link:
            found = self.lookup.by_link(record.source_link)
            if found is not None:
                return found, f"same link as story #{found.id}"
        found = self.lookup.by_slug(record.fields.slug)
        if found is None or record.fields.slug in self.slugs:
            return None, ""
        if record.explicit_slug:
            return found, f"same slug as story #{found.id}"
        if found.fields.title != record.fields.title.strip():
            return None, ""  # a derived slug names the same story only with the same title
        if record.source_guid and found.source_guid and found.source_guid != record.source_guid:
            return None, ""  # same title, but the feed says it is another story
        return found, f"same title and slug as story #{found.id}"

    def _add(self, record: ImportRecord) -> PlannedEntry:
        slug = record.fields.slug
        if record.explicit_slug:
            if slug in self.slugs:
                raise record.origin.fail("slug", f"'{slug}' was already given to {self.slugs[slug]}")
        else:
            slug = unique_slug(slug, lambda s: s in self.slugs or self.lookup.by_slug(s) is not None)
        self.slugs[slug] = record.origin.label
        reason = "new story" if slug == record.fields.slug else f"new story; '{record.fields.slug}' is taken"
        return PlannedEntry(
            record, Action.ADD, _with_notes(reason, record), replace(record.fields, slug=slug)
        )

    def _update(self, record: ImportRecord, existing: ExistingStory, why: str) -> PlannedEntry:
        merged = _merge(existing.fields, record)
        if record.explicit_slug and merged.slug != existing.fields.slug:
            holder = self.lookup.by_slug(merged.slug)
            if merged.slug in self.slugs or (holder is not None and holder.id != existing.id):
                raise record.origin.fail("slug", f"'{merged.slug}' belongs to another story")
        self.slugs[merged.slug] = record.origin.label
        self.claimed[existing.id] = record.origin.label
        changed = [name for name in _FIELD_NAMES if getattr(merged, name) != getattr(existing.fields, name)]
        new_identity = (record.source_guid and record.source_guid != existing.source_guid) or (
            record.source_link and record.source_link != existing.source_link
        )
        if not changed and not new_identity:
            return PlannedEntry(
                record, Action.SKIP, f"{why}, unchanged", merged, existing.id, existing.version
            )
        what = ", ".join(FIELD_LABELS[n].lower() for n in changed) or "its source"
        return PlannedEntry(
            record,
            Action.UPDATE,
            _with_notes(f"{why}; changes {what}", record),
            merged,
            existing.id,
            existing.version,
        )

    def _skip(self, record: ImportRecord, reason: str) -> PlannedEntry:
        return PlannedEntry(record, Action.SKIP, reason, record.fields)


def _merge(current: StoryFields, record: ImportRecord) -> StoryFields:
    """The story after the update: the record's carried fields over the story's own."""
    values = {name: getattr(record.fields, name) for name in record.carried if name in _FIELD_NAMES}
    values["title"] = record.fields.title.strip()
    values["slug"] = record.fields.slug if record.explicit_slug else current.slug
    return replace(current, **values)


def _with_notes(reason: str, record: ImportRecord) -> str:
    return "; ".join((reason, *record.notes))
