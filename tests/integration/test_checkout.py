"""Check-out (issue 15, items 1, 2, 6): a section, its stories and N months of archive into a new SQLite
laptop desk that is the whole app; who has which section out; release of an abandoned check-out.

The shared desk is the ``services`` fixture's database (SQLite and PostgreSQL); the laptop is SQLite.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from ca_editor.app import open_services
from ca_editor.domain.errors import CaEditorError, StorageError
from ca_editor.domain.model import SlotEntry, StoryFields, StoryStatus
from ca_editor.services.checkin import CheckinRefusedError, laptop_origin
from ca_editor.services.checkout import months_before, url_without_password
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery

NOW = datetime.now(UTC)


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def dated(services: Services, title: str, days_ago: int, **more: object) -> int:
    fields = StoryFields(title=title, body="words", published_at=NOW - timedelta(days=days_ago), **more)  # type: ignore[arg-type]
    return services.stories.create(fields).id


def test_checkout_takes_the_section_its_stories_and_the_recent_archive(
    services: Services, tmp_path: Path
) -> None:
    section_id = services.section_id()
    picture = services.images.add(png((200, 40, 40)))
    recent = dated(services, "Recent news", 30, image_sha256=picture.sha256, image_alt="red")
    old = dated(services, "Old news", 800)
    undated_draft = services.stories.create(StoryFields(title="A draft without a date")).id
    layout = services.sections.layout(section_id)
    slotted = [slot.story.id for slot in layout.slots]
    taken_out = slotted[-1]
    entries = [SlotEntry(i, headline="On this page" if i == slotted[0] else None) for i in slotted[:-1]]
    services.sections.replace_slots(section_id, entries)  # the last one to "previously in editor's choice"
    services.review.sign_off(section_id, "fine")

    laptop = tmp_path / "laptop.sqlite3"
    result = services.checkouts.checkout(section_id, laptop, months=12)

    assert laptop.is_file() and not laptop.with_name("laptop.sqlite3.partial").exists()
    assert result.copied.rows["sections"] == 1
    taken = open_services(str(laptop), seed_demo=False)
    try:
        ids = {story.id for story in taken.stories.list()}
        assert {recent, undated_draft, taken_out, *slotted} <= ids  # the block, former slots, the archive
        assert old not in ids
        there = taken.sections.layout(section_id)
        assert [slot.story.id for slot in there.slots] == slotted[:-1]  # ids kept, order kept
        assert there.slots[0].overrides.headline == "On this page"
        assert [former.story.id for former in taken.sections.former(section_id)] == [taken_out]
        assert taken.stories.get(recent).image is not None
        assert taken.images.read(picture.sha256) == services.images.read(picture.sha256)
        assert taken.review.last_sign_off(section_id) is not None
        origin = laptop_origin(laptop)
        assert (
            origin.token == result.token and origin.section_id == section_id and origin.checked_in_at is None
        )
        assert "***" not in origin.origin_url
    finally:
        taken.db.dispose()
    active = services.checkouts.active_checkout(section_id)
    assert active is not None and active.token == result.token and str(laptop) in active.taken_to


def test_the_laptop_desk_is_the_whole_app(services: Services, tmp_path: Path) -> None:
    section_id = services.section_id()
    laptop = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, laptop)
    taken = open_services(str(laptop), seed_demo=False)
    try:
        layout = taken.sections.layout(section_id)
        first = layout.slots[0].story
        taken.stories.update(
            first.id, replace(first.fields(), title="Edited offline"), expected_version=first.version
        )
        found = taken.stories.list(StoryQuery(text="edited offline"))
        assert [s.id for s in found] == [first.id]  # the full-text index was built and follows edits
        new = taken.stories.create(
            StoryFields(
                title="Written on the train", body="text", status=StoryStatus.APPROVED, published_at=NOW
            )
        )
        assert new.id not in {slot.story.id for slot in layout.slots}
        entries = [SlotEntry(new.id), *(SlotEntry(slot.story.id) for slot in layout.slots[1:])]
        taken.sections.replace_slots(section_id, entries)
        taken.review.sign_off(section_id)
        out = tmp_path / "bundle"
        manifest = taken.exports.export(section_id, out, release=_anyway())
        assert (out / "index.html").is_file() and manifest.files
        assert "Written on the train" in (out / "index.html").read_text(encoding="utf-8")
    finally:
        taken.db.dispose()


def _anyway() -> object:
    from ca_editor.domain.release import Release

    return Release(override_reason="test", include_unapproved=True)


def test_checkout_refuses_an_existing_file_and_leaves_nothing(services: Services, tmp_path: Path) -> None:
    existing = tmp_path / "there.sqlite3"
    existing.write_bytes(b"mine")
    with pytest.raises(StorageError, match="exists already"):
        services.checkouts.checkout(services.section_id(), existing)
    assert existing.read_bytes() == b"mine"
    assert services.checkouts.active() == []


def test_a_failed_checkout_leaves_no_laptop_desk_and_no_record(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ca_editor.services.checkout as checkout

    def broken(*args: object) -> None:
        raise StorageError("disk full (test)")

    monkeypatch.setattr(checkout, "write_laptop_desk", broken)
    laptop = tmp_path / "laptop.sqlite3"
    with pytest.raises(StorageError, match="disk full"):
        services.checkouts.checkout(services.section_id(), laptop)
    assert not laptop.exists() and not list(tmp_path.glob("laptop.sqlite3*"))
    assert services.checkouts.active() == []


def test_release_records_who_and_when_and_the_laptop_is_then_refused(
    services: Services, tmp_path: Path
) -> None:
    section_id = services.section_id()
    laptop = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, laptop)
    assert services.checkouts.active_checkout(section_id) is not None

    released = services.checkouts.release(section_id)

    assert [r.section_id for r in released] == [section_id]
    assert services.checkouts.active_checkout(section_id) is None
    assert services.checkouts.release(section_id) == []  # nothing left to release
    with services.db.read() as session:
        row = session.execute(text("SELECT released_at, released_by FROM checkouts")).one()
    assert row.released_at is not None and row.released_by
    with pytest.raises(CheckinRefusedError, match="was released by"):
        services.checkins.plan_checkin(laptop)


def test_a_desk_that_is_no_laptop_desk_is_refused(services: Services, tmp_path: Path) -> None:
    other = open_services(str(tmp_path / "plain.sqlite3"))
    other.db.dispose()
    with pytest.raises(CaEditorError, match="not a laptop desk"):
        services.checkins.plan_checkin(tmp_path / "plain.sqlite3")


def test_the_origin_is_kept_without_a_password() -> None:
    assert url_without_password("postgresql://dana:s3cret@db.example.org/desk") == (
        "postgresql://dana@db.example.org/desk"
    )
    assert "s3cret" not in url_without_password("postgresql://dana@db/desk?password=s3cret&sslmode=require")
    assert "sslmode=require" in url_without_password(
        "postgresql://dana@db/desk?password=s3cret&sslmode=require"
    )


def test_months_before_counts_calendar_months() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 12, 7, tzinfo=UTC), 12) == datetime(2025, 12, 7, tzinfo=UTC)


def test_the_check_out_rows_match_migration_0018(tmp_path: Path) -> None:
    import sqlite3

    from ca_editor.persistence.checkout_copy import sqlite_url
    from ca_editor.persistence.checkout_rows import BaseStoryRow, CheckoutOriginRow, CheckoutRow
    from ca_editor.persistence.migrate import upgrade

    path = tmp_path / "fresh.sqlite3"
    upgrade(sqlite_url(path))
    connection = sqlite3.connect(path)
    try:
        for row in (CheckoutRow, CheckoutOriginRow, BaseStoryRow):
            table = row.__table__
            columns = {info[1] for info in connection.execute(f"PRAGMA table_info({table.name})")}
            assert columns == {c.name for c in table.columns}, table.name
    finally:
        connection.close()
