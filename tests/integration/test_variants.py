"""Scheduled layout variants on both engines: the migration, CRUD, one block path, former slots, live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests import db_query

from ca_editor.app import open_services
from ca_editor.domain.errors import NotFoundError, ValidationError
from ca_editor.domain.model import SlotEntry, StoryFields, StoryStatus
from ca_editor.locations import database_url
from ca_editor.persistence.migrate import upgrade
from ca_editor.services.container import Services
from ca_editor.services.variants import MAIN, Window

SAT = datetime(2026, 12, 12, 0, 0, tzinfo=UTC)


def weekend(name: str = "Weekend", start: datetime = SAT, days: int | None = 2) -> Window:
    return Window(name, start, start + timedelta(days=days) if days is not None else None)


def test_a_variant_copied_from_main_is_its_own_block(services: Services) -> None:
    section_id = services.section_id()
    main = services.sections.layout(section_id)
    variant = services.variants.add(section_id, weekend(), copy_from=MAIN)
    copied = services.sections.layout(section_id, variant.id)
    assert copied.variant == variant
    assert copied.entries() == main.entries()
    assert main.variant is None

    # The variant's block changes through the same replace_slots; the main block stays.
    entries = copied.entries()
    changed = services.sections.replace_slots(
        section_id, entries[1:], expected_version=copied.section.version, variant_id=variant.id
    )
    assert changed.story_ids() == main.story_ids()[1:]
    assert services.sections.layout(section_id).entries() == main.entries()
    assert changed.section.version > main.section.version  # one section, one version

    # Former slots are per layout: the story left the variant, not the main page.
    former = services.sections.former(section_id, variant_id=variant.id)
    assert [f.story.id for f in former] == [main.story_ids()[0]]
    assert services.sections.former(section_id) == []

    # Putting it back clears it from the variant's list only.
    services.sections.replace_slots(section_id, entries, variant_id=variant.id)
    assert services.sections.former(section_id, variant_id=variant.id) == []


def test_main_and_variant_may_hold_the_same_former_story(services: Services) -> None:
    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend(), copy_from=MAIN)
    entries = services.sections.layout(section_id).entries()
    services.sections.replace_slots(section_id, entries[1:])
    services.sections.replace_slots(section_id, entries[1:], variant_id=variant.id)
    assert [f.story.id for f in services.sections.former(section_id)] == [entries[0].story_id]
    assert [f.story.id for f in services.sections.former(section_id, variant_id=variant.id)] == [
        entries[0].story_id
    ]


def test_windows_names_and_overlaps_are_refused_with_reasons(services: Services) -> None:
    section_id = services.section_id()
    services.variants.add(section_id, weekend())
    refusals = {
        "overlaps 'Weekend'": weekend("Election", SAT + timedelta(days=1)),
        "share the page variants/weekend.html": weekend("weekend!", SAT + timedelta(days=9)),
        "end must come after the start": Window("Later", SAT + timedelta(days=5), SAT + timedelta(days=4)),
        "'main' names the main layout": weekend("Main", SAT + timedelta(days=20)),
    }
    for reason, window in refusals.items():
        with pytest.raises(ValidationError, match=reason):
            services.variants.add(section_id, window)
    touching = services.variants.add(section_id, weekend("Monday", SAT + timedelta(days=2), None))
    assert [v.name for v in services.variants.variants(section_id)] == ["Weekend", "Monday"]
    allowed = services.variants.add(section_id, weekend("Draft", SAT + timedelta(days=3)), allow_overlap=True)
    assert allowed.id != touching.id


def test_live_layout_follows_the_windows(services: Services) -> None:
    section_id = services.section_id()
    main_ids = services.sections.layout(section_id).story_ids()
    variant = services.variants.add(section_id, weekend(), copy_from=MAIN)
    services.sections.replace_slots(
        section_id, [SlotEntry(i) for i in reversed(main_ids)], variant_id=variant.id
    )
    assert services.variants.live_at(section_id, SAT - timedelta(seconds=1)) is None
    assert services.variants.live_at(section_id, SAT) == variant
    assert services.variants.layout_as_of(section_id, SAT).story_ids() == tuple(reversed(main_ids))
    assert services.variants.layout_as_of(section_id, SAT + timedelta(days=2)).story_ids() == main_ids
    segments = services.variants.timeline(section_id, SAT - timedelta(days=1), days=4)
    assert [s.label for s in segments] == ["main", "Weekend", "main"]


def test_change_and_remove_take_the_variants_rows_with_it(services: Services) -> None:
    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend(), copy_from=MAIN)
    moved = services.variants.change(section_id, variant.id, weekend("Long weekend", SAT, 3))
    assert (moved.name, moved.slug, moved.ends_at) == (
        "Long weekend",
        "long-weekend",
        SAT + timedelta(days=3),
    )
    services.sections.replace_slots(section_id, (), variant_id=variant.id)
    services.variants.remove(section_id, variant.id)
    assert services.variants.variants(section_id) == []
    for table in ("slots", "former_slots", "layout_snapshots"):
        left = db_query.scalar(services, f"SELECT count(*) FROM {table} WHERE variant_id IS NOT NULL")
        assert left == 0, table
    with pytest.raises(NotFoundError):
        services.sections.layout(section_id, variant.id)
    assert len(services.sections.layout(section_id).slots) == 8


def test_deleting_a_story_closes_the_gap_in_every_layout(services: Services) -> None:
    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend(), copy_from=MAIN)
    first = services.sections.layout(section_id).slots[0].story
    services.stories.delete(first.id)
    for variant_id in (None, variant.id):
        layout = services.sections.layout(section_id, variant_id)
        assert first.id not in layout.story_ids()
        assert [s.position for s in layout.slots] == list(range(1, 8))


def test_importing_a_variants_block_checks_stories(services: Services) -> None:
    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend())
    story = services.stories.create(StoryFields(title="Polls close", status=StoryStatus.READY))
    layout = services.variants.replace_slots(section_id, variant.id, (SlotEntry(story.id, headline="Live"),))
    assert layout.slots[0].headline == "Live"
    with pytest.raises(NotFoundError, match="story 999999 no longer exists"):
        services.variants.replace_slots(section_id, variant.id, (SlotEntry(999999),))


def test_a_0018_database_carries_its_one_section_forward(db_url: str) -> None:
    """A desk from before 0019: its block, former slot and sign-off become the main layout's, untouched."""
    upgrade(database_url(db_url), "0018_checkouts")
    at = "2026-12-01 09:00:00.000000"  # UTC, as the columns store it (text: no driver adapter needed)
    story = {"summary": "", "body": "", "byline": "", "status": "approved", "tags": "[]", "version": 1}
    story |= {"image_alt": "", "image_caption": "", "image_credit": "", "created_at": at, "updated_at": at}
    rows: list[tuple[str, dict[str, object]]] = [
        ("sections", {"id": 1, "slug": "central-asia", "title": "Central Asia", "description": ""}),
        ("stories", {"id": 1, "slug": "one", "title": "One", "updated_by": ""} | story),
        ("stories", {"id": 2, "slug": "two", "title": "Two", "updated_by": ""} | story),
        ("slots", {"section_id": 1, "position": 0, "story_id": 1}),
        ("former_slots", {"section_id": 1, "story_id": 2, "last_position": 1, "removed_at": at}),
        ("layout_snapshots", {"section_id": 1, "kind": "sign_off", "taken_at": at, "taken_by": "Aziza"}),
    ]
    rows[0][1].update(slot_count=4, version=3, created_at=at, updated_at=at, updated_by="", teaser_limit=400)
    rows[-1][1].update(note="", section_version=3, content="{}")
    for table, values in rows:
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        db_query.run(db_url, f"INSERT INTO {table} ({names}) VALUES ({marks})", values)
    upgrade(database_url(db_url))
    services = open_services(db_url, seed_demo=False)
    try:
        layout = services.sections.layout(1)
        assert (layout.section.slug, layout.section.version, layout.story_ids()) == ("central-asia", 3, (1,))
        assert [f.story.id for f in services.sections.former(1)] == [2]
        assert services.variants.variants(1) == []
        for table in ("slots", "former_slots", "layout_snapshots"):
            assert db_query.scalar(services, f"SELECT count(*) FROM {table} WHERE variant_id IS NULL") == 1
        # The main layout's former list stays unique per story, as before.
        services.sections.replace_slots(1, ())
        assert sorted(f.story.id for f in services.sections.former(1)) == [1, 2]
    finally:
        services.db.dispose()


def test_sign_off_is_per_variant(services: Services) -> None:
    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend(), copy_from=MAIN)
    signed = services.review.sign_off(section_id, "weekend ok", variant_id=variant.id)
    assert signed.variant_id == variant.id
    assert services.review.state(section_id, variant.id).signed_off
    assert not services.review.state(section_id).signed_off  # the main layout was not signed off
    assert services.review.last_sign_off(section_id) is None
    entries = services.sections.layout(section_id, variant.id).entries()
    services.sections.replace_slots(section_id, entries[1:], variant_id=variant.id)
    assert services.review.state(section_id, variant.id).changed
    sheet = services.review.sheet(section_id, variant.id)
    assert sheet.since_sign_off.snapshot == signed
    assert [s.variant_id for s in services.snapshots.list(section_id, variant_id=variant.id)] == [variant.id]
    assert services.snapshots.list(section_id) == []


def test_checklist_refuses_overlaps_and_warns_on_unready_variants(services: Services) -> None:
    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend())
    ready = services.stories.create(StoryFields(title="Polls close", status=StoryStatus.READY))
    services.sections.replace_slots(section_id, [SlotEntry(ready.id)], variant_id=variant.id)
    findings = services.checks.run(section_id).findings
    warned = [f for f in findings if f.code == "variant_unapproved"]
    assert [(f.story_id, f.severity.value) for f in warned] == [(ready.id, "warning")]
    assert "'Weekend'" in warned[0].message and "approve it by then" in warned[0].message
    assert not [f for f in findings if f.code == "variant_overlap"]

    services.variants.add(section_id, weekend("Election", SAT + timedelta(days=1)), allow_overlap=True)
    report = services.checks.run(section_id)
    overlaps = [f for f in report.errors if f.code == "variant_overlap"]
    assert len(overlaps) == 1 and "'Weekend' and 'Election' overlap" in overlaps[0].message
    # The variant's own block is checked like the main one when asked.
    own = services.checks.run(section_id, variant_id=variant.id)
    assert any(f.code == "empty_slot" for f in own.errors)


def test_fewer_slots_cut_every_variants_block_too(services: Services) -> None:
    from dataclasses import replace

    from ca_editor.domain.section_settings import SectionSettings

    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend(), copy_from=MAIN)
    layout = services.sections.layout(section_id)
    settings = replace(SectionSettings.of(layout.section), slot_count=6)
    services.section_settings.change(section_id, settings, expected_version=layout.section.version)
    cut = services.sections.layout(section_id, variant.id)
    assert cut.story_ids() == layout.story_ids()[:6]
    gone = {f.story.id for f in services.sections.former(section_id, variant_id=variant.id)}
    assert gone == set(layout.story_ids()[6:])


def test_preview_as_of_shows_the_layout_live_then(services: Services) -> None:
    section_id = services.section_id()
    variant = services.variants.add(section_id, weekend())
    story = services.sections.layout(section_id).slots[3].story
    services.sections.replace_slots(
        section_id, [SlotEntry(story.id, headline="Only on the weekend")], variant_id=variant.id
    )
    then = services.previews.section_page(section_id, as_of=SAT + timedelta(hours=1)).html
    before = services.previews.section_page(section_id, as_of=SAT - timedelta(hours=1)).html
    assert "Only on the weekend" in then and "Only on the weekend" not in before


def test_0019_goes_down_and_up_again_keeping_the_main_layout(services: Services) -> None:
    """The downgrade drops the variants (and their rows), keeps the main layout, and 0019 applies again."""
    from alembic import command

    from ca_editor.persistence.migrate import alembic_config

    section_id = services.section_id()
    main = services.sections.layout(section_id).story_ids()
    services.variants.add(section_id, weekend(), copy_from=MAIN)
    url = services.db.engine.url.render_as_string(hide_password=False)
    services.db.dispose()
    command.downgrade(alembic_config(url), "0018_checkouts")
    assert db_query.scalar(url, "SELECT count(*) FROM slots") == len(main)
    upgrade(url)
    again = open_services(url, seed_demo=False)
    try:
        assert again.sections.layout(section_id).story_ids() == main
        assert again.variants.variants(section_id) == []
    finally:
        again.db.dispose()
