"""Slugs (readable, ASCII, unique, safe on disk and in URLs) and the rules a story must pass before saving."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_editor.domain.errors import Problem
from ca_editor.domain.model import StoryFields
from ca_editor.domain.slugs import MAX_SLUG_LENGTH, is_valid_slug, make_slug, unique_slug
from ca_editor.domain.validation import (
    MAX_LENGTHS,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    SUMMARY_ADVISED_LENGTH,
    errors_only,
    validate_story,
)

SHA = "ab" * 32

# --- make_slug ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Тоқаев ратифицировал договор", "tokaev-ratifitsiroval-dogovor"),
        (
            "Шавкат Мирзиёев встретился с Садыром Жапаровым",
            "shavkat-mirzieev-vstretilsia-s-sadyrom-zhaparovym",
        ),
        ("Astana — Бишкек: 2024!", "astana-bishkek-2024"),
        ("Ўзбекистон", "uzbekiston"),
        ("Қазақстан", "kazakstan"),
        ("Hello, World", "hello-world"),
    ],
)
def test_make_slug_transliterates_to_readable_ascii(title: str, expected: str) -> None:
    assert make_slug(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Әділет министрлігі", "adilet-ministrligi"), ("Әлихан Бөкейхан", "alikhan-bokeikhan"), ("ә", "a")],
)
def test_make_slug_keeps_the_kazakh_schwa(title: str, expected: str) -> None:
    # The transliteration table maps Ә to '@', which slugify drops: 'Әділет' would read 'dilet'.
    assert make_slug(title) == expected


@pytest.mark.parametrize("title", ["", "   ", "!!!", "— … —", "🙂🙂", "'\"", "\x00"])
def test_make_slug_falls_back_when_nothing_readable_is_left(title: str) -> None:
    assert make_slug(title) == "story"
    assert make_slug(title, fallback="untitled") == "untitled"


def test_make_slug_is_at_most_the_maximum_length_and_cuts_at_a_word() -> None:
    slug = make_slug("word " * 50)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert slug.startswith("word-word")
    assert not slug.endswith("-")
    assert set(slug.split("-")) == {"word"}


def test_make_slug_cuts_one_overlong_word_to_the_maximum_length() -> None:
    assert make_slug("a" * 200) == "a" * MAX_SLUG_LENGTH


@given(st.text(max_size=300))
def test_make_slug_always_gives_a_valid_slug(title: str) -> None:
    assert is_valid_slug(make_slug(title))


# --- is_valid_slug --------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["a", "abc", "a-b", "2024-05-20-tokaev", "x" * MAX_SLUG_LENGTH])
def test_valid_slugs(slug: str) -> None:
    assert is_valid_slug(slug)


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "A",
        "Abc",
        "a--b",
        "-a",
        "a-",
        "../x",
        "a/b",
        "a\\b",
        ".",
        "a.html",
        "a b",
        "a_b",
        "a\x00b",
        "a\n",
        "tоkaev",  # Cyrillic 'о'
        "x" * (MAX_SLUG_LENGTH + 1),
    ],
)
def test_invalid_slugs(slug: str) -> None:
    assert not is_valid_slug(slug)


# --- unique_slug ----------------------------------------------------------------------------------------


def test_unique_slug_returns_the_base_when_it_is_free() -> None:
    assert unique_slug("tokaev", lambda _s: False) == "tokaev"


def test_unique_slug_counts_up_from_two() -> None:
    taken = {"tokaev", "tokaev-2", "tokaev-3"}
    assert unique_slug("tokaev", taken.__contains__) == "tokaev-4"


def test_unique_slug_skips_only_what_is_taken() -> None:
    taken = {"tokaev", "tokaev-3"}
    assert unique_slug("tokaev", taken.__contains__) == "tokaev-2"


def test_unique_slug_of_a_maximum_length_base_stays_within_the_limit() -> None:
    base = "x" * MAX_SLUG_LENGTH
    result = unique_slug(base, {base}.__contains__)
    assert result == "x" * (MAX_SLUG_LENGTH - 2) + "-2"
    assert is_valid_slug(result)


def test_unique_slug_does_not_leave_a_double_hyphen_where_it_cuts() -> None:
    base = "x" * (MAX_SLUG_LENGTH - 3) + "-ab"  # cutting two characters would end on '-'
    result = unique_slug(base, {base}.__contains__)
    assert "--" not in result
    assert is_valid_slug(result)


@given(
    base=st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,4}", fullmatch=True),
    numbers=st.sets(st.integers(min_value=2, max_value=30), max_size=25),
    base_taken=st.booleans(),
)
def test_unique_slug_takes_the_lowest_free_number(base: str, numbers: set[int], base_taken: bool) -> None:
    taken = {f"{base}-{n}" for n in numbers} | ({base} if base_taken else set())
    result = unique_slug(base, taken.__contains__)
    assert result not in taken
    assert is_valid_slug(result)
    if base_taken:
        lowest_free = min(n for n in range(2, 40) if n not in numbers)
        assert result == f"{base}-{lowest_free}"
    else:
        assert result == base


@given(
    base=st.from_regex(r"[a-z0-9]{1,30}(-[a-z0-9]{1,30}){0,5}", fullmatch=True).map(
        lambda s: s[:MAX_SLUG_LENGTH].rstrip("-")
    ),
    how_many_taken=st.integers(min_value=1, max_value=15),
)
def test_unique_slug_of_any_valid_base_is_free_and_valid(base: str, how_many_taken: int) -> None:
    taken: set[str] = {base}
    for _ in range(how_many_taken - 1):
        taken.add(unique_slug(base, taken.__contains__))
    result = unique_slug(base, taken.__contains__)
    assert result not in taken
    assert is_valid_slug(result)


# --- validate_story -------------------------------------------------------------------------------------


def _fields(**changes: object) -> StoryFields:
    good = StoryFields(
        title="Tokayev ratifies treaty",
        slug="tokayev-ratifies-treaty",
        summary="A short teaser.",
        body="Body text.",
        byline="A. Reporter",
        tags=("kazakhstan", "treaties"),
    )
    return dataclasses.replace(good, **changes)


def _fields_of(problems: list[Problem], severity: str) -> set[str]:
    return {p.field for p in problems if p.severity == severity}


def test_a_good_story_has_no_problems() -> None:
    assert validate_story(_fields()) == []


def test_an_empty_slug_is_allowed_because_one_is_generated() -> None:
    assert validate_story(_fields(slug="")) == []


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_a_story_needs_a_title(title: str) -> None:
    problems = validate_story(_fields(title=title))
    assert _fields_of(problems, "error") == {"title"}


@pytest.mark.parametrize("name", sorted(MAX_LENGTHS))
def test_each_field_has_a_length_limit(name: str) -> None:
    limit = MAX_LENGTHS[name]
    at_limit = validate_story(_fields(**{name: "x" * limit}))
    assert name not in _fields_of(at_limit, "error")
    over = validate_story(_fields(**{name: "x" * (limit + 1)}))
    assert name in _fields_of(over, "error")
    message = next(p.message for p in over if p.field == name and p.severity == "error")
    assert f"{limit:,}" in message


@pytest.mark.parametrize("slug", ["../x", "A", "a--b", "a\x00b", "Tokayev Ratifies", "x" * 81])
def test_a_bad_slug_is_an_error(slug: str) -> None:
    problems = validate_story(_fields(slug=slug))
    assert _fields_of(problems, "error") == {"slug"}


def test_a_very_long_bad_slug_is_shortened_in_the_message() -> None:
    problems = validate_story(_fields(slug="Z" * 10_000))
    assert len(problems[0].message) < 200


@pytest.mark.parametrize(
    "name", ["title", "summary", "body", "byline", "image_alt", "image_caption", "image_credit"]
)
def test_a_nul_character_in_any_text_field_is_an_error(name: str) -> None:
    problems = validate_story(_fields(**{name: "before\x00after"}))
    assert name in _fields_of(problems, "error")
    assert any("NUL" in p.message for p in problems if p.field == name)


def test_a_nul_character_in_a_tag_is_an_error() -> None:
    problems = validate_story(_fields(tags=("ok", "bad\x00tag")))
    assert _fields_of(problems, "error") == {"tags"}


def test_too_many_tags_is_an_error() -> None:
    at_limit = _fields(tags=tuple(f"tag{i}" for i in range(MAX_TAGS)))
    assert validate_story(at_limit) == []
    over = _fields(tags=tuple(f"tag{i}" for i in range(MAX_TAGS + 1)))
    assert _fields_of(validate_story(over), "error") == {"tags"}


@pytest.mark.parametrize("tag", ["", "  ", "x" * (MAX_TAG_LENGTH + 1)])
def test_an_empty_or_overlong_tag_is_an_error(tag: str) -> None:
    problems = validate_story(_fields(tags=("fine", tag)))
    assert _fields_of(problems, "error") == {"tags"}


def test_several_bad_tags_are_reported_once() -> None:
    problems = validate_story(_fields(tags=("", "", "x" * 100)))
    assert len([p for p in problems if p.field == "tags"]) == 1


def test_an_image_without_alt_text_is_a_warning_not_an_error() -> None:
    problems = validate_story(_fields(image_sha256=SHA, image_alt="  "))
    assert errors_only(problems) == []
    assert _fields_of(problems, "warning") == {"image_alt"}


def test_an_image_with_alt_text_has_no_warning() -> None:
    assert validate_story(_fields(image_sha256=SHA, image_alt="Tokayev signs the treaty")) == []


def test_no_image_needs_no_alt_text() -> None:
    assert validate_story(_fields(image_sha256=None, image_alt="")) == []


def test_a_long_summary_is_a_warning_not_an_error() -> None:
    assert validate_story(_fields(summary="x" * SUMMARY_ADVISED_LENGTH)) == []
    problems = validate_story(_fields(summary="x" * (SUMMARY_ADVISED_LENGTH + 1)))
    assert errors_only(problems) == []
    assert _fields_of(problems, "warning") == {"summary"}


def test_the_teaser_advice_is_the_sections() -> None:
    long = _fields(summary="x" * 900)
    assert validate_story(long, teaser_limit=None) == []  # a section without advice (the client's page)
    assert validate_story(long, teaser_limit=1_000) == []
    (problem,) = validate_story(long, teaser_limit=800)
    assert (problem.field, problem.severity) == ("summary", "warning")
    assert "phones cut teasers over 800" in problem.message


def test_a_summary_over_the_hard_limit_is_both_an_error_and_a_warning() -> None:
    problems = validate_story(_fields(summary="x" * (MAX_LENGTHS["summary"] + 1)))
    assert _fields_of(problems, "error") == {"summary"}
    assert _fields_of(problems, "warning") == {"summary"}


def test_every_problem_is_reported_not_only_the_first() -> None:
    problems = validate_story(
        _fields(title="", slug="../x", byline="\x00", tags=("",), image_sha256=SHA, image_alt="")
    )
    assert _fields_of(problems, "error") == {"title", "slug", "byline", "tags"}
    assert _fields_of(problems, "warning") == {"image_alt"}


def test_errors_only_drops_warnings() -> None:
    error, warning = Problem("title", "bad"), Problem("summary", "long", "warning")
    assert errors_only([warning, error, warning]) == [error]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Dushanbe's markets", "dushanbes-markets"),
        ("Almaty’s markets", "almatys-markets"),
        ("Oʻzbekiston votes", "ozbekiston-votes"),
        ("rock 'n' roll", "rock-n-roll"),
    ],
)
def test_apostrophes_join_whichever_was_typed(title: str, slug: str) -> None:
    assert make_slug(title) == slug
