"""The import plan on its own: dedupe by guid, then link, then slug; readable unique slugs; honest reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ca_editor.domain.errors import ImportFailedError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.slugs import is_valid_slug, make_slug
from ca_editor.services.importing.plan import Action, ExistingStory, make_plan
from ca_editor.services.importing.records import ImportRecord, ImportSource, Origin

FEED_FIELDS = frozenset({"title", "body", "summary", "published_at"})


class Lookup:
    def __init__(self, *stories: ExistingStory) -> None:
        self.stories = list(stories)

    def by_guid(self, guid: str) -> ExistingStory | None:
        return next((s for s in self.stories if s.source_guid == guid), None)

    def by_link(self, link: str) -> ExistingStory | None:
        return next((s for s in self.stories if s.source_link == link), None)

    def by_slug(self, slug: str) -> ExistingStory | None:
        return next((s for s in self.stories if s.fields.slug == slug), None)


def record(
    number: int,
    title: str,
    *,
    guid: str | None = None,
    link: str | None = None,
    slug: str | None = None,
    body: str = "",
    carried: frozenset[str] = FEED_FIELDS,
    **values: object,
) -> ImportRecord:
    fields = StoryFields(title=title, slug=slug or make_slug(title), body=body, **values)  # type: ignore[arg-type]
    origin = Origin("feed.xml", number, f"entry {number} '{title}'")
    return ImportRecord(origin, fields, slug is not None, carried, source_guid=guid, source_link=link)


def plan(*records: ImportRecord, lookup: Lookup | None = None):  # type: ignore[no-untyped-def]
    return make_plan(ImportSource("feed.xml", "RSS 2.0 feed", records), lookup or Lookup())


def existing(
    story_id: int, title: str, *, guid: str | None = None, link: str | None = None, **values: object
):  # type: ignore[no-untyped-def]
    fields = StoryFields(title=title, slug=make_slug(title), **values)  # type: ignore[arg-type]
    return ExistingStory(story_id, 3, fields, guid, link)


def test_new_entries_are_added_with_their_derived_slugs() -> None:
    result = plan(record(1, "Astana summit", guid="g1"), record(2, "Bishkek talks", guid="g2"))
    assert [(e.action, e.slug, e.reason) for e in result.entries] == [
        (Action.ADD, "astana-summit", "new story"),
        (Action.ADD, "bishkek-talks", "new story"),
    ]
    assert result.summary() == "2 to add, 0 to update, 0 skipped"
    assert result.writes == 2


def test_a_guid_seen_earlier_in_the_same_feed_is_skipped_and_names_the_first() -> None:
    result = plan(record(1, "First", guid="same"), record(2, "Second", guid="same"), record(3, "Third"))
    assert [e.action for e in result.entries] == [Action.ADD, Action.SKIP, Action.ADD]
    assert result.entries[1].reason == "same guid as entry 1 'First' of this file"


def test_without_a_guid_a_repeated_link_is_a_duplicate_but_with_guids_the_guid_decides() -> None:
    result = plan(
        record(1, "Live: day one", link="https://x.kz/live"),
        record(2, "Live: day one again", link="https://x.kz/live"),
        record(3, "Blog 1", guid="b1", link="https://x.kz/blog"),
        record(4, "Blog 2", guid="b2", link="https://x.kz/blog"),
    )
    assert [e.action for e in result.entries] == [Action.ADD, Action.SKIP, Action.ADD, Action.ADD]
    assert "same link as entry 1" in result.entries[1].reason


def test_guid_comes_before_link_and_link_before_slug() -> None:
    by_guid = existing(12, "Old title", guid="g1", link="https://x.kz/a")
    by_link = existing(13, "Other", link="https://x.kz/b")
    by_slug = existing(14, "Same title")
    lookup = Lookup(by_guid, by_link, by_slug)
    result = plan(
        record(1, "New title", guid="g1", link="https://x.kz/b2"),
        record(2, "Changed", link="https://x.kz/b"),
        record(3, "Same title", body="Now with a body"),
        record(4, "Another", guid="g1-again", link="https://x.kz/a"),  # no guid match: the link decides
        lookup=lookup,
    )
    assert [(e.action, e.story_id) for e in result.entries] == [
        (Action.UPDATE, 12),
        (Action.UPDATE, 13),
        (Action.UPDATE, 14),
        (Action.ADD, None),  # story 12 is already updated by entry 1: this is another story
    ]
    assert result.entries[0].reason.startswith("same guid as story #12; changes title")
    assert result.entries[1].reason.startswith("same link as story #13")
    assert result.entries[2].reason.startswith("same title and slug as story #14")


def test_an_unchanged_story_is_skipped_and_says_so() -> None:
    when = datetime(2026, 11, 27, tzinfo=UTC)
    story = existing(12, "Astana summit", guid="g1", body="Text", published_at=when)
    result = plan(record(1, "Astana summit", guid="g1", body="Text", published_at=when), lookup=Lookup(story))
    entry = result.entries[0]
    assert (entry.action, entry.reason, entry.story_id) == (
        Action.SKIP,
        "same guid as story #12, unchanged",
        12,
    )


def test_an_update_keeps_what_the_source_does_not_carry() -> None:
    story = existing(
        12,
        "Astana summit",
        guid="g1",
        body="Old",
        status=StoryStatus.APPROVED,
        tags=("Kazakhstan",),
        byline="Desk",
    )
    result = plan(record(1, "Astana summit", guid="g1", body="New"), lookup=Lookup(story))
    entry = result.entries[0]
    assert entry.action is Action.UPDATE
    assert entry.reason == "same guid as story #12; changes body"
    assert entry.fields.status is StoryStatus.APPROVED  # a feed says nothing about the desk's workflow
    assert entry.fields.tags == ("Kazakhstan",)
    assert entry.fields.byline == "Desk"
    assert entry.fields.slug == story.fields.slug


def test_an_update_keeps_the_story_slug_when_the_title_changes() -> None:
    story = existing(12, "Astana summit opens", guid="g1")
    result = plan(record(1, "Astana summit closes", guid="g1"), lookup=Lookup(story))
    assert result.entries[0].slug == "astana-summit-opens"  # its address in the bundle does not move


def test_the_same_title_with_another_guid_is_another_story() -> None:
    story = existing(12, "Daily briefing", guid="monday")
    result = plan(record(1, "Daily briefing", guid="tuesday"), lookup=Lookup(story))
    assert (result.entries[0].action, result.entries[0].slug) == (Action.ADD, "daily-briefing-2")
    assert "'daily-briefing' is taken" in result.entries[0].reason


@pytest.mark.parametrize(
    "titles",
    [
        ("Тоқаев встретился с Мирзиёевым", "Токаев встретился с Мирзиёевым"),  # қ and к read the same
        ("Ұлттық банк", "Улттык банк", "Ulttyk bank"),
        ("Өскемен: су тасқыны", "Оскемен: су таскыны"),
    ],
)
def test_cyrillic_titles_get_readable_unique_slugs(titles: tuple[str, ...]) -> None:
    result = plan(*(record(n, t, guid=f"g{n}") for n, t in enumerate(titles, start=1)))
    slugs = [e.slug for e in result.entries]
    assert len(set(slugs)) == len(slugs)
    assert all(is_valid_slug(s) for s in slugs)
    base = slugs[0]
    assert slugs[1:] == [f"{base}-{n}" for n in range(2, len(slugs) + 1)]
    assert base.isascii() and len(base.split("-")) >= 2


@pytest.mark.parametrize(
    ("letter", "reads"),
    [
        ("ә", "a"),
        ("ғ", "g"),
        ("қ", "k"),
        ("ң", "n"),
        ("ө", "o"),
        ("ұ", "u"),
        ("ү", "u"),
        ("һ", "h"),
        ("і", "i"),
    ],
)
def test_every_kazakh_letter_transliterates(letter: str, reads: str) -> None:
    assert make_slug(f"x{letter}x") == f"x{reads}x"
    assert make_slug(f"x{letter.upper()}x") == f"x{reads}x"


def test_a_slug_already_taken_in_the_database_gets_the_next_free_suffix() -> None:
    lookup = Lookup(existing(1, "Astana summit"), existing(2, "Astana summit 2"))
    result = plan(record(1, "Astana summit", guid="new"), lookup=lookup)
    # 'astana-summit' has another title in the database? No: same title, but no guid on either side…
    assert result.entries[0].action is Action.UPDATE  # …so it is the same story, found by title and slug
    lookup = Lookup(replace(existing(1, "Astana summit"), source_guid="old"), existing(2, "Astana summit 2"))
    result = plan(record(1, "Astana summit", guid="new"), lookup=lookup)
    assert (result.entries[0].action, result.entries[0].slug) == (Action.ADD, "astana-summit-3")


def test_two_records_claiming_one_explicit_slug_fail_naming_both() -> None:
    with pytest.raises(ImportFailedError) as caught:
        plan(record(1, "Astana summit"), record(2, "Other", slug="astana-summit"))
    assert caught.value.line == 2
    assert caught.value.field == "slug"
    assert "entry 1 'Astana summit'" in str(caught.value)
    assert "entry 2 'Other'" in str(caught.value)


def test_decisions_change_when_the_database_does() -> None:
    records = (record(1, "Astana summit", guid="g1", body="New"),)
    before = plan(*records)
    after = plan(*records, lookup=Lookup(existing(9, "Astana summit", guid="g1")))
    assert before.decisions() != after.decisions()
    assert plan(*records).decisions() == before.decisions()
