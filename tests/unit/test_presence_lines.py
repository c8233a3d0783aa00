"""The two presence lines a person reads (domain/presence.py): who has the section open, who edits a story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ca_editor.domain.local_time import clock_time
from ca_editor.domain.presence import Presence, editing_line, open_line

NOW = datetime.now(UTC).replace(microsecond=0)
EARLIER, LATER = NOW - timedelta(minutes=30), NOW - timedelta(minutes=10)


def at(when: datetime) -> str:
    return clock_time(when, NOW)


def test_nobody_else_means_no_line() -> None:
    assert open_line(()) == ""
    assert editing_line((), 7) == ""


def test_the_section_line_names_each_person_with_what_they_do() -> None:
    others = (
        Presence(
            "Timur",
            LATER,
            story_id=7,
            story_title="Tokayev ratifies treaty on allied relations with Uzbekistan",
            editing_since=NOW,
        ),
        Presence("Aigerim", EARLIER),
    )
    assert open_line(others, NOW) == (
        f"Also open: Aigerim (since {at(EARLIER)}), Timur (editing “Tokayev ratifies treaty on…”, "
        f"since {at(NOW)})"
    )


def test_the_editor_line_names_only_those_on_this_story() -> None:
    others = (
        Presence("Timur", EARLIER, story_id=7, story_title="A", editing_since=LATER),
        Presence("Aigerim", EARLIER, story_id=8, story_title="B", editing_since=LATER),
        Presence("Dana", LATER),
    )
    assert editing_line(others, 7, NOW) == f"Also editing: Timur, since {at(LATER)}"
    assert editing_line(others, 9, NOW) == ""
    assert editing_line(others, None, NOW) == ""  # a new story: nobody can have it open


def test_unsaved_changes_are_said_and_one_person_at_two_desks_is_named_once() -> None:
    others = (
        Presence("Timur", EARLIER, story_id=7, story_title="A", editing_since=LATER, unsaved=True),
        Presence("Timur", LATER, story_id=7, story_title="A", editing_since=EARLIER),
        Presence("Aigerim", LATER, story_id=7, story_title="A", editing_since=NOW),
    )
    assert editing_line(others, 7, NOW) == (
        f"Also editing: Timur, since {at(EARLIER)}, with unsaved changes; Aigerim, since {at(NOW)}"
    )
    assert open_line(others, NOW).count("Timur") == 1


def test_a_deleted_story_still_reads() -> None:
    assert open_line((Presence("Timur", EARLIER, story_id=7, editing_since=NOW),), NOW) == (
        f"Also open: Timur (editing “a story”, since {at(NOW)})"
    )
