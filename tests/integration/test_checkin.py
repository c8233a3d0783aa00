"""Check-in (issue 15, items 3, 5, 6, 7): a laptop desk merged back into the shared desk three ways, in one
transaction; a laptop desk goes back once; the CLI refuses conflicts without --prefer.

The shared desk is the ``services`` fixture's database (SQLite and PostgreSQL); the laptop is SQLite.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from ca_editor.app import open_services
from ca_editor.cli import main
from ca_editor.domain.errors import ConflictError
from ca_editor.domain.model import SlotEntry, StoryFields
from ca_editor.persistence.models import RenderedBodyRow
from ca_editor.services.checkin import CheckinRefusedError, laptop_origin
from ca_editor.services.container import Services


@pytest.fixture
def laptop(services: Services, tmp_path: Path) -> Iterator[tuple[Path, Services]]:
    """The demo section checked out of the shared desk into a laptop desk, opened."""
    path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(services.section_id(), path)
    opened = open_services(str(path), seed_demo=False)
    yield path, opened
    opened.db.dispose()


def retitle(services: Services, story_id: int, **changes: object) -> None:
    story = services.stories.get(story_id)
    services.stories.update(story_id, replace(story.fields(), **changes), expected_version=story.version)  # type: ignore[arg-type]


def block(services: Services) -> list[int]:
    return [slot.story.id for slot in services.sections.layout(services.section_id()).slots]


def png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_changes_on_both_sides_that_do_not_clash_are_all_kept(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    section_id = services.section_id()
    first, second, third, *_ = block(services)
    retitle(mine, first, body="Rewritten on the train")
    retitle(services, second, title="Retitled at the desk")
    picture = mine.images.add(png((10, 160, 60)))
    new = mine.stories.create(
        StoryFields(
            title="Filed from the summit", body="text", image_sha256=picture.sha256, image_alt="green"
        )
    )
    dropped = block(mine)[-1]  # the laptop's block loses its last story to the new one
    mine.sections.replace_slots(section_id, [SlotEntry(new.id), *(SlotEntry(i) for i in block(mine)[:-1])])

    plan = services.checkins.plan_checkin(path)
    assert plan.conflicts == ()
    result = services.checkins.apply_checkin(plan, {})

    assert result.applied is not None and result.applied.created == 1 and result.applied.pictures == 1
    assert services.stories.get(first).body == "Rewritten on the train"
    with services.db.read() as session:  # the saved stories' pages are rendered for the next export
        cached = session.get(RenderedBodyRow, first)
        assert cached is not None and cached.story_version == services.stories.get(first).version
        assert "Rewritten on the train" in cached.html
    assert services.stories.get(second).title == "Retitled at the desk"
    arrived = services.stories.get_by_slug(new.slug)
    assert block(services)[0] == arrived.id and block(services)[1:3] == [first, second]
    assert arrived.image is not None and services.images.read(picture.sha256) == mine.images.read(
        picture.sha256
    )
    assert dropped in [f.story.id for f in services.sections.former(section_id)]
    assert third in block(services)
    assert laptop_origin(path).checked_in_at is not None
    assert services.checkouts.active_checkout(section_id) is None


def test_a_conflict_needs_a_choice_and_the_loser_is_kept_as_a_draft_copy(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    first = block(services)[0]
    retitle(mine, first, title="Laptop's title")
    retitle(services, first, title="Desk's title", summary="The desk's summary")

    plan = services.checkins.plan_checkin(path)
    assert [(c.kind, c.field) for c in plan.conflicts] == [("story", "title")]
    with pytest.raises(ConflictError, match="choose mine or theirs"):
        services.checkins.apply_checkin(plan, {})
    assert services.stories.get(first).title == "Desk's title"  # nothing was written

    result = services.checkins.apply_checkin(plan, plan.every("mine"))

    story = services.stories.get(first)
    assert (story.title, story.summary) == ("Laptop's title", "The desk's summary")
    assert result.applied is not None and result.applied.copies == 1
    copy = services.stories.get_by_slug(f"{story.slug}-copy")
    assert copy.title == "Desk's title" and copy.status.value == "draft"


def test_a_laptop_desk_goes_back_once(services: Services, laptop: tuple[Path, Services]) -> None:
    path, _ = laptop
    services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})
    with pytest.raises(CheckinRefusedError, match="was checked in already"):
        services.checkins.plan_checkin(path)


def test_a_new_laptop_story_whose_slug_was_taken_meanwhile_is_renamed(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    mine.stories.create(StoryFields(title="Same name", slug="same-name", body="laptop"))
    services.stories.create(StoryFields(title="Same name", slug="same-name", body="desk"))

    result = services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})

    assert services.stories.get_by_slug("same-name").body == "desk"
    assert services.stories.get_by_slug("same-name-2").body == "laptop"
    assert result.applied is not None and any("same-name-2" in n for n in result.applied.notices)


def test_deleted_on_the_laptop_is_deleted_and_deleted_here_but_edited_there_comes_back(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    archive = [s.id for s in mine.stories.list() if s.id not in block(mine)]
    slotted = block(services)
    untouched = slotted[-1]
    mine.sections.replace_slots(services.section_id(), [SlotEntry(i) for i in slotted[:-1]])
    mine.stories.delete(untouched)
    edited_there = slotted[0]
    retitle(mine, edited_there, body="Still wanted")
    services.stories.delete(edited_there)

    result = services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})

    ids = {s.id for s in services.stories.list()}
    assert untouched not in ids
    assert services.stories.get(edited_there).body == "Still wanted"  # back under its id
    assert result.applied is not None and any("kept" in n for n in result.applied.notices)
    assert set(archive) <= ids


def test_a_conflict_arising_after_the_plan_refuses_the_checkin(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    first = block(services)[0]
    retitle(mine, first, title="Laptop's title")
    plan = services.checkins.plan_checkin(path)
    assert plan.conflicts == ()
    retitle(services, first, title="Desk's title meanwhile")

    with pytest.raises(ConflictError, match="changed since the check-in was prepared"):
        services.checkins.apply_checkin(plan, {})

    assert services.stories.get(first).title == "Desk's title meanwhile"
    assert laptop_origin(path).checked_in_at is None
    assert services.checkouts.active_checkout(services.section_id()) is not None


def test_cli_checkin_prints_conflicts_then_prefers_theirs(
    services: Services, laptop: tuple[Path, Services], capsys: pytest.CaptureFixture[str]
) -> None:
    path, mine = laptop
    first, second, *_ = block(services)
    retitle(mine, first, title="Laptop's title")
    retitle(services, first, title="Desk's title")
    retitle(mine, second, byline="Laptop byline")
    mine.sections.replace_slots(
        services.section_id(), [SlotEntry(i) for i in [second, first, *block(mine)[2:]]]
    )
    url = services.db.url

    assert main(["checkin", str(path), "--db", url]) == 1
    said = capsys.readouterr().err
    assert "1 conflict" in said and "Laptop's title" in said and "Desk's title" in said and "--prefer" in said
    assert services.stories.get(first).title == "Desk's title"
    assert services.stories.get(second).byline != "Laptop byline"

    assert main(["checkin", str(path), "--db", url, "--prefer", "theirs"]) == 0
    assert "checked in section" in capsys.readouterr().out
    assert services.stories.get(first).title == "Desk's title"
    assert services.stories.get(second).byline == "Laptop byline"
    assert block(services)[:2] == [second, first]
    assert main(["checkin", str(path), "--db", url, "--prefer", "theirs"]) == 1
    assert "checked in already" in capsys.readouterr().err


def test_cli_checkout_checkouts_and_release(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, slug = services.db.url, services.sections.layout(services.section_id()).section.slug
    path = tmp_path / "laptop.sqlite3"
    assert main(["--db", url, "checkout", slug, "--into", str(path), "--months", "3"]) == 0
    assert "took section" in capsys.readouterr().out
    assert main(["checkouts", "--db", url]) == 0
    assert f"{slug}: taken offline by" in capsys.readouterr().out
    assert main(["checkout", slug, "--release", "--db", url]) == 0
    assert "released" in capsys.readouterr().out
    assert main(["checkouts", "--db", url]) == 0
    assert "no section is taken offline" in capsys.readouterr().out


def test_the_checkin_finds_the_desk_it_came_from(services: Services, laptop: tuple[Path, Services]) -> None:
    """No --db: the address the laptop desk recorded (the test server needs no password; a real one's comes
    from ~/.pgpass)."""
    path, mine = laptop
    first = block(services)[0]
    retitle(mine, first, title="Back home")
    done = subprocess.run(
        [sys.executable, "-m", "ca_editor", "checkin", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert services.stories.get(first).title == "Back home"


def test_a_laptop_desk_is_refused_by_another_desk(laptop: tuple[Path, Services], tmp_path: Path) -> None:
    path, _ = laptop
    elsewhere = open_services(str(tmp_path / "elsewhere.sqlite3"))
    try:
        with pytest.raises(CheckinRefusedError, match="was not taken from"):
            elsewhere.checkins.plan_checkin(path)
    finally:
        elsewhere.db.dispose()
    assert laptop_origin(path).checked_in_at is None


def test_a_sign_off_made_offline_is_named_not_carried_over(
    services: Services, laptop: tuple[Path, Services]
) -> None:
    path, mine = laptop
    mine.review.sign_off(services.section_id(), "approved on the train")

    result = services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})

    assert result.applied is not None and any("made offline stay" in n for n in result.applied.notices)
    assert services.review.last_sign_off(services.section_id()) is None


def test_a_scheduled_variant_travels_and_only_the_main_block_is_merged(
    services: Services, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from ca_editor.services.variants import MAIN, Window

    section_id = services.section_id()
    start = datetime(2030, 1, 5, tzinfo=UTC)
    weekend = Window("Weekend", start, start + timedelta(days=2))
    variant = services.variants.add(section_id, weekend, copy_from=MAIN)
    path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, path)
    mine = open_services(str(path), seed_demo=False)
    try:
        taken = mine.sections.layout(section_id, variant.id).slots
        assert [slot.story.id for slot in taken] == block(services)
        main = block(mine)
        mine.sections.replace_slots(section_id, [SlotEntry(i) for i in main[:-1]])  # out of the main block
        mine.stories.delete(main[-1])  # and deleted, but the weekend variant here still holds it
    finally:
        mine.db.dispose()

    result = services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})

    assert block(services) == main[:-1]
    assert services.stories.get(main[-1]).id == main[-1]  # kept: the shared desk's variant holds it
    assert result.applied is not None and any("scheduled variant" in n for n in result.applied.notices)
    assert [s.story.id for s in services.sections.layout(section_id, variant.id).slots] == main


def test_a_variant_added_on_the_laptop_is_named_as_not_brought_back(
    services: Services, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from ca_editor.services.variants import MAIN, Window

    section_id = services.section_id()
    start = datetime(2030, 1, 5, tzinfo=UTC)
    services.variants.add(section_id, Window("Weekend", start, start + timedelta(days=2)), copy_from=MAIN)
    path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, path)
    mine = open_services(str(path), seed_demo=False)
    try:
        later = start + timedelta(days=7)
        mine.variants.add(section_id, Window("Election night", later, later + timedelta(hours=12)))
    finally:
        mine.db.dispose()

    result = services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})

    assert result.applied is not None
    named = [n for n in result.applied.notices if "not brought back" in n]
    assert len(named) == 1 and "Election night" in named[0] and "Weekend" not in named[0]
    assert [v.name for v in services.variants.variants(section_id)] == ["Weekend"]  # said, not done


def test_untouched_variants_are_not_named(services: Services, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from ca_editor.services.variants import MAIN, Window

    section_id = services.section_id()
    start = datetime(2030, 1, 5, tzinfo=UTC)
    services.variants.add(section_id, Window("Weekend", start, start + timedelta(days=2)), copy_from=MAIN)
    path = tmp_path / "laptop.sqlite3"
    services.checkouts.checkout(section_id, path)

    result = services.checkins.apply_checkin(services.checkins.plan_checkin(path), {})

    assert result.applied is not None
    assert not [n for n in result.applied.notices if "not brought back" in n]


@pytest.mark.sqlite_only
def test_cli_checkin_to_a_desk_file_that_moved_creates_nothing(
    services: Services, laptop: tuple[Path, Services], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = laptop
    origin = Path(services.db.url.removeprefix("sqlite:///"))
    services.db.dispose()
    moved = origin.with_name("moved.sqlite3")
    origin.rename(moved)

    assert main(["checkin", str(path)]) == 1

    assert "is not there; name it with --db" in capsys.readouterr().err
    assert not origin.exists()
    assert main(["checkin", str(path), "--db", str(moved)]) == 0
