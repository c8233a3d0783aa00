"""Scheduled layout variants (issue 16): which layout of a section is live when, and the timeline ahead.

A section's editor's-choice block has a main layout and any number of **variants** (the weekend page, the
election-night page), each live inside its window: ``starts_at <= moment < ends_at`` (no end: from its start
on). The main layout is live whenever no variant is. Windows are stored and compared in UTC; people type
and read them in the desk's time zone (this computer's, as everywhere in the app: ``local_time``).

Overlapping windows are refused by the checklist; until they are fixed, the variant that started latest is
live (a tie: the one created first), so every moment still has exactly one live layout.

Pure: no clock is read here; callers pass the moment.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from ca_editor.domain.slugs import make_slug

MAX_VARIANT_NAME = 120


class ScheduleError(ValueError):
    """A window or a date-time a person typed that cannot be a schedule: the message says why."""


@dataclass(frozen=True, slots=True)
class LayoutVariant:
    """One scheduled variant of a section's block: a name and a window (aware UTC datetimes)."""

    id: int
    section_id: int
    name: str
    starts_at: datetime
    ends_at: datetime | None = None  # None: open-ended
    created_by: str = ""
    created_at: datetime | None = None
    updated_by: str = ""
    updated_at: datetime | None = None

    @property
    def slug(self) -> str:
        """The file name stem of its exported page: ``variants/<slug>.html``."""
        return variant_slug(self.name)

    def live_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)

    def overlaps(self, other: LayoutVariant) -> bool:
        """Whether the two windows share at least one moment (touching ends do not: ends are exclusive)."""
        self_before = self.ends_at is not None and self.ends_at <= other.starts_at
        other_before = other.ends_at is not None and other.ends_at <= self.starts_at
        return not (self_before or other_before)


def variant_slug(name: str) -> str:
    """A safe, stable file name stem for a variant's name (lower-case ASCII letters, digits and hyphens)."""
    return make_slug(name, fallback="variant")


def window_problem(starts_at: datetime, ends_at: datetime | None) -> str | None:
    """Why a window cannot be saved, or None. Both ends must be aware; the end after the start."""
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        return "a window's times need a time zone"
    if ends_at is not None and ends_at <= starts_at:
        return "the end must come after the start"
    return None


def name_problem(name: str) -> str | None:
    """Why a variant name cannot be used, or None ('main' names the main layout everywhere)."""
    if not name.strip():
        return "a variant needs a name"
    if len(name) > MAX_VARIANT_NAME:
        return f"a variant's name is at most {MAX_VARIANT_NAME} characters"
    if name.strip().casefold() == "main" or variant_slug(name) == "main":
        return "'main' names the main layout; choose another name"
    return None


def live_variant(variants: Iterable[LayoutVariant], moment: datetime) -> LayoutVariant | None:
    """The variant live at ``moment``, or None when the main layout is."""
    live = [v for v in variants if v.live_at(moment)]
    if not live:
        return None
    return min(live, key=lambda v: (-v.starts_at.timestamp(), v.id))


def overlapping_pairs(variants: Sequence[LayoutVariant]) -> list[tuple[LayoutVariant, LayoutVariant]]:
    """Every pair of variants whose windows overlap, in start order."""
    ordered = sorted(variants, key=lambda v: (v.starts_at, v.id))
    pairs = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if first.overlaps(second):
                pairs.append((first, second))
    return pairs


class SegmentKind(StrEnum):
    MAIN = "main"  # no variant: the main layout is live
    VARIANT = "variant"  # exactly one variant
    OVERLAP = "overlap"  # two or more windows cover it (refused by the checklist); ``live`` still shows


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the timeline with one live layout and one set of covering windows."""

    starts_at: datetime
    ends_at: datetime
    live: LayoutVariant | None  # None: the main layout
    covering: tuple[LayoutVariant, ...] = ()  # every variant whose window covers it, in start order
    gap: bool = False  # a main stretch between two variants: maybe a hole the desk did not mean

    @property
    def kind(self) -> SegmentKind:
        if len(self.covering) > 1:
            return SegmentKind.OVERLAP
        return SegmentKind.VARIANT if self.covering else SegmentKind.MAIN

    @property
    def label(self) -> str:
        """The layout's name as people read it: 'main' or the variant's name."""
        return self.live.name if self.live is not None else "main"


def timeline(variants: Sequence[LayoutVariant], start: datetime, end: datetime) -> tuple[Segment, ...]:
    """The layouts live from ``start`` to ``end``, as contiguous segments covering exactly that span.

    Adjacent stretches covered by the same windows are one segment; a main segment between two variant
    segments is marked ``gap``.
    """
    if end <= start:
        return ()
    cuts = {start, end}
    for variant in variants:
        for moment in (variant.starts_at, variant.ends_at):
            if moment is not None and start < moment < end:
                cuts.add(moment)
    bounds = sorted(cuts)
    merged: list[Segment] = []
    for first, second in itertools.pairwise(bounds):
        covering = tuple(sorted((v for v in variants if v.live_at(first)), key=lambda v: (v.starts_at, v.id)))
        if merged and {v.id for v in merged[-1].covering} == {v.id for v in covering}:
            previous = merged[-1]
            merged[-1] = Segment(previous.starts_at, second, previous.live, previous.covering)
            continue
        merged.append(Segment(first, second, live_variant(covering, first), covering))
    return tuple(_mark_gaps(merged))


def _mark_gaps(segments: list[Segment]) -> list[Segment]:
    marked = []
    for index, segment in enumerate(segments):
        between = 0 < index < len(segments) - 1
        if segment.kind is SegmentKind.MAIN and between:
            segment = Segment(segment.starts_at, segment.ends_at, None, (), gap=True)
        marked.append(segment)
    return marked


def timeline_days(variants: Sequence[LayoutVariant], start: datetime, days: int) -> tuple[Segment, ...]:
    """The timeline over the next ``days`` days from ``start``."""
    return timeline(variants, start, start + timedelta(days=days))


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_moment(text: str, zone: tzinfo | None = None) -> datetime:
    """A date-time a person typed, as aware UTC: ``2026-12-12 18:00``, ``2026-12-12T18:00:00+05:00``, or
    ``2026-12-12`` (midnight). Without an offset it is read in ``zone`` (None: this computer's zone)."""
    cleaned = text.strip()
    if not cleaned:
        raise ScheduleError("the date and time are empty")
    try:
        if _DATE_ONLY.match(cleaned):
            parsed = datetime.combine(date.fromisoformat(cleaned), time())
        else:
            parsed = datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError:
        raise ScheduleError(
            f"'{cleaned[:40]}' is not a date and time such as 2026-12-12 18:00 or 2026-12-12T18:00+05:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone) if zone is not None else parsed.astimezone()
    return parsed.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """``2026-12-12T13:00:00Z``: how ``schedule.json`` and the JSON Lines write a moment."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
