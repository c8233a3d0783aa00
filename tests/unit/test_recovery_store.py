"""The recovery store: atomic copies of unsaved forms, offered only when their window is gone."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.services import recovery
from ca_editor.services.recovery import RecoveryError, RecoveryStore
from ca_editor.services.recovery_entry import BaseStory, story_key

URL = "sqlite:////tmp/desk.sqlite3"
EDITED = StoryFields(
    title="Steppe wind farms — “draft”",
    slug="steppe-wind",
    summary="Line one\nline two",
    body="## Heading\n\nText with ü, 中文 and an emoji 🌬\n",
    byline="A. Writer",
    published_at=datetime(2024, 3, 5, 9, 30, tzinfo=UTC),
    status=StoryStatus.READY,
    tags=("Kazakhstan", "Energy"),
    image_sha256="a" * 64,
    image_alt="Turbines",
    image_caption="At dusk",
    image_credit="Agency",
)
BASE = BaseStory(
    version=7,
    fields=StoryFields(title="Steppe wind farms", body="old"),
    created_at=datetime(2024, 1, 1, tzinfo=UTC),
    updated_at=datetime(2024, 2, 1, 12, 0, tzinfo=UTC),
    updated_by="Ana",
)


@pytest.fixture
def store(tmp_path: Path) -> RecoveryStore:
    return RecoveryStore.for_database(URL, root=tmp_path / "recovery")


def _kill_session(store: RecoveryStore) -> recovery.RecoverySession:
    """A session whose window died: its lock released without removing its files."""
    session = store.open_session()
    session.close(keep=True)
    return session


def test_a_dead_windows_form_comes_back_field_for_field(store: RecoveryStore) -> None:
    session = store.open_session()
    saved_at = datetime(2025, 11, 27, 14, 5, tzinfo=UTC)
    session.save(story_key(12), fields=EDITED, base=BASE, who="Ana", story_id=12, saved_at=saved_at)
    session.save(story_key(None), fields=StoryFields(title=""), base=None, who="Ana")
    session.close(keep=True)

    found = store.orphans()

    assert [e.key for e in found] == ["new", "story-12"]  # newest first
    edit = found[1]
    assert (edit.story_id, edit.fields, edit.base, edit.who, edit.saved_at) == (
        12,
        EDITED,
        BASE,
        "Ana",
        saved_at,
    )
    assert edit.title == EDITED.title
    assert found[0].story_id is None and found[0].base is None and found[0].title == ""


def test_a_live_windows_forms_are_never_offered(store: RecoveryStore) -> None:
    mine = store.open_session()
    mine.save("story-3", fields=EDITED, base=BASE, who="Ana", story_id=3)
    other = store.open_session()  # a second window on the same database
    other.save("story-4", fields=EDITED, base=BASE, who="Bo", story_id=4)

    assert store.orphans() == []

    other.close(keep=True)
    assert [e.story_id for e in store.orphans()] == [4]
    mine.close()
    assert [e.story_id for e in store.orphans()] == [4]


def test_a_lock_released_by_a_killed_process_makes_its_forms_orphans(store: RecoveryStore) -> None:
    script = (
        "import os, sys, signal\n"
        "from pathlib import Path\n"
        "from ca_editor.domain.model import StoryFields\n"
        "from ca_editor.services.recovery import RecoveryStore\n"
        "session = RecoveryStore(Path(sys.argv[1])).open_session()\n"
        "session.save('new', fields=StoryFields(title='typed before the crash'), base=None, who='Ana')\n"
        "print('saved', flush=True)\n"
        "sys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(store.folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"saved\n"
        assert store.orphans() == []  # alive: its lock is held
        child.kill()
        child.wait()
        assert [e.fields.title for e in store.orphans()] == ["typed before the crash"]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_saving_replaces_the_copy_and_discard_removes_it(store: RecoveryStore) -> None:
    session = store.open_session()
    session.save("story-1", fields=StoryFields(title="one"), base=BASE, who="Ana", story_id=1)
    session.save("story-1", fields=StoryFields(title="two"), base=BASE, who="Ana", story_id=1)
    assert len(list(store.folder.glob("*.json"))) == 1
    assert not list(store.folder.glob(".*"))  # no temp file left behind
    session.discard("story-1")
    session.discard("story-1")  # twice is fine
    assert not list(store.folder.glob("*.json"))


def test_a_clean_close_leaves_nothing_behind(store: RecoveryStore) -> None:
    session = store.open_session()
    session.save("new", fields=EDITED, base=None, who="Ana")
    session.close()
    assert sorted(p.name for p in store.folder.iterdir()) == []
    assert store.orphans() == []


def test_adopting_moves_a_copy_into_the_live_session(store: RecoveryStore) -> None:
    dead = store.open_session()
    dead.save("story-9", fields=EDITED, base=BASE, who="Ana", story_id=9)
    dead.close(keep=True)
    edit = store.orphans()[0]

    live = store.open_session()
    path = live.adopt(edit)

    assert not edit.path.exists()
    assert path.name.startswith(live.id)
    assert store.orphans() == []
    live.close(keep=True)
    again = store.orphans()
    assert [(e.fields, e.saved_at) for e in again] == [(EDITED, edit.saved_at)]


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe garbage",
        b"[]",
        json.dumps({"format": "ca-editor-recovery", "version": 99}).encode(),
        b"",
    ],
    ids=["broken-json", "not-utf8", "not-an-object", "future-version", "empty"],
)
def test_an_unreadable_file_is_set_aside_with_a_log_line_and_the_rest_still_come_back(
    store: RecoveryStore, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    session = _kill_session(store)
    good = store.open_session()
    good.save("story-2", fields=EDITED, base=BASE, who="Ana", story_id=2)
    good.close(keep=True)
    bad = store.folder / f"{session.id}.story-5.json"
    bad.write_bytes(content)

    with caplog.at_level(logging.WARNING, logger="ca_editor.services.recovery"):
        found = store.orphans()

    assert [e.story_id for e in found] == [2]
    assert "unreadable recovery file" in caplog.text
    assert not bad.exists()
    assert (store.folder / f"{bad.name}.unreadable").read_bytes() == content  # kept for a person
    assert [e.story_id for e in store.orphans()] == [2]  # and not complained about again


def test_a_well_formed_file_with_wrong_values_is_refused(store: RecoveryStore, caplog) -> None:
    session = store.open_session()
    path = session.save("story-2", fields=EDITED, base=BASE, who="Ana", story_id=2)
    session.close(keep=True)
    document = json.loads(path.read_text(encoding="utf-8"))
    for broken in (
        {"story_id": 3},  # does not match the key
        {"fields": {**document["fields"], "status": "shredded"}},
        {"fields": {**document["fields"], "tags": "a,b"}},
        {"saved_at": "2026-11-27T14:05:00"},  # no time zone
        {"base": None},
        {"fields": {**document["fields"], "image_sha256": "../../etc/passwd"}},
    ):
        path.write_text(json.dumps({**document, **broken}), encoding="utf-8")
        assert store.orphans() == [], broken
        path.with_name(path.name + ".unreadable").rename(path)


def test_a_huge_form_is_refused_with_a_clear_message(store: RecoveryStore, monkeypatch) -> None:
    monkeypatch.setattr(recovery, "MAX_ENTRY_BYTES", 10_000)
    session = store.open_session()
    session.save("new", fields=StoryFields(title="small"), base=None, who="Ana")
    with pytest.raises(RecoveryError, match="more than"):
        session.save("new", fields=StoryFields(title="big", body="x" * 20_000), base=None, who="Ana")
    session.close(keep=True)
    assert [e.fields.title for e in store.orphans()] == ["small"]  # the previous copy is kept


def test_the_folder_stays_within_its_bounds_dropping_the_oldest_dead_copies(
    store: RecoveryStore, monkeypatch
) -> None:
    monkeypatch.setattr(recovery, "MAX_ENTRIES", 3)
    dead = store.open_session()
    for number in range(1, 5):
        path = dead.save(f"story-{number}", fields=EDITED, base=BASE, who="Ana", story_id=number)
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
    dead.close(keep=True)
    live = store.open_session()
    live.save("new", fields=EDITED, base=None, who="Ana")

    kept = sorted(e.story_id or 0 for e in store.orphans())
    assert kept == [3, 4]  # 1 and 2 dropped; the live window's copy is never a candidate
    assert (store.folder / f"{live.id}.new.json").exists()


def test_a_write_that_fails_says_why_and_keeps_the_previous_copy(store: RecoveryStore, monkeypatch) -> None:
    session = store.open_session()
    session.save("new", fields=StoryFields(title="first"), base=None, who="Ana")

    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recovery.os, "fsync", full)
    with pytest.raises(RecoveryError, match="No space left"):
        session.save("new", fields=StoryFields(title="second"), base=None, who="Ana")
    monkeypatch.undo()
    session.close(keep=True)
    assert [e.fields.title for e in store.orphans()] == ["first"]
    assert not list(store.folder.glob(".*"))


def test_each_database_has_its_own_folder(tmp_path: Path) -> None:
    one = RecoveryStore.for_database("sqlite:////a/desk.sqlite3", root=tmp_path)
    two = RecoveryStore.for_database("sqlite:////b/desk.sqlite3", root=tmp_path)
    session = one.open_session()
    session.save("new", fields=EDITED, base=None, who="Ana")
    session.close(keep=True)
    assert one.folder != two.folder
    assert len(one.orphans()) == 1
    assert two.orphans() == []


def test_an_unwritable_folder_does_not_stop_the_window(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    store = RecoveryStore(blocker / "recovery")
    session = store.open_session()  # logs, does not raise
    with pytest.raises(RecoveryError):
        session.save("new", fields=EDITED, base=None, who="Ana")
    assert store.orphans() == []
    session.close()
