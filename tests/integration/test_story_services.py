"""StoryService over a real SQLite file: CRUD, slugs, optimistic locking, date filters, FTS search."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from tests import db_query

from ca_editor.domain.dates import DateRange
from ca_editor.domain.errors import ConflictError, NotFoundError, ValidationError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery

ALL = StoryQuery(limit=None)
HOSTILE_QUERIES = [
    '"abc',
    "AND",
    "OR",
    "NOT",
    "NEAR(",
    "NEAR(a b",
    "-foo",
    "title:x",
    ")(*",
    "*",
    '""',
    "^start",
    "a AND",
    "'; DROP TABLE stories; --",
    "%_\\",
    "{title summary}: x",
    "\x00",
    "Steinmeier OR",
    "ß ñ 中文 🙂",
    "x" * 5000,
    " ".join(["word"] * 100),
]


def slugs(summaries: list) -> list[str]:
    return [s.slug for s in summaries]


def search(services: Services, text: str) -> list[str]:
    return slugs(services.stories.list(StoryQuery(text=text, limit=None)))


def story_row_count(services: Services) -> int:
    return int(db_query.scalar(services, "SELECT count(*) FROM stories"))


# --------------------------------------------------------------------------------------------- CRUD


def test_create_get_update_delete_round_trip(empty_services: Services) -> None:
    stories = empty_services.stories
    when = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    created = stories.create(
        StoryFields(
            title="  Water talks in Tashkent  ",
            summary="Five states meet.",
            body="Long *body*.",
            byline="Desk",
            published_at=when,
            status=StoryStatus.READY,
            tags=("Water", "Uzbekistan"),
        )
    )
    assert created.id > 0
    assert created.title == "Water talks in Tashkent"
    assert created.slug == "water-talks-in-tashkent"
    assert created.version == 1

    fetched = stories.get(created.id)
    assert fetched == created
    assert fetched.published_at == when
    assert fetched.published_at is not None
    assert fetched.published_at.tzinfo is not None
    assert fetched.tags == ("Water", "Uzbekistan")
    assert stories.get_by_slug("water-talks-in-tashkent") == created

    changed = stories.update(
        created.id,
        StoryFields(**{**_fields_dict(created), "title": "Water talks end", "status": StoryStatus.APPROVED}),
        expected_version=created.version,
    )
    assert changed.title == "Water talks end"
    assert changed.slug == created.slug  # an explicit slug is kept when the title changes
    assert changed.status is StoryStatus.APPROVED
    assert changed.version == created.version + 1
    assert stories.get(created.id) == changed

    stories.delete(created.id, expected_version=changed.version)
    with pytest.raises(NotFoundError):
        stories.get(created.id)
    with pytest.raises(NotFoundError):
        stories.get_by_slug(created.slug)
    assert story_row_count(empty_services) == 0


def _fields_dict(story: object) -> dict[str, object]:
    fields = story.fields()  # type: ignore[attr-defined]
    return {name: getattr(fields, name) for name in fields.__dataclass_fields__}


def test_version_increments_on_every_save(empty_services: Services) -> None:
    stories = empty_services.stories
    story = stories.create(StoryFields(title="Counting"))
    versions = [story.version]
    for n in range(3):
        story = stories.update(story.id, StoryFields(title=f"Counting {n}"), expected_version=story.version)
        versions.append(story.version)
    assert versions == list(range(versions[0], versions[0] + 4))
    assert stories.get(story.id).version == versions[-1]


def test_slug_is_derived_from_the_title_and_made_unique(empty_services: Services) -> None:
    stories = empty_services.stories
    first = stories.create(StoryFields(title="Toqaev meets Mirziyoyev!"))
    second = stories.create(StoryFields(title="Toqaev meets Mirziyoyev!"))
    third = stories.create(StoryFields(title="Toqaev   meets  Mirziyoyev?"))
    assert first.slug == "toqaev-meets-mirziyoyev"
    assert second.slug == "toqaev-meets-mirziyoyev-2"
    assert third.slug == "toqaev-meets-mirziyoyev-3"
    # Non-Latin titles are transliterated; titles with no letters at all still get a slug.
    cyrillic = stories.create(StoryFields(title="Тоқаев"))
    assert cyrillic.slug.isascii()
    assert cyrillic.slug
    punctuation = stories.create(StoryFields(title="!!!"))
    assert punctuation.slug
    assert len({s.slug for s in (first, second, third, cyrillic, punctuation)}) == 5


def test_duplicate_explicit_slug_is_refused_naming_the_slug(services: Services, demo_stories: list) -> None:
    taken = demo_stories[0].slug
    before = services.stories.count()
    with pytest.raises(ValidationError) as caught:
        services.stories.create(StoryFields(title="Another story", slug=taken))
    assert [p.field for p in caught.value.problems] == ["slug"]
    assert taken in str(caught.value)
    assert services.stories.count() == before

    # Renaming another story onto a taken slug is refused the same way, and changes nothing.
    other = services.stories.get_by_slug(demo_stories[1].slug)
    with pytest.raises(ValidationError) as caught:
        services.stories.update(
            other.id, StoryFields(**{**_fields_dict(other), "slug": taken}), expected_version=other.version
        )
    assert caught.value.problems[0].field == "slug"
    assert services.stories.get(other.id) == other


def test_invalid_fields_are_refused_with_the_field_named(empty_services: Services) -> None:
    stories = empty_services.stories
    for fields, field in (
        (StoryFields(title="   "), "title"),
        (StoryFields(title="ok", slug="Not A Slug"), "slug"),
        (StoryFields(title="ok", tags=("",)), "tags"),
        (StoryFields(title="x" * 301), "title"),
        (StoryFields(title="ok", body="nul\x00byte"), "body"),
        (StoryFields(title="ok", image_sha256="0" * 64, image_alt="alt"), "image"),
    ):
        with pytest.raises(ValidationError) as caught:
            stories.create(fields)
        assert field in [p.field for p in caught.value.problems]
    assert stories.count() == 0


def test_stale_expected_version_is_a_conflict_and_changes_nothing(
    services: Services, demo_stories: list
) -> None:
    stories = services.stories
    original = stories.get_by_slug(demo_stories[2].slug)
    # Someone else saves first...
    theirs = stories.update(
        original.id,
        StoryFields(**{**_fields_dict(original), "summary": "Their summary"}),
        expected_version=original.version,
    )
    # ...then this editor saves with the version they read.
    with pytest.raises(ConflictError):
        stories.update(
            original.id,
            StoryFields(**{**_fields_dict(original), "title": "My title"}),
            expected_version=original.version,
        )
    assert stories.get(original.id) == theirs
    with pytest.raises(ConflictError):
        stories.delete(original.id, expected_version=original.version)
    assert stories.get(original.id) == theirs


def test_update_and_delete_of_a_missing_story_are_not_found(empty_services: Services) -> None:
    with pytest.raises(NotFoundError):
        empty_services.stories.update(12345, StoryFields(title="x"), expected_version=1)
    with pytest.raises(NotFoundError):
        empty_services.stories.delete(12345)


# ------------------------------------------------------------------------------------------ listing


def _expected(demo_stories: list, dates: DateRange) -> set[str]:
    return {s.slug for s in demo_stories if s.published_at is not None and dates.contains(s.published_at)}


def _inclusive(demo_stories: list, first: date | None, last: date | None) -> set[str]:
    """Computed without DateRange: calendar days in UTC, both ends inclusive."""
    return {
        s.slug
        for s in demo_stories
        if s.published_at is not None
        and (first is None or s.published_at.date() >= first)
        and (last is None or s.published_at.date() <= last)
    }


def test_list_by_year(services: Services, demo_stories: list) -> None:
    years = sorted({s.published_at.year for s in demo_stories if s.published_at})
    assert len(years) >= 2, "the demo data should span two years for this test to mean something"
    for year in [years[0] - 1, *years]:
        listed = slugs(services.stories.list(StoryQuery(dates=DateRange.year(year), limit=None)))
        expected = _inclusive(demo_stories, date(year, 1, 1), date(year, 12, 31))
        assert set(listed) == expected, year
        assert len(listed) == len(expected)
        assert services.stories.count(StoryQuery(dates=DateRange.year(year))) == len(expected)


def test_list_by_month(services: Services, demo_stories: list) -> None:
    months = Counter((s.published_at.year, s.published_at.month) for s in demo_stories if s.published_at)
    for (year, month), count in months.items():
        listed = slugs(services.stories.list(StoryQuery(dates=DateRange.month(year, month), limit=None)))
        assert len(listed) == count
        assert {
            s.slug
            for s in demo_stories
            if s.published_at and (s.published_at.year, s.published_at.month) == (year, month)
        } == set(listed)
    # A month without stories next to one with stories.
    year, month = min(months)
    empty_year, empty_month = (year, month - 1) if month > 1 else (year - 1, 12)
    assert services.stories.list(StoryQuery(dates=DateRange.month(empty_year, empty_month))) == []


def test_list_by_day_includes_the_whole_day_and_nothing_beside_it(
    services: Services, demo_stories: list
) -> None:
    dated = [s for s in demo_stories if s.published_at]
    for story in dated:
        day = story.published_at.date()
        listed = set(slugs(services.stories.list(StoryQuery(dates=DateRange.day(day), limit=None))))
        assert listed == _inclusive(demo_stories, day, day)
        assert story.slug in listed
        for neighbour in (day - timedelta(days=1), day + timedelta(days=1)):
            around = set(slugs(services.stories.list(StoryQuery(dates=DateRange.day(neighbour), limit=None))))
            assert story.slug not in around


def test_list_from_to_and_open_ranges(services: Services, demo_stories: list) -> None:
    days = sorted({s.published_at.date() for s in demo_stories if s.published_at})
    assert len(days) >= 3
    first, last = days[1], days[-2]
    for range_first, range_last in (
        (first, last),
        (first, None),
        (None, last),
        (days[0], days[0]),
        (None, None),
    ):
        query = StoryQuery(dates=DateRange(range_first, range_last), limit=None)
        assert set(slugs(services.stories.list(query))) == _inclusive(demo_stories, range_first, range_last)


def test_status_filter(services: Services, demo_stories: list) -> None:
    draft = services.stories.create(
        StoryFields(title="A draft", published_at=datetime(2024, 1, 2, tzinfo=UTC))
    )
    ready = services.stories.create(StoryFields(title="A ready one", status=StoryStatus.READY))
    for status in StoryStatus:
        expected = {s.slug for s in demo_stories if s.status == status.value}
        expected |= {story.slug for story in (draft, ready) if story.status is status}
        listed = slugs(services.stories.list(StoryQuery(status=status, limit=None)))
        assert set(listed) == expected, status
        assert services.stories.count(StoryQuery(status=status)) == len(expected)


def test_newest_first_ordering_with_undated_last(services: Services, demo_stories: list) -> None:
    undated = services.stories.create(StoryFields(title="No date yet"))
    newest = slugs(services.stories.list(ALL))
    dated = sorted((s for s in demo_stories if s.published_at), key=lambda s: s.published_at, reverse=True)
    assert newest[: len(dated)] == [s.slug for s in dated]
    assert newest[-1] == undated.slug
    oldest = slugs(services.stories.list(StoryQuery(newest_first=False, limit=None)))
    assert oldest[: len(dated)] == [s.slug for s in reversed(dated)]
    assert oldest[-1] == undated.slug


def test_limit_and_offset_page_through_the_list(services: Services) -> None:
    everything = slugs(services.stories.list(ALL))
    pages = []
    for offset in range(0, len(everything), 3):
        pages += slugs(services.stories.list(StoryQuery(limit=3, offset=offset)))
    assert pages == everything


def test_list_marks_stories_in_editors_choice(services: Services, demo_section: dict) -> None:
    marked = {s.slug for s in services.stories.list(ALL) if s.in_editors_choice}
    assert marked == set(demo_section["editors_choice"])


def test_archive_buckets_count_the_data(services: Services, demo_stories: list) -> None:
    services.stories.create(StoryFields(title="Undated"))  # not counted anywhere
    extra = services.stories.create(
        StoryFields(title="Old one", published_at=datetime(2019, 12, 31, 23, 59, tzinfo=UTC))
    )
    dated = [s.published_at for s in demo_stories if s.published_at] + [extra.published_at]
    months = Counter((d.year, d.month) for d in dated)
    years = Counter(d.year for d in dated)

    buckets = services.stories.archive_buckets()
    assert [b.year for b in buckets] == sorted(years, reverse=True)
    for bucket in buckets:
        assert bucket.count == years[bucket.year]
        assert [m.month for m in bucket.months] == sorted(
            (m for (y, m) in months if y == bucket.year), reverse=True
        )
        for month in bucket.months:
            assert month.count == months[(month.year, month.month)]
            assert month.year == bucket.year
    assert sum(b.count for b in buckets) == len(dated)


# ------------------------------------------------------------------------------------------- search


def test_search_finds_steinmeier(services: Services, demo_stories: list) -> None:
    expected = {
        s.slug
        for s in demo_stories
        if "steinmeier" in (s.title + " " + s.summary + " " + s.raw.get("body", "")).lower()
    }
    assert expected, "the demo data no longer mentions Steinmeier"
    assert set(search(services, "Steinmeier")) == expected
    assert set(search(services, "steinmeier")) == expected  # case-insensitive
    assert set(search(services, "Steinm")) == expected  # prefix of the last word, as the editor types


def test_search_combines_words_and_filters(services: Services, demo_stories: list) -> None:
    target = next(s for s in demo_stories if "Steinmeier" in s.title)
    assert search(services, "Steinmeier Tokayev") == [target.slug]
    assert search(services, "Steinmeier zzzznotaword") == []
    assert target.published_at is not None
    other_year = DateRange.year(target.published_at.year + 1)
    assert services.stories.list(StoryQuery(text="Steinmeier", dates=other_year)) == []
    same_year = DateRange.year(target.published_at.year)
    assert slugs(services.stories.list(StoryQuery(text="Steinmeier", dates=same_year))) == [target.slug]


@pytest.mark.parametrize("text", HOSTILE_QUERIES, ids=[repr(q[:20]) for q in HOSTILE_QUERIES])
def test_hostile_search_text_never_raises(services: Services, text: str) -> None:
    found = services.stories.list(StoryQuery(text=text, limit=None))
    assert isinstance(found, list)
    assert services.stories.count(StoryQuery(text=text)) == len(found)


def test_search_text_is_words_not_query_syntax(services: Services, demo_stories: list) -> None:
    # 'title:x' must not filter by column; it is just the words 'title' and 'x'.
    assert search(services, "title:Steinmeier") == []  # no story says "title"
    assert set(search(services, "Steinmeier -Tokayev")) == set(search(services, "Steinmeier Tokayev"))
    assert search(services, "(*)") == []  # only punctuation: nothing can match
    assert search(services, "   ") == slugs(services.stories.list(ALL))  # no text, no filter


def test_fts_follows_update_and_delete(services: Services) -> None:
    stories = services.stories
    story = stories.get(search_one(services, "Steinmeier"))
    updated = stories.update(
        story.id,
        StoryFields(
            **{
                **_fields_dict(story),
                "title": "Quokkaphant visits",
                "summary": "Nothing else",
                "body": "Plain body about zebrafinch",
            }
        ),
        expected_version=story.version,
    )
    assert search(services, "Steinmeier") == []
    assert search(services, "quokkaphant") == [updated.slug]
    assert search(services, "zebrafinch") == [updated.slug]

    stories.delete(updated.id)
    assert search(services, "quokkaphant") == []
    assert search(services, "zebrafinch") == []
    if services.db.is_sqlite:  # SQLite's external-content index (FTS5) agrees with the table row for row
        db_query.run(services, "INSERT INTO stories_fts(stories_fts) VALUES ('integrity-check')")
        assert (
            db_query.rows(services, "SELECT rowid FROM stories_fts WHERE stories_fts MATCH 'zebrafinch'")
            == []
        )


def test_new_story_is_searchable_at_once(empty_services: Services) -> None:
    created = empty_services.stories.create(StoryFields(title="Ősszel Dushanbe", body="Samarqand"))
    assert search(empty_services, "dushanbe") == [created.slug]
    assert search(empty_services, "osszel") == [created.slug]  # diacritics removed by the tokenizer
    assert search(empty_services, "samarqand") == [created.slug]


def search_one(services: Services, text: str) -> int:
    found = services.stories.list(StoryQuery(text=text, limit=None))
    assert len(found) == 1
    return found[0].id


# -------------------------------------------------------------------------------------------- slots


def test_deleting_a_slotted_story_removes_its_slot_and_renumbers(
    services: Services, demo_section: dict
) -> None:
    section_id = services.section_id()
    before = services.sections.layout(section_id)
    victim = before.slots[2]
    services.stories.delete(victim.story.id)

    after = services.sections.layout(section_id)
    assert [s.story.slug for s in after.slots] == [
        slug for slug in demo_section["editors_choice"] if slug != victim.story.slug
    ]
    assert [s.position for s in after.slots] == list(range(1, len(before.slots)))
    positions = [
        row[0]
        for row in db_query.rows(
            services,
            "SELECT position FROM slots WHERE section_id = :id ORDER BY position",
            {"id": section_id},
        )
    ]
    orphans = db_query.scalar(
        services, "SELECT count(*) FROM slots WHERE story_id NOT IN (SELECT id FROM stories)"
    )
    assert positions == list(range(len(before.slots) - 1))
    assert orphans == 0
    # The first and last slots can go too; positions stay contiguous.
    services.stories.delete(after.slots[0].story.id)
    services.stories.delete(services.sections.layout(section_id).slots[-1].story.id)
    final = services.sections.layout(section_id)
    assert [s.position for s in final.slots] == list(range(1, len(before.slots) - 2))


def test_deleting_a_slotted_story_moves_the_section_version_on(services: Services) -> None:
    """Any slot change dirties its section (services/sections.py), deleting a slotted story included."""

    def section_version() -> int:
        return int(db_query.scalar(services, "SELECT version FROM sections"))

    section_id = services.section_id()
    before = section_version()
    unslotted = services.stories.create(StoryFields(title="Not in any slot"))
    services.stories.delete(unslotted.id)
    assert section_version() == before  # nothing in the layout changed
    services.stories.delete(services.sections.layout(section_id).slots[0].story.id)
    assert section_version() > before


def test_deleting_a_story_keeps_its_shared_image_for_others(services: Services) -> None:
    first, second = services.stories.list(StoryQuery(limit=2))
    one = services.stories.get(first.id)
    two = services.stories.get(second.id)
    assert one.image is not None
    services.stories.update(
        two.id,
        StoryFields(**{**_fields_dict(two), "image_sha256": one.image.asset.sha256}),
        expected_version=two.version,
    )
    services.stories.delete(one.id)
    survivor = services.stories.get(two.id)
    assert survivor.image is not None
    assert survivor.image.asset == one.image.asset


def test_an_update_returns_the_story_with_its_new_picture(services: Services) -> None:
    first, second = services.stories.list(StoryQuery(limit=2))
    one, two = services.stories.get(first.id), services.stories.get(second.id)
    assert one.image is not None and two.image is not None and one.image.asset != two.image.asset
    fields = StoryFields(**{**_fields_dict(two), "image_sha256": one.image.asset.sha256})
    saved = services.stories.update(two.id, fields, expected_version=two.version)
    assert saved.image is not None
    assert saved.image.asset == one.image.asset  # not the picture the story had when the session read it
    assert saved == services.stories.get(two.id)
