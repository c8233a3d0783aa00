"""A check-in killed halfway (issue 15, item 5): SIGKILL inside the shared desk's transaction leaves both
databases exactly as they were, and running it again finishes it; killed after that commit but before the
laptop desk was marked, running it again only marks the laptop (nothing is applied twice).

The check-in runs as ``ca-editor checkin`` in a child process that stops where
``CA_EDITOR_TEST_CHECKIN_PAUSE`` says, after saying so on stderr; the test kills it there. Both engines
for the shared desk.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from ca_editor.app import open_services
from ca_editor.domain.model import SlotEntry, StoryFields
from ca_editor.persistence.checkout_copy import sqlite_url
from ca_editor.persistence.desk_tables import Tally, copied_columns, desk_tables, tally
from ca_editor.persistence.engine import make_engine
from ca_editor.services.checkin import PAUSE_VARIABLE, laptop_origin
from ca_editor.services.container import Services


def fingerprint(url: str) -> dict[str, Tally]:
    """Every desk table's row count and checksum."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = desk_tables(connection)
            return {t.name: tally(connection, t, copied_columns(t, t)) for t in tables.sorted_tables}
    finally:
        engine.dispose()


def diverge(services: Services, laptop: Path) -> None:
    """Both desks changed since the check-out, with one conflict (the title of the first story)."""
    section_id = services.section_id()
    services.checkouts.checkout(section_id, laptop)
    mine = open_services(str(laptop), seed_demo=False)
    try:
        first = mine.sections.layout(section_id).slots[0].story
        mine.stories.update(
            first.id, replace(first.fields(), title="Laptop's title"), expected_version=first.version
        )
        new = mine.stories.create(StoryFields(title="Filed offline", body="text"))
        slots = [slot.story.id for slot in mine.sections.layout(section_id).slots]
        mine.sections.replace_slots(section_id, [SlotEntry(new.id), *(SlotEntry(i) for i in slots[:-1])])
    finally:
        mine.db.dispose()
    there = services.stories.get(first.id)
    services.stories.update(
        first.id, replace(there.fields(), title="Desk's title"), expected_version=there.version
    )


def checkin(laptop: Path, url: str, pause: str | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop(PAUSE_VARIABLE, None)
    if pause:
        env[PAUSE_VARIABLE] = pause
    command = [sys.executable, "-m", "ca_editor", "checkin", str(laptop), "--db", url, "--prefer", "mine"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when_paused(child: subprocess.Popen[str], stage: str) -> None:
    assert child.stderr is not None
    while True:
        line = child.stderr.readline()
        assert line, f"the check-in ended before it paused {stage}: {child.wait()}"
        if f"check-in paused {stage}" in line:
            break
    child.send_signal(signal.SIGKILL)
    assert child.wait(30) == -signal.SIGKILL


def finish(laptop: Path, url: str) -> str:
    child = checkin(laptop, url)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    return out


def test_killed_inside_the_transaction_both_desks_are_as_they_were_and_a_rerun_finishes(
    services: Services, tmp_path: Path
) -> None:
    laptop = tmp_path / "laptop.sqlite3"
    diverge(services, laptop)
    url = services.db.url
    shared_before, laptop_before = fingerprint(url), fingerprint(sqlite_url(laptop))

    kill_when_paused(checkin(laptop, url, "before-commit"), "before-commit")

    assert fingerprint(url) == shared_before
    assert fingerprint(sqlite_url(laptop)) == laptop_before
    assert "checked in section" in finish(laptop, url)
    assert services.stories.get_by_slug("filed-offline").title == "Filed offline"
    assert laptop_origin(laptop).checked_in_at is not None
    assert services.checkouts.active() == []


def test_killed_after_the_commit_a_rerun_only_marks_the_laptop(services: Services, tmp_path: Path) -> None:
    laptop = tmp_path / "laptop.sqlite3"
    diverge(services, laptop)
    url = services.db.url

    kill_when_paused(checkin(laptop, url, "after-commit"), "after-commit")

    assert laptop_origin(laptop).checked_in_at is None  # the laptop was not marked yet
    shared_done = fingerprint(url)
    assert shared_done["stories"].rows == len(services.stories.list()) and services.checkouts.active() == []
    assert "an earlier check-in had finished" in finish(laptop, url)
    assert fingerprint(url) == shared_done  # nothing applied twice
    assert laptop_origin(laptop).checked_in_at is not None
